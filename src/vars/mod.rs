//! Variables: the table of Exim 4.96's names, the families resolved by
//! pattern (`acl_c*`, `acl_m*`, `r_*`, `auth1..4`, `regex1..9`) and header
//! variables.

mod computed;
pub mod features;
mod headers;
mod host_lookup;
mod message_vars;
mod table;

use crate::eval::{Evaluator, Value};
use crate::parser::HeaderKind;
use std::borrow::Cow;
pub use table::VARS;

/// How a variable gets its value when the context does not set it.
#[derive(Clone, Copy)]
pub enum VarKind {
    /// A string, empty when unset.
    Str,
    /// A fixed default (integers print `0`, some ports `-1`, ...).
    Default(&'static str),
    /// A boolean: `yes`/`no`, `no` when unset.
    Bool,
    /// A certificate: empty when unset.
    Cert,
    /// Computed from the context.
    Computed(fn(&Evaluator) -> Value),
    /// Held by the evaluator (`$item`, `$value`): lent, empty when unset.
    Held(for<'e> fn(&'e Evaluator<'_>) -> Option<&'e Value>),
}

pub struct VarDef {
    pub name: &'static str,
    pub kind: VarKind,
}

pub fn find(name: &str) -> Option<&'static VarDef> {
    static INDEX: std::sync::LazyLock<crate::eval::NameIndex> =
        std::sync::LazyLock::new(|| crate::eval::NameIndex::new(VARS.iter().map(|d| d.name)));
    INDEX.get(name.as_bytes()).map(|i| &VARS[i])
}

/// Is `name` a certificate variable (for `${md5:$tls_in_peercert}`)?
pub fn is_certificate(name: &[u8]) -> bool {
    std::str::from_utf8(name)
        .ok()
        .and_then(find)
        .is_some_and(|d| matches!(d.kind, VarKind::Cert))
}

/// ACL variables: `acl_c` or `acl_m` followed by a non-letter.
fn is_acl_variable(name: &str) -> bool {
    let b = name.as_bytes();
    (name.starts_with("acl_c") || name.starts_with("acl_m"))
        && !b.get(5).is_some_and(|c| c.is_ascii_alphabetic())
}

fn numbered(name: &str, prefix: &str, range: std::ops::RangeInclusive<u32>) -> bool {
    name.strip_prefix(prefix)
        .filter(|d| d.len() == 1)
        .and_then(|d| d.parse::<u32>().ok())
        .is_some_and(|n| range.contains(&n))
}

/// Which `$authN` a name is, as Exim reads it: `strtoul` of the digits
/// after `auth`, taken as a C `int` (so `auth01` is `auth1`, and so is
/// `auth4294967297`), valid for 1 to 4.  (A number that becomes negative
/// makes Exim read outside its table: a crash or stale memory; here it is
/// an unknown variable.)
pub(crate) fn auth_index(name: &str) -> Option<u32> {
    let digits = name.strip_prefix("auth")?;
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let n = digits.parse::<u64>().unwrap_or(u64::MAX) as i32;
    (1..=4).contains(&n).then_some(n as u32)
}

/// Names resolved by pattern: `acl_c*`/`acl_m*`, `r_*`, `auth1..4`,
/// `regex1..9`.
fn is_family(name: &str) -> bool {
    is_acl_variable(name)
        || name.starts_with("r_")
        || auth_index(name).is_some()
        || numbered(name, "regex", 1..=9)
}

/// The names of the variables of this context's profile (without the
/// families such as `acl_c0` or `r_*`), for completion.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub fn names(ctx: &crate::eval::Context) -> impl Iterator<Item = &'static str> + '_ {
    table::VARS
        .iter()
        .map(|d| d.name)
        .chain(features::names(&ctx.profile.features))
}

/// Does `name` exist for this context (its profile, its own settings)?
pub fn is_known(ctx: &crate::eval::Context, name: &str) -> bool {
    ctx.vars.contains_key(name)
        || is_family(name)
        || find(name).is_some()
        || features::find(name, &ctx.profile.features).is_some()
}

/// Resolves a variable; `None` means "unknown variable".  While skipping,
/// a known variable yields an empty value without being computed.
///
/// Names the embedder sets in the context are known even when Exim has no
/// such variable (a library user may add its own).
pub fn lookup<'e>(ev: &'e Evaluator, name: &str, skip: bool) -> Option<Cow<'e, Value>> {
    let canonical;
    let name = match auth_index(name) {
        Some(n) if name.len() > 5 => {
            canonical = format!("auth{n}");
            canonical.as_str()
        }
        _ => name,
    };
    if let Some(v) = ev.ctx.vars.get(name) {
        if skip {
            return Some(Cow::Owned(Value::empty()));
        }
        // A certificate variable shows as `<cert>` when set (Exim's
        // vtype_cert); certextract and the digest operators read the PEM.
        if !v.bytes.is_empty() && is_certificate(name.as_bytes()) {
            return Some(Cow::Owned(Value::new(&b"<cert>"[..])));
        }
        return Some(Cow::Borrowed(v));
    }
    let family = is_family(name);
    let def = if family {
        None
    } else {
        Some(find(name).or_else(|| features::find(name, &ev.ctx.profile.features))?)
    };
    if skip {
        return Some(Cow::Owned(Value::empty()));
    }
    Some(match def.map(|d| d.kind) {
        None | Some(VarKind::Str) | Some(VarKind::Cert) => Cow::Owned(Value::empty()),
        Some(VarKind::Default(d)) => Cow::Owned(Value::new(d.as_bytes())),
        Some(VarKind::Bool) => Cow::Owned(Value::new(&b"no"[..])),
        Some(VarKind::Computed(f)) => Cow::Owned(f(ev)),
        Some(VarKind::Held(f)) => f(ev).map_or_else(|| Cow::Owned(Value::empty()), Cow::Borrowed),
    })
}

/// A variable's value, owned; empty for an unknown name.
pub fn value(ev: &Evaluator, name: &str) -> Value {
    lookup(ev, name, false)
        .map(Cow::into_owned)
        .unwrap_or_default()
}

/// The explanation Exim appends to "unknown variable" for `acl_` names.
pub fn acl_hint(name: &str) -> String {
    let Some(rest) = name.strip_prefix("acl_") else {
        return String::new();
    };
    let b = rest.as_bytes();
    if matches!(b.first(), Some(b'c') | Some(b'm')) {
        if b.get(1).is_some_and(|c| c.is_ascii_alphabetic()) {
            " (6th character of a user-defined ACL variable must be a digit or underscore)".into()
        } else {
            " (strict_acl_vars is set)".into()
        }
    } else {
        " (user-defined ACL variables must start acl_c or acl_m)".into()
    }
}

/// A header variable's value; `None` when there is no such header.
pub fn header(ev: &Evaluator, kind: HeaderKind, name: &[u8]) -> Option<Value> {
    headers::header(ev, kind, name)
}

#[cfg(test)]
mod tests {
    /// Every variable of the full profile has a reference text in
    /// `crate::docs`, and the docs name no variable that does not exist.
    #[test]
    fn every_variable_has_a_reference_text() {
        use crate::docs::Kind;
        let ctx = crate::Context::for_profile(crate::eval::Profile::UPSTREAM_4_96_FULL);
        let mut want: Vec<&str> = super::names(&ctx).collect();
        want.sort_unstable();
        want.dedup();
        let mut have: Vec<&str> = crate::docs::all()
            .iter()
            .filter(|d| d.kind == Kind::Variable)
            .map(|d| d.name)
            .collect();
        have.sort_unstable();
        assert_eq!(have, want);
    }

    /// `$authN` as Exim 4.96 reads the number (`-be` outputs; `$auth1` set
    /// here so that the aliases show).
    #[test]
    fn auth_variables_take_the_number_as_exim_does() {
        let ctx = || {
            let mut ctx = crate::eval::Context::new();
            ctx.set_var("auth1", "first");
            ctx
        };
        let bad = crate::testutil::mismatches_in(
            ctx,
            &[
                ("$auth1", Ok("first")),
                ("$auth01", Ok("first")),
                ("$auth4294967297", Ok("first")),
                ("[$auth4]", Ok("[]")),
                ("$auth5", Err("unknown variable name \"auth5\"")),
                ("$auth0", Err("unknown variable name \"auth0\"")),
                (
                    "$auth2147483648",
                    Err("unknown variable name \"auth2147483648\""),
                ),
            ],
        );
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
