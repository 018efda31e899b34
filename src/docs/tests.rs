//! The tables cover every builtin of the full profile, name nothing that
//! does not exist, and keep to their format.  (The variables are checked
//! beside their table, in `crate::vars`: the docs do not reach into the
//! builtins.)

use super::*;
use crate::eval::{Context, Profile};

fn names_of(kind: Kind) -> Vec<&'static str> {
    all()
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.name)
        .collect()
}

#[test]
fn every_builtin_has_a_text_and_every_text_a_builtin() {
    let ctx = Context::for_profile(Profile::UPSTREAM_4_96_FULL);
    let reg = &ctx.registry;
    let own = |v: Vec<&str>| -> Vec<String> {
        let mut v: Vec<String> = v.into_iter().map(String::from).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let cases = [
        (
            Kind::Item,
            own(reg.items().iter().map(|d| d.sig.name).collect()),
        ),
        (
            Kind::Operator,
            own(reg.operators().map(|d| d.sig.name).collect()),
        ),
        (
            Kind::Condition,
            own(reg.conditions().iter().map(|d| d.sig.name).collect()),
        ),
        (Kind::Lookup, own(reg.lookup_names().collect())),
        (
            Kind::MainOption,
            own(crate::config::option_table::MAIN_OPTIONS
                .iter()
                .map(|(n, _)| *n)
                .collect()),
        ),
    ];
    for (kind, want) in cases {
        let have = own(names_of(kind));
        assert_eq!(have, want, "{kind:?}: the table and the registry differ");
    }
}

#[test]
fn every_driver_option_has_a_text() {
    let want = crate::config::drivers::option_names();
    let mut have: Vec<(&str, String, String)> = all()
        .iter()
        .filter_map(|d| {
            let kind = match d.kind {
                Kind::RouterOption => "router",
                Kind::TransportOption => "transport",
                Kind::AuthenticatorOption => "authenticator",
                _ => return None,
            };
            Some((kind, d.driver?.to_string(), d.name.to_string()))
        })
        .collect();
    have.sort();
    assert_eq!(have, want);
    let smtp = driver_option(Kind::TransportOption, Some("smtp"), "hosts").unwrap();
    assert_eq!(smtp.driver, Some("smtp"));
    let generic = driver_option(Kind::RouterOption, Some("accept"), "domains").unwrap();
    assert_eq!(generic.driver, Some("generic"));
    assert!(
        generic
            .markdown()
            .contains("generic router option `domains`")
    );
    assert!(driver_option(Kind::RouterOption, Some("accept"), "nosuch").is_none());
}

#[test]
fn every_acl_verb_condition_and_modifier_has_a_text() {
    use crate::config::acl::{ACL_CONDITIONS, AclVerb};
    let mut want: Vec<(Kind, &str)> = AclVerb::ALL
        .iter()
        .map(|v| (Kind::AclVerb, v.as_str()))
        .collect();
    for &(name, modifier) in ACL_CONDITIONS {
        want.push((
            if modifier {
                Kind::AclModifier
            } else {
                Kind::AclCondition
            },
            name,
        ));
    }
    // The full profile's own (see config::ReadOptions::for_profile).
    want.push((Kind::AclCondition, "dmarc_status"));
    want.sort_by_key(|(k, n)| (k.as_str(), *n));
    let mut have: Vec<(Kind, &str)> = all()
        .iter()
        .filter(|d| {
            matches!(
                d.kind,
                Kind::AclVerb | Kind::AclCondition | Kind::AclModifier
            )
        })
        .map(|d| (d.kind, d.name))
        .collect();
    have.sort_by_key(|(k, n)| (k.as_str(), *n));
    assert_eq!(have, want);
}

#[test]
fn texts_keep_to_the_format() {
    for d in all() {
        let v = d
            .since
            .strip_prefix("4.")
            .unwrap_or_else(|| panic!("{}: since {}", d.name, d.since));
        assert!(
            v.parse::<u32>().is_ok_and(|n| n <= 96),
            "{}: since {}",
            d.name,
            d.since
        );
        assert!(
            !d.text.is_empty() && d.text.len() <= 200,
            "{}: {} bytes of text",
            d.name,
            d.text.len()
        );
        assert!(!d.synopsis.is_empty(), "{}", d.name);
    }
    // Each line of each table was read (a bad line would be dropped).
    let lines = |t: &str| {
        t.lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .count()
    };
    assert_eq!(
        all().len(),
        lines(BUILTINS)
            + lines(VARIABLES)
            + lines(MAIN_OPTIONS)
            + lines(DRIVER_OPTIONS)
            + lines(ACL)
    );
}

#[test]
fn families_and_lookups_by_name() {
    assert!(variable("acl_c_total").unwrap().text.contains("connection"));
    assert!(variable("acl_m0").unwrap().text.contains("message"));
    assert!(variable("auth2").is_some());
    assert!(variable("authx").is_none() && variable("acl_c").is_none());
    let kinds: Vec<Kind> = find_any("acl").map(|d| d.kind).collect();
    assert!(kinds.contains(&Kind::Condition), "{kinds:?}");
    let names =
        |n: &str| -> Vec<(Kind, &str)> { describe(n).iter().map(|d| (d.kind, d.name)).collect() };
    assert_eq!(names("$acl_m0"), [(Kind::Variable, "acl_m*")]);
    assert_eq!(names("tls_in_sni"), [(Kind::Variable, "tls_in_sni")]);
    assert_eq!(
        names("acl"),
        [
            (Kind::Item, "acl"),
            (Kind::Condition, "acl"),
            (Kind::AclCondition, "acl")
        ]
    );
    assert!(names("nosuch").is_empty());
    let d = find(Kind::MainOption, "qualify_domain").unwrap();
    assert!(d.default.is_some() && d.markdown().contains("main option `qualify_domain`"));
}
