//! A compiled program: the schema, every playbook, segment, signal, template, limit and
//! test lowered to bytecode, and the trigger index. It serializes with serde, carries a
//! format version and a content hash, and runs without the source.

mod dump;
mod publish;
pub use dump::duration as duration_text;
pub mod op;
mod validate;
mod walk;

use serde::{Deserialize, Serialize};

pub use crate::check::types::Ty;
pub use crate::syntax::ast::{Category, Channel, Every, ExpectKind, Inflight, Overflow, Verb};
pub use op::{Builtin, Cmp, History, Op};

/// The version of the serialized form; a program of another version does not load.
/// 3: programs carry their workspace settings ([`Settings`]), history functions their
/// `by:` and `where` filters, and enum variants the CRM's own values.
pub const FORMAT_VERSION: u32 = 3;

/// 0001-01-01T00:00:00Z, the first moment Play counts: dates and moments stay in the
/// years 0001 to 9999, and durations no longer than that span.
pub const MIN_MOMENT: i64 = -62_135_596_800;
/// 9999-12-31T23:59:59Z, the last moment Play counts.
pub const MAX_MOMENT: i64 = 253_402_300_799;
/// The most business days a duration counts (about 380 years).
pub const MAX_BUSINESS_DAYS: i64 = 100_000;

/// How many segments and signals the run time follows inside one another; the checker
/// refuses a deeper chain (`E0310`).
pub const SEGMENT_DEPTH: u32 = 64;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Program {
    pub format: u32,
    /// A hash of everything below, in hex: two programs with the same hash behave the same.
    pub hash: String,
    /// The source files spans refer to, by index.
    pub files: Vec<String>,
    pub schema: Schema,
    pub consts: Vec<Const>,
    pub segments: Vec<SegmentDef>,
    pub templates: Vec<TemplateDef>,
    pub limits: Vec<LimitDef>,
    pub playbooks: Vec<PlaybookDef>,
    pub triggers: TriggerIndex,
    pub tests: Vec<TestDef>,
    /// The conditions of history functions' `Event where …` filters, by index
    /// ([`Op::History`]'s `filter`), each run once per event with the event as `event`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<Code>,
    /// The workspace settings of the project it was built from (its `play.toml`), so that
    /// a built program reads dates, schedules and business days as its project does.
    pub settings: Settings,
}

/// A workspace's settings as data: what `play.toml` says, read by the runtime (the
/// compiler reads no files). The defaults are UTC and a Saturday and Sunday weekend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// An IANA time zone name.
    pub time_zone: String,
    /// The days that are not business days, Monday first.
    pub weekend: [bool; 7],
    /// Local dates that are not business days, in order.
    pub holidays: Vec<chrono::NaiveDate>,
    /// The workspace owner's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            time_zone: "UTC".to_string(),
            weekend: [false, false, false, false, false, true, true],
            holidays: Vec::new(),
            owner: None,
        }
    }
}

/// The records, enums and events values are checked against.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub records: Vec<RecordDef>,
    pub enums: Vec<EnumDef>,
    pub events: Vec<EventDef>,
}

impl Schema {
    /// A schema knows one record, one enum and one event per name (a project's own
    /// `Contact` replaces the standard one); anything else is a damaged program.
    pub fn one_of_each(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        let records = self.records.iter().map(|r| ("records", &r.name));
        let enums = self.enums.iter().map(|e| ("enums", &e.name));
        let events = self.events.iter().map(|e| ("events", &e.name));
        for (kind, name) in records.chain(enums).chain(events) {
            if !seen.insert((kind, name)) {
                return Err(format!("two {kind} are named `{name}`"));
            }
        }
        Ok(())
    }

    pub fn record_named(&self, name: &str) -> Option<usize> {
        self.records.iter().position(|r| r.name == name)
    }

    pub fn event_named(&self, name: &str) -> Option<usize> {
        self.events.iter().position(|e| e.name == name)
    }

    /// A type as people write it: `Account`, `Text?`, `List<Tier>`.
    pub fn type_name(&self, ty: &Ty) -> String {
        match ty {
            Ty::List(t) => format!("List<{}>", self.type_name(t)),
            Ty::Optional(t) => format!("{}?", self.type_name(t)),
            Ty::Record(r) => self.records.get(*r).map_or("?".into(), |r| r.name.clone()),
            Ty::Enum(e) => self.enums.get(*e).map_or("?".into(), |e| e.name.clone()),
            Ty::Event(e) => self.events.get(*e).map_or("?".into(), |e| e.name.clone()),
            other => format!("{other:?}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
}

impl RecordDef {
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The slot of the record's email address, when it has one: its `email` field of type
    /// `Email`, else its only `Email` field (the checker refuses the others as recipients).
    pub fn address_slot(&self) -> Option<usize> {
        // As `address_field` finds it, without gathering the `Email` fields in a list:
        // the engine asks for every action sent to a record.
        let is_email = |f: &&FieldDef| f.ty.required() == &crate::check::types::Ty::Email;
        if let Some(slot) = self.fields.iter().position(|f| is_email(&f) && f.name == "email") {
            return Some(slot);
        }
        let mut emails = self.fields.iter().enumerate().filter(|(_, f)| is_email(f));
        match (emails.next(), emails.next()) {
            (Some((slot, _)), None) => Some(slot),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldDef {
    pub name: String,
    pub ty: Ty,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<String>,
    /// Beside `variants`: the value another system uses for each (`Name = "value"`),
    /// which change lines may give instead of the name.
    pub values: Vec<Option<String>>,
}

impl EnumDef {
    /// The variant a change line's text names: by its name, or else by its value.
    pub fn variant_for(&self, text: &str) -> Option<usize> {
        self.variants
            .iter()
            .position(|v| v == text)
            .or_else(|| self.values.iter().position(|v| v.as_deref() == Some(text)))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventDef {
    pub name: String,
    /// The record type it happens to.
    pub subject: usize,
    pub fields: Vec<FieldDef>,
    /// The records it also concerns: (record type, slot of the required reference in the
    /// subject's record that leads there) — a contact's login concerns its account.
    pub owners: Vec<(usize, usize)>,
}

/// A constant of the pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Const {
    Bool(bool),
    Int(i64),
    Number(f64),
    Text(String),
    Date(chrono::NaiveDate),
    /// A moment with an offset, as seconds since 1970 UTC.
    DateTime(i64),
    /// A moment without an offset, in the workspace time zone.
    LocalDateTime(chrono::NaiveDateTime),
    Duration(Duration),
    /// Minutes after midnight.
    Time(u32),
    Enum {
        ty: usize,
        variant: usize,
    },
    /// A record by id: test records, and teammates written as addresses.
    Ref {
        record: usize,
        id: String,
    },
}

/// A duration: seconds plus business days (which only the calendar can turn into time).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    pub seconds: i64,
    pub business_days: i64,
}

/// Where an instruction came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrcSpan {
    pub file: u32,
    pub start: u32,
    pub end: u32,
    /// Where `start` is, 1-based, columns counting Unicode scalar values: a program names
    /// the place of a run-time failure without its source.
    pub line: u32,
    pub column: u32,
}

/// Bytecode of one expression, with a span for each instruction.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Code {
    pub ops: Vec<Op>,
    pub spans: Vec<SrcSpan>,
    /// The expression as written, for run history and explanations.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SegmentDef {
    pub name: String,
    pub signal: bool,
    pub subject: usize,
    pub public: bool,
    pub value: Code,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateDef {
    pub name: String,
    pub subject: usize,
    /// `subject`, `body`, … in order.
    pub parts: Vec<(String, Code)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LimitDef {
    pub name: String,
    pub count: u64,
    /// The action kind counted, as in `Actions out` (`email`, `task`, `notify`, …).
    pub action: String,
    /// Who the budget is per: `user`, `contact`, `account`, … (a record type in lower case).
    pub per: String,
    pub window: Duration,
    pub overflow: Overflow,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reentry {
    AfterExit,
    Never,
    Always,
    After(Duration),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlaybookDef {
    pub name: String,
    pub title: Option<String>,
    /// A hash of this playbook's definition: what run history and action ids record.
    pub version: String,
    pub subject: usize,
    pub binding: String,
    pub public: bool,
    /// Who sees a private playbook's actions and hears of dismissals (`owner "…"`); none
    /// means the workspace owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    pub category: Option<Category>,
    pub priority: Option<Code>,
    pub reentry: Reentry,
    pub inflight: Inflight,
    pub triggers: Vec<TriggerDef>,
    pub conditions: Vec<Code>,
    pub exits: Vec<Code>,
    pub body: Vec<Node>,
    pub span: SrcSpan,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TriggerDef {
    pub kind: TriggerKind,
    /// The trigger as written (`account.health falls`), for action context.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TriggerKind {
    /// The event happened to the subject, or to a record that refers to it through `via`
    /// (a slot of the event's record).
    Event {
        event: usize,
        via: Option<usize>,
    },
    Becomes {
        slot: usize,
        value: Code,
    },
    Rises {
        slot: usize,
    },
    Falls {
        slot: usize,
    },
    Enters {
        segment: usize,
    },
    Leaves {
        segment: usize,
    },
    Created,
    /// Any field, or one of these slots.
    Updated {
        slots: Vec<usize>,
    },
    Deleted,
    Date {
        date: Code,
        at: Option<u32>,
    },
    Every {
        every: Every,
        at: u32,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Node {
    Step(StepDef),
    Wait(WaitDef),
    Stage(StageDef),
}

impl Node {
    /// The name of a step or stage.
    pub fn name(&self) -> Option<&str> {
        match self {
            Node::Step(s) => Some(&s.name),
            Node::Stage(s) => Some(&s.name),
            Node::Wait(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepDef {
    pub name: String,
    pub title: Option<String>,
    pub filter: Option<Code>,
    pub actions: Vec<ActionDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WaitDef {
    Delay(Code),
    Until(Code),
    For { event: usize, filter: Option<Code>, timeout: Code },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageDef {
    pub name: String,
    pub title: Option<String>,
    pub activities: Vec<ActionDef>,
}

/// The kinds of action, named as in `Actions out`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ActionKind {
    Task,
    EmailTask,
    Email,
    Assign,
    NotifyEmail,
    NotifySlack,
    Enroll,
    Brief,
    Update,
    Webhook,
    Activity,
}

impl ActionKind {
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Task => "task",
            ActionKind::EmailTask => "email_task",
            ActionKind::Email => "email",
            ActionKind::Assign => "assign",
            ActionKind::NotifyEmail => "notify_email",
            ActionKind::NotifySlack => "notify_slack",
            ActionKind::Enroll => "enroll",
            ActionKind::Brief => "brief",
            ActionKind::Update => "update",
            ActionKind::Webhook => "webhook",
            ActionKind::Activity => "activity",
        }
    }
}

/// One action with its arguments as code; what an action does not have is `None`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionDef {
    pub kind: ActionKind,
    /// The activity's name (case playbooks).
    pub name: Option<String>,
    pub optional: bool,
    pub title: Option<Code>,
    /// The recipient, assignee, channel, flow member or brief subject.
    pub to: Option<Code>,
    /// `brief ABOUT to …`: what the brief is about.
    pub about: Option<Code>,
    pub due: Option<Code>,
    pub note: Option<Code>,
    pub message: Option<Code>,
    pub template: Option<usize>,
    pub flow: Option<Code>,
    pub url: Option<Code>,
    /// `assign path to …` and `update path { … }`: the record written to, as code that
    /// gives a reference, and for `assign` the field's name.
    pub target: Option<Code>,
    pub field: Option<String>,
    /// `update`, `webhook` and `creates`: names and values.
    pub fields: Vec<(String, Code)>,
    /// `creates Record { … }`: the record type created.
    pub creates: Option<usize>,
    pub span: SrcSpan,
}

/// For each kind of change, the playbooks that can fire on it, so that a change costs
/// work only for those.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TriggerIndex {
    /// By record type: playbooks with `created`.
    pub created: Vec<Vec<usize>>,
    /// By record type: playbooks with `deleted`.
    pub deleted: Vec<Vec<usize>>,
    /// By record type: playbooks with `updated` (any field).
    pub updated_any: Vec<Vec<usize>>,
    /// By record type, by slot: playbooks with `updated`, `becomes`, `rises` or `falls`
    /// on that field.
    pub field: Vec<Vec<Vec<usize>>>,
    /// By event type: playbooks with `on event`.
    pub event: Vec<Vec<usize>>,
    /// By record type: segments about it, whose membership must be tracked.
    pub segments: Vec<Vec<usize>>,
    /// By segment: playbooks with `enters` or `leaves`.
    pub membership: Vec<Vec<usize>>,
    /// Playbooks with `date` or `every` triggers.
    pub timed: Vec<usize>,
    /// By record type, by slot: segments that read the field (of their subject).
    pub segment_fields: Vec<Vec<Vec<usize>>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestDef {
    pub name: String,
    pub span: SrcSpan,
    pub stmts: Vec<TestStmt>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestStmt {
    pub kind: TestStmtKind,
    pub span: SrcSpan,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TestStmtKind {
    /// `given` (no trigger) or `create`: a record named `name` (its id) with fields.
    Put {
        created: bool,
        record: usize,
        name: String,
        fields: Vec<(usize, Code)>,
    },
    Update {
        record: usize,
        name: String,
        fields: Vec<(usize, Code)>,
    },
    Delete {
        record: usize,
        name: String,
    },
    Event {
        event: usize,
        subject: String,
        fields: Vec<(usize, Code)>,
    },
    /// Sets the clock: a moment, or a local date or datetime.
    At(Const),
    After(Duration),
    Expect(Expect),
    /// A person completes, dismisses or snoozes (for `snooze_for`) the first open action
    /// the expectation matches.
    Act {
        verb: Verb,
        expect: Expect,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        snooze_for: Option<Duration>,
    },
    /// A person adds the optional activity to the stage a run is in (of the record with
    /// this id, when given).
    AddActivity {
        activity: String,
        record: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Expect {
    pub negated: bool,
    pub kind: ExpectKind,
    pub to: Option<Code>,
    pub titled: Option<Code>,
    /// A text the action's title, message, subject or body contains.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub containing: Option<Code>,
    /// `expect 2 email`: exactly this many matching actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    pub template: Option<String>,
    pub playbook: Option<String>,
    pub step: Option<String>,
    /// The expectation as written.
    pub source: String,
    /// The first of a group of consecutive `expect` lines (they look at the same actions).
    pub starts_group: bool,
}

impl Program {
    /// Serializes the program as JSON (the `.playc` format).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The file, line and column a span starts at.
    pub fn place(&self, span: SrcSpan) -> (&str, usize, usize) {
        let file = self.files.get(span.file as usize).map_or("", String::as_str);
        (file, span.line as usize, span.column as usize)
    }

    /// Loads a serialized program, refusing another format version, a damaged file or a
    /// program that does not validate.
    pub fn from_bytes(bytes: &[u8]) -> Result<Program, LoadError> {
        #[derive(Deserialize)]
        struct Header {
            format: u32,
        }
        let header: Header = serde_json::from_slice(bytes).map_err(|e| LoadError::Damaged(e.to_string()))?;
        if header.format != FORMAT_VERSION {
            return Err(LoadError::Version { found: header.format, want: FORMAT_VERSION });
        }
        let program: Program = serde_json::from_slice(bytes).map_err(|e| LoadError::Damaged(e.to_string()))?;
        if program.content_hash() != program.hash {
            return Err(LoadError::Damaged("the content does not match its hash".into()));
        }
        program.schema.one_of_each().map_err(LoadError::Damaged)?;
        program.validate()?;
        Ok(program)
    }

    /// Checks the program's structure: every index in range, every count positive, every
    /// instruction's operands of the kind its place needs, the trigger index the one its
    /// playbooks give. A program that loads passes it, so the engine can rely on it.
    pub fn validate(&self) -> Result<(), LoadError> {
        validate::check(self).map_err(LoadError::Invalid)
    }

    /// The hash of the program's content (everything but the hash itself).
    pub fn content_hash(&self) -> String {
        let mut copy = self.clone();
        copy.hash = String::new();
        hex_hash(&serde_json::to_vec(&copy).unwrap_or_default())
    }

    /// A readable listing of the whole program.
    pub fn disassemble(&self) -> String {
        dump::program(self)
    }

    /// The program with these workspace settings, its hash updated.
    pub fn with_settings(mut self, settings: Settings) -> Program {
        self.settings = settings;
        self.hash = self.content_hash();
        self
    }

    pub fn playbook_named(&self, name: &str) -> Option<usize> {
        self.playbooks.iter().position(|p| p.name == name)
    }
}

/// Why a `.playc` file did not load.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum LoadError {
    #[error(
        "this program was built by another version of play (format {found}, this play reads {want}); build it again"
    )]
    Version { found: u32, want: u32 },
    #[error("this is not a play program, or it is damaged: {0}")]
    Damaged(String),
    /// Whole, but not something the compiler makes: an index out of range, a count that
    /// is not positive, an instruction without its operands.
    #[error("this program is not valid: {0}")]
    Invalid(String),
}

/// A stable 64-bit hash in hex (FNV-1a, then a finalizer so that inputs differing in one
/// byte give unrelated hashes): the same bytes give the same hash everywhere.
pub fn hex_hash(bytes: &[u8]) -> String {
    let mut h = StableHash::new();
    h.write(bytes);
    h.hex()
}

/// [`hex_hash`] fed piece by piece: the hash of the pieces is the hash of their
/// concatenation, so that a key need not be built in a string first (the engine hashes
/// one per action).
#[derive(Clone, Copy, Debug)]
pub struct StableHash(u64);

impl Default for StableHash {
    fn default() -> Self {
        Self::new()
    }
}

impl StableHash {
    pub fn new() -> Self {
        StableHash(0xcbf2_9ce4_8422_2325)
    }

    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash of everything written, in hex.
    pub fn hex(self) -> String {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^= h >> 33;
        // As `format!("{h:016x}")` writes it, digit by digit: the engine makes one per action.
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        (0..16).rev().map(|i| char::from(DIGITS[((h >> (i * 4)) & 0xf) as usize])).collect()
    }
}
