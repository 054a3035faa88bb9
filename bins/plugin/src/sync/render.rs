//! HTML for ticket details: InsightIDR investigations (with an alerts table) and InsightVM remediations
//! (with assets and vulnerabilities tables). Every value is escaped, so text from alerts or scan
//! results can never inject markup into Halo.

use serde_json::{Map, Value};

/// Rows shown at most per table (the rest are counted in a footer line).
pub const MAX_ROWS: usize = 100;

/// Escapes text for HTML element content and attribute values.
///
/// ```
/// assert_eq!(haloitsm_plugin::sync::render::escape("<b>&\"'"), "&lt;b&gt;&amp;&quot;&#39;");
/// ```
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text of a source value that may itself be HTML (InsightVM `fix`): tags dropped, entities kept as text.
pub fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match (c, in_tag) {
            ('<', _) => {
                in_tag = true;
                out.push(' ');
            }
            ('>', true) => in_tag = false,
            (c, false) => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON value as display text.
pub fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| text(Some(x)))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Object(o)) => o
            .get("name")
            .or_else(|| o.get("email"))
            .map(|x| text(Some(x)))
            .unwrap_or_else(|| Value::Object(o.clone()).to_string()),
        Some(other) => other.to_string(),
    }
}

/// First present key of an object (Rapid7 plugins use both camelCase and snake_case across versions).
pub fn pick<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter()
        .filter_map(|k| o.get(*k))
        .find(|v| !v.is_null() && *v != &Value::String(String::new()))
}

fn key_value_table(rows: &[(&str, String)]) -> String {
    let mut h = String::from("<table><tbody>");
    for (k, v) in rows.iter().filter(|(_, v)| !v.is_empty()) {
        h.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>",
            escape(k),
            escape(v)
        ));
    }
    h.push_str("</tbody></table>");
    h
}

/// A table of objects: one column per (title, keys) pair.
fn list_table(items: &[Value], columns: &[(&str, &[&str])]) -> String {
    let mut h = String::from("<table><thead><tr>");
    for (title, _) in columns {
        h.push_str(&format!("<th>{}</th>", escape(title)));
    }
    h.push_str("</tr></thead><tbody>");
    for item in items.iter().take(MAX_ROWS) {
        h.push_str("<tr>");
        let empty = Map::new();
        let o = item.as_object().unwrap_or(&empty);
        for (_, keys) in columns {
            h.push_str(&format!("<td>{}</td>", escape(&text(pick(o, keys)))));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    if items.len() > MAX_ROWS {
        h.push_str(&format!(
            "<p>{} more not shown.</p>",
            items.len() - MAX_ROWS
        ));
    }
    h
}

/// Details HTML for an InsightIDR investigation and its alerts.
pub fn investigation_html(inv: &Map<String, Value>, alerts: &[Value]) -> String {
    let f = |keys: &[&str]| text(pick(inv, keys));
    let assignee = inv.get("assignee").and_then(Value::as_object).map(|a| {
        let name = text(a.get("name"));
        let email = text(a.get("email"));
        match (name.is_empty(), email.is_empty()) {
            (false, false) => format!("{name} <{email}>"),
            (true, _) => email,
            (false, true) => name,
        }
    });
    let rows = [
        ("Investigation", f(&["rrn", "id"])),
        ("Title", f(&["title"])),
        ("Status", f(&["status"])),
        ("Priority", f(&["priority"])),
        ("Disposition", f(&["disposition"])),
        ("Source", f(&["source"])),
        ("Assignee", assignee.unwrap_or_default()),
        ("Created", f(&["created_time", "createdTime"])),
        ("First alert", f(&["first_alert_time", "firstAlertTime"])),
        ("Latest alert", f(&["latest_alert_time", "latestAlertTime"])),
        ("Responsibility", f(&["responsibility"])),
        ("Tags", f(&["tags"])),
    ];
    let mut h = format!(
        "<h3>InsightIDR investigation: {}</h3>",
        escape(&f(&["title"]))
    );
    h.push_str(&key_value_table(&rows));
    let alerts: Vec<Value> = if alerts.is_empty() {
        inv.get("alerts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    } else {
        alerts.to_vec()
    };
    if !alerts.is_empty() {
        h.push_str(&format!("<h4>Alerts ({})</h4>", alerts.len()));
        h.push_str(&list_table(
            &alerts,
            &[
                ("Title", &["title", "type_description", "name"]),
                ("Type", &["alert_type", "type"]),
                ("Source", &["alert_source", "source"]),
                ("Created", &["created_time", "first_event_time"]),
                ("Latest event", &["latest_event_time"]),
                ("ID", &["id", "rrn"]),
            ],
        ));
    }
    h
}

/// Details HTML for an InsightVM remediation (solution) with its assets and vulnerabilities.
pub fn remediation_html(
    rem: &Map<String, Value>,
    status: Option<&str>,
    due: Option<&str>,
) -> String {
    let f = |keys: &[&str]| text(pick(rem, keys));
    let rows = [
        ("Solution", f(&["solutionId", "solution_id", "id"])),
        ("Summary", f(&["summary", "title"])),
        ("Status", status.unwrap_or_default().to_string()),
        ("Risk score", f(&["riskScore", "risk_score"])),
        ("Assets", f(&["assetCount", "asset_count"])),
        (
            "Vulnerabilities",
            f(&["vulnerabilityCount", "vulnerability_count"]),
        ),
        ("Due", due.unwrap_or_default().to_string()),
    ];
    let mut h = format!(
        "<h3>InsightVM remediation: {}</h3>",
        escape(&f(&["summary", "title"]))
    );
    h.push_str(&key_value_table(&rows));
    let fix = strip_tags(&f(&["fix", "steps"]));
    if !fix.is_empty() {
        h.push_str(&format!("<h4>Fix</h4><p>{}</p>", escape(&fix)));
    }
    if let Some(assets) = rem
        .get("assets")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    {
        h.push_str(&format!("<h4>Assets ({})</h4>", assets.len()));
        h.push_str(&list_table(
            assets,
            &[
                ("Host", &["hostName", "host_name", "hostname", "name"]),
                ("IP", &["ip", "address"]),
                ("OS", &["os", "osName"]),
                ("Risk score", &["riskScore", "risk_score"]),
                ("Criticality", &["criticalityTag", "criticality"]),
                ("ID", &["id"]),
            ],
        ));
    }
    if let Some(vulns) = rem
        .get("vulnerabilities")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
    {
        h.push_str(&format!("<h4>Vulnerabilities ({})</h4>", vulns.len()));
        h.push_str(&list_table(
            vulns,
            &[
                ("Title", &["title", "name"]),
                ("Severity", &["severity"]),
                ("CVSS", &["cvssScore", "cvss_score", "cvssV3Score"]),
                ("Risk score", &["riskScore", "risk_score"]),
                ("ID", &["id"]),
            ],
        ));
    }
    h
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn investigation_is_escaped_and_tabulated() {
        let inv = json!({"rrn": "rrn:idr:inv:1", "title": "<script>alert(1)</script>", "status": "OPEN",
            "assignee": {"name": "Sam", "email": "sam@example.com"}});
        let alerts = vec![json!({"title": "Bad & \"worse\"", "alert_type": "Phish", "id": "a1"})];
        let h = investigation_html(inv.as_object().unwrap(), &alerts);
        assert!(!h.contains("<script>"), "{h}");
        assert!(h.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{h}");
        assert!(h.contains("<td>Bad &amp; &quot;worse&quot;</td>"), "{h}");
        assert!(h.contains("Sam &lt;sam@example.com&gt;"), "{h}");
        assert!(h.contains("<h4>Alerts (1)</h4>"), "{h}");
    }

    #[test]
    fn remediation_tables_and_fix_text() {
        let rem = json!({"solutionId": "ubuntu-openssl", "summary": "Upgrade OpenSSL", "riskScore": 812.5,
            "fix": "<p>Run <code>apt upgrade</code></p>", "assets": [{"hostName": "web<1>", "ip": "10.0.0.1"}],
            "vulnerabilities": [{"title": "CVE-1", "severity": "Critical", "cvssScore": 9.8}]});
        let h = remediation_html(rem.as_object().unwrap(), Some("Open"), Some("2026-12-31"));
        assert!(h.contains("<h4>Fix</h4><p>Run apt upgrade</p>"), "{h}");
        assert!(h.contains("<td>web&lt;1&gt;</td>"), "{h}");
        assert!(h.contains("<td>9.8</td>"), "{h}");
        assert!(h.contains("<th>Risk score</th><td>812.5</td>"), "{h}");
    }

    #[test]
    fn long_tables_are_cut() {
        let alerts: Vec<Value> = (0..150)
            .map(|i| json!({"title": format!("a{i}")}))
            .collect();
        let h = investigation_html(json!({"title": "t"}).as_object().unwrap(), &alerts);
        assert!(h.contains("50 more not shown."), "{h}");
        assert_eq!(h.matches("<tr><td>").count(), MAX_ROWS);
    }
}
