//! The scenario library for trainers: the scenarios live now, and a form to upload a new one or edit one, validated with `rapport validate`'s diagnostics (warnings denied, as CI does); nothing that fails goes live.

use std::path::{Path as FilePath, PathBuf};

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::library::load_library;
use crate::scenario::load::parse_scenario;
use crate::scenario::{Diagnostic, ValidateOptions, validate};
use crate::scoring::Rubric;
use crate::serve::app::AppState;
use crate::serve::auth::Viewer;
use crate::serve::error::PageError;
use crate::serve::layout::{NoticeKind, notice};
use crate::serve::pages::signed_in_page;
use crate::store::sql::TxMode;
use crate::team::audit::{self, Subject};
use crate::team::{Action, Actor, Team, TeamError};

/// The largest scenario file accepted, in bytes (the shipped ones are under 40 kB).
pub const MAX_SCENARIO_BYTES: usize = 512 * 1024;

/// `?saved=ID` after a scenario went live.
#[derive(Debug, Default, Deserialize)]
pub struct Saved {
    saved: Option<String>,
}

/// `GET /scenarios`.
pub async fn list_scenarios(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(saved): Query<Saved>,
) -> Result<Markup, PageError> {
    viewer.require(Action::EditScenarios)?;
    let library = live_library(&state).await?;
    // Only an id that is live is announced, so a crafted link cannot make the page say more.
    let done = saved
        .saved
        .filter(|id| library.0.iter().any(|l| l.scenario.id == *id))
        .map(|id| notice(NoticeKind::Done, &format!("`{id}` validated and is live.")));
    Ok(signed_in_page(
        &viewer,
        "Scenarios",
        scenarios_body(&viewer, &library.0, done, "", "", None),
    ))
}

fn scenarios_body(
    viewer: &Viewer,
    library: &[crate::scenario::LoadedScenario],
    message: Option<Markup>,
    file_name: &str,
    text: &str,
    diagnostics: Option<&[Diagnostic]>,
) -> Markup {
    html! {
        @if let Some(message) = message { (message) }
        @if let Some(diagnostics) = diagnostics {
            section.card aria-labelledby="refused" {
                h2 #refused { "Refused: " (diagnostics.len()) " problem(s), nothing was changed" }
                @for d in diagnostics {
                    pre.diagnostic { (d.render(false)) }
                }
            }
        }
        h2 { "Upload or edit a scenario" }
        form.stack method="post" action="/scenarios" {
            input type="hidden" name="csrf" value=(viewer.csrf());
            label for="file_name" { "File name" }
            input #file_name type="text" name="file_name" value=(file_name) placeholder="late-delivery.ron" required;
            label for="text" { "Scenario (RON), as `rapport new` writes it" }
            textarea #text name="text" rows="18" spellcheck="false" required { (text) }
            p.muted { "It is checked as `rapport validate --deny-warnings` checks it. A scenario whose id is already in the library replaces it." }
            p { button type="submit" { "Validate and publish" } }
        }
        h2 { "Live scenarios" }
        div.scroll {
            table {
                thead { tr { th { "id" } th { "title" } th { "channel" } th { "difficulty" } th {} } }
                tbody {
                    @for l in library {
                        tr {
                            td { code { (l.scenario.id) } }
                            td { (l.scenario.title) }
                            td { (l.scenario.channel.label()) }
                            td { (l.scenario.difficulty.label()) }
                            td { a href=(format!("/scenarios/{}", l.scenario.id)) { "edit" } }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /scenarios/{id}`: the form filled with the live file.
pub async fn edit_scenario(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Markup, PageError> {
    viewer.require(Action::EditScenarios)?;
    let (library, _) = live_library(&state).await?;
    let found = library
        .iter()
        .find(|l| l.scenario.id == id)
        .ok_or(PageError::NotFound)?;
    let name = found
        .source
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = found.source.text.to_string();
    Ok(signed_in_page(
        &viewer,
        &format!("Edit {id}"),
        scenarios_body(&viewer, &library, None, &name, &text, None),
    ))
}

/// The scenarios live in the library now, and the files that do not load.
async fn live_library(
    state: &AppState,
) -> Result<(Vec<crate::scenario::LoadedScenario>, Vec<Diagnostic>), PageError> {
    let dir = state.config.library.clone();
    tokio::task::spawn_blocking(move || load_library(&dir))
        .await
        .map_err(|e| PageError::Store(e.to_string()))
}

/// What the upload form sends.
#[derive(Debug, Deserialize)]
pub struct Upload {
    file_name: String,
    text: String,
}

/// A file name of the library: letters, digits and dashes, ending `.ron`, not a test plan,
/// rubric, lexicon or script.
fn checked_file_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    let stem = name.strip_suffix(".ron").unwrap_or(name);
    let plain = !stem.is_empty()
        && stem
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !stem.starts_with('-');
    if !plain {
        return Err(format!(
            "`{name}` cannot be a scenario file name; use lowercase letters, digits and dashes, like `late-delivery.ron`"
        ));
    }
    Ok(format!("{stem}.ron"))
}

/// Checks an uploaded scenario as `rapport validate --deny-warnings` would: every problem found.
fn check_upload(file_name: &str, text: &str) -> Vec<Diagnostic> {
    let loaded = match parse_scenario(file_name, text) {
        Ok(loaded) => loaded,
        Err(diagnostic) => return vec![*diagnostic],
    };
    let options = ValidateOptions {
        assets_dir: None,
        criteria: Some(Rubric::shipped().criterion_ids()),
    };
    validate(&loaded, &options)
}

/// Writes the file through a temporary one, so a failure never leaves half a scenario live.
fn publish(dir: &FilePath, file_name: &str, text: &str) -> std::io::Result<PathBuf> {
    let path = dir.join(file_name);
    let partial = dir.join(format!(".{file_name}.partial"));
    std::fs::write(&partial, text)?;
    std::fs::rename(&partial, &path).inspect_err(|_| {
        let _ = std::fs::remove_file(&partial);
    })?;
    Ok(path)
}

/// `POST /scenarios`: validated, then live (and audited); refused with every diagnostic.
pub async fn upload_scenario(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(upload): Form<Upload>,
) -> Result<Response, PageError> {
    viewer.require(Action::EditScenarios)?;
    let refuse = |message: String, diagnostics: Vec<Diagnostic>, upload: &Upload| {
        let viewer = viewer.clone();
        let state = state.clone();
        let file_name = upload.file_name.clone();
        let text = upload.text.clone();
        async move {
            let (library, _) = live_library(&state).await?;
            let body = scenarios_body(
                &viewer,
                &library,
                Some(notice(NoticeKind::Error, &message)),
                &file_name,
                &text,
                Some(&diagnostics),
            );
            Ok::<_, PageError>(
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    signed_in_page(&viewer, "Scenarios", body),
                )
                    .into_response(),
            )
        }
    };
    let file_name = match checked_file_name(&upload.file_name) {
        Ok(name) => name,
        Err(message) => return refuse(message, Vec::new(), &upload).await,
    };
    if upload.text.len() > MAX_SCENARIO_BYTES {
        let message = format!(
            "the scenario is {} kB; at most {} kB is accepted",
            upload.text.len() / 1024,
            MAX_SCENARIO_BYTES / 1024
        );
        return refuse(message, Vec::new(), &upload).await;
    }
    let text = upload.text.replace("\r\n", "\n");
    let checked_name = file_name.clone();
    let checked_text = text.clone();
    let diagnostics =
        tokio::task::spawn_blocking(move || check_upload(&checked_name, &checked_text))
            .await
            .map_err(|e| PageError::Store(e.to_string()))?;
    if !diagnostics.is_empty() {
        let message =
            format!("`{file_name}` did not validate; fix what is listed and send it again");
        return refuse(message, diagnostics, &upload).await;
    }
    let Ok(loaded) = parse_scenario(&file_name, &text) else {
        return Err(PageError::Store("the scenario stopped parsing".to_owned()));
    };
    let id = loaded.scenario.id.clone();
    let dir = state.config.library.clone();
    let written = tokio::task::spawn_blocking({
        let (file_name, text) = (file_name.clone(), text.clone());
        move || publish(&dir, &file_name, &text)
    })
    .await
    .map_err(|e| PageError::Store(e.to_string()))?
    .map_err(|e| PageError::Store(format!("cannot write `{file_name}` into the library: {e}")))?;
    let user = viewer.user().clone();
    let hash = loaded.content_hash().to_owned();
    let audited_id = id.clone();
    state
        .pool
        .run(move |store| {
            let now = Team::new(store).now();
            store
                .in_transaction(TxMode::Write, |tx| {
                    audit::append(
                        tx,
                        now,
                        &Actor::user(&user),
                        "scenario.publish",
                        Subject {
                            kind: "scenario",
                            id: &audited_id,
                        },
                        None,
                        Some(serde_json::json!({
                            "file": written.display().to_string(),
                            "hash": hash,
                        })),
                    )
                })
                .map_err(|e: TeamError| PageError::from(e))
        })
        .await?;
    Ok(Redirect::to(&format!("/scenarios?saved={id}")).into_response())
}

#[cfg(test)]
mod tests {
    use super::checked_file_name;

    #[test]
    fn file_names_stay_inside_the_library() {
        assert_eq!(
            checked_file_name("late-delivery").unwrap(),
            "late-delivery.ron"
        );
        assert_eq!(
            checked_file_name("late-delivery.ron").unwrap(),
            "late-delivery.ron"
        );
        assert!(checked_file_name("../etc/passwd").is_err());
        assert!(checked_file_name("a/b.ron").is_err());
        assert!(checked_file_name(".hidden.ron").is_err());
        assert!(checked_file_name("").is_err());
    }
}
