//! Injection: the HTML the plugin builds (investigation / remediation details, status-sync notes) contains only
//! its own template tags, whatever markup the InsightIDR / InsightVM / user text carries; and the text the plugin
//! searches with reaches Halo only as one encoded query value (checked in halo-sim's request journal).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Stdio;
use std::time::Duration;

use halo_sim::{SimConfig, SimHandle, SimServer};
use haloitsm_plugin::actions::sync_status::reason_note;
use haloitsm_plugin::sync::mapping::Source;
use haloitsm_plugin::sync::render::{investigation_html, remediation_html};
use serde_json::{Map, Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_haloitsm-plugin");

/// Tags the templates themselves write, without attributes. Anything else between `<` and `>` came from data.
const TEMPLATE_TAGS: &[&str] = &["h3", "h4", "p", "table", "thead", "tbody", "tr", "th", "td"];

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "\"><svg/onload=alert(1)>",
    "' onmouseover='alert(1)",
    "<a href=\"javascript:alert(1)\">x</a>",
    "</td></tr></table><iframe src=//evil>",
    "&lt;already-escaped&gt; & raw &amp;",
    "<!-- comment --><![CDATA[x]]>",
    "<",
    ">",
];

/// Fails unless every tag in `html` is a bare template tag and no stray `<`/`>` is left.
#[track_caller]
fn assert_only_template_tags(html: &str) {
    let mut rest = html;
    while let Some(start) = rest.find(['<', '>']) {
        assert_eq!(&rest[start..=start], "<", "stray '>' in {html}");
        let after = &rest[start + 1..];
        let end = after
            .find('>')
            .unwrap_or_else(|| panic!("unclosed '<' in {html}"));
        let tag = after[..end].strip_prefix('/').unwrap_or(&after[..end]);
        assert!(
            TEMPLATE_TAGS.contains(&tag),
            "tag <{}> is not the template's, in {html}",
            &after[..end]
        );
        rest = &after[end + 1..];
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn obj(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[test]
fn investigation_html_escapes_every_field_and_alert() {
    for s in HOSTILE {
        let inv = obj(
            json!({"rrn": s, "title": s, "status": s, "priority": s, "disposition": s, "source": s,
            "assignee": {"name": s, "email": s}, "created_time": s, "first_alert_time": s, "latest_alert_time": s,
            "responsibility": s, "tags": [s, s]}),
        );
        let alerts = vec![
            json!({"title": s, "alert_type": s, "alert_source": s, "created_time": s,
            "latest_event_time": s, "id": s}),
            json!({"name": {"name": s}, "type": [s], "rrn": s}),
        ];
        let html = investigation_html(&inv, &alerts);
        assert_only_template_tags(&html);
        assert!(
            unescape(&html).contains(s),
            "the text itself is kept: {s:?} in {html}"
        );
        // Alerts embedded in the investigation render the same way.
        let mut embedded = inv.clone();
        embedded.insert("alerts".into(), json!(alerts));
        assert_only_template_tags(&investigation_html(&embedded, &[]));
    }
}

#[test]
fn remediation_html_escapes_every_field_asset_and_vulnerability() {
    for s in HOSTILE {
        let rem = obj(
            json!({"solutionId": s, "summary": s, "riskScore": s, "assetCount": s, "vulnerabilityCount": s,
            "fix": format!("<p>{s}</p><script>steal()</script>{s}"),
            "assets": [{"hostName": s, "ip": s, "os": s, "riskScore": s, "criticalityTag": s, "id": s}],
            "vulnerabilities": [{"title": s, "severity": s, "cvssScore": s, "riskScore": s, "id": s}]}),
        );
        let html = remediation_html(&rem, Some(s), Some(s));
        assert_only_template_tags(&html);
        assert!(unescape(&html).contains(s), "{s:?} in {html}");
    }
}

#[test]
fn status_sync_notes_escape_status_disposition_and_comment() {
    for s in HOSTILE {
        for source in [Source::InsightIdr, Source::InsightVm] {
            let html = reason_note(source, s, Some(s), s, Some(s));
            assert_only_template_tags(&html);
            assert!(unescape(&html).contains(s.trim()), "{s:?} in {html}");
        }
    }
}

#[test]
fn generated_markup_never_escapes_the_templates() {
    // Deterministic pseudo-random strings over an alphabet heavy in markup characters.
    let alphabet: Vec<char> = "<>&\"'/=! abcxyz-:;()[]{}é😀\\".chars().collect();
    let mut rng = fastrand::Rng::with_seed(7);
    for _ in 0..500 {
        let s: String = (0..rng.usize(1..40))
            .map(|_| alphabet[rng.usize(..alphabet.len())])
            .collect();
        let inv = obj(json!({"rrn": "rrn:1", "title": s, "assignee": {"name": s, "email": s}}));
        assert_only_template_tags(&investigation_html(&inv, &[json!({"title": s, "id": s})]));
        let rem =
            obj(json!({"solutionId": "sol", "summary": s, "fix": s, "assets": [{"hostName": s}]}));
        assert_only_template_tags(&remediation_html(&rem, Some(&s), None));
    }
}

fn connection(sim: &SimHandle) -> Value {
    let mut c = json!({
        "client_id": sim.client_id(),
        "client_secret": {"secretKey": sim.client_secret()},
        "authorization_server": sim.authorization_server_url().as_str(),
        "resource_server": sim.resource_server_url().as_str(),
    });
    if let Some(t) = sim.tenant() {
        c["tenant"] = json!(t);
    }
    c
}

async fn run_action(sim: &SimHandle, action: &str, input: Value) -> Value {
    let msg = json!({"version": "v1", "type": "action_start",
        "body": {"action": action, "meta": {}, "input": input, "connection": connection(sim)}});
    let mut child = Command::new(BIN)
        .arg("run")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(msg.to_string().as_bytes()).await.unwrap();
    drop(stdin);
    let out = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let envelope: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|_| panic!("one envelope on stdout: {stdout}"));
    assert_eq!(
        envelope["body"]["status"],
        "ok",
        "{action} failed: {envelope}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    envelope["body"]["output"].clone()
}

#[tokio::test]
async fn investigation_ticket_stored_in_halo_carries_only_template_markup() {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    let title = "<img src=x onerror=alert(1)> & \"quoted\"";
    let input = json!({
        "investigation": {"rrn": "rrn:investigation:test:1", "title": title, "status": "OPEN",
            "assignee": {"name": "<b>Eve</b>", "email": "eve@example.com"}},
        "alerts": [{"id": "a1", "title": "<script>alert(2)</script>", "alert_type": "x' onclick='y"}],
        "assign_by_email": false,
    });
    let out = run_action(&sim, "create_ticket_from_investigation", input).await;
    let id = out["ticket"]["id"]
        .as_u64()
        .or_else(|| out["ticket_id"].as_u64())
        .unwrap_or_else(|| panic!("{out}"));
    let stored = sim.ticket(id).unwrap();
    let html = stored["details_html"].as_str().unwrap();
    assert_only_template_tags(html);
    assert!(unescape(html).contains(title), "{html}");
    // The summary is a JSON string holding the title verbatim; Halo shows it as text.
    assert!(stored["summary"].as_str().unwrap().contains(title));
}

#[tokio::test]
async fn search_text_reaches_halo_as_one_encoded_query_value() {
    let sim = SimServer::start(SimConfig::default().with_rate_limit(None))
        .await
        .unwrap();
    for s in [
        "a&b=c",
        "x&pageinate=false&page_size=100000",
        "100% #1 ?q=1",
        "<script>\"'</script>",
    ] {
        run_action(
            &sim,
            "search_tickets",
            json!({"search": s, "summary_contains": s, "max_results": 5}),
        )
        .await;
        let e = sim.journal().matching("GET /api/Tickets").pop().unwrap();
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(e.query.as_bytes())
            .into_owned()
            .collect();
        for key in ["search", "search_summary"] {
            let values: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            assert_eq!(values, vec![s], "{key} in {:?}", e.query);
        }
        assert_eq!(
            pairs.iter().filter(|(k, _)| k == "page_size").count(),
            1,
            "{:?}",
            e.query
        );
        assert_eq!(
            pairs.iter().filter(|(k, _)| k == "pageinate").count(),
            1,
            "{:?}",
            e.query
        );
        assert!(!e.query.contains('#'), "{:?}", e.query);
    }
}
