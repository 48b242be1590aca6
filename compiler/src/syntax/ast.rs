//! The typed syntax tree: one type per syntactic category, every node with a byte span.
//!
//! Spans compare equal to each other (see [`Span`]), so two trees are equal when they say
//! the same thing, wherever it was written. Text that did not parse is kept as
//! [`ErrorNode`]s in the `errors` list of the block (or file) that holds it.

pub use super::expr::*;
pub use super::span::Span;

/// A parsed `.play` file.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SourceFile {
    pub items: Vec<Item>,
    /// Unparsable text at item level.
    pub errors: Vec<ErrorNode>,
    /// Ordinary comments (`//`, `/* */`) in source order, for the formatter.
    pub comments: Vec<Comment>,
}

/// Text the parser could not make sense of; its diagnostic has been reported.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorNode {
    pub span: Span,
}

/// An ordinary comment, kept so that the formatter can put it back.
#[derive(Clone, Debug, PartialEq)]
pub struct Comment {
    /// The comment as written, delimiters included.
    pub text: String,
    pub span: Span,
}

/// A name as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// `a.b.c`: a name followed by field names.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    pub segments: Vec<Ident>,
    pub span: Span,
}

/// Consecutive `///` lines; each line without its `///`.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub lines: Vec<String>,
    pub span: Span,
}

impl Doc {
    /// The documentation as one text, each line's single leading space removed.
    pub fn text(&self) -> String {
        let lines: Vec<&str> = self.lines.iter().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
        lines.join("\n")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visibility {
    Public,
    Private,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Enum(EnumItem),
    Record(RecordItem),
    Extend(RecordItem),
    Event(EventItem),
    Segment(SegmentItem),
    Signal(SegmentItem),
    Template(TemplateItem),
    Limit(LimitItem),
    Playbook(Playbook),
    Test(TestItem),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Enum(i) => i.span,
            Item::Record(i) | Item::Extend(i) => i.span,
            Item::Event(i) => i.span,
            Item::Segment(i) | Item::Signal(i) => i.span,
            Item::Template(i) => i.span,
            Item::Limit(i) => i.span,
            Item::Playbook(i) => i.span,
            Item::Test(i) => i.span,
        }
    }
}

/// `enum Tier { Smb, MidMarket, Enterprise }`
#[derive(Clone, Debug, PartialEq)]
pub struct EnumItem {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub variants: Vec<Variant>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub doc: Option<Doc>,
    pub name: Ident,
    /// `Name = "value"`: the value another system (a CRM) uses for the variant, which
    /// change lines may give instead of its name.
    pub value: Option<TextLit>,
    pub span: Span,
}

/// `record Account { … }` and `extend record Account { … }`.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordItem {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub fields: Vec<Field>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

/// `name: Type` in a record or event.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub ty: TypeExpr,
    pub span: Span,
}

/// `Text`, `Text?`, `List<Text>`.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeExpr {
    pub name: Ident,
    pub args: Vec<TypeExpr>,
    pub optional: bool,
    pub span: Span,
}

/// `event Login on Contact { feature: Text? }`
#[derive(Clone, Debug, PartialEq)]
pub struct EventItem {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub subject: Ident,
    pub fields: Vec<Field>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

/// `account: Account` after `for`.
#[derive(Clone, Debug, PartialEq)]
pub struct Binding {
    pub name: Ident,
    pub ty: Ident,
    pub span: Span,
}

/// `segment name for x: T = expr` and `signal name for x: T = expr`.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentItem {
    pub doc: Option<Doc>,
    pub visibility: Option<Visibility>,
    pub name: Ident,
    pub binding: Binding,
    pub value: Expr,
    pub span: Span,
}

/// `template name for x: T { subject "…" body """…""" }`
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateItem {
    pub doc: Option<Doc>,
    pub visibility: Option<Visibility>,
    pub name: Ident,
    pub binding: Binding,
    pub parts: Vec<TemplatePart>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TemplatePart {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub text: TextLit,
    pub span: Span,
}

/// What happens to an action over a touch budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Overflow {
    Defer,
    Drop,
}

/// `limit emails_per_contact: 2 email per contact per 7d [then drop]`
#[derive(Clone, Debug, PartialEq)]
pub struct LimitItem {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub count: u64,
    /// The action kind counted (`email`, `task`, …).
    pub action: Ident,
    /// Who the budget is per (`contact`, `user`, `account`, …).
    pub per: Ident,
    pub window: DurationLit,
    pub overflow: Option<Overflow>,
    pub span: Span,
}

/// `playbook name "Title" { clauses }`
#[derive(Clone, Debug, PartialEq)]
pub struct Playbook {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub title: Option<TextLit>,
    pub clauses: Vec<Clause>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Category {
    Outreach,
    Risk,
    Growth,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reentry {
    AfterExit,
    Never,
    Always,
    After(DurationLit),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Inflight {
    Keep,
    Migrate,
    Cancel,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    For(Binding),
    Visibility(Visibility),
    /// `owner "jo@example.com"`: who sees a private playbook's actions and hears of
    /// dismissals.
    Owner(TextLit),
    Category(Category),
    Priority(Expr),
    Reentry(Reentry),
    Inflight(Inflight),
    On(Vec<Trigger>),
    When(Expr),
    ExitWhen(Expr),
    Step(Step),
    Wait(Wait),
    Stage(Stage),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Trigger {
    pub kind: TriggerKind,
    pub span: Span,
}

/// The days an `every` schedule fires on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Every {
    Day,
    Weekday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TriggerKind {
    /// `event Login`
    Event(Ident),
    /// `enters segment`
    Enters(Ident),
    /// `leaves segment`
    Leaves(Ident),
    Created,
    /// `updated` or `updated a.b, a.c`
    Updated(Vec<Path>),
    Deleted,
    /// `date account.renewal_date - 90d [at 09:00]`
    Date {
        date: Expr,
        at: Option<TimeLit>,
    },
    /// `every monday at 09:00`
    Every {
        every: Every,
        at: TimeLit,
    },
    /// `account.stage becomes Renewal`
    Becomes {
        field: Path,
        value: Expr,
    },
    /// `account.health rises`
    Rises(Path),
    /// `account.health falls`
    Falls(Path),
}

/// `step name "Title" [when cond] { actions }`
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub title: Option<TextLit>,
    pub filter: Option<Expr>,
    pub actions: Vec<Action>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Wait {
    /// `wait 3d`
    Delay(Expr),
    /// `wait until expr`
    Until(Expr),
    /// `wait for Event [where cond] timeout 5d`
    For { event: Ident, filter: Option<Expr>, timeout: Expr },
}

/// `stage name "Title" { activities }`
#[derive(Clone, Debug, PartialEq)]
pub struct Stage {
    pub doc: Option<Doc>,
    pub name: Ident,
    pub title: Option<TextLit>,
    pub activities: Vec<Activity>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

/// `[optional] activity name "Title" [to …] [due …] [note "…"] [creates T { … }]`
#[derive(Clone, Debug, PartialEq)]
pub struct Activity {
    pub doc: Option<Doc>,
    pub optional: bool,
    pub name: Ident,
    pub title: Option<TextLit>,
    pub to: Option<Expr>,
    pub due: Option<Expr>,
    pub note: Option<TextLit>,
    pub creates: Option<Creates>,
    pub span: Span,
}

/// `creates Task { subject: "…" }`
#[derive(Clone, Debug, PartialEq)]
pub struct Creates {
    pub record: Ident,
    pub fields: Vec<FieldValue>,
    pub span: Span,
}

/// `name: expr` inside `{ … }` of `update`, `webhook`, `creates` and test records.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldValue {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Action {
    pub kind: ActionKind,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Channel {
    Email,
    Slack,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionKind {
    Task { title: TextLit, to: Option<Expr>, due: Option<Expr>, note: Option<TextLit> },
    EmailTask { to: Expr, template: Ident },
    Email { to: Expr, template: Ident },
    Assign { field: Path, to: Expr },
    Notify { channel: Channel, to: Expr, message: TextLit },
    Enroll { who: Expr, flow: TextLit },
    Brief { about: Expr, to: Expr },
    Update { record: Path, fields: Vec<FieldValue> },
    Webhook { url: TextLit, fields: Vec<FieldValue> },
}

/// `test "name" { statements }`
#[derive(Clone, Debug, PartialEq)]
pub struct TestItem {
    pub doc: Option<Doc>,
    pub name: TextLit,
    pub stmts: Vec<TestStmt>,
    pub errors: Vec<ErrorNode>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TestStmt {
    pub kind: TestStmtKind,
    pub span: Span,
}

/// The kind of action an `expect` looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ExpectKind {
    Task,
    EmailTask,
    Email,
    Assign,
    /// `notify`, `notify email`, `notify slack`
    Notify(Option<Channel>),
    Enroll,
    Brief,
    Update,
    Webhook,
    Activity,
}

/// What a person does to an action in a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Verb {
    Complete,
    Dismiss,
    Snooze,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectKey {
    To,
    Titled,
    /// The action's text (title, message, subject or body) contains this.
    Containing,
    Template,
    Playbook,
    Step,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExpectOption {
    pub key: ExpectKey,
    pub value: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TestStmtKind {
    /// `given Account acme { … }`
    Given { record: Ident, name: Ident, fields: Vec<FieldValue> },
    /// `create Contact c { … }`
    Create { record: Ident, name: Ident, fields: Vec<FieldValue> },
    /// `update acme { … }`
    Update { name: Ident, fields: Vec<FieldValue> },
    /// `delete acme`
    Delete { name: Ident },
    /// `event Login on c { … }`
    Event { event: Ident, subject: Ident, fields: Vec<FieldValue> },
    /// `at 2026-03-02T09:00:00Z`
    At(Expr),
    /// `after 3d`
    After(DurationLit),
    /// `expect [no] task to "…" titled "…"`
    /// `expect [no|N] task to "…" titled "…"`: `count` is how many exactly.
    Expect { negated: bool, count: Option<u32>, kind: ExpectKind, options: Vec<ExpectOption> },
    /// `complete activity step verify`, `dismiss task titled "…"`, `snooze task for 2d`:
    /// a person acts on the first open action like this (`snooze_for` only with `snooze`).
    Act { verb: Verb, kind: ExpectKind, options: Vec<ExpectOption>, snooze_for: Option<DurationLit> },
    /// `add activity visit [on c1]`: a person adds an optional activity to a run's stage.
    AddActivity { activity: Ident, on: Option<Ident> },
}
