//! The committed plugin/plugin.spec.yaml is exactly what the Rust spec renders, and the spec obeys the
//! rules Rapid7's validators enforce that can be checked without Python (the full validators run in
//! tools/validate_plugin.sh).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use haloitsm_plugin::spec::{Field, plugin_spec, schema};

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugin/plugin.spec.yaml")
}

#[test]
fn committed_spec_matches_the_rust_definition() {
    let committed =
        std::fs::read_to_string(committed_path()).expect("plugin/plugin.spec.yaml exists");
    let fresh = plugin_spec().to_yaml();
    assert!(
        committed == fresh,
        "plugin/plugin.spec.yaml is out of date. Regenerate it with\n\
         \n    cargo run -q -p haloitsm-plugin -- spec > plugin/plugin.spec.yaml && tools/gen_help.sh\n\
         \nand commit both files."
    );
}

fn all_fields() -> Vec<(String, Field)> {
    let spec = plugin_spec();
    let mut out = Vec::new();
    for c in spec.actions.iter().chain(&spec.triggers) {
        for f in c.input.iter().chain(&c.output) {
            out.push((format!("{}.{}", c.name, f.name), f.clone()));
        }
    }
    for f in &spec.connection {
        out.push((format!("connection.{}", f.name), f.clone()));
    }
    out
}

#[test]
fn every_field_has_an_example_that_matches_its_type() {
    let spec = plugin_spec();
    for (path, f) in all_fields() {
        let example = f
            .example
            .as_ref()
            .unwrap_or_else(|| panic!("{path} has no example"));
        let wrapper = serde_json::json!({ f.name: example });
        schema::validate_object(spec, &wrapper, std::slice::from_ref(&f), "")
            .unwrap_or_else(|v| panic!("{path}: example does not match type {}: {v}", f.ty));
    }
}

#[test]
fn titles_and_descriptions_follow_the_validator_rules() {
    const LOWER: &[&str] = &[
        "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "is", "nor", "of", "on",
        "or", "so", "the", "to", "with",
    ];
    let spec = plugin_spec();
    let mut texts: Vec<(String, &str, &str)> = all_fields()
        .into_iter()
        .map(|(p, f)| (p, f.title, f.description))
        .collect();
    for c in spec.actions.iter().chain(&spec.triggers) {
        texts.push((c.name.to_string(), c.title, c.description));
    }
    for (path, title, description) in texts {
        assert!(
            !title.ends_with('.') && title.split(' ').count() <= 7,
            "{path}: title '{title}'"
        );
        for (i, w) in title.split(' ').enumerate() {
            let first = w.chars().next().unwrap();
            if i > 0 && LOWER.contains(&w.to_lowercase().as_str()) {
                assert!(
                    first.is_lowercase(),
                    "{path}: '{w}' must be lowercase in '{title}'"
                );
            } else {
                assert!(
                    !first.is_lowercase(),
                    "{path}: '{w}' must be capitalised in '{title}'"
                );
            }
        }
        assert!(
            !description.ends_with('.'),
            "{path}: description ends with a period"
        );
        assert!(
            description.chars().next().unwrap().is_uppercase(),
            "{path}: description starts lowercase"
        );
        assert!(
            description.is_ascii() && title.is_ascii(),
            "{path}: non-ASCII text"
        );
    }
}

#[test]
fn every_output_is_a_typed_spec_type_or_primitive() {
    let spec = plugin_spec();
    for c in &spec.actions {
        for f in &c.output {
            let base = f.ty.trim_start_matches("[]");
            let primitive = ["boolean", "integer", "string", "date", "number"].contains(&base);
            assert!(
                primitive || spec.type_spec(base).is_some(),
                "{}.{}: output type {} is untyped",
                c.name,
                f.name,
                f.ty
            );
        }
    }
}
