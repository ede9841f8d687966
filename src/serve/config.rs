//! How `rapport serve` is set up: bind address, results database, public base URL and TLS, checked once before the server starts.

use std::net::SocketAddr;
use std::path::PathBuf;

/// The address the server listens on when none is given: loopback only, so a fresh machine
/// never exposes the application by accident.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// How many results stores are kept open for the pages at once. Each request borrows one on a
/// blocking thread; SQLite serialises writers anyway, and PostgreSQL counts connections.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// Where TLS comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// The server speaks plain HTTP: on loopback, or behind a reverse proxy that terminates TLS
    /// (the base URL then says `https://`, and cookies are marked `Secure`).
    None,
    /// The server terminates TLS itself with this certificate chain and private key (PEM).
    Direct { cert: PathBuf, key: PathBuf },
}

/// The checked configuration of one server process.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub bind: SocketAddr,
    /// The results database (`--db`/`RAPPORT_DB`); `None` is the default SQLite store.
    pub db: Option<String>,
    /// The address people reach the application at, without a trailing slash.
    pub base_url: String,
    pub tls: Tls,
    /// Whether the address in `X-Forwarded-For` is the client's (only behind a proxy that sets it).
    pub trust_forwarded_for: bool,
    pub pool_size: usize,
    /// The scenario library trainers publish into (`RAPPORT_SCENARIOS`, else `scenarios/`).
    pub library: PathBuf,
    /// The base IRI of xAPI statements (exports and the outbox): `--xapi-base`, else the base URL.
    pub xapi_base: String,
    /// The learning record store the outbox is sent to (`--lrs-url`), if any.
    pub lrs: Option<super::lrs_sender::LrsSettings>,
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "`{0}` is not an address to listen on; give an IP address and port such as 127.0.0.1:8080 or 0.0.0.0:8443 with --bind (or RAPPORT_BIND)"
    )]
    Bind(String),
    #[error(
        "`{0}` is not a base URL; give the address people open, starting with http:// or https://, such as https://qa.example.com, with --base-url (or RAPPORT_BASE_URL)"
    )]
    BaseUrl(String),
    #[error(
        "--tls-cert and --tls-key go together (RAPPORT_TLS_CERT and RAPPORT_TLS_KEY); give both to serve HTTPS, or neither behind a reverse proxy"
    )]
    HalfTls,
    #[error(
        "the server terminates TLS itself (--tls-cert), so its base URL must start with https://, not `{0}`"
    )]
    TlsWithHttpBase(String),
}

impl ServeConfig {
    /// Checks the flags: the bind address parses, the base URL is http(s), TLS is whole.
    pub fn new(
        bind: &str,
        db: Option<String>,
        base_url: Option<&str>,
        tls_cert: Option<PathBuf>,
        tls_key: Option<PathBuf>,
        trust_forwarded_for: bool,
    ) -> Result<ServeConfig, ConfigError> {
        let bind: SocketAddr = bind
            .trim()
            .parse()
            .map_err(|_| ConfigError::Bind(bind.to_owned()))?;
        let tls = match (tls_cert, tls_key) {
            (Some(cert), Some(key)) => Tls::Direct { cert, key },
            (None, None) => Tls::None,
            _ => return Err(ConfigError::HalfTls),
        };
        let scheme = if tls == Tls::None { "http" } else { "https" };
        let base_url = match base_url {
            Some(url) => {
                let url = url.trim().trim_end_matches('/');
                let (given, rest) = url
                    .split_once("://")
                    .ok_or_else(|| ConfigError::BaseUrl(url.to_owned()))?;
                if !matches!(given, "http" | "https") || rest.is_empty() {
                    return Err(ConfigError::BaseUrl(url.to_owned()));
                }
                if tls != Tls::None && given == "http" {
                    return Err(ConfigError::TlsWithHttpBase(url.to_owned()));
                }
                url.to_owned()
            }
            None => format!("{scheme}://{bind}"),
        };
        Ok(ServeConfig {
            bind,
            db,
            xapi_base: base_url.clone(),
            lrs: None,
            base_url,
            tls,
            trust_forwarded_for,
            pool_size: DEFAULT_POOL_SIZE,
            library: crate::library::library_dir(),
        })
    }

    /// Whether people reach the application over HTTPS, so cookies must be `Secure`.
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_plain_http_on_loopback() {
        let config = ServeConfig::new(DEFAULT_BIND, None, None, None, None, false).unwrap();
        assert_eq!(config.base_url, "http://127.0.0.1:8080");
        assert!(!config.is_https());
    }

    #[test]
    fn an_https_base_url_behind_a_proxy_makes_cookies_secure() {
        let config = ServeConfig::new(
            DEFAULT_BIND,
            None,
            Some("https://qa.example.com/"),
            None,
            None,
            true,
        )
        .unwrap();
        assert_eq!(config.base_url, "https://qa.example.com");
        assert!(config.is_https());
    }

    #[test]
    fn bad_flags_are_refused_with_what_to_do() {
        let bad = |bind: &str, base: Option<&str>, cert: bool, key: bool| {
            ServeConfig::new(
                bind,
                None,
                base,
                cert.then(|| "c.pem".into()),
                key.then(|| "k.pem".into()),
                false,
            )
            .unwrap_err()
        };
        assert_eq!(
            bad("localhost", None, false, false),
            ConfigError::Bind("localhost".into())
        );
        assert_eq!(
            bad(DEFAULT_BIND, Some("qa.example.com"), false, false),
            ConfigError::BaseUrl("qa.example.com".into())
        );
        assert_eq!(bad(DEFAULT_BIND, None, true, false), ConfigError::HalfTls);
        assert_eq!(
            bad(DEFAULT_BIND, Some("http://qa"), true, true),
            ConfigError::TlsWithHttpBase("http://qa".into())
        );
    }
}
