//! `rapport serve`: checks the flags, opens the store and runs the web application until Ctrl-C.

use super::Status;
use crate::cli::ServeArgs;
use rapport::lrs::{LrsAuth, LrsConfig, RetryPolicy};
use rapport::serve::config::ServeConfig;
use rapport::serve::lrs_sender::{DEFAULT_POLL, LrsSettings};

/// `rapport serve`.
pub fn serve(args: ServeArgs) -> anyhow::Result<Status> {
    let mut config = match ServeConfig::new(
        &args.bind,
        args.db.db,
        args.base_url.as_deref(),
        args.tls_cert,
        args.tls_key,
        args.trust_forwarded_for,
    ) {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(Status::Usage);
        }
    };
    if let Some(base) = args.xapi_base.as_deref().filter(|b| !b.trim().is_empty()) {
        config.xapi_base = base.trim().trim_end_matches('/').to_owned();
    }
    if let Some(url) = args.lrs_url.as_deref() {
        let lrs = args
            .lrs_auth
            .as_deref()
            .map(str::parse::<LrsAuth>)
            .transpose()
            .and_then(|auth| LrsConfig::new(url, auth));
        match lrs {
            Ok(lrs) => {
                config.lrs = Some(LrsSettings {
                    config: lrs,
                    poll: DEFAULT_POLL,
                    retry: RetryPolicy::default(),
                });
            }
            Err(error) => {
                eprintln!("error: {error}");
                return Ok(Status::Usage);
            }
        }
    }
    let state = rapport::serve::prepare(config)?;
    for line in rapport::serve::startup_lines(&state)? {
        eprintln!("{line}");
    }
    rapport::serve::serve_blocking(state)?;
    Ok(Status::Ok)
}
