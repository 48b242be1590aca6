//! The built-in functions, their parameters and what they return.

/// How a function's arguments are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `now()`, `today()`
    Nullary,
    /// `lower(text)`, `upper(text)`
    TextToText,
    /// `contains(text, part)`, `starts_with`, `ends_with` (and `contains(list, item)`)
    TextTest,
    /// `len(text or list)`
    Len,
    /// `days_until(date)`, `days_since(date)`
    Days,
    /// `exists(optional)`
    Exists,
    /// `did(Event, within: 7d)`, `count(Event, within: 7d)`, `last(Event)`
    History,
    /// `change(field, over: 14d)`
    Change,
    /// `old(field)`
    Old,
    /// `manager_of(user)`
    Manager,
}

pub struct Function {
    pub name: &'static str,
    pub shape: Shape,
    /// What hover shows.
    pub doc: &'static str,
}

pub const FUNCTIONS: &[Function] = &[
    Function { name: "now", shape: Shape::Nullary, doc: "The current moment (`DateTime`), by the engine's clock." },
    Function { name: "today", shape: Shape::Nullary, doc: "Today's date (`Date`) in the workspace time zone." },
    Function { name: "lower", shape: Shape::TextToText, doc: "The text in lower case." },
    Function { name: "upper", shape: Shape::TextToText, doc: "The text in upper case." },
    Function {
        name: "contains",
        shape: Shape::TextTest,
        doc: "Whether the text contains the part (or the list the item).",
    },
    Function { name: "starts_with", shape: Shape::TextTest, doc: "Whether the text starts with the part." },
    Function { name: "ends_with", shape: Shape::TextTest, doc: "Whether the text ends with the part." },
    Function {
        name: "len",
        shape: Shape::Len,
        doc: "The number of characters in a text, or of items in a list (`Int`).",
    },
    Function {
        name: "days_until",
        shape: Shape::Days,
        doc: "Whole days from today until the date (`Int`, negative once past).",
    },
    Function { name: "days_since", shape: Shape::Days, doc: "Whole days from the date until today (`Int`)." },
    Function {
        name: "exists",
        shape: Shape::Exists,
        doc: "Whether an optional value is present; inside `and`, the value may then be used as present.",
    },
    Function {
        name: "did",
        shape: Shape::History,
        doc: "Whether the subject (or a record of it) performed the event, optionally `within:` a window, `by:` one record, and `Event where condition` (`Bool`).",
    },
    Function {
        name: "count",
        shape: Shape::History,
        doc: "How many times the event happened, optionally `within:` a window, `by:` one record, and `Event where condition` (`Int`).",
    },
    Function { name: "last", shape: Shape::History, doc: "The most recent such event, if any (an optional event)." },
    Function {
        name: "change",
        shape: Shape::Change,
        doc: "The relative change of a numeric field `over:` a window: `-40%` is a fall by 40% (`Number`).",
    },
    Function {
        name: "old",
        shape: Shape::Old,
        doc: "The field's value before the change that triggered the playbook.",
    },
    Function {
        name: "manager_of",
        shape: Shape::Manager,
        doc: "The user's manager from the workspace directory, or the user when the directory has none.",
    },
];

pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}
