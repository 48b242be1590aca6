//! What the editor says about the language's own words: the built-in functions'
//! parameters, the actions (`task`, `email`, `notify`, …) and what a test may `expect`.

/// A built-in function's parameters and result, as hover shows them.
pub fn signature(function: &str) -> Option<&'static str> {
    Some(match function {
        "now" => "now() -> DateTime",
        "today" => "today() -> Date",
        "lower" => "lower(text: Text) -> Text",
        "upper" => "upper(text: Text) -> Text",
        "contains" => "contains(text: Text, part: Text) -> Bool\ncontains(list: List<T>, item: T) -> Bool",
        "starts_with" => "starts_with(text: Text, part: Text) -> Bool",
        "ends_with" => "ends_with(text: Text, part: Text) -> Bool",
        "len" => "len(value: Text | List<T>) -> Int",
        "days_until" => "days_until(date: Date | DateTime) -> Int",
        "days_since" => "days_since(date: Date | DateTime) -> Int",
        "exists" => "exists(value: T?) -> Bool",
        "did" => "did(event: Event, within: Duration) -> Bool",
        "count" => "count(event: Event, within: Duration) -> Int",
        "last" => "last(event: Event) -> Event?",
        "change" => "change(field: Number, over: Duration) -> Number",
        "old" => "old(field: T) -> T",
        "manager_of" => "manager_of(user: User) -> User",
        _ => return None,
    })
}

/// One kind of action: its keyword, how it is written, and what it does.
pub struct ActionWord {
    pub word: &'static str,
    pub syntax: &'static str,
    pub doc: &'static str,
}

/// The actions a step (or, for `activity`, a stage) may take, in the order completion
/// offers them after `expect`.
pub const ACTIONS: &[ActionWord] = &[
    ActionWord {
        word: "task",
        syntax: "task \"Title\" [to user] [due 2d] [note \"…\"]",
        doc: "A task in the action queue: `to` whom, `due` when, with a `note`; options in any \
              order, each at most once. It waits for a person to complete or dismiss it.",
    },
    ActionWord {
        word: "email_task",
        syntax: "email_task to contact template name",
        doc: "An email drafted from a template, which a person approves before it is sent: `to` a \
              contact or lead, `template` the template it is written from.",
    },
    ActionWord {
        word: "email",
        syntax: "email to contact template name",
        doc: "An automatic email, sent without approval: `to` a contact or lead, `template` the \
              template it is written from.",
    },
    ActionWord {
        word: "assign",
        syntax: "assign record.field to user",
        doc: "Changes an owner field (a `User` field such as `account.owner`) `to` a teammate, \
              written back to the CRM.",
    },
    ActionWord {
        word: "notify",
        syntax: "notify email teammate \"message\"\nnotify slack \"#channel\" \"message\"",
        doc: "A notification: an email to a teammate (`notify email`), or a Slack message, usually \
              to a channel such as `\"#cs-alerts\"` (`notify slack`). The message may interpolate \
              values (`{account.name}`).",
    },
    ActionWord {
        word: "enroll",
        syntax: "enroll contact in flow \"Flow name\"",
        doc: "Adds the contact or lead to an outreach flow, by the flow's name.",
    },
    ActionWord {
        word: "brief",
        syntax: "brief record to user",
        doc: "Generates an account or opportunity brief and sends it `to` a teammate.",
    },
    ActionWord {
        word: "update",
        syntax: "update record { field: value, … }",
        doc: "Writes fields of a record back to the CRM.",
    },
    ActionWord {
        word: "webhook",
        syntax: "webhook \"https://…\" { name: value, … }",
        doc: "A JSON `POST` to the URL, with the fields given as its body.",
    },
    ActionWord {
        word: "activity",
        syntax: "[optional] activity name \"Title\" [to user] [due 2d] [note \"…\"] [creates Record { … }]",
        doc: "A piece of work in a stage, for a teammate (`to`, `due`, `note`). The next stage \
              opens when the stage's required activities are complete (or dismissed); `creates` \
              makes a record when the activity is completed.",
    },
];

pub fn action(word: &str) -> Option<&'static ActionWord> {
    ACTIONS.iter().find(|a| a.word == word)
}

/// The words of a test that act on the actions a playbook produced.
pub const TEST_VERBS: &[(&str, &str, &str)] = &[
    (
        "expect",
        "expect [no] kind [to …] [titled \"…\"] [template name] [playbook name] [step name]",
        "Asserts that an action of this kind, matching every option given, was produced (with \
         `no`: was not) since the previous group of `expect`s. `to` is the recipient or \
         assignee, `titled` the title, `template`, `playbook` and `step` the producer.",
    ),
    (
        "complete",
        "complete kind [options]",
        "A person completes the first open action like this (a task, email task or activity); \
         a stage whose required activities are complete lets the next one open.",
    ),
    (
        "dismiss",
        "dismiss kind [options]",
        "A person dismisses the first open action like this; a dismissed activity no longer holds up its stage.",
    ),
];

/// What may follow the kind of action in `expect`, `complete` and `dismiss`.
pub const EXPECT_OPTIONS: &[(&str, &str)] = &[
    ("to", "the recipient or assignee: a teammate's address, or one of the test's records"),
    ("titled", "the task's or activity's title"),
    ("template", "the template an email was written from"),
    ("playbook", "the playbook that produced the action"),
    ("step", "the step, stage or activity that produced it"),
];

/// The kinds a person can act on in a test.
pub const ACTIONABLE: &[&str] = &["task", "email_task", "activity"];
