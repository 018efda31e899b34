//! `${authresults{authserv-id}}`: an Authentication-Results: header with
//! the parts this session has data for.

use crate::eval::{Evaluator, Failure, Value};

fn var(ev: &Evaluator, name: &str) -> Value {
    crate::vars::lookup(ev, name, false).unwrap_or_default()
}

/// `${authresults{authserv-id}}`: an Authentication-Results: header with
/// the parts this session has data for (iprev from `-oMs`/`-oMa`).
pub fn authresults(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let Some(id) = vals.first() else {
        return Err(super::unread());
    };
    out.push_bytes(b"Authentication-Results: ");
    out.push(id);
    let host_name = var(ev, "sender_host_name");
    if !host_name.is_empty() {
        out.push_bytes(b";\n\tiprev=pass (");
        out.push(&host_name);
        out.push_bytes(b")");
        let addr = var(ev, "sender_host_address");
        if !addr.is_empty() {
            out.push_bytes(b" smtp.remote-ip=");
            out.push(&addr);
        }
    }
    if !var(ev, "sender_host_authenticated").is_empty() {
        // 4.96 dereferences the (unset) authenticator name here and crashes.
        return Err(Failure::new(
            "authresults: $sender_host_authenticated is set without an authenticator (Exim 4.96 crashes here)",
        ));
    }
    let spf = var(ev, "spf_result");
    if !spf.is_empty() {
        out.push_bytes(b";\n\tspf=");
        out.push(&spf);
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
