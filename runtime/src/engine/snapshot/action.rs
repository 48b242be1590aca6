//! Actions as a snapshot keeps them: the ones waiting in touch-budget queues, email drafts
//! and what closing an action needs. The JSON parts (`fields`, `changed`) are kept as
//! JSON text, since the binary format has no self-describing values.

use std::sync::Arc;

use play_compiler::program::{ActionKind, Category};
use serde::{Deserialize, Serialize};

use super::SnapshotError;
use crate::engine::action::{Action, Context};
use crate::engine::history::Condition;
use crate::engine::json::{Changed, Fields};
use crate::engine::produce::{Creation, Pending, Produced};
use crate::value::Value;

#[derive(Serialize, Deserialize)]
pub(super) struct ActionSnap {
    at: i64,
    id: String,
    playbook: String,
    version: String,
    step: String,
    action: ActionKind,
    record: String,
    priority: f64,
    category: Option<Category>,
    texts: [Option<String>; 16],
    due: Option<i64>,
    fields: Option<String>,
    optional: bool,
    trigger: String,
    changed: String,
    conditions: Vec<Condition>,
    run: u64,
    seq: u64,
}

impl ActionSnap {
    pub(super) fn of(a: &Action) -> ActionSnap {
        let texts = [
            &a.title,
            &a.to,
            &a.to_record,
            &a.note,
            &a.message,
            &a.template,
            &a.subject,
            &a.body,
            &a.html,
            &a.flow,
            &a.about,
            &a.url,
            &a.target,
            &a.field,
            &a.creates,
            &a.activity,
        ]
        .map(|t| t.as_deref().map(String::from));
        ActionSnap {
            at: a.at,
            id: a.id.clone(),
            playbook: a.playbook.to_string(),
            version: a.version.to_string(),
            step: a.step.to_string(),
            action: a.action,
            record: a.record.to_string(),
            priority: a.priority,
            category: a.category,
            texts,
            due: a.due,
            fields: a.fields.as_ref().map(|f| serde_json::to_string(f).unwrap_or_default()),
            optional: a.optional,
            trigger: a.context.trigger.to_string(),
            changed: serde_json::to_string(&a.context.changed).unwrap_or_default(),
            conditions: a.context.conditions.to_vec(),
            run: a.run,
            seq: a.seq,
        }
    }

    pub(super) fn into_action(self) -> Result<Action, SnapshotError> {
        let json = |text: &str| {
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
                .map_err(|e| SnapshotError::Unreadable(format!("an action's JSON: {e}")))
        };
        let fields = self.fields.as_deref().map(json).transpose()?.map(Fields::Json);
        let changed = json(&self.changed)?;
        let [title, to, to_record, note, message, template, subject, body, html, flow, about, url, target, field, creates, activity] =
            self.texts.map(|t| t.map(Arc::from));
        Ok(Action {
            at: self.at,
            id: self.id,
            playbook: Arc::from(self.playbook),
            version: Arc::from(self.version),
            step: Arc::from(self.step),
            action: self.action,
            record: Arc::from(self.record),
            priority: self.priority,
            category: self.category,
            title,
            to,
            to_record,
            due: self.due,
            note,
            message,
            template,
            subject,
            body,
            html,
            flow,
            about,
            url,
            target,
            field,
            fields,
            creates,
            activity,
            optional: self.optional,
            context: Arc::new(Context {
                trigger: Arc::from(self.trigger),
                changed: Changed::Json(changed),
                conditions: Arc::from(self.conditions),
            }),
            run: self.run,
            seq: self.seq,
        })
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct CreationSnap {
    record: u32,
    id: Arc<str>,
    fields: Vec<(u32, Value)>,
}

impl CreationSnap {
    fn of(c: &Creation) -> CreationSnap {
        CreationSnap { record: c.record, id: c.id.clone(), fields: c.fields.clone() }
    }

    fn into_creation(self) -> Creation {
        Creation { record: self.record, id: self.id, fields: self.fields }
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct PendingSnap {
    action: ActionSnap,
    budgets: Vec<(u64, Arc<str>)>,
    dedupe: Option<String>,
    deferred: bool,
    creates: Option<CreationSnap>,
}

impl PendingSnap {
    pub(super) fn of(p: &Pending) -> PendingSnap {
        PendingSnap {
            action: ActionSnap::of(&p.action),
            budgets: p.budgets.iter().map(|(l, w)| (*l as u64, w.clone())).collect(),
            dedupe: p.dedupe.clone(),
            deferred: p.deferred,
            creates: p.creates.as_ref().map(CreationSnap::of),
        }
    }

    pub(super) fn into_pending(self) -> Result<Pending, SnapshotError> {
        Ok(Pending {
            action: self.action.into_action()?,
            budgets: self.budgets.into_iter().map(|(l, w)| (l as usize, w)).collect(),
            dedupe: self.dedupe,
            deferred: self.deferred,
            creates: self.creates.map(CreationSnap::into_creation),
        })
    }
}

#[derive(Serialize, Deserialize)]
pub(super) struct ProducedSnap {
    run: u64,
    kind: ActionKind,
    playbook: Arc<str>,
    version: Arc<str>,
    step: String,
    record: String,
    dedupe: Option<String>,
    creates: Option<CreationSnap>,
    id: String,
    snoozed: Option<i64>,
}

impl ProducedSnap {
    pub(super) fn of(p: &Produced) -> ProducedSnap {
        ProducedSnap {
            run: p.run,
            kind: p.kind,
            playbook: p.playbook.clone(),
            version: p.version.clone(),
            step: p.step.to_string(),
            record: p.record.to_string(),
            dedupe: p.dedupe.clone(),
            creates: p.creates.as_ref().map(CreationSnap::of),
            id: p.id.clone(),
            snoozed: p.snoozed,
        }
    }

    pub(super) fn into_produced(self) -> Produced {
        Produced {
            run: self.run,
            kind: self.kind,
            playbook: self.playbook,
            version: self.version,
            step: Arc::from(self.step),
            record: Arc::from(self.record),
            dedupe: self.dedupe,
            creates: self.creates.map(CreationSnap::into_creation),
            id: self.id,
            snoozed: self.snoozed,
        }
    }
}
