//! Variables of Exim features that Debian's 4.96 build does not compile in
//! (EXPERIMENTAL_ARC, SUPPORT_DMARC, EXPERIMENTAL_BRIGHTMAIL,
//! EXPERIMENTAL_DCC), and documented names that later versions renamed.
//! They exist only when the context's profile enables the feature, so the
//! default Debian profile still answers `unknown variable name` as its
//! oracle does.
//!
//! Names, types and defaults follow Exim 4.96's `expand.c` variable table
//! and `globals.c` (`arc_oldest_pass = 0`, `bmi_deliver = 1`); the legacy
//! names follow the documentation they came from (cited per entry).

use super::VarDef;
use super::VarKind::{Computed, Default, Str};
use crate::eval::{Evaluator, Value};

pub use crate::eval::Features;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feature {
    Arc,
    Dmarc,
    Brightmail,
    Dcc,
    LegacyNames,
    SrsAlt,
    Utf8Downconvert,
}

impl Feature {
    fn enabled(self, f: &Features) -> bool {
        match self {
            Feature::Arc => f.arc,
            Feature::Dmarc => f.dmarc,
            Feature::Brightmail => f.brightmail,
            Feature::Dcc => f.dcc,
            Feature::LegacyNames => f.legacy_names,
            Feature::SrsAlt => f.srs_alt,
            Feature::Utf8Downconvert => f.utf8_downconvert,
        }
    }
}

/// A renamed variable reads its new name's value.
macro_rules! alias {
    ($f:ident, $new:literal, $default:literal) => {
        fn $f(ev: &Evaluator) -> Value {
            ev.ctx
                .vars
                .get($new)
                .cloned()
                .unwrap_or_else(|| Value::new(&$default[..]))
        }
    };
}

alias!(proxy_host_address, "proxy_external_address", b"");
alias!(proxy_host_port, "proxy_external_port", b"0");
alias!(proxy_target_address, "proxy_local_address", b"");
alias!(proxy_target_port, "proxy_local_port", b"0");

const fn v(feature: Feature, name: &'static str, kind: super::VarKind) -> (Feature, VarDef) {
    (feature, VarDef { name, kind })
}

/// Sorted by name.
pub static FEATURE_VARS: &[(Feature, VarDef)] = &[
    v(Feature::Arc, "arc_domains", Str),
    v(Feature::Arc, "arc_oldest_pass", Default("0")),
    v(Feature::Arc, "arc_state", Str),
    v(Feature::Arc, "arc_state_reason", Str),
    v(Feature::Brightmail, "bmi_alt_location", Str),
    v(Feature::Brightmail, "bmi_base64_tracker_verdict", Str),
    v(Feature::Brightmail, "bmi_base64_verdict", Str),
    v(Feature::Brightmail, "bmi_deliver", Default("1")),
    v(Feature::Dcc, "dcc_header", Str),
    v(Feature::Dcc, "dcc_result", Str),
    v(Feature::LegacyNames, "dmarc_ar_header", Str),
    v(Feature::Dmarc, "dmarc_domain_policy", Str),
    v(Feature::Dmarc, "dmarc_status", Str),
    v(Feature::Dmarc, "dmarc_status_text", Str),
    v(Feature::Dmarc, "dmarc_used_domain", Str),
    v(
        Feature::LegacyNames,
        "proxy_host_address",
        Computed(proxy_host_address),
    ),
    v(
        Feature::LegacyNames,
        "proxy_host_port",
        Computed(proxy_host_port),
    ),
    v(
        Feature::LegacyNames,
        "proxy_target_address",
        Computed(proxy_target_address),
    ),
    v(
        Feature::LegacyNames,
        "proxy_target_port",
        Computed(proxy_target_port),
    ),
    v(Feature::SrsAlt, "srs_db_address", Str),
    v(Feature::SrsAlt, "srs_db_key", Str),
    v(Feature::SrsAlt, "srs_orig_recipient", Str),
    v(Feature::SrsAlt, "srs_orig_sender", Str),
    v(Feature::SrsAlt, "srs_status", Str),
    v(Feature::Utf8Downconvert, "utf8_downconvert", Default("-1")),
];

/// A variable of an optional feature, if the features enable it.
/// The names of the variables these features add.
#[cfg_attr(not(feature = "cli"), allow(dead_code))]
pub fn names(features: &Features) -> impl Iterator<Item = &'static str> + '_ {
    FEATURE_VARS
        .iter()
        .filter(|(f, _)| f.enabled(features))
        .map(|(_, d)| d.name)
}

pub fn find(name: &str, features: &Features) -> Option<&'static VarDef> {
    static INDEX: std::sync::LazyLock<crate::eval::NameIndex> = std::sync::LazyLock::new(|| {
        crate::eval::NameIndex::new(FEATURE_VARS.iter().map(|(_, d)| d.name))
    });
    let i = INDEX.get(name.as_bytes())?;
    let (feature, def) = &FEATURE_VARS[i];
    feature.enabled(features).then_some(def)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Context, Profile};

    fn full() -> Context {
        let mut ctx = Context::new();
        ctx.set_profile(Profile::UPSTREAM_4_96_FULL);
        ctx
    }

    fn expand(ctx: &mut Context, s: &str) -> Result<String, String> {
        crate::expand(s.as_bytes(), ctx)
            .map(|v| v.to_string_lossy())
            .map_err(|e| e.message_str())
    }

    #[test]
    fn sorted() {
        assert!(FEATURE_VARS.windows(2).all(|w| w[0].1.name < w[1].1.name));
    }

    #[test]
    fn debian_profile_does_not_know_them() {
        // Debian's 4.96 (the oracle) has no ARC, DMARC, Brightmail or DCC.
        let mut ctx = Context::new();
        assert_eq!(
            expand(&mut ctx, "$dmarc_status"),
            Err("unknown variable name \"dmarc_status\"".into())
        );
        assert_eq!(
            expand(&mut ctx, "$arc_state"),
            Err("unknown variable name \"arc_state\"".into())
        );
        assert_eq!(
            expand(&mut ctx, "$bmi_deliver"),
            Err("unknown variable name \"bmi_deliver\"".into())
        );
    }

    #[test]
    fn defaults_in_the_full_profile() {
        // globals.c of 4.96: arc_oldest_pass = 0, bmi_deliver = 1, strings NULL.
        let mut ctx = full();
        assert_eq!(
            expand(
                &mut ctx,
                "[$arc_state][$arc_oldest_pass][$dmarc_status][$bmi_deliver][$dcc_result]"
            ),
            Ok("[][0][][1][]".into())
        );
    }

    #[test]
    fn srs_alt_and_downconvert_variables() {
        let mut ctx = full();
        assert_eq!(
            expand(
                &mut ctx,
                "[$srs_status][$srs_orig_sender][$utf8_downconvert]"
            ),
            Ok("[][][-1]".into())
        );
        ctx.set_var("srs_status", "forwarded");
        ctx.set_var("utf8_downconvert", "1");
        assert_eq!(
            expand(&mut ctx, "$srs_status $utf8_downconvert"),
            Ok("forwarded 1".into())
        );
        // Debian's 4.96 has neither (the oracle: unknown variable name).
        let mut deb = Context::new();
        assert!(expand(&mut deb, "$srs_status").is_err());
        assert!(expand(&mut deb, "$utf8_downconvert").is_err());
    }

    #[test]
    fn documented_proxy_example() {
        // spec (4.86): "If $proxy_session is set but $proxy_host_address is
        // empty the connection was using the LOCAL command"; the same text
        // with $proxy_external_address in 4.87 and later.
        let cond =
            "${if and{ {bool{$proxy_session}} {eq{$proxy_host_address}{}} } {local}{proxied}}";
        let mut ctx = full();
        ctx.set_var("proxy_session", "yes");
        assert_eq!(expand(&mut ctx, cond), Ok("local".into()));
        ctx.set_var("proxy_external_address", "192.0.2.7");
        assert_eq!(expand(&mut ctx, cond), Ok("proxied".into()));
        assert_eq!(
            expand(&mut ctx, "$proxy_host_address/$proxy_host_port"),
            Ok("192.0.2.7/0".into())
        );
        assert_eq!(
            expand(
                &mut ctx,
                "${if and{ {bool{$proxy_session}} {eq{$proxy_external_address}{}} } {local}{proxied}}"
            ),
            Ok("proxied".into())
        );
    }

    #[test]
    fn documented_arc_example() {
        // spec 4.96, "ARC": the authserv-id of the oldest passing ARC set,
        // from the ARC-Authentication-Results headers; here given as a list
        // of the instances' values, as $lh_ would give it.
        let mut ctx = full();
        ctx.set_var("arc_oldest_pass", "2");
        ctx.set_var("aar", "i=1; a.example; arc=none : i=2; b.example; arc=pass");
        let doc = "${reduce {$aar} {} {${if = {$arc_oldest_pass} {${extract {i}{${extract {1}{;}{$item}}}}} {$item} {$value}}} }";
        assert_eq!(expand(&mut ctx, doc), Ok("i=2; b.example; arc=pass".into()));
    }
}
