//! `rapport serve`: the team web application over the results store, with server-rendered pages (maud) on axum.
//!
//! Every page is rendered on the server and works without script. The store is synchronous, so
//! each request borrows an open store from a small pool and uses it on a blocking thread.

pub mod app;
pub mod auth;
pub mod charts;
pub mod config;
pub mod error;
pub mod headers;
pub mod layout;
pub mod lrs_sender;
pub mod pages;
pub mod pool;

use std::sync::Arc;

use self::app::{AppState, router};
use self::config::{ServeConfig, Tls};
use self::pool::StorePool;

/// Why the server could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(
        "cannot listen on {bind}; is another server using the port? choose another with --bind"
    )]
    Bind {
        bind: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the TLS certificate `{cert}` or key `{key}` (PEM files expected)")]
    Tls {
        cert: String,
        key: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the accounts: {0}")]
    Accounts(String),
    #[error("the server stopped")]
    Io(#[from] std::io::Error),
}

/// Opens the store and the application, without listening yet.
pub fn prepare(config: ServeConfig) -> Result<AppState, ServeError> {
    let pool = StorePool::open(config.db.clone(), config.pool_size, &config.xapi_base)?;
    Ok(AppState {
        pool,
        config: Arc::new(config),
    })
}

/// Starts the outbox's sender when an LRS is configured; it stops when the handle is dropped.
fn start_lrs_sender(state: &AppState) -> Option<lrs_sender::SenderHandle> {
    let settings = state.config.lrs.clone()?;
    Some(lrs_sender::spawn(
        state.config.db.clone(),
        state.config.xapi_base.clone(),
        settings,
    ))
}

/// Serves until Ctrl-C (or SIGTERM), on its own runtime.
pub fn serve_blocking(state: AppState) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(state))
}

/// Serves the application on the configured address until asked to stop.
pub async fn serve(state: AppState) -> Result<(), ServeError> {
    let config = Arc::clone(&state.config);
    let bind_error = |source| ServeError::Bind {
        bind: config.bind,
        source,
    };
    let Tls::Direct { cert, key } = &config.tls else {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(bind_error)?;
        return serve_on(state, listener, stop_signal()).await;
    };
    let _sender = start_lrs_sender(&state);
    install_crypto_provider();
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem_file(cert, key)
        .await
        .map_err(|source| ServeError::Tls {
            cert: cert.display().to_string(),
            key: key.display().to_string(),
            source,
        })?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    tokio::spawn(async move {
        stop_signal().await;
        stopper.graceful_shutdown(Some(GRACEFUL_STOP));
    });
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum_server::bind_rustls(config.bind, tls)
        .handle(handle)
        .serve(app)
        .await
        .map_err(bind_error)
}

/// How long requests under way may take to finish once the server is asked to stop.
const GRACEFUL_STOP: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves plain HTTP on a listener already bound until `stop` completes (tests bind port 0 and
/// read the address back).
pub async fn serve_on(
    state: AppState,
    listener: tokio::net::TcpListener,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let _sender = start_lrs_sender(&state);
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(stop)
        .await?;
    Ok(())
}

/// Installs ring as the process's TLS crypto provider; a second install (tests) is harmless.
#[expect(
    deprecated,
    reason = "ring builds with no C toolchain beyond cc; the post-quantum key exchange it lacks is what aws-lc-rs (cmake, a longer build) would add"
)]
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

/// What the server says as it starts: where it listens and over which store, and, when no
/// account exists yet, how to create the first admin.
pub fn startup_lines(state: &AppState) -> Result<Vec<String>, ServeError> {
    let location = state.pool.location();
    let mut lines = vec![format!(
        "rapport serve: {} (listening on {}) over {location}",
        state.config.base_url, state.config.bind,
    )];
    if let Some(lrs) = &state.config.lrs {
        // The statements resource only: the credentials never reach a log.
        lines.push(format!(
            "Sending reviewed scores to the LRS at {} (xAPI base {})",
            lrs.config.statements_url(),
            state.config.xapi_base
        ));
    }
    let mut store = crate::store::Store::open(state.config.db.as_deref())?;
    let accounts = crate::team::Team::new(&mut store)
        .users()
        .map_err(|e| ServeError::Accounts(e.to_string()))?;
    if accounts.is_empty() {
        // The location without its password: this line may end up in a service's log.
        let db = match &state.config.db {
            Some(_) => format!(" --db {location}"),
            None => String::new(),
        };
        lines.push(format!(
            "No account exists yet. Create the first admin with:\n  rapport user add NAME --role admin{db}"
        ));
    }
    Ok(lines)
}
