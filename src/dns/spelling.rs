//! How nsd spells the names of an answer: it keeps names in lower case,
//! but compresses the names that end in (part of) the question to the
//! question, so that part comes out as the client spelled it
//! (`WWW.Example.test` asked, `mx.Example.test` in the answer).

use super::name::Name;
use crate::eval::RData;

/// `name` as nsd writes it in the answer to `question`.
pub(crate) fn render(name: &Name, question: &Name) -> Vec<u8> {
    let key = name.key();
    let qkey = question.key();
    let common = key
        .iter()
        .rev()
        .zip(qkey.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let lower = key.len() - common;
    let labels = key[..lower]
        .iter()
        .cloned()
        .chain(question.labels()[qkey.len() - common..].iter().cloned())
        .collect();
    Name::from_labels(labels).map_or_else(|_| name.to_presentation(), |n| n.to_presentation())
}

/// `data` with its names spelled as [`render`] spells them.
pub(crate) fn render_data(data: &RData, question: &Name) -> RData {
    let fix = |n: &Vec<u8>| match Name::parse_query(n) {
        Ok(name) => render(&name, question),
        Err(_) => n.clone(),
    };
    match data {
        RData::Cname(n) => RData::Cname(fix(n)),
        RData::Ns(n) => RData::Ns(fix(n)),
        RData::Ptr(n) => RData::Ptr(fix(n)),
        RData::Mx {
            preference,
            exchange,
        } => RData::Mx {
            preference: *preference,
            exchange: fix(exchange),
        },
        RData::Soa {
            mname,
            rname,
            serial,
            refresh,
            retry,
            expire,
            minimum,
        } => RData::Soa {
            mname: fix(mname),
            rname: fix(rname),
            serial: *serial,
            refresh: *refresh,
            retry: *retry,
            expire: *expire,
            minimum: *minimum,
        },
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => RData::Srv {
            priority: *priority,
            weight: *weight,
            port: *port,
            target: fix(target),
        },
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Name {
        Name::parse_query(s.as_bytes()).unwrap()
    }

    #[test]
    fn lower_case_but_the_question() {
        let q = n("other.test");
        assert_eq!(
            render(&n("MixedCase.Example.test"), &q),
            b"mixedcase.example.test"
        );
        let q = n("WWW.EXAMPLE.test");
        assert_eq!(render(&n("mx.example.test"), &q), b"mx.EXAMPLE.test");
        assert_eq!(render(&n("www.Example.test"), &q), b"WWW.EXAMPLE.test");
        assert_eq!(render(&n("MX.other.TEST"), &q), b"mx.other.test");
        assert_eq!(render(&Name::root(), &q), b".");
    }
}
