//! The spec model: fields, components (actions/triggers), custom types and plugin metadata.
//!
//! Everything `plugin.spec.yaml` says is built from these values, and the same values drive input
//! validation, the HTTP listings and the JSON schemas, so there is one source of truth.

use serde_json::{Map, Value};

/// One input, output, connection or custom-type field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Key in the input/output object.
    pub name: &'static str,
    /// Title Case title shown in the UI.
    pub title: &'static str,
    /// Spec type: `string`, `integer`, `number`, `boolean`, `date`, `bytes`, `object`, `file`,
    /// `credential_secret_key`, a custom type name, or `[]<type>`.
    pub ty: &'static str,
    /// Sentence describing the field (no trailing period).
    pub description: &'static str,
    /// Whether the field must be present.
    pub required: bool,
    /// Default shown by the UI (the runtime does not inject it; actions apply it themselves).
    pub default: Option<Value>,
    /// Allowed values.
    pub enumeration: Option<Vec<Value>>,
    /// Example value (mandatory for inputs and connection fields, and for primitive outputs).
    pub example: Option<Value>,
    /// UI placeholder.
    pub placeholder: Option<&'static str>,
    /// UI tooltip.
    pub tooltip: Option<&'static str>,
}

impl Field {
    /// An optional field; chain `.required()`, `.example(..)` and friends.
    ///
    /// ```
    /// use haloitsm_plugin::spec::Field;
    /// let f = Field::new("ticket_id", "Ticket ID", "integer", "ID of the ticket").required().example(123);
    /// assert!(f.required);
    /// ```
    pub fn new(
        name: &'static str,
        title: &'static str,
        ty: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            title,
            ty,
            description,
            required: false,
            default: None,
            enumeration: None,
            example: None,
            placeholder: None,
            tooltip: None,
        }
    }

    /// Marks the field required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Sets the example.
    pub fn example(mut self, v: impl Into<Value>) -> Self {
        self.example = Some(v.into());
        self
    }

    /// Sets the default.
    pub fn default(mut self, v: impl Into<Value>) -> Self {
        self.default = Some(v.into());
        self
    }

    /// Sets the allowed values.
    pub fn enumeration<V: Into<Value>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.enumeration = Some(values.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the placeholder.
    pub fn placeholder(mut self, p: &'static str) -> Self {
        self.placeholder = Some(p);
        self
    }

    /// Sets the tooltip.
    pub fn tooltip(mut self, t: &'static str) -> Self {
        self.tooltip = Some(t);
        self
    }

    /// The spec mapping for this field, keys in the order Rapid7's own specs use.
    pub fn to_spec_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("title".into(), self.title.into());
        m.insert("description".into(), self.description.into());
        m.insert("type".into(), self.ty.into());
        if let Some(d) = &self.default {
            m.insert("default".into(), d.clone());
        }
        if let Some(e) = &self.enumeration {
            m.insert("enum".into(), Value::Array(e.clone()));
        }
        m.insert("required".into(), self.required.into());
        if let Some(p) = self.placeholder {
            m.insert("placeholder".into(), p.into());
        }
        if let Some(t) = self.tooltip {
            m.insert("tooltip".into(), t.into());
        }
        if let Some(x) = &self.example {
            m.insert("example".into(), x.clone());
        }
        Value::Object(m)
    }
}

/// An action or trigger definition.
#[derive(Debug, Clone)]
pub struct ComponentSpec {
    /// Identifier (`get_ticket`).
    pub name: &'static str,
    /// Title Case title.
    pub title: &'static str,
    /// Sentence description (no trailing period).
    pub description: &'static str,
    /// Input fields.
    pub input: Vec<Field>,
    /// Output fields.
    pub output: Vec<Field>,
}

impl ComponentSpec {
    /// Spec mapping for this component.
    pub fn to_spec_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("title".into(), self.title.into());
        m.insert("description".into(), self.description.into());
        if !self.input.is_empty() {
            m.insert("input".into(), fields_value(&self.input));
        }
        if !self.output.is_empty() {
            m.insert("output".into(), fields_value(&self.output));
        }
        Value::Object(m)
    }

    /// Looks up an input field by name.
    pub fn input_field(&self, name: &str) -> Option<&Field> {
        self.input.iter().find(|f| f.name == name)
    }
}

/// A custom type (`types.<name>` in the spec).
#[derive(Debug, Clone)]
pub struct TypeSpec {
    /// Type name used in `type:` of fields.
    pub name: &'static str,
    /// Fields of the type.
    pub fields: Vec<Field>,
}

/// Ordered mapping of fields.
pub fn fields_value(fields: &[Field]) -> Value {
    let mut m = Map::new();
    for f in fields {
        m.insert(f.name.into(), f.to_spec_value());
    }
    Value::Object(m)
}
