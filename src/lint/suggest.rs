//! "Did you mean": the known name nearest a misspelt one, for the
//! findings that name an unknown variable, operator or option (and W011's
//! undefined macros).  Exim's own message is kept as it is; the
//! suggestion follows it.

use super::{Finding, codes};
use crate::eval::Context;

/// The candidate nearest `word`: at most one edit for a name of up to
/// four bytes, two for a longer one; the first of equals.
pub fn nearest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let most = if word.len() <= 4 { 1 } else { 2 };
    candidates
        .into_iter()
        .filter(|c| *c != word)
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(n, _)| *n <= most)
        .min_by_key(|(n, _)| *n)
        .map(|(_, c)| c)
}

/// The first `"quoted"` name of a message: the one Exim's messages for
/// unknown names put in quotes.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(&message[start..start + len])
}

/// Adds " (did you mean NAME?)" to each finding of an unknown variable,
/// operator, main option or driver option that has a near known name.
pub fn add_suggestions(found: &mut [Finding], ctx: &Context) {
    use crate::docs::Kind;
    for f in found.iter_mut() {
        let message = f.error.message_str();
        let Some(name) = quoted_name(&message) else {
            continue;
        };
        let suggestion = if f.rule == &codes::UNKNOWN_VARIABLE {
            nearest(name, crate::vars::names(ctx))
        } else if f.rule == &codes::UNKNOWN_OPERATOR {
            nearest(name, ctx.registry.operators().map(|o| o.sig.name))
        } else if f.rule == &codes::UNKNOWN_MAIN_OPTION {
            nearest(
                name,
                crate::config::option_table::MAIN_OPTIONS
                    .iter()
                    .map(|(n, _)| *n),
            )
        } else if f.rule == &codes::UNKNOWN_DRIVER_OPTION {
            let kind = ["router", "transport", "authenticator"]
                .iter()
                .find(|k| f.place.starts_with(*k))
                .and_then(|k| Kind::of_section(&format!("{k}s")));
            kind.and_then(|k| {
                nearest(
                    name,
                    crate::docs::all()
                        .iter()
                        .filter(|d| d.kind == k)
                        .map(|d| d.name),
                )
            })
        } else {
            None
        };
        if let Some(s) = suggestion {
            let more = format!(" (did you mean {s}?)");
            f.error.message.extend_from_slice(more.as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_known_name() {
        let names = [
            "sender_address",
            "sender_host_address",
            "domain",
            "lc",
            "uc",
        ];
        assert_eq!(nearest("sender_adress", names), Some("sender_address"));
        assert_eq!(nearest("domian", names), Some("domain"));
        assert_eq!(nearest("lcase", names), None, "three edits");
        assert_eq!(
            nearest("xc", ["lc", "uc"]),
            Some("lc"),
            "the first of equals"
        );
        assert_eq!(nearest("abcd", ["wxyz"]), None);
        assert_eq!(
            quoted_name("unknown variable name \"sender_adress\""),
            Some("sender_adress")
        );
        assert_eq!(quoted_name("no quotes"), None);
    }
}
