//! Words for syntax errors. An error node is text a block's catch-all rule took; to say
//! what is wrong with it, it is parsed again with the rule that was meant (an item, a
//! clause, an action, …) and pest's record of what it expected at the furthest point is
//! turned into a sentence: "expected `{` after the playbook title, found `for`".

use std::collections::BTreeSet;

use pest::error::InputLocation;
use pest::Parser;

use super::grammar::{PlayParser, Rule};
use super::Span;
use crate::diagnostic::{codes, Diagnostic};
use crate::suggest;

/// The block an error node was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Block {
    File,
    Record,
    Event,
    Template,
    Playbook,
    Step,
    Stage,
    Test,
}

const ITEM_WORDS: &[&str] =
    &["enum", "record", "extend", "event", "segment", "signal", "template", "limit", "playbook", "test"];
const CLAUSE_WORDS: &[&str] = &[
    "for",
    "visibility",
    "owner",
    "category",
    "priority",
    "reentry",
    "inflight",
    "on",
    "when",
    "exit",
    "step",
    "wait",
    "stage",
];
const ACTION_WORDS: &[&str] =
    &["task", "email_task", "email", "assign", "notify", "enroll", "brief", "update", "webhook"];
const ACTIVITY_WORDS: &[&str] = &["activity", "optional"];
const TEST_WORDS: &[&str] =
    &["given", "create", "update", "delete", "event", "at", "after", "expect", "complete", "dismiss", "snooze", "add"];

impl Block {
    fn rule(self) -> Rule {
        match self {
            Block::File => Rule::whole_item,
            Block::Record | Block::Event => Rule::whole_field,
            Block::Template => Rule::whole_template_part,
            Block::Playbook => Rule::whole_clause,
            Block::Step => Rule::whole_action,
            Block::Stage => Rule::whole_activity,
            Block::Test => Rule::whole_test_stmt,
        }
    }

    /// The words a member of this block starts with, when members start with a keyword.
    fn words(self) -> &'static [&'static str] {
        match self {
            Block::File => ITEM_WORDS,
            Block::Playbook => CLAUSE_WORDS,
            Block::Step => ACTION_WORDS,
            Block::Stage => ACTIVITY_WORDS,
            Block::Test => TEST_WORDS,
            Block::Record | Block::Event | Block::Template => &[],
        }
    }

    fn member(self) -> &'static str {
        match self {
            Block::File => "an item",
            Block::Record | Block::Event => "a field such as `name: Text`",
            Block::Template => "a template part such as `subject \"…\"`",
            Block::Playbook => "a clause",
            Block::Step => "an action",
            Block::Stage => "an activity",
            Block::Test => "a test statement",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Block::File => "file",
            Block::Record => "record",
            Block::Event => "event",
            Block::Template => "template",
            Block::Playbook => "playbook",
            Block::Step => "step",
            Block::Stage => "stage",
            Block::Test => "test",
        }
    }

    fn unknown_code(self) -> &'static str {
        match self {
            Block::File => codes::EXPECTED_ITEM,
            Block::Playbook => codes::UNKNOWN_CLAUSE,
            Block::Step => codes::UNKNOWN_ACTION,
            Block::Stage => codes::UNKNOWN_ACTIVITY,
            Block::Test => codes::UNKNOWN_TEST_STATEMENT,
            Block::Record | Block::Event | Block::Template => codes::UNEXPECTED,
        }
    }
}

/// The diagnostic for the error node at `span` in `block`. `prev` is the member just
/// before it on the same line, which the error most likely continues.
pub fn explain(src: &str, span: Span, block: Block, prev: Option<Span>) -> Diagnostic {
    let start = prev.map_or(span.start, |p| p.start);
    let text = &src[start..span.end];
    let lead = skip_trivia(text);
    let body = &text[lead..];
    let at = |from: usize, len: usize| Span::new(start + from, start + from + len);

    if body.starts_with("/*") {
        return Diagnostic::error(
            codes::UNTERMINATED_COMMENT,
            "unterminated block comment",
            at(lead, 2),
            "this comment is never closed",
        )
        .with_help("add `*/` where the comment ends");
    }
    if body.starts_with('}') {
        return Diagnostic::error(codes::UNEXPECTED, "unexpected `}`", at(lead, 1), "this closes nothing")
            .with_help("remove it, or look above for a line that is missing its `{`");
    }
    let after_docs = lead + skip_docs(body);
    if body.starts_with("///") && (block != Block::File || after_docs >= text.len()) {
        let len = body.find('\n').unwrap_or(body.len());
        return Diagnostic::error(codes::MISPLACED_DOC, "this doc comment documents nothing", at(lead, len), "nothing follows to document")
            .with_help("doc comments (`///`) go right before an item, field, variant, template part, step, stage, activity or test; use `//` for an ordinary comment");
    }
    let word_at = after_docs + skip_trivia(&text[after_docs..]);
    let word = leading_word(&text[word_at..]);
    if prev.is_none() && !block.words().is_empty() && !word.is_empty() {
        let known = block.words().contains(&word) || (block == Block::File && matches!(word, "public" | "private"));
        if !known {
            return unknown_member(block, word, at(word_at, word.len()));
        }
    }
    match parse_in_detail(block.rule(), text) {
        Ok(_) => {
            let len = text[word_at..].find(char::is_whitespace).unwrap_or(text.len() - word_at);
            Diagnostic::error(
                codes::UNEXPECTED,
                format!("unexpected text in {}", block.name()),
                at(word_at, len.max(1)),
                "not understood",
            )
        }
        Err(e) => Explainer { text, start, block }.explain(e),
    }
}

/// Parses with pest's detailed record of attempts, which names the tokens that were
/// expected. Tracking them doubles parsing time, so it is on only here. The switch is
/// process-wide and read when a parse starts: the lock keeps one explanation from
/// switching it off under another; a parse of a whole file elsewhere that starts while it
/// is on is only slower, its result is the same.
fn parse_in_detail(rule: Rule, text: &str) -> Result<(), pest::error::Error<Rule>> {
    static DETAIL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = DETAIL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    pest::set_error_detail(true);
    let result = PlayParser::parse(rule, text).map(|_| ());
    pest::set_error_detail(false);
    result
}

fn unknown_member(block: Block, word: &str, span: Span) -> Diagnostic {
    let message = match block {
        Block::File => format!("expected an item, found `{word}`"),
        Block::Playbook => format!("unknown clause `{word}` in playbook"),
        Block::Step => format!("unknown action `{word}`"),
        Block::Stage => format!("expected an activity, found `{word}`"),
        Block::Test => format!("unknown test statement `{word}`"),
        _ => format!("unexpected `{word}`"),
    };
    let label = format!("not {}", block.member());
    let d = Diagnostic::error(block.unknown_code(), message, span, label);
    match suggest::closest(word, block.words().iter().copied()) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")).with_fix(span, best),
        None => d.with_help(format!("{} starts with {}", block.member(), suggest::join_or(block.words()))),
    }
}

/// One thing that was expected, in the order the message lists them.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Want {
    Token(String),
    Keyword(String),
    Thing(&'static str),
    End,
}

struct Explainer<'a> {
    text: &'a str,
    start: usize,
    block: Block,
}

impl Explainer<'_> {
    fn span(&self, from: usize, len: usize) -> Span {
        Span::new(self.start + from, self.start + from + len)
    }

    fn explain(&self, e: pest::error::Error<Rule>) -> Diagnostic {
        let pos = match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        }
        .min(self.text.len());
        let mut wants = BTreeSet::new();
        let mut in_text = false;
        let mut chained = false;
        match e.parse_attempts() {
            Some(attempts) => {
                for stack in &attempts.call_stacks {
                    if stack.parent.is_some_and(is_text_rule) {
                        in_text = true;
                    }
                    if let Some(rule) = stack.deepest.get_rule() {
                        in_text |= is_text_rule(*rule);
                        wants.extend(want(*rule));
                    }
                }
                for token in attempts.expected_tokens() {
                    // `ParsingToken` is not exported; its display is the literal text.
                    let token = token.to_string();
                    let range = token.len() == 4 && token.get(1..3) == Some("..");
                    if !is_trivia_token(&token) && !in_text && token != "BUILTIN_RULE" && !range {
                        let word = token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                        wants.insert(if word { Want::Keyword(token) } else { Want::Token(token) });
                    }
                }
            }
            None => {
                if let pest::error::ErrorVariant::ParsingError { positives, .. } = &e.variant {
                    for rule in positives {
                        in_text |= is_text_rule(*rule);
                        wants.extend(want(*rule));
                    }
                }
            }
        }
        let rest = &self.text[pos..];
        let at_end = rest.trim().is_empty();
        let at_line_end = at_end || rest.starts_with(['\n', '\r']);

        if in_text && at_line_end {
            return self.unterminated_text(pos);
        }
        if in_text && rest.starts_with("\\u") {
            return self.bad_unicode_escape(pos, rest);
        }
        if in_text && rest.starts_with('\\') {
            let len = rest.chars().take(2).map(char::len_utf8).sum();
            return Diagnostic::error(codes::INVALID_LITERAL, format!("unknown escape `{}`", &rest[..len]), self.span(pos, len), "not an escape")
                .with_help("text knows the escapes `\\\"`, `\\\\`, `\\n`, `\\t`, `\\r`, `\\{`, `\\}` and `\\u{…}`; write `\\\\` for a backslash");
        }
        for closer in ["}", ")", "]"] {
            if at_end && wants.contains(&Want::Token(closer.into())) {
                if let Some(d) = self.unclosed(pos) {
                    return d;
                }
            }
        }
        let found = found_token(rest);
        let can_compare = collapse_operators(&mut wants);
        if is_comparison(found) && wants.contains(&Want::Thing("an operator")) && !can_compare {
            chained = true;
        }
        if chained {
            return Diagnostic::error(
                codes::CHAINED_COMPARISON,
                "comparisons cannot be chained",
                self.span(pos, found.len()),
                "a second comparison",
            )
            .with_help("join the comparisons with `and`, e.g. `a < b and b < c`");
        }
        self.unexpected(pos, wants, found, at_end)
    }

    fn unexpected(&self, pos: usize, mut wants: BTreeSet<Want>, found: &str, at_end: bool) -> Diagnostic {
        let keywords = wants.iter().filter(|w| matches!(w, Want::Keyword(_))).count();
        if keywords > 4 {
            wants.retain(|w| !matches!(w, Want::Keyword(_)));
            wants.insert(Want::Thing(self.block.member()));
        }
        // "a clause" says less than anything more specific beside it.
        const GENERIC: &[&str] = &["a clause", "an action", "an item", "a test statement", "an activity"];
        if wants.iter().any(|w| !matches!(w, Want::Thing(t) if GENERIC.contains(t))) {
            wants.retain(|w| !matches!(w, Want::Thing(t) if GENERIC.contains(t)));
        }
        if wants.is_empty() {
            wants.insert(Want::Thing(self.block.member()));
        }
        let words: Vec<String> = wants
            .iter()
            .map(|w| match w {
                Want::Token(t) | Want::Keyword(t) => format!("`{t}`"),
                Want::Thing(t) => t.to_string(),
                Want::End => format!("the end of the {}", self.member_name()),
            })
            .collect();
        let list = join_words(&words);
        let found_words = if at_end || found.starts_with(['\n', '\r']) {
            "the end of the line".to_string()
        } else {
            format!("`{found}`")
        };
        let after = self.after(pos).map(|a| format!(" {a}")).unwrap_or_default();
        let len = if at_end { 0 } else { found.len() };
        let label = if list.chars().count() <= 40 { format!("expected {list}") } else { "unexpected here".into() };
        let mut d = Diagnostic::error(
            codes::UNEXPECTED,
            format!("expected {list}{after}, found {found_words}"),
            self.span(pos, len),
            label,
        );
        if found == "=" && wants.contains(&Want::Thing("an operator")) {
            d = d.with_help("to compare two values, use `==`").with_fix(self.span(pos, 1), "==");
        } else if self.block == Block::File
            && leading_word(&self.text[skip_docs(self.text)..]) == "public"
            && found == "playbook"
        {
            d = d.with_help("a playbook's visibility is a clause inside it: `visibility public`");
        } else if found.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
            let kws: Vec<&str> = wants
                .iter()
                .filter_map(|w| match w {
                    Want::Keyword(k) => Some(k.as_str()),
                    _ => None,
                })
                .collect();
            if let Some(best) = suggest::closest(found, kws) {
                d = d.with_help(format!("did you mean `{best}`?")).with_fix(self.span(pos, found.len()), best);
            }
        }
        d
    }

    fn member_name(&self) -> &'static str {
        match self.block {
            Block::File => "item",
            Block::Record | Block::Event => "field",
            Block::Template => "template part",
            Block::Playbook => "clause",
            Block::Step => "action",
            Block::Stage => "activity",
            Block::Test => "statement",
        }
    }

    /// "after the playbook title", "after `==`": what came just before the error.
    fn after(&self, pos: usize) -> Option<String> {
        let before = &self.text[..pos];
        let skipped = skip_docs(before);
        let tokens = rough_tokens(&before[skipped..]);
        let first = tokens.first().copied().unwrap_or("");
        let named = [
            "playbook", "step", "stage", "record", "enum", "event", "template", "segment", "signal", "activity",
            "limit",
        ];
        let titled = ["playbook", "step", "stage", "activity"];
        match tokens.as_slice() {
            [] => None,
            [kw, _] if named.contains(kw) => Some(format!("after the {kw} name")),
            ["test", _] => Some("after the test name".into()),
            ["extend", "record", _] => Some("after the record name".into()),
            [kw, _, t] if titled.contains(kw) && t.starts_with('"') => Some(format!("after the {first} title")),
            [.., last] => {
                let last = if last.chars().count() > 24 { "…" } else { last };
                Some(format!("after `{last}`"))
            }
        }
    }
    /// `\u` not followed by `{`, 1 to 6 hex digits and `}`: says which part is wrong.
    fn bad_unicode_escape(&self, pos: usize, rest: &str) -> Diagnostic {
        let line = rest.split(['\n', '\r', '"']).next().unwrap_or(rest);
        let written = match line.find('}') {
            Some(end) if line.starts_with("\\u{") => &line[..=end],
            _ => &line[..2],
        };
        let digits = written.trim_start_matches("\\u{").trim_end_matches('}');
        let message = if !written.ends_with('}') {
            "a `\\u` escape is written `\\u{…}`, with braces".to_string()
        } else if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
            format!("the escape `{written}` is not hexadecimal digits")
        } else {
            format!("the escape `{written}` has {} hex digits; it takes 1 to 6", digits.len())
        };
        Diagnostic::error(codes::INVALID_LITERAL, message, self.span(pos, written.len()), "not a Unicode escape")
            .with_help("write the code point in 1 to 6 hexadecimal digits, e.g. `\\u{41}` for `A` or `\\u{1F600}`")
    }

    fn unterminated_text(&self, pos: usize) -> Diagnostic {
        let before = &self.text[..pos];
        let (open, len) = match before.rfind("\"\"\"") {
            Some(i) if before[..i].matches('"').count().is_multiple_of(2) => (i, 3),
            _ => (before.rfind('"').unwrap_or(0), 1),
        };
        Diagnostic::error(
            codes::UNTERMINATED_TEXT,
            "unterminated text",
            self.span(open, len),
            "this text is never closed",
        )
        .with_help(if len == 3 {
            "add `\"\"\"` where the text ends"
        } else {
            "add `\"` where the text ends; text in `\"…\"` stays on one line, use `\"\"\"…\"\"\"` for several lines"
        })
    }

    /// An opening bracket with no partner before the end of the node.
    fn unclosed(&self, pos: usize) -> Option<Diagnostic> {
        let mut stack: Vec<(usize, char)> = Vec::new();
        let mut in_text = false;
        let mut chars = self.text[..pos].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => in_text = !in_text,
                '\\' if in_text => {
                    chars.next();
                }
                '/' if !in_text && chars.peek().is_some_and(|(_, n)| *n == '/') => {
                    for (_, n) in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                }
                '\n' => in_text = false,
                '{' | '(' | '[' if !in_text => stack.push((i, c)),
                '}' | ')' | ']' if !in_text => {
                    stack.pop();
                }
                _ => {}
            }
        }
        let (i, c) = stack.pop()?;
        let close = match c {
            '{' => '}',
            '(' => ')',
            _ => ']',
        };
        Some(
            Diagnostic::error(
                codes::UNCLOSED,
                format!("unclosed `{c}`"),
                self.span(i, 1),
                format!("this `{c}` is never closed"),
            )
            .with_help(format!("add the missing `{close}`")),
        )
    }
}

/// What a rule stands for in a message; `None` for rules a person never types.
fn want(rule: Rule) -> Option<Want> {
    use Rule::*;
    let name = format!("{rule:?}");
    if let Some(kw) = name.strip_prefix("kw_") {
        return Some(Want::Keyword(kw.to_string()));
    }
    Some(Want::Thing(match rule {
        EOI => return Some(Want::End),
        ident => "a name",
        path => "a field path",
        binding => "a binding such as `account: Account`",
        type_expr | type_args => "a type",
        text | short_text | long_text | note_option => "text in quotes",
        duration | reentry_after => "a duration such as `3d`",
        time => "a time such as `09:00`",
        date | datetime => "a date",
        integer => "a whole number",
        cmp_op | sum_op | product_op | not_in => "an operator",
        field_values => return Some(Want::Token("{".into())),
        field_value => "a field such as `name: value`",
        field => "a field such as `name: Text`",
        variant => "a variant name",
        template_part => "a template part such as `subject \"…\"`",
        visibility => "`public` or `private`",
        limit_overflow => return Some(Want::Keyword("then".into())),
        becomes => return Some(Want::Keyword("becomes".into())),
        optional_mark => return Some(Want::Token("?".into())),
        skip => return Some(Want::Keyword("skip".into())),
        to_option => return Some(Want::Keyword("to".into())),
        due_option => return Some(Want::Keyword("due".into())),
        creates_option => return Some(Want::Keyword("creates".into())),
        expect_kind | notify_kind => "an action kind such as `task`",
        expect_option => "`to`, `titled`, `template`, `playbook` or `step`",
        event_trigger | segment_trigger | created_trigger | updated_trigger | deleted_trigger | date_trigger
        | every_trigger | field_trigger => "a trigger",
        task_action | email_task_action | email_action | assign_action | notify_action | enroll_action
        | brief_action | update_action | webhook_action => "an action",
        given_stmt | create_stmt | update_stmt | delete_stmt | event_stmt | at_stmt | after_stmt | expect_stmt => {
            "a test statement"
        }
        for_clause | visibility_clause | owner_clause | category_clause | priority_clause | reentry_clause
        | inflight_clause | on_clause | when_clause | exit_clause | step | wait_until | wait_for | wait_delay
        | stage => "a clause",
        activity => "an activity",
        enum_item | record_item | extend_item | event_item | segment_item | signal_item | template_item
        | limit_item | playbook_item | test_item => "an item",
        expr | disjunction | conjunction | negation | comparison | coalesce | sum | product | unary | postfix
        | paren | call | arg | list | neg | target | number | percent | boolean | interpolation => "a value",
        _ => return None,
    }))
}

/// After a complete operand many operators could follow; listing them all helps nobody.
/// Returns whether a comparison was among them (so `a < b < c` can be told apart).
fn collapse_operators(wants: &mut BTreeSet<Want>) -> bool {
    const OPERATORS: &[&str] = &["!=", "*", "+", "-", ".", "/", "<", "<=", "==", ">", ">=", "??", "("];
    let is_op = |w: &Want| match w {
        Want::Token(t) => OPERATORS.contains(&t.as_str()),
        Want::Keyword(k) => matches!(k.as_str(), "and" | "or" | "not" | "in"),
        Want::Thing(t) => *t == "an operator",
        Want::End => false,
    };
    let had_compare = wants.contains(&Want::Token("==".into()));
    if wants.iter().filter(|w| is_op(w)).count() > 2 {
        wants.retain(|w| !is_op(w) && *w != Want::Thing("a value"));
        wants.insert(Want::Thing("an operator"));
    }
    had_compare
}

fn is_text_rule(rule: Rule) -> bool {
    matches!(rule, Rule::short_text | Rule::long_text | Rule::short_chunk | Rule::long_chunk | Rule::escape)
}

fn is_trivia_token(token: &str) -> bool {
    token.trim().is_empty() || matches!(token, "//" | "/*" | "*/" | "///" | "\u{FEFF}")
}

fn is_comparison(token: &str) -> bool {
    matches!(token, "==" | "!=" | "<" | "<=" | ">" | ">=")
}

/// The token at the start of `rest`: a word, a quoted text, an operator or one character.
fn found_token(rest: &str) -> &str {
    let Some(c) = rest.chars().next() else { return "" };
    if c.is_alphanumeric() || c == '_' {
        let end = rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_')).unwrap_or(rest.len());
        return &rest[..end];
    }
    if c == '"' {
        let end = rest[1..].find(['"', '\n']).map_or(rest.len(), |i| i + 2).min(rest.len());
        let line = &rest[..end];
        if line.chars().count() <= 32 {
            return line;
        }
    }
    for op in ["==", "!=", "<=", ">=", "??", "//", "/*"] {
        if rest.starts_with(op) {
            return &rest[..2];
        }
    }
    &rest[..c.len_utf8()]
}

fn leading_word(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// Whitespace and ordinary comments at the start of `s`; returns their length.
fn skip_trivia(s: &str) -> usize {
    let mut i = 0;
    loop {
        let rest = &s[i..];
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if trimmed.starts_with("//") && !trimmed.starts_with("///") || trimmed.starts_with("////") {
            i += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if trimmed.starts_with("/*") {
            match trimmed.find("*/") {
                Some(end) => i += end + 2,
                None => return i,
            }
        } else {
            return i;
        }
    }
}

/// Doc comment lines (and trivia between them) at the start of `s`; returns their length.
fn skip_docs(s: &str) -> usize {
    let mut i = skip_trivia(s);
    while s[i..].starts_with("///") {
        i += s[i..].find('\n').unwrap_or(s.len() - i);
        i += skip_trivia(&s[i..]);
    }
    i
}

/// Splits text into rough tokens: quoted text, words, and single symbols.
fn rough_tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < s.len() {
        let rest = &s[i..];
        let Some(c) = rest.chars().next() else { break };
        let len = if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        } else if c == '"' {
            rest[1..].find('"').map_or(rest.len(), |e| e + 2)
        } else if c.is_alphanumeric() || c == '_' || c == '.' {
            rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '.')).unwrap_or(rest.len())
        } else {
            found_token(rest).len().max(c.len_utf8())
        };
        out.push(&rest[..len]);
        i += len;
    }
    out
}

fn join_words(words: &[String]) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// The diagnostic for an error the scan found before parsing.
pub fn lexical(error: super::scan::Lexical) -> Diagnostic {
    use super::scan::Lexical;
    match error {
        Lexical::UnterminatedText { at, long: false } => Diagnostic::error(
            codes::UNTERMINATED_TEXT,
            "unterminated text",
            Span::new(at, at + 1),
            "this text is never closed",
        )
        .with_help(
            "add `\"` where the text ends; text in `\"…\"` stays on one line, use `\"\"\"…\"\"\"` for several lines",
        ),
        Lexical::UnterminatedText { at, long: true } => Diagnostic::error(
            codes::UNTERMINATED_TEXT,
            "unterminated text",
            Span::new(at, at + 3),
            "this text is never closed",
        )
        .with_help("add `\"\"\"` where the text ends"),
        Lexical::UnterminatedComment { at } => Diagnostic::error(
            codes::UNTERMINATED_COMMENT,
            "unterminated block comment",
            Span::new(at, at + 2),
            "this comment is never closed",
        )
        .with_help("add `*/` where the comment ends"),
        Lexical::Unclosed { at, bracket } => {
            let (open, close) = match bracket {
                b'(' => ('(', ')'),
                b'[' => ('[', ']'),
                _ => ('{', '}'),
            };
            Diagnostic::error(
                codes::UNCLOSED,
                format!("unclosed `{open}`"),
                Span::new(at, at + 1),
                format!("this `{open}` is never closed"),
            )
            .with_help(format!("add the missing `{close}`"))
        }
    }
}
