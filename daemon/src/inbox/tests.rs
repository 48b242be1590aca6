//! The pages against a real engine thread and SQLite store, in process: signing in,
//! CSRF refused, what each teammate sees, working actions by form, bad input refused with
//! words and nothing changed, groups worked in bulk.

mod cases;
pub(crate) mod harness;
mod pages;
mod publish;
mod record;
mod sync;
