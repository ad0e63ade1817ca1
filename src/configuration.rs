//! Configuration: defaults, then an optional TOML file, then environment variables.
//!
//! | setting | file key | environment | default |
//! |---|---|---|---|
//! | database | `database_url` | `DATABASE_URL` | `sqlite://data/intervention-planner.db` |
//! | listen address | `bind` | `IP_BIND` | `127.0.0.1:8080` |
//! | log format | `log_format` (`plain`/`json`) | `IP_LOG_FORMAT` | `plain` |
//! | log filter | `log_level` | `RUST_LOG` | `info` |
//! | catalogue folder | `catalogue_dir` | `IP_CATALOGUE_DIR` | `catalogue` |
//! | graceful shutdown | `shutdown_timeout_seconds` | `IP_SHUTDOWN_TIMEOUT_SECONDS` | `30` |
//! | largest request body | `body_limit_bytes` | `IP_BODY_LIMIT_BYTES` | `4194304` (4 MiB) |
//! | database connections | `pool_size` | `IP_POOL_SIZE` | `8` |
//! | solver limits | `[solver]` table | none | see `app::planning::SolverLimits` |

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::app::planning::SolverLimits;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Plain,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    pub log_format: LogFormat,
    pub log_level: String,
    pub catalogue_dir: PathBuf,
    pub shutdown_timeout_seconds: u64,
    /// Largest request body, in bytes (a planning document carries its catalogue).
    pub body_limit_bytes: usize,
    /// Most open database connections of this process.
    pub pool_size: u32,
    pub solver: SolverLimits,
    /// Page sessions: idle and absolute timeouts (docs/security.md).
    pub sessions: crate::app::sign_in::SessionPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://data/intervention-planner.db".into(),
            bind: "127.0.0.1:8080".into(),
            log_format: LogFormat::Plain,
            log_level: "info".into(),
            catalogue_dir: PathBuf::from("catalogue"),
            shutdown_timeout_seconds: 30,
            body_limit_bytes: 4 * 1024 * 1024,
            pool_size: crate::store::DEFAULT_POOL_SIZE,
            solver: SolverLimits::default(),
            sessions: Default::default(),
        }
    }
}

impl Settings {
    /// Reads `file` if given, else `intervention-planner.toml` in the working folder if present,
    /// then applies the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Settings> {
        let default_file = Path::new("intervention-planner.toml");
        let path = file.or(default_file.exists().then_some(default_file));
        let mut settings = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read configuration {}: {e}", path.display())
                })?;
                toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("configuration {}: {e}", path.display()))?
            }
            None => Settings::default(),
        };
        if let Ok(v) = std::env::var("DATABASE_URL") {
            settings.database_url = v;
        }
        if let Ok(v) = std::env::var("IP_BIND") {
            settings.bind = v;
        }
        if let Ok(v) = std::env::var("IP_LOG_FORMAT") {
            settings.log_format = match v.as_str() {
                "json" => LogFormat::Json,
                "plain" => LogFormat::Plain,
                other => anyhow::bail!("IP_LOG_FORMAT: expected plain or json, got '{other}'"),
            };
        }
        if let Ok(v) = std::env::var("RUST_LOG") {
            settings.log_level = v;
        }
        if let Ok(v) = std::env::var("IP_CATALOGUE_DIR") {
            settings.catalogue_dir = PathBuf::from(v);
        }
        if let Ok(v) = std::env::var("IP_SHUTDOWN_TIMEOUT_SECONDS") {
            settings.shutdown_timeout_seconds = v.parse().map_err(|_| {
                anyhow::anyhow!("IP_SHUTDOWN_TIMEOUT_SECONDS: expected whole seconds")
            })?;
        }
        if let Ok(v) = std::env::var("IP_BODY_LIMIT_BYTES") {
            settings.body_limit_bytes = v
                .parse()
                .map_err(|_| anyhow::anyhow!("IP_BODY_LIMIT_BYTES: expected a number of bytes"))?;
        }
        if let Ok(v) = std::env::var("IP_POOL_SIZE") {
            settings.pool_size = v
                .parse()
                .map_err(|_| anyhow::anyhow!("IP_POOL_SIZE: expected a number of connections"))?;
        }
        Ok(settings)
    }
}
