//! Signing in and out: the login form (with the first-run instructions when no account exists yet), the throttled login that issues a new session token, and the logout.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use maud::{Markup, html};
use serde::Deserialize;

use crate::serve::app::AppState;
use crate::serve::auth::{ClientAddress, CookieNames, Viewer, retry_after};
use crate::serve::error::PageError;
use crate::serve::layout::{NoticeKind, notice, page};
use crate::team::password::random_hex;
use crate::team::{LoginRequest, SESSION_LIFETIME_SECS, Team, TeamError};

/// The login page's address (its POST is checked against the login CSRF cookie).
pub const LOGIN_PATH: &str = "/login";
/// Bytes of randomness in the login form's CSRF token.
const LOGIN_CSRF_BYTES: usize = 32;

/// Where to go after logging in.
#[derive(Debug, Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// Only a path on this site, so a crafted link cannot send people elsewhere after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path.to_owned()
        }
        _ => "/sessions".to_owned(),
    }
}

/// The first-run help: how to make the first admin from the command line.
pub const FIRST_ADMIN_HELP: &str =
    "No account exists yet. Create the first admin from the command line on the server:";
/// The command the first-run help shows.
pub const FIRST_ADMIN_COMMAND: &str = "rapport user add NAME --role admin";

fn login_form(csrf: &str, next: &str, message: Option<Markup>, no_accounts: bool) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            @if no_accounts {
                div.card {
                    p { (FIRST_ADMIN_HELP) }
                    pre { code { (FIRST_ADMIN_COMMAND) } }
                    p.muted { "It asks for a password (at least 12 characters). Add --db with the same database this server uses." }
                }
            }
            @if let Some(message) = message { (message) }
            form.stack method="post" action=(LOGIN_PATH) {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(next);
                label for="login" { "Login" }
                input #login type="text" name="login" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus;
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                p { button type="submit" { "Sign in" } }
            }
        },
    )
}

/// `GET /login`: the form, with a fresh CSRF cookie for it.
pub async fn show_login(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(next): Query<Next>,
) -> Result<Response, PageError> {
    let names = CookieNames::for_site(state.config.is_https());
    let csrf = random_hex(LOGIN_CSRF_BYTES)?;
    let no_accounts = state
        .pool
        .run(|store| Team::new(store).users().map_err(PageError::from))
        .await?
        .is_empty();
    let next = safe_next(next.next.as_deref());
    let jar = jar.add(names.login_csrf_cookie(csrf.clone()));
    Ok((jar, login_form(&csrf, &next, None, no_accounts)).into_response())
}

/// What the login form sends.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    csrf: String,
    login: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`: a new session and token (the one the browser held is revoked), or the form
/// again with why; throttled logins answer 429 with `Retry-After`.
pub async fn log_in(
    State(state): State<AppState>,
    jar: CookieJar,
    ClientAddress(client): ClientAddress,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let names = CookieNames::for_site(state.config.is_https());
    let previous = jar.get(names.session).map(|c| c.value().to_owned());
    let (login, password) = (form.login.clone(), form.password.clone());
    let opened = state
        .pool
        .run(move |store| {
            Ok::<_, PageError>(Team::new(store).login(&LoginRequest {
                login: &login,
                password: &password,
                client: &client,
                previous_token: previous.as_deref(),
            }))
        })
        .await?;
    let next = safe_next(form.next.as_deref());
    match opened {
        Ok(opened) => {
            let jar = jar
                .add(names.session_cookie(opened.token, SESSION_LIFETIME_SECS))
                .add(names.removal(names.login_csrf));
            Ok((jar, Redirect::to(&next)).into_response())
        }
        Err(TeamError::BadCredentials) => {
            let message = notice(NoticeKind::Error, "Wrong login or password.");
            Ok((
                StatusCode::UNAUTHORIZED,
                login_form(&form.csrf, &next, Some(message), false),
            )
                .into_response())
        }
        Err(TeamError::Throttled { retry_after_secs }) => {
            let message = notice(
                NoticeKind::Error,
                &format!(
                    "Too many failed sign-ins. Try again in {} minute(s).",
                    (retry_after_secs.max(1) + 59) / 60
                ),
            );
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [retry_after(retry_after_secs)],
                login_form(&form.csrf, &next, Some(message), false),
            )
                .into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /logout`: the session ends in the store and the cookie is removed.
pub async fn log_out(
    State(state): State<AppState>,
    jar: CookieJar,
    viewer: Viewer,
) -> Result<Response, PageError> {
    let names = CookieNames::for_site(state.config.is_https());
    let token = viewer.token.clone();
    state
        .pool
        .run(move |store| Team::new(store).logout(&token).map_err(PageError::from))
        .await?;
    let jar = jar.add(names.removal(names.session));
    Ok((jar, Redirect::to(LOGIN_PATH)).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/sessions/ab")), "/sessions/ab");
        assert_eq!(safe_next(Some("//evil.example")), "/sessions");
        assert_eq!(safe_next(Some("https://evil.example")), "/sessions");
        assert_eq!(safe_next(Some("/\\evil.example")), "/sessions");
        assert_eq!(safe_next(None), "/sessions");
    }
}
