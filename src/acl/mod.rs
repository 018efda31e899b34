//! An ACL interpreter for `${acl{name}{args}}` and the `acl` condition
//! (Exim's acl.c `acl_eval` / `acl_check_internal` / `acl_check_condition`),
//! over the statements read from `begin acl` ([`crate::config::Acl`]) or
//! given inline.
//!
//! Expansion tests run outside any SMTP phase (Exim's "unknown" ACL time),
//! so conditions and modifiers that only make sense at some phase fail the
//! ACL with ERROR, as Exim does.  Conditions that would need the network,
//! hints databases or message data are not implemented: they fail the ACL
//! with a message that says so.

mod check;
mod control;
pub mod dmarc;
mod dnslists;
mod forbids;
mod headers;
mod lists;
mod spf;
mod verify;

pub use verify::{ArcState, Unqualified};

pub use check::acl_check;
pub use headers::add_headers;

use crate::config::ListKind;
use crate::config::acl::{AclLine, AclParser};
use crate::config::{AclCondition, AclStatement, AclVerb};
use crate::eval::{Capability, Evaluator, ExpandError, Value};
use std::cell::Cell;

/// An ACL's result (Exim's return codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclRc {
    Ok,
    Defer,
    Fail,
    Error,
    Discard,
    FailDrop,
}

impl AclRc {
    /// The name Exim prints (`rc_names[]`).
    pub fn name(self) -> &'static str {
        match self {
            AclRc::Ok => "OK",
            AclRc::Defer => "DEFER",
            AclRc::Fail => "FAIL",
            AclRc::Error => "ERROR",
            AclRc::Discard => "DISCARD",
            AclRc::FailDrop => "FAIL_DROP",
        }
    }
}

/// What running an ACL gave: the result code, the user message (`message =`)
/// and the log message (`log_message =` or an error description).
#[derive(Debug, Clone)]
pub struct AclOutcome {
    pub rc: AclRc,
    pub user_msg: Option<Value>,
    pub log_msg: Option<Value>,
    /// A temporary rejection may show the user message (Exim's
    /// `acl_temp_details`: set by the `defer` verb).
    pub temp_details: bool,
}

impl AclOutcome {
    /// An accept without messages (what an unset ACL option gives where
    /// Exim does not run one).
    pub fn accepted() -> AclOutcome {
        outcome(AclRc::Ok, None, None)
    }
}

/// How many distinct `warn` log lines are remembered (to write each once).
const MAX_WARNINGS_KEPT: usize = 1000;

/// Exim refuses deeper nesting (`acl_level > 20`).
const MAX_ACL_LEVEL: u32 = 20;

thread_local! {
    static ACL_LEVEL: Cell<u32> = const { Cell::new(0) };
}

/// Increments the nesting level for the life of the guard.
struct LevelGuard;

impl LevelGuard {
    fn enter() -> LevelGuard {
        ACL_LEVEL.with(|l| l.set(l.get() + 1));
        LevelGuard
    }
}

impl Drop for LevelGuard {
    fn drop(&mut self) {
        ACL_LEVEL.with(|l| l.set(l.get().saturating_sub(1)));
    }
}

fn level() -> u32 {
    ACL_LEVEL.with(Cell::get)
}

/// The log line of a file name refused for its taint:
/// `Tainted filename 'NAME'` (Exim's open wrappers) or, with `for_search`,
/// `Tainted filename for search: 'NAME'` (its lookup open).
pub fn log_tainted_filename(ev: &Evaluator, name: &[u8], for_search: bool) {
    let what: &[u8] = if for_search {
        b"Tainted filename for search: '"
    } else {
        b"Tainted filename '"
    };
    log_line(ev, &[what, name, b"'"].concat());
}

/// Writes one of Exim's log lines (`YYYY-MM-DD HH:MM:SS text`) to standard
/// error when the policy asks for it, as `exim -be` does.
pub fn log_line(ev: &Evaluator, text: &[u8]) {
    if ev.ctx.log.is_collecting() {
        ev.ctx.log.write(text);
        return;
    }
    if !ev.ctx.policy.log_to_stderr {
        return;
    }
    use std::io::Write;
    let stamp = crate::vars::value(ev, "tod_log");
    let mut line = stamp.bytes;
    line.push(b' ');
    line.extend_from_slice(text);
    line.push(b'\n');
    let _ = std::io::stderr().write_all(&line);
}

/// The policy check shared by `${acl}` and the `acl` condition.
pub fn check_policy(ev: &Evaluator) -> Result<(), crate::eval::Failure> {
    ev.ctx.policy.check(Capability::Acl, "running an ACL")
}

/// Sets `$acl_arg1..9` and `$acl_narg` for the life of the returned value.
struct SavedArgs {
    old: Vec<(String, Option<Value>)>,
}

fn set_args(ev: &mut Evaluator, args: &[Value]) -> SavedArgs {
    let mut old = Vec::with_capacity(10);
    let n = args.len().min(9);
    for i in 0..9 {
        let name = format!("acl_arg{}", i + 1);
        let prev = match args.get(i) {
            Some(v) if i < n => ev.ctx.vars.insert(name.clone(), v.clone()),
            _ => ev.ctx.vars.remove(&name),
        };
        old.push((name, prev));
    }
    let prev = ev
        .ctx
        .vars
        .insert("acl_narg".to_string(), Value::from(n.to_string()));
    old.push(("acl_narg".to_string(), prev));
    SavedArgs { old }
}

fn restore_args(ev: &mut Evaluator, saved: SavedArgs) {
    for (name, prev) in saved.old {
        match prev {
            Some(v) => {
                ev.ctx.vars.insert(name, v);
            }
            None => {
                ev.ctx.vars.remove(&name);
            }
        }
    }
}

/// Exim's `eval_acl`: runs the ACL `name` (a named ACL, an ACL file or
/// inline ACL text) with the arguments in `$acl_arg1..9`.
pub fn eval_acl(ev: &mut Evaluator, name: &Value, args: &[Value]) -> AclOutcome {
    let saved = set_args(ev, args);
    let r = {
        let _g = LevelGuard::enter();
        check_internal(ev, name)
    };
    restore_args(ev, saved);
    r
}

/// The `acl` condition: `${if acl{{name}{arg}...}{yes}{no}}`.  True for
/// accept, false for deny; `$value` is set to the ACL's message for the
/// branches.  Other results fail (`DEFER from acl "name"`, ...).
pub fn condition(ev: &mut Evaluator, args: &[Value]) -> Result<bool, crate::eval::Failure> {
    check_policy(ev)?;
    let Some((name, rest)) = args.split_first() else {
        return Ok(false);
    };
    let r = eval_acl(ev, name, rest);
    match r.rc {
        AclRc::Ok | AclRc::Fail => {
            ev.value = r.user_msg;
            Ok(r.rc == AclRc::Ok)
        }
        // DEFER is a forced failure, as for the item.
        rc => {
            let m = crate::sys::msg(&[rc.name().as_bytes(), b" from acl \"", &name.bytes, b"\""]);
            Err(if rc == AclRc::Defer {
                crate::eval::Failure::forced(m)
            } else {
                crate::eval::Failure::new(m)
            })
        }
    }
}

fn error(msg: impl Into<Vec<u8>>) -> AclOutcome {
    AclOutcome {
        rc: AclRc::Error,
        temp_details: false,
        user_msg: None,
        log_msg: Some(Value::new(msg.into())),
    }
}

/// Exim's `acl_getline` over inline ACL text: leading blanks and comment
/// lines skipped, `\` continuations joined.
fn acl_lines(text: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let phys: Vec<&[u8]> = text.split(|&c| c == b'\n').collect();
    let mut i = 0;
    while i < phys.len() {
        let line = trim_start(phys[i]);
        i += 1;
        if line.is_empty() || line[0] == b'#' {
            continue;
        }
        let mut logical = line.to_vec();
        loop {
            let t = trim_end(&logical).len();
            if t == 0 || logical[t - 1] != b'\\' || i >= phys.len() {
                break;
            }
            logical.truncate(t - 1);
            // Comment lines inside a continuation are skipped.
            while i < phys.len() && trim_blanks(phys[i]).first() == Some(&b'#') {
                i += 1;
            }
            if i >= phys.len() {
                break;
            }
            logical.extend_from_slice(trim_blanks(phys[i]));
            i += 1;
        }
        out.push(logical);
    }
    out
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .position(|&c| !crate::lists::is_space(c))
        .unwrap_or(s.len());
    &s[n..]
}

fn trim_blanks(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(s.len());
    &s[n..]
}

use crate::sys::trim_end;

/// Reads ACL text as `acl_read` does; `Ok(None)` for text with no statements.
fn parse_acl_text(text: &[u8], source: &str) -> Result<Vec<AclStatement>, String> {
    let mut p = AclParser::new();
    for (n, line) in acl_lines(text).iter().enumerate() {
        match p.line(line, source, n + 1, &Default::default())? {
            AclLine::Consumed => {}
            AclLine::EndOfAcl => break,
        }
    }
    Ok(p.statements)
}

/// Exim's `acl_check_internal` below the top level: `s` is already expanded.
fn check_internal(ev: &mut Evaluator, s: &Value) -> AclOutcome {
    if level() > MAX_ACL_LEVEL {
        return error("ACL nested too deep: possible loop");
    }
    let ss = trim_start(&s.bytes);
    if s.tainted {
        let mut m = b"attempt to use tainted ACL text \"".to_vec();
        m.extend_from_slice(ss);
        m.push(b'"');
        log_line(ev, &m);
        return error("internal configuration error");
    }
    let name = String::from_utf8_lossy(ss).into_owned();
    let mut statements: Option<Vec<AclStatement>> = None;
    if !ss.contains(&b' ') {
        let config = ev.ctx.config.clone();
        if let Some(acl) = config.as_ref().and_then(|c| c.acl(&name)) {
            if acl.statements.is_empty() {
                return outcome(AclRc::Fail, None, None);
            }
            statements = Some(acl.statements.clone());
        } else if ss.first() == Some(&b'/') {
            if let Err(m) = ev
                .ctx
                .policy
                .check(Capability::Files, "reading an ACL file")
            {
                return error(m.message);
            }
            let text = match std::fs::read(&name) {
                Ok(t) => t,
                Err(e) => {
                    return error(format!(
                        "failed to open ACL file \"{name}\": {}",
                        crate::sys::strerror(e.raw_os_error().unwrap_or(0))
                    ));
                }
            };
            match parse_acl_text(&text, &name) {
                Ok(st) => statements = Some(st),
                Err(m) => return error(m),
            }
        }
    }
    let statements = match statements {
        Some(s) => s,
        None => match parse_acl_text(ss, "inline ACL") {
            Ok(st) => st,
            Err(m) => return error(m),
        },
    };
    run_statements(ev, &statements)
}

fn outcome(rc: AclRc, user_msg: Option<Value>, log_msg: Option<Value>) -> AclOutcome {
    AclOutcome {
        rc,
        temp_details: false,
        user_msg,
        log_msg,
    }
}

/// The statement loop of `acl_check_internal`.
fn run_statements(ev: &mut Evaluator, statements: &[AclStatement]) -> AclOutcome {
    let mut user_msg: Option<Value> = None;
    let mut log_msg: Option<Value> = None;
    for st in statements {
        user_msg = None;
        log_msg = None;
        let mut endpass = false;
        let cond = check_conditions(ev, st, &mut endpass, &mut user_msg, &mut log_msg);
        match cond {
            AclRc::Defer if st.verb != AclVerb::Warn => {
                return outcome(AclRc::Defer, user_msg, log_msg);
            }
            AclRc::Error => return outcome(AclRc::Error, user_msg, log_msg),
            _ => {}
        }
        let done = |rc| Some(outcome(rc, user_msg.clone(), log_msg.clone()));
        let result = match st.verb {
            AclVerb::Accept | AclVerb::Discard if matches!(cond, AclRc::Ok | AclRc::Discard) => {
                if st.verb == AclVerb::Accept {
                    done(cond)
                } else {
                    done(AclRc::Discard)
                }
            }
            AclVerb::Accept | AclVerb::Discard if endpass => done(cond),
            AclVerb::Defer if cond == AclRc::Ok => {
                let mut r = outcome(AclRc::Defer, user_msg.clone(), log_msg.clone());
                r.temp_details = true;
                Some(r)
            }
            AclVerb::Deny if cond == AclRc::Ok => done(AclRc::Fail),
            AclVerb::Drop if cond == AclRc::Ok => done(AclRc::FailDrop),
            AclVerb::Require if cond != AclRc::Ok => done(cond),
            AclVerb::Warn => {
                if cond == AclRc::Ok {
                    warn(ev, user_msg.as_ref(), log_msg.as_ref());
                }
                user_msg = None;
                log_msg = None;
                None
            }
            _ => None,
        };
        if let Some(r) = result {
            return r;
        }
    }
    // The end of the ACL is an implicit DENY; the messages of the last
    // statement are still there, as in Exim.
    outcome(AclRc::Fail, user_msg, log_msg)
}

/// What a `warn` statement whose conditions passed does (Exim's
/// `acl_warn`): logs its log message once, and adds its message as header
/// lines in a message ACL.
fn warn(ev: &mut Evaluator, user_msg: Option<&Value>, log_msg: Option<&Value>) {
    if let Some(m) = log_msg.filter(|m| user_msg != Some(*m)) {
        let mut t = host_and_ident(ev, true);
        t.extend_from_slice(b" Warning: ");
        t.extend_from_slice(&crate::operators::quote::string_printing(
            &m.bytes,
            ev.ctx.option_flag("print_topbitchars", false),
        ));
        if !ev.ctx.warnings_logged.contains(&t) {
            log_line(ev, &t);
            // Exim keeps them until the next message; outside a session
            // (-be, ${acl}) there is none, so the list is bounded.
            if ev.ctx.warnings_logged.len() >= MAX_WARNINGS_KEPT {
                ev.ctx.warnings_logged.clear();
            }
            ev.ctx.warnings_logged.push(t);
        }
    }
    let Some(user_msg) = user_msg else { return };
    if !ev.ctx.phase.is_message() {
        log_line(
            ev,
            format!(
                "ACL \"warn\" with \"message\" setting found in a non-message ({}) ACL: cannot specify header lines here: message ignored",
                ev.ctx.phase.name()
            )
            .as_bytes(),
        );
        return;
    }
    let text = user_msg.bytes.clone();
    add_headers(ev, &text);
}

/// How Exim names the client in log lines (`host_and_ident`): `H=` (with
/// `flag`) and `$sender_fullhost`, or `U=` and the ident outside a
/// session.
pub fn host_and_ident(ev: &Evaluator, flag: bool) -> Vec<u8> {
    let var = |n: &str| crate::vars::value(ev, n).bytes;
    let full = var("sender_fullhost");
    let ident = var("sender_ident");
    let mut out = Vec::new();
    if full.is_empty() {
        if flag {
            out.extend_from_slice(b"U=");
        }
        out.extend_from_slice(if ident.is_empty() { b"unknown" } else { &ident });
    } else {
        if flag {
            out.extend_from_slice(b"H=");
        }
        out.extend_from_slice(&full);
        if !ident.is_empty() {
            out.extend_from_slice(b" U=");
            out.extend_from_slice(&ident);
        }
    }
    out
}

/// Conditions that Exim expands before testing them.
fn expand_at_top(name: &str) -> bool {
    !matches!(
        name,
        "acl"
            | "authenticated"
            | "domains"
            | "encrypted"
            | "hosts"
            | "local_parts"
            | "recipients"
            | "sender_domains"
            | "senders"
    )
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Exim's `acl_check_condition`.
fn check_conditions(
    ev: &mut Evaluator,
    st: &AclStatement,
    endpass: &mut bool,
    user_msgp: &mut Option<Value>,
    log_msgp: &mut Option<Value>,
) -> AclRc {
    let verb = st.verb;
    let mut user_message: Option<&str> = None;
    let mut log_message: Option<&str> = None;
    let mut rc = AclRc::Ok;
    for cb in &st.conditions {
        let raw = cb.value.as_deref().unwrap_or("");
        match cb.name.as_str() {
            "message" => {
                user_message = Some(raw);
                continue;
            }
            "log_message" => {
                log_message = Some(raw);
                continue;
            }
            "endpass" => {
                *endpass = true;
                continue;
            }
            _ => {}
        }
        let arg = if expand_at_top(&cb.name) {
            match ev.expand_nested(raw.as_bytes()) {
                Ok(v) => v,
                Err(e) if e.is_forced() => continue,
                Err(e) => {
                    let mut m = format!("failed to expand ACL string \"{raw}\": ").into_bytes();
                    m.extend_from_slice(&e.message);
                    *log_msgp = Some(Value::new(m));
                    return AclRc::Error;
                }
            }
        } else {
            Value::from(raw)
        };
        if forbids::is_forbidden(&cb.name, ev.ctx.phase) {
            *log_msgp = Some(Value::from(format!(
                "cannot {} {} condition in {} ACL",
                if cb.is_modifier { "use" } else { "test" },
                cb.name,
                ev.ctx.phase.name()
            )));
            return AclRc::Error;
        }
        rc = match one_condition(ev, verb, cb, &arg, user_msgp, log_msgp) {
            Ok(rc) => rc,
            Err(rc) => return rc,
        };
        if !cb.is_modifier && cb.negated {
            rc = match rc {
                AclRc::Ok => AclRc::Fail,
                AclRc::Fail | AclRc::FailDrop => AclRc::Ok,
                other => other,
            };
        }
        if rc != AclRc::Ok {
            break;
        }
    }

    if *endpass && rc == AclRc::Ok {
        user_message = None;
    }
    let msg_used = match verb {
        AclVerb::Accept | AclVerb::Discard => {
            matches!(rc, AclRc::Ok | AclRc::Fail | AclRc::FailDrop)
        }
        AclVerb::Defer | AclVerb::Deny | AclVerb::Drop | AclVerb::Warn => rc == AclRc::Ok,
        AclVerb::Require => matches!(rc, AclRc::Fail | AclRc::FailDrop),
    };
    if msg_used {
        let old_user = user_msgp.clone();
        let old_log = log_msgp.clone().or_else(|| old_user.clone());
        if verb == AclVerb::Warn
            || (rc == AclRc::Ok && matches!(verb, AclVerb::Accept | AclVerb::Discard))
        {
            *user_msgp = None;
            *log_msgp = None;
        }
        if let Some(um) = user_message {
            let saved = set_verify_message(ev, old_user);
            let r = ev.expand_nested(um.as_bytes());
            restore_verify_message(ev, saved);
            match r {
                Ok(v) if !v.is_empty() => *user_msgp = Some(v),
                Ok(_) => {}
                Err(e) => message_failed(ev, um, &e),
            }
        }
        if let Some(lm) = log_message {
            let saved = set_verify_message(ev, old_log);
            let r = ev.expand_nested(lm.as_bytes());
            restore_verify_message(ev, saved);
            match r {
                Ok(v) if !v.is_empty() => {
                    *log_msgp = Some(match log_msgp.take() {
                        None => v,
                        Some(old) => {
                            let mut n = v;
                            n.push_bytes(b": ");
                            n.push(&old);
                            n
                        }
                    });
                }
                Ok(_) => {}
                Err(e) => message_failed(ev, lm, &e),
            }
        }
        if log_msgp.is_none() {
            *log_msgp = user_msgp.clone();
        }
    }
    rc
}

fn set_verify_message(ev: &mut Evaluator, v: Option<Value>) -> Option<Value> {
    match v {
        Some(v) => ev.ctx.vars.insert("acl_verify_message".into(), v),
        None => ev.ctx.vars.remove("acl_verify_message"),
    }
}

fn restore_verify_message(ev: &mut Evaluator, old: Option<Value>) {
    match old {
        Some(v) => {
            ev.ctx.vars.insert("acl_verify_message".into(), v);
        }
        None => {
            ev.ctx.vars.remove("acl_verify_message");
        }
    }
}

fn message_failed(ev: &Evaluator, raw: &str, e: &ExpandError) {
    if !e.is_forced() {
        let mut m = format!("failed to expand ACL message \"{raw}\": ").into_bytes();
        m.extend_from_slice(&e.message);
        log_line(ev, &m);
    }
}

fn unsupported(name: &str, log_msgp: &mut Option<Value>) -> AclRc {
    *log_msgp = Some(Value::from(format!(
        "ACL condition \"{name}\" is not supported by exim-expand"
    )));
    AclRc::Error
}

/// A list condition through the match-list engine: a DEFER of the match
/// defers the ACL with the match's message.  Host names in host lists
/// need DNS lookups, which this build does not make yet.
fn list_condition(
    ev: &mut Evaluator,
    kind: ListKind,
    subject: &[u8],
    list: &[u8],
    log_msgp: &mut Option<Value>,
) -> Result<AclRc, AclRc> {
    match crate::conditions::matchlist::acl_check(ev, kind, subject, list) {
        Ok(true) => Ok(AclRc::Ok),
        Ok(false) => Ok(AclRc::Fail),
        Err(m) if m.to_string().contains("cannot match host name") => {
            Err(unsupported("hosts (with host names)", log_msgp))
        }
        Err(m) => {
            *log_msgp = Some(Value::from(m.message));
            Ok(AclRc::Defer)
        }
    }
}

/// One condition or modifier; `Err` ends the statement at once.
fn one_condition(
    ev: &mut Evaluator,
    verb: AclVerb,
    cb: &AclCondition,
    arg: &Value,
    user_msgp: &mut Option<Value>,
    log_msgp: &mut Option<Value>,
) -> Result<AclRc, AclRc> {
    let var = |ev: &Evaluator, n: &str| crate::vars::value(ev, n);
    Ok(match cb.name.as_str() {
        "acl" => {
            let r = check_wargs(ev, &arg.bytes);
            *user_msgp = r.user_msg;
            *log_msgp = r.log_msg;
            if r.rc == AclRc::Discard && !matches!(verb, AclVerb::Accept | AclVerb::Discard) {
                *log_msgp = Some(Value::from(format!(
                    "nested ACL returned \"discard\" for \"{verb}\" command (only allowed with \"accept\" or \"discard\")"
                )));
                return Err(AclRc::Error);
            }
            r.rc
        }
        "authenticated" => {
            let who = var(ev, "sender_host_authenticated");
            if who.is_empty() {
                AclRc::Fail
            } else {
                match lists::match_string_list(&who.bytes, &arg.bytes) {
                    Ok(true) => AclRc::Ok,
                    Ok(false) => AclRc::Fail,
                    Err(()) => return Err(unsupported("authenticated", log_msgp)),
                }
            }
        }
        "condition" => {
            let a = &arg.bytes;
            let numeric = match a.first() {
                Some(b'-') => a[1..].iter().all(u8::is_ascii_digit),
                _ => a.iter().all(u8::is_ascii_digit),
            };
            if numeric {
                if crate::cnum::atoi(a) == 0 {
                    AclRc::Fail
                } else {
                    AclRc::Ok
                }
            } else if a.eq_ignore_ascii_case(b"no") || a.eq_ignore_ascii_case(b"false") {
                AclRc::Fail
            } else if a.eq_ignore_ascii_case(b"yes") || a.eq_ignore_ascii_case(b"true") {
                AclRc::Ok
            } else {
                *log_msgp = Some(Value::from(format!(
                    "invalid \"condition\" value \"{}\"",
                    lossy(a)
                )));
                AclRc::Defer
            }
        }
        "continue" | "log_reject_target" | "queue" => AclRc::Ok,
        "control" => control(ev, &arg.bytes, log_msgp)?,
        "add_header" => {
            add_headers(ev, &arg.bytes);
            AclRc::Ok
        }
        "remove_header" => {
            ev.ctx.removed_headers.push(arg.bytes.clone());
            AclRc::Ok
        }
        "domains" => {
            let d = var(ev, "domain");
            list_condition(ev, ListKind::Domain, &d.bytes, &arg.bytes, log_msgp)?
        }
        "local_parts" => {
            let l = var(ev, "local_part");
            list_condition(ev, ListKind::LocalPart, &l.bytes, &arg.bytes, log_msgp)?
        }
        "recipients" => {
            let l = var(ev, "local_part");
            let d = var(ev, "domain");
            let mut r = l.bytes;
            if !d.is_empty() {
                r.push(b'@');
                r.extend_from_slice(&d.bytes);
            }
            list_condition(ev, ListKind::Address, &r, &arg.bytes, log_msgp)?
        }
        "delay" => {
            if crate::numeric::time_eval(&arg.bytes).is_err() {
                *log_msgp = Some(Value::from(format!(
                    "syntax error in argument for \"delay\" modifier: \"{}\" is not a time value",
                    lossy(&arg.bytes)
                )));
                return Err(AclRc::Error);
            }
            // The delay itself is not applied: there is no SMTP client.
            AclRc::Ok
        }
        "encrypted" => {
            let cipher = var(ev, "tls_in_cipher");
            if cipher.is_empty() {
                AclRc::Fail
            } else {
                match lists::match_string_list(&cipher.bytes, &arg.bytes) {
                    Ok(true) => AclRc::Ok,
                    Ok(false) => AclRc::Fail,
                    Err(()) => return Err(unsupported("encrypted", log_msgp)),
                }
            }
        }
        "hosts" => {
            let addr = var(ev, "sender_host_address");
            // `$host_data`: the value of a lookup that matched, else unset.
            let r = crate::conditions::matchlist::acl_check_data(
                ev,
                ListKind::Host,
                &addr.bytes,
                &arg.bytes,
            );
            match r {
                Ok((hit, data)) => {
                    match data {
                        Some(bytes) => ev.ctx.vars.insert(
                            "host_data".into(),
                            Value {
                                bytes,
                                tainted: true,
                            },
                        ),
                        None => ev.ctx.vars.remove("host_data"),
                    };
                    if hit { AclRc::Ok } else { AclRc::Fail }
                }
                Err(m) => {
                    ev.ctx.vars.remove("host_data");
                    *log_msgp = Some(Value::from(m.message));
                    AclRc::Defer
                }
            }
        }
        "senders" => {
            let sender = var(ev, "sender_address");
            list_condition(ev, ListKind::Address, &sender.bytes, &arg.bytes, log_msgp)?
        }
        "sender_domains" => {
            let sender = var(ev, "sender_address");
            let d = sender
                .bytes
                .iter()
                .rposition(|&c| c == b'@')
                .map_or(&b""[..], |i| &sender.bytes[i + 1..]);
            list_condition(ev, ListKind::Domain, d, &arg.bytes, log_msgp)?
        }
        "dnslists" => dnslists::dnslists(ev, &arg.bytes),
        "dkim_signers" => {
            let signer = ev.ctx.vars.get("dkim_cur_signer").cloned();
            match signer {
                Some(s) => string_list_condition(&s.bytes, &arg.bytes, "dkim_signers", log_msgp)?,
                None => AclRc::Fail,
            }
        }
        "dkim_status" => {
            let status = var(ev, "dkim_verify_status");
            string_list_condition(&status.bytes, &arg.bytes, "dkim_status", log_msgp)?
        }
        "dmarc_status" if ev.ctx.profile.features.dmarc => dmarc::condition(ev, &arg.bytes),
        "spf" => spf::condition(ev, &arg.bytes, false),
        "spf_guess" => spf::condition(ev, &arg.bytes, true),
        "logwrite" => {
            logwrite(ev, &arg.bytes);
            AclRc::Ok
        }
        "set" => {
            let name = cb.variable.clone().unwrap_or_default();
            ev.ctx.vars.insert(name, arg.clone());
            AclRc::Ok
        }
        "verify" => verify::verify(ev, &arg.bytes, log_msgp)?,
        other => return Err(unsupported(other, log_msgp)),
    })
}

/// A subject matched against a string list (Exim's `MCL_STRING`).
fn string_list_condition(
    subject: &[u8],
    list: &[u8],
    name: &str,
    log_msgp: &mut Option<Value>,
) -> Result<AclRc, AclRc> {
    match lists::match_string_list(subject, list) {
        Ok(true) => Ok(AclRc::Ok),
        Ok(false) => Ok(AclRc::Fail),
        Err(()) => Err(unsupported(name, log_msgp)),
    }
}

/// `control = name[/options]`: a control used where Exim forbids it
/// fails the ACL; the others are recorded in the context (`acl_controls`)
/// for the session to act on.
fn control(ev: &mut Evaluator, arg: &[u8], log_msgp: &mut Option<Value>) -> Result<AclRc, AclRc> {
    let (name, options) = match control::decode(arg, ev.ctx.profile.features.dmarc) {
        Ok(c) => c,
        Err(m) => {
            *log_msgp = Some(Value::from(m));
            return Err(AclRc::Error);
        }
    };
    let forbidden = control::forbidden_phases(name).unwrap_or(0);
    if forbidden & ev.ctx.phase.bit() != 0 {
        *log_msgp = Some(Value::from(format!(
            "cannot use \"control={name}\" in {} ACL",
            ev.ctx.phase.name()
        )));
        return Err(AclRc::Error);
    }
    let mut c = name.as_bytes().to_vec();
    c.extend_from_slice(options);
    if !ev.ctx.acl_controls.contains(&c) {
        ev.ctx.acl_controls.push(c);
    }
    Ok(AclRc::Ok)
}

/// `logwrite = [:main,panic,reject:] text`.
fn logwrite(ev: &Evaluator, arg: &[u8]) {
    let mut s = arg;
    if s.first() == Some(&b':') {
        match s[1..].iter().position(|&c| c == b':') {
            Some(i) => s = &s[i + 2..],
            None => s = &[],
        }
    }
    let topbit = ev.ctx.option_flag("print_topbitchars", false);
    log_line(
        ev,
        &crate::operators::quote::string_printing(trim_start(s), topbit),
    );
}

/// Exim's `acl_check_wargs`: `name arg1 arg2 ...`, each word dequoted and
/// expanded separately, then the named ACL run with the new arguments.
fn check_wargs(ev: &mut Evaluator, s: &[u8]) -> AclOutcome {
    let mut pos = 0;
    let raw_name = string_dequote(s, &mut pos);
    let name = match ev.expand_nested(&raw_name) {
        Ok(v) => v,
        Err(e) => return wargs_failed(&raw_name, &e),
    };
    let mut args = Vec::new();
    for _ in 0..9 {
        while pos < s.len() && crate::lists::is_space(s[pos]) {
            pos += 1;
        }
        if pos >= s.len() {
            break;
        }
        let raw = string_dequote(s, &mut pos);
        match ev.expand_nested(&raw) {
            Ok(v) => args.push(v),
            Err(e) => return wargs_failed(&name.bytes, &e),
        }
    }
    let saved = set_args(ev, &args);
    let r = {
        let _g = LevelGuard::enter();
        check_internal(ev, &name)
    };
    restore_args(ev, saved);
    r
}

fn wargs_failed(what: &[u8], e: &ExpandError) -> AclOutcome {
    if e.is_forced() {
        return error(Vec::new());
    }
    let mut m = b"failed to expand ACL string \"".to_vec();
    m.extend_from_slice(what);
    m.extend_from_slice(b"\": ");
    m.extend_from_slice(&e.message);
    error(m)
}

/// Exim's `string_interpret_escape` at a backslash (`s[i] == b'\\'`):
/// the byte and the index of the last byte used.
pub(crate) fn interpret_escape(s: &[u8], i: usize) -> (u8, usize) {
    let Some(&c) = s.get(i + 1) else {
        return (b'\\', i);
    };
    let octal = |b: u8| (b'0'..=b'7').contains(&b);
    if octal(c) {
        let mut v = u32::from(c - b'0');
        let mut j = i + 1;
        for _ in 0..2 {
            match s.get(j + 1) {
                Some(&d) if octal(d) => {
                    v = v * 8 + u32::from(d - b'0');
                    j += 1;
                }
                _ => break,
            }
        }
        return (v as u8, j);
    }
    let ch = match c {
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        b'x' => {
            let mut v = 0u32;
            let mut j = i + 1;
            for _ in 0..2 {
                match s.get(j + 1) {
                    Some(&d) if d.is_ascii_hexdigit() => {
                        v = v * 16 + (d as char).to_digit(16).unwrap_or(0);
                        j += 1;
                    }
                    _ => break,
                }
            }
            return (v as u8, j);
        }
        other => other,
    };
    (ch, i + 1)
}

/// Exim's `string_dequote`: a `"`-quoted word with `\` escapes, or a run of
/// non-space bytes; `pos` moves past it.
pub(crate) fn string_dequote(s: &[u8], pos: &mut usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = *pos;
    if s.get(i) != Some(&b'"') {
        while i < s.len() && !crate::lists::is_space(s[i]) {
            out.push(s[i]);
            i += 1;
        }
    } else {
        i += 1;
        while i < s.len() && s[i] != b'"' {
            if s[i] == b'\\' {
                let (c, last) = interpret_escape(s, i);
                out.push(c);
                i = last;
            } else {
                out.push(s[i]);
            }
            i += 1;
        }
        if i < s.len() {
            i += 1;
        }
    }
    *pos = i;
    out
}
