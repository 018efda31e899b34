//! Message variables (`$message_size`, `$message_body`, `$recipients`,
//! ...) computed from the message attached to the context (`-bem`, or
//! [`crate::eval::Context::message`] set by a library user).  Without a
//! message they have the values Exim shows in plain `-be`.

use crate::eval::{Evaluator, Value};
use crate::message::Message;

pub use super::headers::{message_headers, message_headers_raw, reply_address};

fn msg<'a>(ev: &'a Evaluator) -> Option<&'a Message> {
    ev.ctx.message.as_deref()
}

fn int(ev: &Evaluator, f: fn(&Message) -> i64) -> Value {
    Value::new(msg(ev).map_or(0, f).to_string())
}

/// `message_body_visible` (default 500).
fn body_visible(ev: &Evaluator) -> usize {
    ev.ctx
        .option("message_body_visible")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(500)
}

pub fn message_body(ev: &Evaluator) -> Value {
    match msg(ev) {
        Some(m) => Value::tainted(m.body_start(body_visible(ev))),
        None => Value::empty(),
    }
}

pub fn message_body_end(ev: &Evaluator) -> Value {
    match msg(ev) {
        Some(m) => Value::tainted(m.body_end(body_visible(ev))),
        None => Value::empty(),
    }
}

pub fn message_size(ev: &Evaluator) -> Value {
    int(ev, |m| m.size)
}

pub fn message_body_size(ev: &Evaluator) -> Value {
    int(ev, |m| m.body_size)
}

pub fn message_linecount(ev: &Evaluator) -> Value {
    int(ev, |m| m.linecount)
}

pub fn body_linecount(ev: &Evaluator) -> Value {
    int(ev, |m| m.body_linecount)
}

pub fn body_zerocount(ev: &Evaluator) -> Value {
    int(ev, |m| m.body_zerocount)
}

pub fn max_received_linelength(ev: &Evaluator) -> Value {
    int(ev, |m| m.max_received_linelength)
}

pub fn received_count(ev: &Evaluator) -> Value {
    int(ev, |m| m.received_count)
}

pub fn recipients_count(ev: &Evaluator) -> Value {
    int(ev, |m| m.recipients.len() as i64)
}

/// `$message_id` / `$message_exim_id`.
pub fn message_id(ev: &Evaluator) -> Value {
    Value::new(msg(ev).map(|m| m.id.clone()).unwrap_or_default())
}

/// `$recipients`: the envelope recipients joined by `, `.
pub fn recipients(ev: &Evaluator) -> Value {
    let Some(m) = msg(ev) else {
        return Value::empty();
    };
    Value::tainted(m.recipients.join(&b", "[..]))
}

/// `$return_path`: from a Return-Path: header when testing a message.
pub fn return_path(ev: &Evaluator) -> Value {
    match msg(ev).and_then(|m| m.return_path.clone()) {
        Some(r) => Value::tainted(r),
        None => Value::empty(),
    }
}
