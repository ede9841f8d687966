//! The one page layout every page shares: a skip link, the navigation the signed-in role may use, the main column, and the stylesheet (served as a file, so the content security policy needs no inline style).

use maud::{DOCTYPE, Markup, html};

/// The stylesheet's address.
pub const STYLESHEET_PATH: &str = "/static/app.css";

/// The review form's keyboard shortcuts, a file of its own so that the content security policy
/// allows no inline script.
pub const REVIEW_SCRIPT_PATH: &str = "/static/review.js";
pub const REVIEW_SCRIPT: &str = include_str!("static/review.js");

/// One link of the navigation bar.
#[derive(Debug, Clone, Copy)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
}

/// Who is signed in, as the layout shows them.
#[derive(Debug, Clone)]
pub struct SignedIn<'a> {
    pub username: &'a str,
    pub role: &'a str,
    /// The CSRF token the sign-out form carries.
    pub csrf: &'a str,
    pub links: &'a [NavLink],
}

/// A whole page: `title` in the tab and as the heading, `body` in the main column.
pub fn page(title: &str, signed_in: Option<&SignedIn<'_>>, body: Markup) -> Markup {
    page_with_script(title, signed_in, body, None)
}

/// A whole page that also loads one of the server's scripts (deferred: the page works first).
pub fn page_with_script(
    title: &str,
    signed_in: Option<&SignedIn<'_>>,
    body: Markup,
    script: Option<&str>,
) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Rapport" }
                link rel="stylesheet" href=(STYLESHEET_PATH);
                @if let Some(script) = script { script src=(script) defer {} }
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    a.brand href="/" { "Rapport" }
                    @if let Some(user) = signed_in {
                        nav aria-label="Main" {
                            ul {
                                @for link in user.links {
                                    li { a href=(link.href) { (link.label) } }
                                }
                            }
                        }
                        form.signout method="post" action="/logout" {
                            input type="hidden" name="csrf" value=(user.csrf);
                            span.who { (user.username) " · " (user.role) }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main #main tabindex="-1" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    }
}

/// A line of feedback above a form: what went wrong, or what was done.
pub fn notice(kind: NoticeKind, text: &str) -> Markup {
    let class = match kind {
        NoticeKind::Error => "notice error",
        NoticeKind::Done => "notice done",
    };
    html! { p class=(class) role="status" { (text) } }
}

/// Whether a notice reports a failure or a success.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Error,
    Done,
}

/// The stylesheet: one column that widens on a laptop, tables that scroll on a phone, and a
/// visible focus ring for keyboard users.
pub const STYLESHEET: &str = r#"
:root{--ink:#0f172a;--muted:#475569;--line:#cbd5e1;--bg:#f8fafc;--card:#fff;--accent:#1d4ed8;--good:#bbf7d0;--bad:#fecaca}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:var(--bg);color:var(--ink);line-height:1.45;font-size:16px}
a{color:var(--accent)}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:8px}.skip:focus{left:8px;z-index:9}
header.top{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;padding:8px 16px;background:#1e293b;color:#fff}
header.top a{color:#fff}.brand{font-weight:700;text-decoration:none;font-size:18px}
nav ul{display:flex;flex-wrap:wrap;gap:4px 14px;list-style:none;margin:0;padding:0}
.signout{margin-left:auto;display:flex;gap:8px;align-items:center}.who{font-size:14px;color:#cbd5e1}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:8px 0 12px}h2{font-size:19px;margin:24px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
.muted{color:var(--muted);font-size:14px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:var(--card);font-size:14px}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f1f5f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
.pass{color:#047857;font-weight:600}.fail{color:#b91c1c;font-weight:600}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px;margin:8px 0}
.kpis{display:flex;flex-wrap:wrap;gap:8px}.kpi{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px}
.kpi b{display:block;font-size:22px}
.turn{display:grid;grid-template-columns:52px 1fr;gap:8px;padding:6px 0;border-top:1px dashed var(--line)}
.t{color:var(--muted);font-size:13px;font-variant-numeric:tabular-nums}
.msg{margin:2px 0;padding:6px 10px;border-radius:8px;max-width:95%}
.customer{background:#e2e8f0}.trainee{background:#dbeafe;margin-left:auto}.system{color:var(--muted);font-style:italic;font-size:13px}
.who-said{font-weight:600;font-size:13px;margin-right:6px}
mark.good{background:var(--good)}mark.bad{background:var(--bad)}
ul.ev{margin:4px 0;padding-left:20px;font-size:14px}
li.good::marker{content:"▲ ";color:#047857}li.bad::marker{content:"▼ ";color:#b91c1c}
form.stack label{display:block;margin:10px 0 4px;font-weight:600}
input[type=text],input[type=password],input[type=search],input[type=date],select,textarea{font:inherit;padding:8px;border:1px solid #94a3b8;border-radius:6px;width:100%;max-width:420px}
textarea{max-width:100%;min-height:3em}
button{font:inherit;padding:8px 16px;border-radius:6px;border:1px solid #1e3a8a;background:var(--accent);color:#fff;cursor:pointer}
header.top button{background:transparent;border-color:#94a3b8;padding:4px 10px}
fieldset.criterion{border:1px solid var(--line);border-radius:8px;background:var(--card);margin:10px 0;padding:8px 12px}
fieldset.criterion legend{font-weight:600;padding:0 4px}
.ratings{display:flex;flex-wrap:wrap;gap:4px 6px;margin:6px 0}
.ratings label{display:inline-flex;align-items:center;gap:4px;border:1px solid var(--line);border-radius:6px;padding:4px 10px;font-weight:400;margin:0;cursor:pointer}
.ratings input:checked+span{font-weight:700}
.machine{font-size:13px;color:var(--muted)}
.notice{padding:8px 12px;border-radius:6px}.notice.error{background:#fee2e2}.notice.done{background:#dcfce7}
.filters{display:flex;flex-wrap:wrap;gap:8px;align-items:end}.filters label{font-size:14px}
.filters input,.filters select{width:auto}
svg{max-width:100%;height:auto}
.card>svg,figure.card svg[role=img]{display:block;max-width:720px}
pre{white-space:pre-wrap;overflow-x:auto;background:#0f172a;color:#e2e8f0;padding:8px;border-radius:6px;font-size:13px}
figure{margin:8px 0}
a.kpi{text-decoration:none;color:inherit}a.kpi b{color:var(--accent)}
.warn{color:#b45309}
table.grid td.n{text-align:center}table.grid tr.split{background:#fef3c7}
.picks{max-height:340px;overflow-y:auto;border:1px solid var(--line);border-radius:6px;padding:4px 8px;background:var(--card)}
form.stack label.pick{display:flex;gap:8px;align-items:baseline;font-weight:400;margin:4px 0}
label.pick input{flex:none}
@media (max-width:640px){main{padding:10px}
table.cards thead{display:none}table.cards tr{display:block;border-bottom:2px solid var(--line);padding:6px 0}table.cards td{display:block;border:0;padding:2px 8px}table.cards td.n{text-align:left}
table.cards td[data-label]::before{content:attr(data-label) ": ";color:var(--muted);font-size:13px}.turn{grid-template-columns:1fr}.signout{margin-left:0}h1{font-size:21px}}
"#;
