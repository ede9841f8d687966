//! The page groups, one file each, and the frame every signed-in page is drawn in.

pub mod calibration_rating;
pub mod calibration_results;
pub mod calibrations;
pub mod dashboard;
pub mod disputes;
pub mod exports;
pub mod login;
pub mod lrs_outbox;
pub mod queue;
pub mod queue_rules;
pub mod report_query;
pub mod review;
pub mod review_form;
pub mod scenarios;
pub mod session_detail;
pub mod sessions;

use maud::Markup;

use super::auth::Viewer;
use super::layout::{NavLink, SignedIn, page_with_script};
use crate::team::Action;

/// The navigation: each page with the action that opens it, in the order shown.
const NAVIGATION: [(NavLink, Action); 8] = [
    (
        NavLink {
            href: "/sessions",
            label: "Sessions",
        },
        Action::ViewSession,
    ),
    (
        NavLink {
            href: "/queue",
            label: "My queue",
        },
        Action::WorkQueue,
    ),
    (
        NavLink {
            href: "/disputes",
            label: "Disputes",
        },
        Action::RaiseDispute,
    ),
    (
        NavLink {
            href: "/disputes",
            label: "Disputes",
        },
        Action::DecideDispute,
    ),
    (
        NavLink {
            href: "/calibrations",
            label: "Calibration",
        },
        Action::JoinCalibration,
    ),
    (
        NavLink {
            href: "/dashboard",
            label: "Dashboard",
        },
        Action::ViewDashboards,
    ),
    (
        NavLink {
            href: "/exports",
            label: "Exports",
        },
        Action::Export,
    ),
    (
        NavLink {
            href: "/scenarios",
            label: "Scenarios",
        },
        Action::EditScenarios,
    ),
];

/// A page for a signed-in person, with the navigation their role may use.
pub fn signed_in_page(viewer: &Viewer, title: &str, body: Markup) -> Markup {
    signed_in_page_with_script(viewer, title, body, None)
}

/// The same, loading one of the server's scripts.
pub fn signed_in_page_with_script(
    viewer: &Viewer,
    title: &str,
    body: Markup,
    script: Option<&str>,
) -> Markup {
    let mut links: Vec<NavLink> = NAVIGATION
        .iter()
        .filter(|(_, action)| viewer.may(*action))
        .map(|(link, _)| *link)
        .collect();
    links.dedup_by_key(|link| link.href);
    let user = viewer.user();
    let signed_in = SignedIn {
        username: &user.display_name,
        role: user.role.label(),
        csrf: viewer.csrf(),
        links: &links,
    };
    page_with_script(title, Some(&signed_in), body, script)
}
