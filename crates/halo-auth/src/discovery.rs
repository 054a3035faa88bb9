//! Finding the authorisation server from an instance URL.
//!
//! Halo publishes it at `GET <instance>/api/authinfo` (unauthenticated): a JSON object with
//! `auth_url` and, for hosted tenants, `tenant_id`. When that does not answer usefully, the
//! rule of the established clients applies: the authorisation server is `<instance>/auth`.

use std::time::Duration;

use url::Url;

use crate::AuthError;
use crate::sanitize::{bounded, url_without_query};

/// Timeout of the `GET /api/authinfo` request.
pub const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest authinfo body read (it is a few hundred bytes in practice).
const MAX_BODY: usize = 64 * 1024;

/// Where a [`Discovery`] came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiscoverySource {
    /// `GET /api/authinfo` answered with an `auth_url`.
    AuthInfo,
    /// authinfo failed; `<instance>/auth` is assumed.
    Fallback,
}

/// The result of [`discover`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    /// The authorisation server base URL (the token endpoint is `<this>/token`).
    pub authorization_server: Url,
    /// The tenant authinfo reported (`tenant_id`), if any.
    pub tenant: Option<String>,
    /// Whether authinfo answered or the fallback was used.
    pub source: DiscoverySource,
}

/// Find the authorisation server of a Halo instance.
///
/// `instance` is the instance URL (`https://acme.haloitsm.com`); the resource server URL
/// (`…/api`) is accepted too. Fails only when `instance` is not an http(s) URL; any problem
/// with authinfo (unreachable, non-2xx, not JSON, no `auth_url`) falls back to
/// `<instance>/auth` and is logged at `debug`.
///
/// ```no_run
/// # async fn demo() -> Result<(), halo_auth::AuthError> {
/// let http = reqwest::Client::new();
/// let found = halo_auth::discover(&http, &"https://acme.haloitsm.com".parse().unwrap()).await?;
/// println!("{} tenant={:?}", found.authorization_server, found.tenant);
/// # Ok(()) }
/// ```
pub async fn discover(http: &reqwest::Client, instance: &Url) -> Result<Discovery, AuthError> {
    let instance = instance_base(instance)?;
    let authinfo = with_path(&instance, &["api", "authinfo"]);
    match fetch_authinfo(http, &instance, &authinfo).await {
        Ok(found) => {
            tracing::debug!(
                authorization_server = %found.authorization_server,
                tenant = found.tenant.as_deref(),
                "discovered the authorisation server via /api/authinfo"
            );
            Ok(found)
        }
        Err(reason) => {
            let fallback = with_path(&instance, &["auth"]);
            tracing::debug!(
                authinfo = %authinfo,
                %reason,
                fallback = %fallback,
                "authinfo gave no authorisation server; using the fallback"
            );
            Ok(Discovery {
                authorization_server: fallback,
                tenant: None,
                source: DiscoverySource::Fallback,
            })
        }
    }
}

/// [`discover`], keeping only the authorisation server URL.
pub async fn discover_authorization_server(
    http: &reqwest::Client,
    instance: &Url,
) -> Result<Url, AuthError> {
    discover(http, instance)
        .await
        .map(|d| d.authorization_server)
}

/// The instance root: no query or fragment, no trailing slash, no trailing `/api`.
fn instance_base(instance: &Url) -> Result<Url, AuthError> {
    if !matches!(instance.scheme(), "http" | "https") || instance.cannot_be_a_base() {
        return Err(AuthError::config(format!(
            "instance URL `{}` is not an http(s) URL; use e.g. https://acme.haloitsm.com",
            bounded(&url_without_query(instance), 200)
        )));
    }
    let mut url = instance.clone();
    url.set_query(None);
    url.set_fragment(None);
    let segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|seg| !seg.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    let keep = match segments.last() {
        Some(last) if last.eq_ignore_ascii_case("api") => &segments[..segments.len() - 1],
        _ => &segments[..],
    };
    if let Ok(mut path) = url.path_segments_mut() {
        path.clear().extend(keep);
    }
    Ok(url)
}

fn with_path(base: &Url, extra: &[&str]) -> Url {
    let mut url = base.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(extra);
    }
    url
}

/// `Err` holds the reason for falling back (for the debug log).
async fn fetch_authinfo(
    http: &reqwest::Client,
    instance: &Url,
    authinfo: &Url,
) -> Result<Discovery, String> {
    let response = http
        .get(authinfo.clone())
        .header(http::header::ACCEPT, "application/json")
        .timeout(DISCOVERY_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("request failed: {}", crate::sanitize::error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY as u64)
    {
        return Err("body too large".to_owned());
    }
    let body = response
        .bytes()
        .await
        .map_err(|e| format!("reading body failed: {e}"))?;
    if body.len() > MAX_BODY {
        return Err("body too large".to_owned());
    }
    parse_authinfo(&body, instance)
}

/// Read authinfo leniently: keys in any case, `tenant_id` as string or number, `auth_url`
/// absolute or relative to the instance.
fn parse_authinfo(body: &[u8], instance: &Url) -> Result<Discovery, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| "body is not JSON".to_owned())?;
    let object = value
        .as_object()
        .ok_or_else(|| "body is not a JSON object".to_owned())?;
    let field = |name: &str| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    };
    let auth_url = field("auth_url")
        .and_then(serde_json::Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| "no auth_url".to_owned())?;
    let authorization_server = instance
        .join(auth_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && !u.cannot_be_a_base())
        .ok_or_else(|| {
            format!(
                "auth_url `{}` is not an http(s) URL",
                bounded(auth_url, 100)
            )
        })?;
    let tenant = match field("tenant_id") {
        Some(serde_json::Value::String(s)) => Some(s.trim().to_owned()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
    .filter(|t| !t.is_empty());
    Ok(Discovery {
        authorization_server,
        tenant,
        source: DiscoverySource::AuthInfo,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        s.parse().unwrap()
    }

    #[test]
    fn instance_base_strips_api_query_and_slash() {
        for input in [
            "https://acme.haloitsm.com",
            "https://acme.haloitsm.com/",
            "https://acme.haloitsm.com/api",
            "https://acme.haloitsm.com/API/?x=1#f",
        ] {
            assert_eq!(
                instance_base(&url(input)).unwrap().as_str(),
                "https://acme.haloitsm.com/",
                "{input}"
            );
        }
        assert_eq!(
            instance_base(&url("https://h.example/halo/api"))
                .unwrap()
                .as_str(),
            "https://h.example/halo"
        );
        assert_eq!(
            with_path(
                &instance_base(&url("https://h.example/halo/")).unwrap(),
                &["auth"]
            )
            .as_str(),
            "https://h.example/halo/auth"
        );
    }

    #[test]
    fn instance_must_be_http() {
        let err = instance_base(&url("ftp://x.example")).unwrap_err();
        assert_eq!(err.kind(), crate::AuthErrorKind::Config);
    }

    #[test]
    fn authinfo_lenient_shapes() {
        let base = url("https://acme.haloitsm.com/");
        let d = parse_authinfo(br#"{"Auth_Url":"/auth","tenant_id":42}"#, &base).unwrap();
        assert_eq!(
            d.authorization_server.as_str(),
            "https://acme.haloitsm.com/auth"
        );
        assert_eq!(d.tenant.as_deref(), Some("42"));
        let d = parse_authinfo(
            br#"{"auth_url":"https://auth.example","tenant_id":""}"#,
            &base,
        )
        .unwrap();
        assert_eq!(d.authorization_server.as_str(), "https://auth.example/");
        assert_eq!(d.tenant, None);
        assert!(parse_authinfo(b"<html>", &base).is_err());
        assert!(parse_authinfo(b"[]", &base).is_err());
        assert!(parse_authinfo(br#"{"auth_url":""}"#, &base).is_err());
        assert!(parse_authinfo(br#"{"auth_url":"javascript:alert(1)"}"#, &base).is_err());
    }
}
