//! The stable diagnostic codes. A code, once published, keeps its meaning.

/// A file that is not valid UTF-8 (reported by the command line, which reads files).
pub const NOT_UTF8: &str = "play::E0001";

/// Text at item level that is not an item (`playbook`, `record`, …).
pub const EXPECTED_ITEM: &str = "play::E0100";
/// Something other than what the grammar allows at this point.
pub const UNEXPECTED: &str = "play::E0101";
/// A `{`, `(` or `[` that is never closed.
pub const UNCLOSED: &str = "play::E0102";
/// A line in a playbook that is not a clause.
pub const UNKNOWN_CLAUSE: &str = "play::E0103";
/// A line in a step that is not an action.
pub const UNKNOWN_ACTION: &str = "play::E0104";
/// Text whose closing quote is missing.
pub const UNTERMINATED_TEXT: &str = "play::E0105";
/// A literal that cannot be a value: 2026-02-30, 25:00, a number too large, a bad escape.
pub const INVALID_LITERAL: &str = "play::E0106";
/// A setting given a value it does not have (`reentry sometimes`).
pub const UNKNOWN_SETTING: &str = "play::E0107";
/// A doc comment with nothing after it to document.
pub const MISPLACED_DOC: &str = "play::E0108";
/// Brackets nested deeper than the parser accepts.
pub const TOO_DEEP: &str = "play::E0109";
/// An option given twice (`task "x" to a to b`).
pub const REPEATED_OPTION: &str = "play::E0110";
/// `a < b < c`.
pub const CHAINED_COMPARISON: &str = "play::E0111";
/// A `/*` comment that is never closed.
pub const UNTERMINATED_COMMENT: &str = "play::E0112";
/// A line in a test that is not a test statement.
pub const UNKNOWN_TEST_STATEMENT: &str = "play::E0113";
/// A line in a stage that is not an activity.
pub const UNKNOWN_ACTIVITY: &str = "play::E0114";

/// Every syntax code with a one-line summary, for docs and tests.
pub const SYNTAX: &[(&str, &str)] = &[
    (EXPECTED_ITEM, "expected an item"),
    (UNEXPECTED, "unexpected text"),
    (UNCLOSED, "unclosed delimiter"),
    (UNKNOWN_CLAUSE, "unknown playbook clause"),
    (UNKNOWN_ACTION, "unknown action"),
    (UNTERMINATED_TEXT, "unterminated text"),
    (INVALID_LITERAL, "invalid literal"),
    (UNKNOWN_SETTING, "unknown setting value"),
    (MISPLACED_DOC, "doc comment documents nothing"),
    (TOO_DEEP, "nesting too deep"),
    (REPEATED_OPTION, "option given twice"),
    (CHAINED_COMPARISON, "comparisons cannot be chained"),
    (UNTERMINATED_COMMENT, "unterminated block comment"),
    (UNKNOWN_TEST_STATEMENT, "unknown test statement"),
    (UNKNOWN_ACTIVITY, "unknown stage member"),
];
