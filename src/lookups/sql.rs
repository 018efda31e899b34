//! What the server lookups (`pgsql`, `mysql`, `redis`) share: Exim's
//! `lf_sqlperform` (which servers to try, in which order) and `lf_quote`
//! (the `name=value` pairs of multi-column rows).
//!
//! Server choice (`lf_sqlperform.c`, spec "Specifying the server in the
//! query"):
//! * a query starting `servers` must go on `= LIST ;`; the list (colon
//!   separated) names the servers and the text after the `;` is the query;
//! * otherwise a `servers=` option after the type (`pgsql,servers=a:b`)
//!   gives the list, and without it the main option (`pgsql_servers`);
//! * an item without a `/` is the name of a server of the main option (the
//!   entry that starts `NAME/`);
//! * servers are tried in order while they DEFER, unless the DEFER says to
//!   stop (bad server data); the last DEFER's message is the lookup's.

use crate::lists::ListIter;

/// What one server gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// `cache: false`: the query changed data (or gave nil): the result is
    /// not cached and the cache is emptied.
    Found {
        data: Vec<u8>,
        cache: bool,
    },
    NotFound,
    /// `stop`: do not try the next server.
    Defer {
        message: String,
        stop: bool,
    },
}

pub(crate) fn defer(message: String, stop: bool) -> Outcome {
    Outcome::Defer { message, stop }
}

/// The names Exim uses in its messages for one lookup type.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Names {
    /// `PostgreSQL`, `MySQL`, `Redis`.
    pub kind: &'static str,
    /// `pgsql_servers`.
    pub option: &'static str,
}

/// The `find` of the server lookup types (`pgsql`, `mysql`, `redis`): a query of only
/// white space is "not found" without a server, as in Exim; otherwise
/// [`perform`] with the type's main option, and a query that changed data
/// empties the cache of the type.
pub(crate) fn find(
    ev: &mut crate::eval::Evaluator,
    names: Names,
    q: &crate::eval::LookupQuery,
    mut search: impl FnMut(&[u8], &str) -> Outcome,
) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
    let query = crate::eval::c_str(q.key);
    if query.iter().all(|&c| crate::sys::is_space(c)) {
        return Ok(None);
    }
    let option = ev.ctx.option(names.option).map(str::to_string);
    let mut no_cache = false;
    let found = perform(names, option.as_deref(), query, q, |query, server| {
        let outcome = search(query, server);
        no_cache |= matches!(outcome, Outcome::Found { cache: false, .. });
        outcome
    })
    .map_err(crate::eval::LookupFailure::Defer)?;
    if no_cache {
        ev.ctx.lookup_cache.forget_database();
    }
    Ok(found)
}

/// Exim's `lf_sqlperform`: choose the servers and try them in order.
/// `option` is the main option's value, `query` the query (`q`'s key,
/// cut at a NUL); `q` gives the options and the query's taint.  `Ok(None)`
/// is "not found"; `Err` a DEFER with its message.  A server written out
/// in a tainted query's `servers=...;` prefix is refused.
pub(crate) fn perform(
    names: Names,
    option: Option<&str>,
    query: &[u8],
    q: &crate::eval::LookupQuery,
    mut search: impl FnMut(&[u8], &str) -> Outcome,
) -> Result<Option<Vec<u8>>, String> {
    let kind = names.kind;
    let opts = q.opts;
    let from_query = query.starts_with(b"servers");
    let (servers, command) = match query.strip_prefix(b"servers") {
        Some(rest) => {
            let rest = crate::sys::trim_start(rest);
            let Some(rest) = rest.strip_prefix(b"=") else {
                return Err(format!("missing = after \"servers\" in {kind} lookup"));
            };
            let rest = crate::sys::trim_start(rest);
            let Some(semi) = rest.iter().position(|&c| c == b';') else {
                return Err(format!("missing ; after \"servers=\" in {kind} lookup"));
            };
            if semi == 0 {
                return Err(format!(
                    "\"servers=\" defines no servers in \"{}\"",
                    String::from_utf8_lossy(query)
                ));
            }
            (rest[..semi].to_vec(), &rest[semi + 1..])
        }
        None => match servers_option(opts).or(option.map(|o| o.as_bytes().to_vec())) {
            Some(list) => (list, query),
            None => {
                return Err(format!(
                    "no {kind} servers defined ({} option)",
                    names.option
                ));
            }
        },
    };
    let mut message = String::new();
    for item in ListIter::new(&servers) {
        let written = String::from_utf8_lossy(&item).into_owned();
        let server = full_server(names, &written, option)?;
        if from_query && q.tainted && written.contains('/') {
            return Err(format!("{kind} server \"{server}\" is tainted"));
        }
        match search(command, &server) {
            Outcome::Found { data, .. } => return Ok(Some(data)),
            Outcome::NotFound => return Ok(None),
            Outcome::Defer { message: m, stop } => {
                if stop {
                    return Err(m);
                }
                message = m;
            }
        }
    }
    Err(message)
}

/// The list of a `servers=` option after the type (`pgsql,servers=...`).
fn servers_option(opts: Option<&str>) -> Option<Vec<u8>> {
    ListIter::with_sep(opts?.as_bytes(), b',')
        .find_map(|e| e.strip_prefix(b"servers=").map(<[u8]>::to_vec))
}

/// A server item as given, or, when it has no `/`, the main option's entry
/// it names (`NAME/...`).
fn full_server(names: Names, item: &str, option: Option<&str>) -> Result<String, String> {
    if item.contains('/') {
        return Ok(item.to_string());
    }
    for entry in ListIter::new(option.unwrap_or_default().as_bytes()) {
        let entry = String::from_utf8_lossy(&entry).into_owned();
        if entry.strip_prefix(item).is_some_and(|r| r.starts_with('/')) {
            return Ok(entry);
        }
    }
    Err(format!(
        "{} server \"{item}\" not found in {}",
        names.kind, names.option
    ))
}

/// Exim's `lf_quote`: `name=value ` for one column of a multi-column row;
/// the value in double quotes (with `"` and `\` escaped) when it is empty
/// or NULL, starts with `"`, or has white space before any NUL.
pub(crate) fn lf_quote(out: &mut Vec<u8>, name: &[u8], value: Option<&[u8]>) {
    let value = value.unwrap_or_default();
    out.extend_from_slice(crate::eval::c_str(name));
    out.push(b'=');
    let visible = crate::eval::c_str(value);
    let quote = visible.is_empty()
        || visible.first() == Some(&b'"')
        || visible.iter().any(|c| b" \t\n\r".contains(c));
    if quote {
        out.push(b'"');
        for &c in value {
            if c == b'"' || c == b'\\' {
                out.push(b'\\');
            }
            out.push(c);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(value);
    }
    out.push(b' ');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lf_quote_quotes_as_exim_does() {
        let cases: &[(Option<&[u8]>, &str)] = &[
            (Some(b"abc"), "n=abc "),
            (Some(b""), "n=\"\" "),
            (None, "n=\"\" "),
            (Some(b"a b"), "n=\"a b\" "),
            (Some(b"a\"b"), "n=a\"b "),
            (Some(b"\"ab"), "n=\"\\\"ab\" "),
            (Some(b"a\\b c"), "n=\"a\\\\b c\" "),
            (Some(b"a\\b"), "n=a\\b "),
        ];
        for (v, want) in cases {
            let mut out = Vec::new();
            lf_quote(&mut out, b"n", *v);
            assert_eq!(String::from_utf8_lossy(&out), *want);
        }
    }

    #[test]
    fn atoi_is_c_atoi() {
        assert_eq!(crate::cnum::atoi(b"5432"), 5432);
        assert_eq!(crate::cnum::atoi(b"12x"), 12);
        assert_eq!(crate::cnum::atoi(b"x"), 0);
        assert_eq!(crate::cnum::atoi(b" -3"), -3);
    }
}
