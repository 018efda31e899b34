//! The plain string lists of the ACL conditions `authenticated` and
//! `encrypted` (Exim's MCL_STRING: no named lists); `Err(())` means the
//! list holds an item this implementation cannot test.  Host, address and
//! domain lists go through the match-list engine
//! (`conditions::matchlist::acl_check`).
//!
//! As in Exim, the first item that matches decides (a `!` item makes it a
//! non-match); at the end of the list the subject is a match only when the
//! last item was negated.

use crate::lists::ListIter;

type Match = Result<bool, ()>;

fn walk(list: &[u8], mut item_matches: impl FnMut(&[u8]) -> Match) -> Match {
    let mut last_negated = false;
    for item in ListIter::new(list) {
        let (negated, pat) = match item.strip_prefix(b"!") {
            Some(rest) => {
                let n = rest
                    .iter()
                    .position(|&c| !crate::lists::is_space(c))
                    .unwrap_or(rest.len());
                (true, &rest[n..])
            }
            None => (false, &item[..]),
        };
        last_negated = negated;
        if pat.starts_with(b"+") || pat.contains(&b';') {
            return Err(());
        }
        if item_matches(pat)? {
            return Ok(!negated);
        }
    }
    Ok(last_negated)
}

fn regex_match(pattern: &[u8], subject: &[u8]) -> Match {
    let mut p = b"(?i)".to_vec();
    p.extend_from_slice(pattern);
    let re = crate::regex::compile(&p).map_err(|_| ())?;
    re.is_match(subject).map_err(|_| ())
}

fn ends_with_caseless(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && s[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// A plain string list, caseless (`authenticated`, `encrypted`).
pub fn match_string_list(subject: &[u8], list: &[u8]) -> Match {
    walk(list, |pat| {
        if pat.first() == Some(&b'^') {
            return regex_match(pat, subject);
        }
        if let Some(suffix) = pat.strip_prefix(b"*") {
            return Ok(ends_with_caseless(subject, suffix));
        }
        Ok(pat.eq_ignore_ascii_case(subject))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::config::ListKind;

    /// Results of the real Exim 4.96 (`accept hosts = ...` etc. in an ACL
    /// run by `${acl}` in `-be`), through the shared match-list engine.
    #[test]
    fn oracle_lists() {
        let mut ctx = crate::eval::Context::new();
        let mut ev = crate::eval::Evaluator::new(&mut ctx);
        let mut check = |kind, subject: &[u8], list: &[u8]| {
            crate::conditions::matchlist::acl_check(&mut ev, kind, subject, list)
        };
        assert_eq!(check(ListKind::Host, b"", b":"), Ok(true));
        assert_eq!(check(ListKind::Host, b"", b"*"), Ok(true));
        assert_eq!(check(ListKind::Host, b"", b"1.2.3.0/24"), Ok(false));
        assert_eq!(check(ListKind::Host, b"", b"!1.2.3.4"), Ok(true));
        assert_eq!(check(ListKind::Host, b"1.2.3.4", b":"), Ok(false));
        assert_eq!(check(ListKind::Host, b"1.2.3.4", b"*"), Ok(true));
        assert_eq!(check(ListKind::Host, b"1.2.3.4", b"1.2.3.0/24"), Ok(true));
        assert_eq!(check(ListKind::Host, b"1.2.3.4", b"!1.2.3.4"), Ok(false));
        let root = &b"root@myhost.test.ex"[..];
        assert_eq!(check(ListKind::Address, root, b":"), Ok(false));
        assert_eq!(check(ListKind::Address, root, root), Ok(true));
        assert_eq!(
            check(ListKind::Domain, b"myhost.test.ex", b"myhost.test.ex"),
            Ok(true)
        );
        // authenticated = ... with -oMaa abc (checked with Exim 4.96).
        assert_eq!(match_string_list(b"abc", b"^a : x"), Ok(true));
        assert_eq!(match_string_list(b"abc", b"!*bc : *"), Ok(false));
    }
}
