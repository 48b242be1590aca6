//! Publishing a private playbook from its page. The project's source is the truth, so
//! publishing writes `visibility public` into the playbook's `.play` file and the daemon's
//! hot reload deploys it like any other edit. The edited project is checked first, in
//! memory: while the playbook uses private signals, segments or templates the compiler
//! refuses it, and the page lists what to publish first, writing nothing.

use std::path::{Path, PathBuf};

use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use play_compiler::diagnostic::Severity;

use super::form::Fields;
use super::session::Session;
use super::{check_csrf, html_page, layout, Inbox, Problem, Signed};

/// The project folder the daemon runs and watches: where publishing writes.
#[derive(Clone)]
pub struct Project {
    pub root: PathBuf,
}

/// The source with `playbook`'s visibility made public, or none when the source does not
/// define it. An existing `visibility private` line is rewritten; otherwise the line goes
/// first in the playbook's block, indented like the line after the header.
pub fn made_public(source: &str, playbook: &str) -> Option<String> {
    let lines: Vec<&str> = source.split_inclusive('\n').collect();
    let header = lines.iter().position(|l| {
        let mut words = l.split(|c: char| c.is_whitespace() || c == '{' || c == '"').filter(|w| !w.is_empty());
        words.next() == Some("playbook") && words.next() == Some(playbook)
    })?;
    let end = lines[header + 1..].iter().position(|l| l.starts_with('}')).map_or(lines.len(), |i| header + 1 + i);
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    match (header + 1..end).find(|&i| lines[i].trim_start().starts_with("visibility")) {
        Some(i) => {
            let indent = &lines[i][..lines[i].len() - lines[i].trim_start().len()];
            let newline = if lines[i].ends_with('\n') { "\n" } else { "" };
            out[i] = format!("{indent}visibility public{newline}");
        }
        None => {
            let next = lines.get(header + 1).copied().unwrap_or("  ");
            let indent = &next[..next.len() - next.trim_start().len()];
            let indent = if indent.trim_matches(['\n', '\r']).is_empty() { "  " } else { indent };
            out.insert(header + 1, format!("{}visibility public\n", indent.trim_matches(['\n', '\r'])));
        }
    }
    Some(out.concat())
}

/// The project's sources (`.play` files outside hidden folders), named by their path inside
/// the project.
fn sources(root: &Path) -> std::io::Result<Vec<(PathBuf, String)>> {
    let mut out = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
            if hidden {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "play") {
                let text = std::fs::read_to_string(&path)?;
                out.push((path, text));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Publishes `playbook` in the project at `root`: the file written, or why not (with the
/// compiler's list of what stands in the way).
pub fn publish(root: &Path, playbook: &str) -> Result<PathBuf, Vec<String>> {
    let unreadable = |e: std::io::Error| vec![format!("The project's files could not be read: {e}.")];
    let mut files = sources(root).map_err(unreadable)?;
    let Some((at, text)) =
        files.iter().enumerate().find_map(|(i, (_, text))| made_public(text, playbook).map(|t| (i, t)))
    else {
        return Err(vec![format!("No file of the project defines the playbook `{playbook}`.")]);
    };
    files[at].1 = text;
    let named: Vec<(String, &str)> =
        files.iter().map(|(p, t)| (p.strip_prefix(root).unwrap_or(p).display().to_string(), t.as_str())).collect();
    let borrowed: Vec<(&str, &str)> = named.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    if let Err(diagnostics) = play_compiler::lower::build(&borrowed) {
        let problems: Vec<String> = diagnostics
            .iter()
            .zip(&named)
            .flat_map(|(ds, (file, _))| {
                ds.iter().filter(|d| d.severity == Severity::Error).map(move |d| match &d.help {
                    Some(help) => format!("{file}: {} ({help})", d.message),
                    None => format!("{file}: {}", d.message),
                })
            })
            .collect();
        return Err(if problems.is_empty() {
            vec!["The project does not check once published.".into()]
        } else {
            problems
        });
    }
    let (path, text) = &files[at];
    std::fs::write(path, text).map_err(|e| vec![format!("{} could not be written: {e}.", path.display())])?;
    Ok(path.clone())
}

/// The publish section of a private playbook's page, for a teammate who may publish it.
pub fn section(s: &Session, playbook: &str, can: bool, problems: &[String]) -> Markup {
    html! {
        h2 #publish { "Publish" }
        @if !problems.is_empty() {
            div.problem role="alert" {
                p { "It was not published. Nothing was changed:" }
                ul { @for p in problems { li { (p) } } }
            }
        }
        @if can {
            form.card method="post" action={ "/playbooks/" (playbook) "/publish" } {
                (layout::csrf(s))
                p { strong { "Publishing is permanent." } " Every teammate will see what this playbook does, "
                    "and its whole history — every action and run so far — becomes visible to them. "
                    "A published playbook cannot be made private again." }
                p {
                    input #confirm type="checkbox" name="confirm" value="yes";
                    " "
                    label for="confirm" style="display:inline" { "I understand that publishing " (playbook) " is permanent" }
                }
                p { button type="submit" { "Publish " (playbook) } }
            }
        } @else {
            p.muted { "This daemon does not watch a project folder, so a playbook is published by writing "
                      code { "visibility public" } " in its source." }
        }
    }
}

/// `POST /playbooks/{name}/publish`.
pub async fn submit(
    State(inbox): State<Inbox>,
    Signed(s): Signed,
    UrlPath(name): UrlPath<String>,
    body: axum::body::Bytes,
) -> Result<Response, Problem> {
    let fields = Fields::parse(&body);
    check_csrf(&s, &fields)?;
    let program = inbox.program().await?;
    let pb = program
        .playbook_named(&name)
        .filter(|_| inbox.app.status().sees(&name, &s.email))
        .map(|i| &program.playbooks[i])
        .ok_or_else(|| Problem::not_found("such playbook"))?;
    let refused = |problems: Vec<String>| {
        let body = html! {
            p { a href={ "/playbooks/" (name) } { "← " (name) } }
            h1 { "Publish " (name) }
            (section(&s, &name, inbox.project.is_some(), &problems))
        };
        (StatusCode::UNPROCESSABLE_ENTITY, html_page(layout::page("Publish", Some(&s), "/playbooks", None, body)))
            .into_response()
    };
    if pb.public {
        return Ok(refused(vec![format!("`{name}` is already public.")]));
    }
    if fields.get("confirm") != Some("yes") {
        return Ok(refused(vec!["Tick the box to confirm that publishing is permanent.".into()]));
    }
    let Some(project) = inbox.project.clone() else {
        return Ok(refused(vec!["This daemon does not watch a project folder: publish it in the source.".into()]));
    };
    let wanted = name.clone();
    let done = tokio::task::spawn_blocking(move || publish(&project.root, &wanted))
        .await
        .unwrap_or_else(|_| Err(vec!["Publishing stopped unexpectedly.".into()]));
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/playbooks/{name}?notice=published")).into_response()),
        Err(problems) => Ok(refused(problems)),
    }
}

#[cfg(test)]
mod tests {
    use super::made_public;

    #[test]
    fn a_private_visibility_line_is_rewritten_and_a_missing_one_added() {
        let written =
            "playbook a \"A\" {\n  for account: Account\n  visibility private\n}\n\nplaybook b {\n    for x: X\n}\n";
        let a = made_public(written, "a").unwrap();
        assert_eq!(
            a,
            "playbook a \"A\" {\n  for account: Account\n  visibility public\n}\n\nplaybook b {\n    for x: X\n}\n"
        );
        let b = made_public(written, "b").unwrap();
        assert!(b.ends_with("playbook b {\n    visibility public\n    for x: X\n}\n"), "{b}");
        assert_eq!(made_public(written, "c"), None);
        assert_eq!(made_public("playbook ab {\n}\n", "a"), None, "a name is matched whole");
    }
}
