//! `rapport user`: the team server's accounts from the command line, with passwords read without echo.

use std::io::{BufRead as _, IsTerminal as _};

use anyhow::{Context as _, bail};
use rapport::team::{Actor, NewUser, Role, Team, User};

use super::Status;
use super::qa::open_store;
use crate::cli::{RoleArg, UserAction, UserArgs};

/// `rapport user`.
pub fn user(args: UserArgs) -> anyhow::Result<Status> {
    let mut store = open_store(args.db.db.as_deref())?;
    let mut team = Team::new(&mut store);
    let actor = Actor::command_line();
    match args.action {
        UserAction::Add {
            login,
            role,
            trainee,
            display,
            password_stdin,
        } => {
            let password = read_new_password(&login, password_stdin)?;
            let user = team.create_user(
                &actor,
                &NewUser {
                    login: &login,
                    display_name: display.as_deref(),
                    role: role_of(role),
                    trainee: trainee.as_deref(),
                    password: &password,
                },
            )?;
            eprintln!("created {}", describe(&user));
        }
        UserAction::List { json } => {
            let users = team.users()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                for user in users {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        user.login,
                        user.role,
                        user.trainee.as_deref().unwrap_or("-"),
                        if user.active { "active" } else { "inactive" },
                        user.display_name
                    );
                }
            }
        }
        UserAction::SetRole {
            login,
            role,
            trainee,
        } => {
            let user = team.set_role(&actor, &login, role_of(role), trainee.as_deref())?;
            eprintln!("{}", describe(&user));
        }
        UserAction::Deactivate { login } => {
            let user = team.set_active(&actor, &login, false)?;
            eprintln!("deactivated `{}`: it can no longer log in", user.login);
        }
        UserAction::Activate { login } => {
            let user = team.set_active(&actor, &login, true)?;
            eprintln!("activated `{}`", user.login);
        }
        UserAction::Password {
            login,
            password_stdin,
        } => {
            // Refuse an unknown account before asking for a password twice.
            if team.user_by_login(&login)?.is_none() {
                bail!(rapport::team::TeamError::NoSuchUser { login });
            }
            let password = read_new_password(&login, password_stdin)?;
            team.set_password(&actor, &login, &password)?;
            eprintln!("password of `{login}` set; its web sessions were ended");
        }
    }
    Ok(Status::Ok)
}

/// The library's role for the command line's.
fn role_of(role: RoleArg) -> Role {
    match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::QaLead => Role::QaLead,
        RoleArg::Reviewer => Role::Reviewer,
        RoleArg::Trainer => Role::Trainer,
        RoleArg::Trainee => Role::Trainee,
    }
}

/// An account in one line, for messages.
fn describe(user: &User) -> String {
    let trainee = user
        .trainee
        .as_ref()
        .filter(|_| user.role == Role::Trainee)
        .map_or_else(String::new, |t| format!(", sessions stored as `{t}`"));
    format!("`{}` ({}{trainee})", user.login, user.role)
}

/// A new password: one line of standard input, or typed twice at the terminal without echo.
fn read_new_password(login: &str, from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_owned();
        if password.is_empty() {
            bail!("standard input held no password; give it as the first line");
        }
        return Ok(password);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "no terminal to read the password of `{login}` from; pipe it in with --password-stdin"
        );
    }
    let first = rpassword::prompt_password(format!("Password for `{login}`: "))
        .context("cannot read the password from the terminal")?;
    let second = rpassword::prompt_password("Again: ")
        .context("cannot read the password from the terminal")?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}
