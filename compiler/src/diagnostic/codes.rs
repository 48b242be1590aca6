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

// Names and items (E02xx).
/// Two items with one name.
pub const DUPLICATE_ITEM: &str = "play::E0201";
/// A type name that is neither built in nor a record or enum.
pub const UNKNOWN_TYPE: &str = "play::E0202";
/// A field or variant declared twice.
pub const DUPLICATE_FIELD: &str = "play::E0203";
/// A name that should be an item of some kind and is not.
pub const UNKNOWN_ITEM: &str = "play::E0204";

// Types and expressions (E03xx).
/// A field that the record (or event) does not have.
pub const UNKNOWN_FIELD: &str = "play::E0301";
/// A name in an expression that means nothing there.
pub const UNKNOWN_NAME: &str = "play::E0302";
/// A value of one type where another is needed.
pub const TYPE_MISMATCH: &str = "play::E0303";
/// An optional value used as if it were always there.
pub const OPTIONAL_NOT_HANDLED: &str = "play::E0304";
/// A function that does not exist, or arguments it does not take.
pub const BAD_CALL: &str = "play::E0305";
/// An operator applied to values it does not work on.
pub const BAD_OPERATOR: &str = "play::E0306";
/// `skip` anywhere but `x ?? skip` in an action's argument.
pub const MISPLACED_SKIP: &str = "play::E0307";
/// Signals that refer to each other in a circle.
pub const CYCLE: &str = "play::E0308";
/// A variant name that more than one enum has.
pub const AMBIGUOUS_VARIANT: &str = "play::E0309";
/// Segments and signals that use each other more deeply than the run time follows.
pub const NESTED_TOO_DEEP: &str = "play::E0310";

// Playbooks, actions and tests (E04xx).
/// A playbook without `for`, or with two.
pub const SUBJECT: &str = "play::E0401";
/// A setting (`priority`, `reentry`, …) given twice.
pub const REPEATED_SETTING: &str = "play::E0402";
/// A playbook with no trigger.
pub const NO_TRIGGER: &str = "play::E0403";
/// A trigger that cannot fire for this subject.
pub const BAD_TRIGGER: &str = "play::E0404";
/// `timed_out`, `trigger.event` or `old(…)` where they mean nothing.
pub const OUT_OF_CONTEXT: &str = "play::E0405";
/// Two steps, stages or activities with one name.
pub const DUPLICATE_STEP: &str = "play::E0406";
/// An action argument of the wrong kind (`email_task to` an account).
pub const BAD_ACTION: &str = "play::E0407";
/// A public playbook that uses private items.
pub const VISIBILITY: &str = "play::E0408";
/// A template with a part it does not have, or without a body.
pub const BAD_TEMPLATE: &str = "play::E0409";
/// A limit on something that cannot be counted.
pub const BAD_LIMIT: &str = "play::E0410";
/// A test that names records or fields wrongly.
pub const BAD_TEST: &str = "play::E0411";
/// A playbook with both steps and stages.
pub const MIXED_SHAPE: &str = "play::E0412";
/// A record made without a field it requires (`creates Task { }` without `subject`).
pub const MISSING_FIELDS: &str = "play::E0413";
/// A playbook `owner` that is not a teammate's email address.
pub const BAD_OWNER: &str = "play::E0414";

// Warnings (W05xx).
/// A private segment, signal or template that nothing uses.
pub const UNUSED: &str = "play::W0501";
/// A step whose filter can never hold.
pub const NEVER_RUNS: &str = "play::W0502";
/// A condition that cannot hold when the trigger fires.
pub const CONTRADICTS_TRIGGER: &str = "play::W0503";
/// `??` after a value that is never empty.
pub const NEEDLESS_DEFAULT: &str = "play::W0504";

// Workspace settings, `play.toml` (E06xx; read by the runtime, reported by `play check`).
/// `play.toml` that is not valid TOML.
pub const SETTINGS_SYNTAX: &str = "play::E0601";
/// A section or setting `play.toml` does not have, or one outside its section.
pub const UNKNOWN_SETTING_NAME: &str = "play::E0602";
/// A setting whose value has the wrong type.
pub const SETTING_TYPE: &str = "play::E0603";
/// A time zone that is not an IANA name.
pub const UNKNOWN_TIME_ZONE: &str = "play::E0604";
/// A weekend day that is not a day name.
pub const UNKNOWN_DAY: &str = "play::E0605";
/// A holiday that is not a date.
pub const BAD_HOLIDAY: &str = "play::E0606";
/// A workspace `owner` that is not an email address.
pub const BAD_WORKSPACE_OWNER: &str = "play::E0607";
/// A sink's or a CRM's section without a setting it needs.
pub const MISSING_SETTING: &str = "play::E0608";
/// A secret written into `play.toml` instead of the environment variable that holds it.
pub const SECRET_IN_SETTINGS: &str = "play::E0609";
/// An `…_env` setting that is not an environment variable name.
pub const NOT_A_VARIABLE_NAME: &str = "play::E0610";
/// A sink's setting with a value it cannot have (a URL, an address, a port).
pub const BAD_SINK_SETTING: &str = "play::E0611";

/// Every settings code with a one-line summary, for docs and tests.
pub const SETTINGS: &[(&str, &str)] = &[
    (SETTINGS_SYNTAX, "settings are not valid TOML"),
    (UNKNOWN_SETTING_NAME, "unknown section or setting"),
    (SETTING_TYPE, "setting of the wrong type"),
    (UNKNOWN_TIME_ZONE, "unknown time zone"),
    (UNKNOWN_DAY, "unknown day"),
    (BAD_HOLIDAY, "holiday is not a date"),
    (BAD_WORKSPACE_OWNER, "workspace owner is not an email address"),
    (MISSING_SETTING, "sink section without a setting it needs"),
    (SECRET_IN_SETTINGS, "secret written in play.toml"),
    (NOT_A_VARIABLE_NAME, "not an environment variable name"),
    (BAD_SINK_SETTING, "sink setting with a wrong value"),
];

/// Every checker code with a one-line summary, for docs and tests.
pub const CHECK: &[(&str, &str)] = &[
    (DUPLICATE_ITEM, "item defined twice"),
    (UNKNOWN_TYPE, "unknown type"),
    (DUPLICATE_FIELD, "field defined twice"),
    (UNKNOWN_ITEM, "unknown item"),
    (UNKNOWN_FIELD, "unknown field"),
    (UNKNOWN_NAME, "unknown name"),
    (TYPE_MISMATCH, "mismatched types"),
    (OPTIONAL_NOT_HANDLED, "optional value not handled"),
    (BAD_CALL, "bad function call"),
    (BAD_OPERATOR, "operator on the wrong types"),
    (MISPLACED_SKIP, "misplaced `skip`"),
    (CYCLE, "signals refer to each other"),
    (AMBIGUOUS_VARIANT, "ambiguous variant"),
    (NESTED_TOO_DEEP, "segments and signals nested too deeply"),
    (SUBJECT, "playbook subject"),
    (REPEATED_SETTING, "setting given twice"),
    (NO_TRIGGER, "playbook without a trigger"),
    (BAD_TRIGGER, "trigger cannot fire"),
    (OUT_OF_CONTEXT, "used out of context"),
    (DUPLICATE_STEP, "step defined twice"),
    (BAD_ACTION, "bad action argument"),
    (VISIBILITY, "public playbook uses private items"),
    (BAD_TEMPLATE, "bad template"),
    (BAD_LIMIT, "bad limit"),
    (BAD_TEST, "bad test"),
    (MIXED_SHAPE, "steps and stages in one playbook"),
    (MISSING_FIELDS, "required fields missing"),
    (BAD_OWNER, "owner is not a teammate's address"),
    (UNUSED, "unused item"),
    (NEVER_RUNS, "step never runs"),
    (CONTRADICTS_TRIGGER, "condition contradicts the trigger"),
    (NEEDLESS_DEFAULT, "needless default"),
];

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
