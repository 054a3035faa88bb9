//! Where trigger state lives: `/workspace/cache/<meta.triggerId>.json` (the orchestrator's persistent
//! cache volume) and the stop flag `/workspace/tmp/terminate_trigger.flag`, as the Python runtime uses
//! them. `HALO_PLUGIN_WORKSPACE` moves the `/workspace` root (tests, local runs).

use std::path::{Path, PathBuf};

/// Environment variable overriding the `/workspace` root.
pub const WORKSPACE_ENV: &str = "HALO_PLUGIN_WORKSPACE";

/// The runtime's workspace root.
pub const DEFAULT_ROOT: &str = "/workspace";

/// The directories a trigger uses.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// `$HALO_PLUGIN_WORKSPACE` or `/workspace`.
    pub fn from_env() -> Self {
        let root = std::env::var_os(WORKSPACE_ENV)
            .filter(|v| !v.is_empty())
            .map_or_else(|| PathBuf::from(DEFAULT_ROOT), PathBuf::from);
        Self { root }
    }

    /// A workspace at `root`.
    pub fn at(root: impl AsRef<Path>) -> Self {
        Self {
            root: root.as_ref().to_path_buf(),
        }
    }

    /// `<root>/cache/<trigger id>.json`; characters outside `[A-Za-z0-9._-]` become `_` so an id can
    /// never name a path outside the cache.
    ///
    /// ```
    /// let ws = haloitsm_plugin::triggers::workspace::Workspace::at("/w");
    /// assert_eq!(ws.state_file("../x y").to_str(), Some("/w/cache/.._x_y.json"));
    /// ```
    pub fn state_file(&self, trigger_id: &str) -> PathBuf {
        let safe: String = trigger_id
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let safe = if safe.is_empty() || safe.chars().all(|c| c == '.') {
            format!("trigger{safe}")
        } else {
            safe
        };
        self.root.join("cache").join(format!("{safe}.json"))
    }

    /// `<root>/tmp/terminate_trigger.flag`.
    pub fn terminate_flag(&self) -> PathBuf {
        self.root.join("tmp").join("terminate_trigger.flag")
    }
}
