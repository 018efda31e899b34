//! BATV: `${prvs{address}{key}[{keynum}]}` signs a return path,
//! `${prvscheck{address}{key}[{result}]}` checks one.
//!
//! The signature is `prvs=` + key number + a 3-digit day stamp (the last
//! digits of the day number, 7 days ahead) + the first 3 bytes of
//! HMAC-SHA1(key, keynum + stamp + address) in lower-case hex.

use crate::eval::{Evaluator, ExpandError, Failure, Value};
use crate::parser::ItemNode;

/// The last three digits of the day number `offset` days from now.
fn daystamp(ev: &Evaluator, offset: i64) -> String {
    let (now, _) = ev.ctx.clock.now();
    let days = (now + offset * 86400) / 86400;
    let s = days.to_string();
    if s.len() >= 3 {
        s[s.len() - 3..].to_string()
    } else {
        "100".to_string()
    }
}

/// The 6 hex digits of the signature; `None` for a key over 64 bytes.
fn hmac6(ev: &Evaluator, address: &[u8], key: &[u8], keynum: u8, stamp: &str) -> Option<String> {
    if key.len() > 64 {
        return None;
    }
    let data = [&[keynum][..], &stamp.as_bytes()[..3], address].concat();
    let d = ev.ctx.crypto.hmac(crate::eval::Digest::Sha1, key, &data);
    Some(d[..3].iter().map(|b| format!("{b:02x}")).collect())
}

pub fn prvs(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let fail = |m: &str| Err(Failure::new(m));
    let (Some(addr), Some(key)) = (vals.first(), vals.get(1)) else {
        return Err(super::unread());
    };
    let addr = addr.c_str();
    let at = match addr.iter().rposition(|&c| c == b'@') {
        Some(i) if i > 0 && i + 1 < addr.len() => i,
        _ => return fail("prvs first argument must be a qualified email address"),
    };
    let keynum = match vals.get(2).map(Value::c_str) {
        None => b'0',
        Some([d]) if d.is_ascii_digit() => *d,
        Some(_) => return fail("prvs third argument must be a single digit"),
    };
    let stamp = daystamp(ev, 7);
    let Some(hash) = hmac6(ev, addr, key.c_str(), keynum, &stamp) else {
        return fail("prvs hmac-sha1 conversion failed");
    };
    out.push_bytes(b"prvs=");
    out.push_bytes(&[keynum]);
    out.push_bytes(stamp.as_bytes());
    out.push_bytes(hash.as_bytes());
    out.push_bytes(b"=");
    out.push_bytes(&addr[..at]);
    out.push_bytes(b"@");
    out.push_bytes(&addr[at + 1..]);
    Ok(out)
}

fn too_many(max: u8, item: &ItemNode) -> ExpandError {
    ExpandError::failed(
        format!("Too many arguments for 'prvscheck' (max is {max})"),
        item.span,
    )
}

fn not_enough(item: &ItemNode) -> ExpandError {
    ExpandError::failed("Not enough arguments for 'prvscheck' (min is 1)", item.span)
}

/// Exim reads prvscheck's arguments in three steps (the address; then,
/// for a prvs address, the key and the optional result string, with
/// `$prvscheck_address` and `$prvscheck_keynum` set), checking the count
/// at each step: the table entry lets the parser read any number and the
/// checks are made here, in Exim's order.
pub fn prvscheck(
    ev: &mut Evaluator,
    item: &ItemNode,
    skip: bool,
    out: &mut Value,
) -> Result<(), ExpandError> {
    let args = super::arg_seqs(item);
    for name in ["prvscheck_result", "prvscheck_address", "prvscheck_keynum"] {
        ev.ctx.vars.remove(name);
    }
    let Some(first) = args.first() else {
        return ev.incomplete_item(item, skip);
    };
    let addr = ev.seq(first, skip)?;
    let re = crate::regex::compile(b"(?i)^prvs\\=([0-9])([0-9]{3})([A-F0-9]{6})\\=(.+)\\@(.+)$")
        .map_err(|m| ExpandError::failed(m, item.span))?;
    let subject = addr.c_str().to_vec();
    let caps = re.regex().captures(&subject).ok().flatten();
    let Some(caps) = caps else {
        // Not a prvs address: the rest is read (one or two arguments) and
        // nothing is inserted.
        if args.len() < 2 {
            return Err(not_enough(item));
        }
        for s in args.iter().skip(1).take(2) {
            ev.seq(s, skip)?;
        }
        if args.len() > 3 {
            return Err(too_many(2, item));
        }
        return match &item.error {
            Some(e) => Err((**e).clone()),
            None => Ok(()),
        };
    };
    let group = |i: usize| caps.get(i).map_or(&b""[..], |m| m.as_bytes()).to_vec();
    ev.captures = (0..=5)
        .map(|i| Value {
            bytes: group(i),
            tainted: addr.tainted,
        })
        .collect();
    let (keynum, stamp, hash, local, domain) = (group(1), group(2), group(3), group(4), group(5));
    let mut address = local;
    address.push(b'@');
    address.extend_from_slice(&domain);
    ev.ctx.vars.insert(
        "prvscheck_address".into(),
        Value {
            bytes: address.clone(),
            tainted: addr.tainted,
        },
    );
    ev.ctx.vars.insert(
        "prvscheck_keynum".into(),
        Value {
            bytes: keynum.clone(),
            tainted: addr.tainted,
        },
    );
    let Some(key_seq) = args.get(1) else {
        return Err(not_enough(item));
    };
    let key = ev.seq(key_seq, skip)?;
    let stamp = String::from_utf8_lossy(&stamp).into_owned();
    let Some(own) = hmac6(ev, &address, key.c_str(), keynum[0], &stamp) else {
        return Err(ExpandError::failed(
            "hmac-sha1 conversion failed",
            item.span,
        ));
    };
    if own.as_bytes() == hash.as_slice() {
        let mut now: u32 = daystamp(ev, 0).parse().unwrap_or(0);
        let expire: u32 = stamp.parse().unwrap_or(1);
        if expire < 7 && now >= 993 {
            now = 0;
        }
        if expire >= now {
            ev.ctx
                .vars
                .insert("prvscheck_result".into(), Value::from("1"));
        }
    }
    let result = match args.get(2) {
        Some(s) => Some(ev.seq(s, skip)?),
        None => None,
    };
    if args.len() > 3 {
        return Err(too_many(1, item));
    }
    if let Some(e) = &item.error {
        return Err((**e).clone());
    }
    // Exim adds the result also while skipping (what a skipped expansion
    // returns is seen where its literal text is used, as by forall).
    match result {
        Some(r) if !r.is_empty() => out.push(&r),
        _ => out.push(&Value {
            bytes: address,
            tainted: addr.tainted,
        }),
    }
    ev.ctx.vars.remove("prvscheck_address");
    ev.ctx.vars.remove("prvscheck_keynum");
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::eval::{Context, FixedClock};

    /// The corpus pins the clock at 2024-01-15 12:00:00 UTC.
    fn ctx() -> Context {
        let mut c = Context::new();
        c.clock = std::sync::Arc::new(FixedClock {
            secs: 1_705_320_000,
            micros: 0,
        });
        c
    }

    use crate::testutil::expand_in as run;

    /// items.jsonl, testsuite.jsonl (0002) and live oracle runs.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            (
                "${prvs{user@example.com}{secret}}",
                Ok("prvs=07442441e2=user@example.com"),
            ),
            (
                "${prvs{user@example.com}{secret}{3}}",
                Ok("prvs=3744434069=user@example.com"),
            ),
            (
                "${prvs{userx@test.ex}{secret}}",
                Ok("prvs=0744796f5f=userx@test.ex"),
            ),
            (
                "${prvs{userx@test.ex}{secret}{1}}",
                Ok("prvs=1744830242=userx@test.ex"),
            ),
            (
                "${prvs{userx@test.ex}{secret}{8}}",
                Ok("prvs=8744c127e4=userx@test.ex"),
            ),
            (
                "${prvs{user@example.com}{secret}{12}}",
                Err("prvs third argument must be a single digit"),
            ),
            (
                "${prvs{userx@test.ex}{secret}{}}",
                Err("prvs third argument must be a single digit"),
            ),
            (
                "${prvs{@example.com}{secret}}",
                Err("prvs first argument must be a qualified email address"),
            ),
            (
                "${prvs{a@}{k}}",
                Err("prvs first argument must be a qualified email address"),
            ),
            (
                "${prvs{ab@c@}{k}}",
                Err("prvs first argument must be a qualified email address"),
            ),
            (
                "${prvs{user@example.com}}",
                Err("Not enough arguments for 'prvs' (min is 2)"),
            ),
            (
                "${prvs{a@b}{k}{1}{2}}",
                Err("Too many arguments for 'prvs' (max is 3)"),
            ),
            (
                "${prvs{a@b}{0123456789012345678901234567890123456789012345678901234567890123456789}}",
                Err("prvs hmac-sha1 conversion failed"),
            ),
            (
                "${prvscheck{${prvs{user@example.com}{secret}{5}}}{secret}{[$prvscheck_result][$prvscheck_keynum]}}",
                Ok("[1][5]"),
            ),
            (
                "${prvscheck{${prvs{user@example.com}{secret}}}{wrong}}",
                Ok("user@example.com"),
            ),
            ("${prvscheck{user@example.com}{secret}}", Ok("")),
            ("${prvscheck{user@example.com}{secret}{x}}", Ok("")),
            (
                "${prvscheck{PRVS=0123ABCDEF=user@example.com}{secret}{[$prvscheck_address]}}",
                Ok("[user@example.com]"),
            ),
            (
                "${prvscheck{prvs=0123abcdef=user@example.com}{$prvscheck_address}{[$prvscheck_result]}}",
                Ok("[]"),
            ),
            (
                "${prvscheck{${prvs{userx@test.ex}{secret}{8}}}{secret}{}}",
                Ok("userx@test.ex"),
            ),
            (">>${prvscheck{userx@test.ex}{secret}}<<", Ok(">><<")),
            (
                "${prvscheck{x}}",
                Err("Not enough arguments for 'prvscheck' (min is 1)"),
            ),
            (
                "${prvscheck{prvs=0123abcdef=u@x}}",
                Err("Not enough arguments for 'prvscheck' (min is 1)"),
            ),
            (
                "${prvscheck}",
                Err("Not enough arguments for 'prvscheck' (min is 1)"),
            ),
            (
                "${prvscheck{a}{b}{c}{d}}",
                Err("Too many arguments for 'prvscheck' (max is 2)"),
            ),
            (
                "${prvscheck{prvs=0123abcdef=u@x}{k}{c}{d}}",
                Err("Too many arguments for 'prvscheck' (max is 1)"),
            ),
            (
                "${prvscheck{prvs=0123abcdef=u@x}{0123456789012345678901234567890123456789012345678901234567890123456789}}",
                Err("hmac-sha1 conversion failed"),
            ),
            (
                "${if eq{a}{b}{${prvscheck{prvs=0123abcdef=u@x}{$nosuch}}}}",
                Err("unknown variable name \"nosuch\""),
            ),
        ];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    /// repl.jsonl: `$prvscheck_result` persists to later lines.
    #[test]
    fn result_persists() {
        let mut c = ctx();
        run(&mut c, "${prvscheck{${prvs{u@x.y}{k}}}{k}}").unwrap();
        assert_eq!(run(&mut c, "[$prvscheck_result]"), Ok("[1]".into()));
        assert_eq!(run(&mut c, "[$prvscheck_address]"), Ok("[]".into()));
    }
}
