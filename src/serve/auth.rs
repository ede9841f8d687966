//! Who is asking: the session cookie read once per request (the account read afresh), the client's address, the CSRF check of every POST, and the `Viewer` extractor pages take.
//!
//! [`attach_session`] runs before every route. It finds the web session of the cookie, if any,
//! and refuses any POST whose form does not carry that session's CSRF token (the login form,
//! sent before there is a session, carries the token of its own short-lived cookie instead).
//! Pages then take a [`Viewer`]: without a session, a page answers with a redirect to the login.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use super::app::AppState;
use super::error::PageError;
use crate::team::{Action, Target, Team, TeamError, User, WebSession};

/// The session cookie's name over plain HTTP.
const SESSION_COOKIE: &str = "rapport_session";
/// Over HTTPS the `__Host-` prefix makes the browser refuse the cookie unless it is `Secure`,
/// host-only and for the whole site, so another host or path cannot plant one.
const SECURE_SESSION_COOKIE: &str = "__Host-rapport_session";
/// The cookie holding the login form's CSRF token before anyone is logged in.
const LOGIN_CSRF_COOKIE: &str = "rapport_login_csrf";
const SECURE_LOGIN_CSRF_COOKIE: &str = "__Host-rapport_login_csrf";
/// The form field every POST carries its CSRF token in.
pub const CSRF_FIELD: &str = "csrf";
/// The largest form body read: a scenario file pasted in, with room to spare.
pub const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;
/// How long the login form's CSRF cookie lives.
const LOGIN_CSRF_LIFETIME_SECS: i64 = 3600;

/// The signed-in person and their session, put on the request by [`attach_session`].
#[derive(Debug, Clone)]
pub struct Viewer {
    pub session: Arc<WebSession>,
    /// The cookie's token, for logging out.
    pub token: String,
}

impl Viewer {
    /// The account.
    pub fn user(&self) -> &User {
        &self.session.user
    }

    /// The token every form of this page carries.
    pub fn csrf(&self) -> &str {
        &self.session.csrf_token
    }

    /// Refuses unless the role may take the action at all (the role table alone); an action on
    /// one session is checked with [`authorize`] instead.
    pub fn require(&self, action: Action) -> Result<(), PageError> {
        if self.user().role.allows(action) {
            Ok(())
        } else {
            Err(PageError::Forbidden)
        }
    }

    /// Whether the role may take the action at all, for menus and buttons.
    pub fn may(&self, action: Action) -> bool {
        self.user().role.allows(action)
    }
}

/// Refuses unless `user` may take `action` on the session (an unseen session is not found).
pub fn authorize(
    team: &mut Team<'_>,
    user: &User,
    action: Action,
    session_id: &str,
) -> Result<(), PageError> {
    team.authorize(user, action, Target::Session(session_id))
        .map_err(PageError::from)
}

/// The client's address: the connection's, or the first `X-Forwarded-For` hop when the server
/// is told to trust its proxy.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

fn client_address(request: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(forwarded) = request
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_owned(), |info| info.0.ip().to_string())
}

/// The names of the cookies, by whether the site is served over HTTPS.
#[derive(Debug, Clone, Copy)]
pub struct CookieNames {
    pub session: &'static str,
    pub login_csrf: &'static str,
    pub secure: bool,
}

impl CookieNames {
    pub fn for_site(https: bool) -> CookieNames {
        if https {
            CookieNames {
                session: SECURE_SESSION_COOKIE,
                login_csrf: SECURE_LOGIN_CSRF_COOKIE,
                secure: true,
            }
        } else {
            CookieNames {
                session: SESSION_COOKIE,
                login_csrf: LOGIN_CSRF_COOKIE,
                secure: false,
            }
        }
    }

    /// A cookie the page script can never read, sent back only on same-site navigation.
    fn build(self, name: &'static str, value: String, max_age_secs: i64) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .secure(self.secure)
            .same_site(SameSite::Lax)
            .max_age(cookie_duration(max_age_secs))
            .build()
    }

    /// The session cookie of a token just issued.
    pub fn session_cookie(self, token: String, lifetime_secs: i64) -> Cookie<'static> {
        self.build(self.session, token, lifetime_secs)
    }

    /// The login form's CSRF cookie.
    pub fn login_csrf_cookie(self, token: String) -> Cookie<'static> {
        self.build(self.login_csrf, token, LOGIN_CSRF_LIFETIME_SECS)
    }

    /// A cookie that deletes `name` in the browser.
    pub fn removal(self, name: &'static str) -> Cookie<'static> {
        self.build(name, String::new(), 0)
    }
}

fn cookie_duration(secs: i64) -> cookie::time::Duration {
    cookie::time::Duration::seconds(secs)
}

/// The CSRF token a form sent, read from the urlencoded body.
fn form_csrf(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(name, _)| name == CSRF_FIELD)
        .map(|(_, value)| value.into_owned())
}

/// Finds the session of the cookie and checks the CSRF token of every POST (see the module
/// documentation); puts the [`Viewer`] (when signed in) and the [`ClientAddress`] on the request.
pub async fn attach_session(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, PageError> {
    let names = CookieNames::for_site(state.config.is_https());
    let jar = CookieJar::from_headers(request.headers());
    let client = client_address(&request, state.config.trust_forwarded_for);
    let token = jar.get(names.session).map(|c| c.value().to_owned());
    let session = match &token {
        Some(token) => {
            let token = token.clone();
            state
                .pool
                .run(move |store| {
                    Team::new(store)
                        .web_session(&token)
                        .map_err(PageError::from)
                })
                .await?
        }
        None => None,
    };
    let (parts, body) = request.into_parts();
    let body = if parts.method == Method::POST {
        let bytes = to_bytes(body, MAX_FORM_BYTES)
            .await
            .map_err(|_| PageError::BadRequest("the form is too large".to_owned()))?;
        let presented = form_csrf(&bytes).unwrap_or_default();
        let expected = if parts.uri.path() == super::pages::login::LOGIN_PATH {
            jar.get(names.login_csrf).map(|c| c.value().to_owned())
        } else {
            session.as_ref().map(|s| s.csrf_token.clone())
        };
        let matches = expected.is_some_and(|expected| {
            !expected.is_empty() && crate::team::password::secrets_match(&expected, &presented)
        });
        if !matches {
            return Err(PageError::Csrf);
        }
        Body::from(bytes)
    } else {
        body
    };
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(ClientAddress(client));
    if let (Some(session), Some(token)) = (session, token) {
        request.extensions_mut().insert(Viewer {
            session: Arc::new(session),
            token,
        });
    }
    Ok(next.run(request).await)
}

/// A page that needs a signed-in person and found none: to the login page, and back after.
#[derive(Debug)]
pub struct SignInFirst {
    next: String,
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let next = form_urlencoded::byte_serialize(self.next.as_bytes()).collect::<String>();
        Redirect::to(&format!("{}?next={next}", super::pages::login::LOGIN_PATH)).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = SignInFirst;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Viewer, SignInFirst> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| SignInFirst {
                next: parts
                    .uri
                    .path_and_query()
                    .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            })
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Viewer>, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<ClientAddress, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddress>()
            .cloned()
            .unwrap_or_else(|| ClientAddress("unknown".to_owned())))
    }
}

/// The `Retry-After` header of a throttled login.
pub fn retry_after(secs: i64) -> (header::HeaderName, String) {
    (header::RETRY_AFTER, secs.max(1).to_string())
}

impl From<TeamError> for PageError {
    fn from(error: TeamError) -> PageError {
        match error {
            // A calibration the viewer neither runs nor takes part in is not theirs to know of.
            TeamError::NoSuchSession { .. } | TeamError::NoSuchCalibration { .. } => {
                PageError::NotFound
            }
            TeamError::Forbidden { .. } => PageError::Forbidden,
            TeamError::Store(store) => store.into(),
            other @ (TeamError::Hash(_)
            | TeamError::Random(_)
            | TeamError::UnknownStoredRole { .. }) => PageError::Store(other.to_string()),
            other => PageError::BadRequest(other.to_string()),
        }
    }
}
