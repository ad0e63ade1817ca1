//! Logging with `tracing`: plain or JSON lines on stderr. Request spans carry a request id; no
//! request bodies, tokens or personal data are logged.

use tracing_subscriber::EnvFilter;

use crate::configuration::LogFormat;

pub fn init(format: LogFormat, filter: &str) {
    // sqlx logs every statement at info: keep it quiet unless asked.
    let filter = EnvFilter::try_new(format!("{filter},sqlx=warn,sea_orm=warn"))
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Plain => builder.try_init(),
    };
}
