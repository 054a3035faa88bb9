//! Connection profiles: the TOML file in the user's config dir, environment overrides, and secret sources.
//!
//! Precedence, field by field: environment (`HALO_*`) over the selected profile. The client secret comes from
//! `HALO_CLIENT_SECRET`, `HALO_CLIENT_SECRET_FILE`, the profile's `client_secret_file`, or the profile's stored
//! `client_secret` (written by `config init --client-secret-stdin` or the prompt, in a 0600 file) — never from a
//! command-line flag, and it is never printed.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::exit::CliError;

/// Environment variable names (the seed's names).
pub mod env {
    /// Client id of the Halo API application.
    pub const CLIENT_ID: &str = "HALO_CLIENT_ID";
    /// Client secret.
    pub const CLIENT_SECRET: &str = "HALO_CLIENT_SECRET";
    /// File holding the client secret.
    pub const CLIENT_SECRET_FILE: &str = "HALO_CLIENT_SECRET_FILE";
    /// Authorisation server URL.
    pub const AUTH_SERVER: &str = "HALO_AUTH_SERVER";
    /// Resource server URL.
    pub const RESOURCE_SERVER: &str = "HALO_RESOURCE_SERVER";
    /// Tenant (hosted Halo).
    pub const TENANT: &str = "HALO_TENANT";
}

/// What is shown instead of a secret.
pub const REDACTED: &str = "[redacted]";

/// The configuration file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// Profile used when `--profile` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_profile: Option<String>,
    /// Profiles by name.
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

/// One connection profile as stored.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// e.g. `https://acme.haloitsm.com/api`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_server: Option<String>,
    /// e.g. `https://acme.haloitsm.com/auth`; discovered when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_server: Option<String>,
    /// Tenant name for hosted Halo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
    /// Client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Path of a file holding the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret_file: Option<PathBuf>,
    /// The secret itself (only in a 0600 file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<StoredSecret>,
    /// OAuth2 scope (default "all").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A secret as stored in the file: serialisable (only for writing the file), never shown by Debug.
#[derive(Clone)]
pub struct StoredSecret(pub SecretString);

impl fmt::Debug for StoredSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Serialize for StoredSecret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0.expose_secret())
    }
}

impl<'de> Deserialize<'de> for StoredSecret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(StoredSecret(SecretString::from(s)))
    }
}

/// Where an effective value came from (shown by `config show`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "name")]
pub enum Source {
    /// An environment variable.
    Env(String),
    /// A profile in the configuration file.
    Profile(String),
    /// A file named in the profile or environment.
    File(String),
    /// A built-in default or derived value.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env(n) => write!(f, "env {n}"),
            Source::Profile(n) => write!(f, "profile {n}"),
            Source::File(n) => write!(f, "file {n}"),
            Source::Default => f.write_str("default"),
        }
    }
}

/// The connection settings a command uses, after merging profile and environment.
pub struct Connection {
    /// Profile used, if any.
    pub profile: Option<String>,
    /// Resource server, ending in `/api`.
    pub resource_server: Url,
    /// Authorisation server, if known (otherwise discovered).
    pub auth_server: Option<Url>,
    /// Tenant.
    pub tenant: Option<String>,
    /// Client id.
    pub client_id: String,
    /// Client secret.
    pub client_secret: SecretString,
    /// Scope.
    pub scope: String,
    /// Source of each field (reported by `doctor`).
    pub sources: BTreeMap<&'static str, Source>,
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("profile", &self.profile)
            .field("resource_server", &self.resource_server.as_str())
            .field("auth_server", &self.auth_server.as_ref().map(Url::as_str))
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("client_secret", &REDACTED)
            .field("scope", &self.scope)
            .finish()
    }
}

/// The default configuration file path for this platform.
pub fn default_path() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let base = if cfg!(windows) {
        var("APPDATA")
    } else if cfg!(target_os = "macos") {
        var("HOME").map(|h| h.join("Library").join("Application Support"))
    } else {
        var("XDG_CONFIG_HOME").or_else(|| var("HOME").map(|h| h.join(".config")))
    };
    base.map(|b| b.join("halo-cli").join("config.toml"))
}

/// The configuration file path: `--config`/`HALO_CLI_CONFIG`, else the platform default.
pub fn path(explicit: Option<&Path>) -> Result<PathBuf, CliError> {
    match explicit {
        Some(p) => Ok(p.to_path_buf()),
        None => default_path().ok_or_else(|| {
            CliError::usage(
                "No configuration directory could be determined (HOME is not set).",
                "Pass --config PATH or set HALO_CLI_CONFIG.",
            )
        }),
    }
}

/// Read the configuration file; a missing file is an empty configuration.
pub fn load(path: &Path) -> Result<ConfigFile, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) => {
            return Err(CliError::usage(
                format!(
                    "The configuration file {} cannot be read: {e}.",
                    path.display()
                ),
                "Check its permissions, or pass another file with --config.",
            ));
        }
    };
    // toml's error can quote the offending line, which may hold a secret: report only the position.
    toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                format!(
                    " at line {}",
                    text[..s.start.min(text.len())].lines().count().max(1)
                )
            })
            .unwrap_or_default();
        CliError::usage(
            format!(
                "The configuration file {} is not valid{at}.",
                path.display()
            ),
            "Fix or remove it, then write it again with `halo-cli config init`.",
        )
    })
}

/// Write the configuration file atomically, readable only by the user (it may hold a secret).
pub fn save(path: &Path, cfg: &ConfigFile) -> Result<(), CliError> {
    let io_err = |e: std::io::Error| {
        CliError::usage(
            format!(
                "The configuration file {} cannot be written: {e}.",
                path.display()
            ),
            "Check the directory's permissions, or pass another file with --config.",
        )
    };
    let text = toml::to_string_pretty(cfg).map_err(|e| {
        CliError::new(
            crate::exit::ExitKind::Failure,
            format!("The configuration could not be serialised: {e}."),
            "Report this as a bug.",
        )
    })?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err)?;
    }
    let tmp = path.with_extension("toml.tmp");
    write_private(&tmp, text.as_bytes()).map_err(io_err)?;
    std::fs::rename(&tmp, path).map_err(io_err)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Pick the profile to use: the named one (which must exist), else the default, else a lone profile.
pub fn select_profile<'a>(
    cfg: &'a ConfigFile,
    wanted: Option<&str>,
    path: &Path,
) -> Result<Option<(&'a str, &'a Profile)>, CliError> {
    if let Some(name) = wanted {
        return match cfg.profiles.get_key_value(name) {
            Some((k, p)) => Ok(Some((k.as_str(), p))),
            None => Err(CliError::usage(
                format!(
                    "The profile \"{name}\" is not in {} (profiles: {}).",
                    path.display(),
                    names(cfg)
                ),
                format!(
                    "Create it with `halo-cli config init --profile {name}`, or pick another with --profile."
                ),
            )),
        };
    }
    if let Some(def) = &cfg.default_profile
        && let Some((k, p)) = cfg.profiles.get_key_value(def)
    {
        return Ok(Some((k.as_str(), p)));
    }
    if let Some((k, p)) = cfg.profiles.get_key_value("default") {
        return Ok(Some((k.as_str(), p)));
    }
    if cfg.profiles.len() == 1 {
        return Ok(cfg.profiles.iter().next().map(|(k, p)| (k.as_str(), p)));
    }
    Ok(None)
}

fn names(cfg: &ConfigFile) -> String {
    if cfg.profiles.is_empty() {
        "none".into()
    } else {
        cfg.profiles.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// Normalise a resource server URL so it ends in `/api` (people paste the instance URL too).
pub fn resource_url(raw: &str) -> Result<Url, CliError> {
    let mut url = parse_url(raw, "resource server")?;
    let path = url.path().trim_end_matches('/').to_string();
    if !path.ends_with("/api") {
        url.set_path(&format!("{path}/api"));
    } else {
        url.set_path(&path);
    }
    Ok(url)
}

/// Parse an http(s) URL with a clear error.
pub fn parse_url(raw: &str, what: &str) -> Result<Url, CliError> {
    let url = Url::parse(raw.trim()).map_err(|e| {
        CliError::usage(
            format!("The {what} URL \"{raw}\" is not a valid URL ({e})."),
            "Give a full URL such as https://acme.haloitsm.com/api.",
        )
    })?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(CliError::usage(
            format!("The {what} URL \"{raw}\" is not http(s)."),
            "Give a full URL such as https://acme.haloitsm.com/api.",
        ));
    }
    Ok(url)
}

/// Merge the profile and the environment into the connection a command uses.
pub fn resolve(
    profile: Option<(&str, &Profile)>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Connection, CliError> {
    let mut sources = BTreeMap::new();
    let pname = profile.map(|(n, _)| n.to_string());
    let empty = Profile::default();
    let p = profile.map(|(_, p)| p).unwrap_or(&empty);
    let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());

    let mut pick =
        |field: &'static str, var: &str, from_profile: Option<&String>| -> Option<String> {
            if let Some(v) = env(var) {
                sources.insert(field, Source::Env(var.to_string()));
                return Some(v);
            }
            let v = from_profile.cloned()?;
            sources.insert(field, Source::Profile(pname.clone().unwrap_or_default()));
            Some(v)
        };
    let resource = pick(
        "resource_server",
        env::RESOURCE_SERVER,
        p.resource_server.as_ref(),
    );
    let auth = pick("auth_server", env::AUTH_SERVER, p.auth_server.as_ref());
    let tenant = pick("tenant", env::TENANT, p.tenant.as_ref());
    let client_id = pick("client_id", env::CLIENT_ID, p.client_id.as_ref());
    let scope = p.scope.clone();
    sources.insert(
        "scope",
        if scope.is_some() {
            Source::Profile(pname.clone().unwrap_or_default())
        } else {
            Source::Default
        },
    );

    let secret = if let Some(s) = env(env::CLIENT_SECRET) {
        sources.insert("client_secret", Source::Env(env::CLIENT_SECRET.into()));
        Some(SecretString::from(s))
    } else if let Some(f) = env(env::CLIENT_SECRET_FILE) {
        sources.insert("client_secret", Source::Env(env::CLIENT_SECRET_FILE.into()));
        Some(read_secret_file(Path::new(&f))?)
    } else if let Some(f) = &p.client_secret_file {
        sources.insert("client_secret", Source::File(f.display().to_string()));
        Some(read_secret_file(f)?)
    } else if let Some(s) = &p.client_secret {
        sources.insert(
            "client_secret",
            Source::Profile(pname.clone().unwrap_or_default()),
        );
        Some(s.0.clone())
    } else {
        None
    };

    let mut missing = Vec::new();
    if resource.is_none() {
        missing.push(format!("resource server ({})", env::RESOURCE_SERVER));
    }
    if client_id.is_none() {
        missing.push(format!("client id ({})", env::CLIENT_ID));
    }
    if secret.is_none() {
        missing.push(format!(
            "client secret ({} or a secret file)",
            env::CLIENT_SECRET
        ));
    }
    let (Some(resource), Some(client_id), Some(client_secret), true) =
        (resource, client_id, secret, missing.is_empty())
    else {
        let which = match &pname {
            Some(n) => format!("the profile \"{n}\" and the environment"),
            None => "the environment (no profile is configured)".to_string(),
        };
        return Err(CliError::usage(
            format!(
                "The connection is incomplete: {which} give no {}.",
                missing.join(", ")
            ),
            "Write a profile with `halo-cli config init`, or set the HALO_* variables; `halo-cli config show` \
             shows what is set.",
        ));
    };

    Ok(Connection {
        profile: pname,
        resource_server: resource_url(&resource)?,
        auth_server: auth
            .map(|a| parse_url(&a, "authorisation server"))
            .transpose()?,
        tenant,
        client_id,
        client_secret,
        scope: scope.unwrap_or_else(|| "all".into()),
        sources,
    })
}

/// Read a secret from a file (trailing newline removed).
pub fn read_secret_file(path: &Path) -> Result<SecretString, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(
            format!(
                "The client secret file {} cannot be read: {e}.",
                path.display()
            ),
            "Check the path and its permissions, or set HALO_CLIENT_SECRET.",
        )
    })?;
    let s = text.trim_end_matches(['\r', '\n']).to_string();
    if s.is_empty() {
        return Err(CliError::usage(
            format!("The client secret file {} is empty.", path.display()),
            "Write the API application's client secret into it.",
        ));
    }
    Ok(SecretString::from(s))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn profile() -> Profile {
        Profile {
            resource_server: Some("https://acme.haloitsm.com".into()),
            client_id: Some("id-from-profile".into()),
            client_secret: Some(StoredSecret(SecretString::from("s3cr3t-profile"))),
            tenant: Some("acme".into()),
            ..Profile::default()
        }
    }

    #[test]
    fn env_overrides_profile_field_by_field() {
        let p = profile();
        let env = env_of(&[("HALO_CLIENT_ID", "id-from-env"), ("HALO_TENANT", "")]);
        let c = resolve(Some(("prod", &p)), &env).unwrap();
        assert_eq!(c.client_id, "id-from-env");
        assert_eq!(
            c.tenant.as_deref(),
            Some("acme"),
            "empty env var does not override"
        );
        assert_eq!(c.resource_server.as_str(), "https://acme.haloitsm.com/api");
        assert_eq!(c.sources["client_id"], Source::Env("HALO_CLIENT_ID".into()));
        assert_eq!(c.sources["tenant"], Source::Profile("prod".into()));
        assert_eq!(c.client_secret.expose_secret(), "s3cr3t-profile");
    }

    #[test]
    fn missing_fields_are_named() {
        let env = env_of(&[("HALO_CLIENT_ID", "x")]);
        let err = resolve(None, &env).unwrap_err();
        assert!(err.cause.contains("resource server"), "{}", err.cause);
        assert!(err.cause.contains("client secret"), "{}", err.cause);
        assert!(!err.cause.contains("client id"), "{}", err.cause);
    }

    #[test]
    fn debug_of_profile_and_connection_redacts_the_secret() {
        let p = profile();
        assert!(!format!("{p:?}").contains("s3cr3t"));
        let c = resolve(Some(("prod", &p)), &env_of(&[])).unwrap();
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn resource_url_is_normalised_to_api() {
        for raw in [
            "https://x.example/",
            "https://x.example/api",
            "https://x.example/api/",
        ] {
            assert_eq!(resource_url(raw).unwrap().as_str(), "https://x.example/api");
        }
        assert!(resource_url("ftp://x").is_err());
        assert!(resource_url("not a url").is_err());
    }

    #[test]
    fn invalid_file_error_does_not_quote_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[profiles.a]\nclient_secret = \"s3cr3t-x\nbroken").unwrap();
        let err = load(&path).unwrap_err();
        assert!(!err.to_string().contains("s3cr3t"), "{err}");
    }

    #[test]
    fn save_then_load_round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("c.toml");
        let mut cfg = ConfigFile::default();
        cfg.profiles.insert("a".into(), profile());
        save(&path, &cfg).unwrap();
        let back = load(&path).unwrap();
        let s = back.profiles["a"].client_secret.as_ref().unwrap();
        assert_eq!(s.0.expose_secret(), "s3cr3t-profile");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(
                mode & 0o077,
                0,
                "config file must not be readable by others"
            );
        }
    }

    #[test]
    fn unknown_profile_is_a_usage_error_naming_the_profiles() {
        let mut cfg = ConfigFile::default();
        cfg.profiles.insert("a".into(), profile());
        let err = select_profile(&cfg, Some("b"), Path::new("c.toml")).unwrap_err();
        assert!(err.cause.contains("\"b\"") && err.cause.contains("profiles: a"));
        let (name, _) = select_profile(&cfg, None, Path::new("c.toml"))
            .unwrap()
            .unwrap();
        assert_eq!(name, "a");
    }
}
