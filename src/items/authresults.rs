//! `${authresults{authserv-id}}`: an Authentication-Results: header with
//! the parts this session has data for.

use crate::eval::{Evaluator, Failure, Value};

fn var(ev: &Evaluator, name: &str) -> Value {
    crate::vars::value(ev, name)
}

/// The client's host name if it is known without a lookup (Exim's
/// `sender_host_name` global: set with `-oMs`, or found by a lookup that
/// was already made), and whether a lookup failed or deferred.
fn host_name_state(ev: &Evaluator) -> (Option<Value>, bool, bool) {
    use crate::eval::HostNameLookup;
    let state = ev.ctx.host_name.get();
    (
        crate::smtp::known_host_name(ev.ctx).map(Value::tainted),
        state == Some(HostNameLookup::Failed),
        state == Some(HostNameLookup::Deferred),
    )
}

/// The iprev part (Exim's `authres_iprev`): only when the client's name
/// was looked up.
fn iprev(ev: &Evaluator, out: &mut Value) {
    let (name, failed, deferred) = host_name_state(ev);
    match name {
        Some(name) => {
            out.push_bytes(b";\n\tiprev=pass (");
            out.push(&name);
            out.push_bytes(b")");
        }
        None if deferred => out.push_bytes(b";\n\tiprev=temperror"),
        None if failed => out.push_bytes(b";\n\tiprev=fail"),
        None => return,
    }
    let addr = var(ev, "sender_host_address");
    if !addr.is_empty() {
        out.push_bytes(b" smtp.remote-ip=");
        out.push(&addr);
    }
}

/// The auth part (Exim's `authres_smtpauth`): the client authenticated.
fn smtpauth(ev: &Evaluator, out: &mut Value) -> Result<(), Failure> {
    let Some(by) = ev.ctx.extensions.get::<crate::smtp::AuthenticatedBy>() else {
        // Set with -oMaa, there is no authenticator: 4.96 dereferences
        // the missing one here and crashes.
        return Err(Failure::new(
            "authresults: $sender_host_authenticated is set without an authenticator (Exim 4.96 crashes here)",
        ));
    };
    out.push_bytes(b";\n\tauth=pass (");
    out.push_bytes(by.0.as_bytes());
    let id = var(ev, "authenticated_id");
    let tls = by.0 == "tls";
    match (tls, id.is_empty()) {
        (true, false) => {
            out.push_bytes(b") x509.auth=");
            out.push(&id);
        }
        (true, true) => out.push_bytes(b") reason=x509.auth"),
        (false, false) => {
            out.push_bytes(b") smtp.auth=");
            out.push(&id);
        }
        (false, true) => out.push_bytes(b", no id saved)"),
    }
    let sender = var(ev, "authenticated_sender");
    if !sender.is_empty() {
        out.push_bytes(b" smtp.mailfrom=");
        out.push(&sender);
    }
    Ok(())
}

/// The SPF part (Exim's `authres_spf`): after an `spf` condition ran.
fn spf(ev: &Evaluator, out: &mut Value) {
    let result = var(ev, "spf_result");
    if result.is_empty() {
        return;
    }
    out.push_bytes(b";\n\tspf=");
    out.push(&result);
    if var(ev, "spf_result_guessed").bytes == b"yes" {
        out.push_bytes(b" (best guess record for domain)");
    }
    let dom = var(ev, "sender_address_domain");
    let helo = var(ev, "sender_helo_name");
    if !dom.is_empty() {
        out.push_bytes(b" smtp.mailfrom=");
        out.push(&dom);
    } else if !helo.is_empty() {
        out.push_bytes(b" smtp.helo=");
        out.push(&helo);
    } else {
        out.push_bytes(b" smtp.mailfrom=<>");
    }
}

/// `${authresults{authserv-id}}`: an Authentication-Results: header with
/// the parts this session has data for: iprev, auth, SPF and DKIM.
pub fn authresults(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let Some(id) = vals.first() else {
        return Err(super::unread());
    };
    out.push_bytes(b"Authentication-Results: ");
    out.push(id);
    iprev(ev, &mut out);
    if !var(ev, "sender_host_authenticated").is_empty() {
        smtpauth(ev, &mut out)?;
    }
    spf(ev, &mut out);
    if let Some(state) = ev.ctx.extensions.get::<crate::smtp::DkimState>() {
        let status = var(ev, "dkim_verify_status").bytes;
        let reason = var(ev, "dkim_verify_reason").bytes;
        out.push_bytes(&crate::auth::dkim::authres(
            &state.verification.signatures,
            &status,
            &reason,
        ));
    }
    out.push_bytes(&crate::acl::dmarc::authres(ev));
    if let Some(arc) = ev.ctx.extensions.get::<crate::acl::ArcState>() {
        let addr = var(ev, "sender_host_address");
        let addr = (!addr.is_empty()).then_some(&addr.bytes[..]);
        out.push_bytes(&arc.0.authres(addr));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    use crate::testutil::expand_in as run;

    use crate::testutil::permissive as ctx;

    /// items.jsonl and live oracle runs.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                "${authresults{mx.example.com}}",
                Ok("Authentication-Results: mx.example.com"),
            ),
            (
                "${authresults}",
                Err("Not enough arguments for 'authresults' (min is 1)"),
            ),
            (
                "${authresults{a}{b}}",
                Err("Too many arguments for 'authresults' (max is 1)"),
            ),
        ];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// `exim -oMs host.name -oMa 1.2.3.4 -be '${authresults{mx}}'`.
    #[test]
    fn authresults_iprev() {
        let mut c = ctx();
        c.set_var("sender_host_name", "host.name");
        c.set_var("sender_host_address", "1.2.3.4");
        assert_eq!(
            run(&mut c, "${authresults{mx}}"),
            Ok(
                "Authentication-Results: mx;\n\tiprev=pass (host.name) smtp.remote-ip=1.2.3.4"
                    .into()
            )
        );
    }
}
