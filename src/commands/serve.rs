//! `rapport serve`: checks the flags, opens the store and runs the web application until Ctrl-C.

use super::Status;
use crate::cli::ServeArgs;
use rapport::serve::config::ServeConfig;

/// `rapport serve`.
pub fn serve(args: ServeArgs) -> anyhow::Result<Status> {
    let config = match ServeConfig::new(
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
    let state = rapport::serve::prepare(config)?;
    for line in rapport::serve::startup_lines(&state)? {
        eprintln!("{line}");
    }
    rapport::serve::serve_blocking(state)?;
    Ok(Status::Ok)
}
