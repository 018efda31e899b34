//! `$sender_host_name` (looked up from the client's address when first
//! referred to, as Exim's `vtype_host_lookup`), and the flags the lookup
//! leaves: `$host_lookup_failed`, `$host_lookup_deferred`,
//! `$sender_host_dnssec`.

use crate::eval::{Evaluator, HostNameLookup, Value};

pub fn sender_host_name(ev: &Evaluator) -> Value {
    match crate::dns::host_name::lookup(ev) {
        Some(HostNameLookup::Found { name, .. }) => Value {
            bytes: name,
            tainted: true,
        },
        _ => Value::empty(),
    }
}

fn flag(on: bool) -> Value {
    Value::from(if on { "1" } else { "0" })
}

pub fn host_lookup_failed(ev: &Evaluator) -> Value {
    flag(ev.ctx.host_name.get() == Some(HostNameLookup::Failed))
}

pub fn host_lookup_deferred(ev: &Evaluator) -> Value {
    flag(ev.ctx.host_name.get() == Some(HostNameLookup::Deferred))
}

pub fn sender_host_dnssec(ev: &Evaluator) -> Value {
    let yes = matches!(
        ev.ctx.host_name.get(),
        Some(HostNameLookup::Found { dnssec: true, .. })
    );
    Value::from(if yes { "yes" } else { "no" })
}
