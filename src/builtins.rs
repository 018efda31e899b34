//! Assembles the builtin tables into a [`Registry`] for each compatibility
//! profile: the only place that knows both the engine and the builtins.
//!
//! ```
//! use exim_expand::parser::Grammar;
//! let reg = exim_expand::builtins::debian_4_96();
//! assert!(reg.item(b"sg").is_some());
//! assert!(reg.operator(b"substr_1_2").is_some());
//! ```

use crate::conditions::auth::Unavailable;
use crate::eval::{Context, Profile, Registry, RegistryParts, Variables};
use crate::{conditions, items, lookups, operators, vars};
use std::sync::{Arc, LazyLock};

fn exim_4_96_parts(
    name: &'static str,
    lookups: Vec<(&'static str, Arc<dyn crate::eval::Lookup>)>,
) -> RegistryParts {
    RegistryParts {
        name,
        items: items::ITEMS.to_vec(),
        underscore_ops: operators::UNDERSCORE_OPS.to_vec(),
        main_ops: operators::MAIN_OPS.to_vec(),
        conditions: conditions::CONDITIONS.to_vec(),
        vars: Variables {
            lookup: vars::lookup,
            header: vars::header,
            unknown_hint: vars::acl_hint,
            is_certificate: vars::is_certificate,
        },
        number: conditions::number,
        lookups,
        lookup_spec: lookups::find_type,
    }
}

static DEBIAN_4_96: LazyLock<Arc<Registry>> = LazyLock::new(|| {
    Arc::new(Registry::new(exim_4_96_parts(
        "debian-4.96",
        lookups::exim_4_96(),
    )))
});

static EXIM_4_96_FULL: LazyLock<Arc<Registry>> = LazyLock::new(|| {
    Arc::new(Registry::new(exim_4_96_parts(
        "exim-4.96-full",
        lookups::exim_4_96_full(),
    )))
});

/// The builtins of Debian's `exim4-daemon-heavy` 4.96 (the default).
pub fn debian_4_96() -> Arc<Registry> {
    DEBIAN_4_96.clone()
}

/// Exim 4.96 with every optional feature.  The items, operators and
/// conditions are 4.96's; the optional variables follow the profile's
/// [`crate::eval::Features`].
pub fn exim_4_96_full() -> Arc<Registry> {
    EXIM_4_96_FULL.clone()
}

/// The registry of a named profile.
pub fn registry_for(profile: &Profile) -> Arc<Registry> {
    if profile.name == Profile::UPSTREAM_4_96_FULL.name {
        exim_4_96_full()
    } else {
        debian_4_96()
    }
}

impl Default for Context {
    fn default() -> Context {
        Context::new()
    }
}

impl Context {
    /// A context with the default profile (Debian's 4.96), its builtins,
    /// no configuration, the system clock and the refusing policy.
    pub fn new() -> Context {
        Context::for_profile(Profile::DEBIAN_4_96)
    }

    /// A context for `profile` with its builtins.
    pub fn for_profile(profile: Profile) -> Context {
        let registry = registry_for(&profile);
        Context::with_builtins(
            profile,
            registry,
            Arc::new(Unavailable),
            Arc::new(crate::dns::SystemResolver),
            Arc::new(crate::crypto::RustCrypto),
        )
    }

    /// Switches to another profile and its builtins.
    pub fn set_profile(&mut self, profile: Profile) {
        self.registry = registry_for(&profile);
        self.profile = profile;
    }
}

/// Parses `source` with the default profile's builtins: parse once,
/// evaluate many times.  Syntax errors are recorded in the tree (see
/// [`crate::Template::first_error`]).
pub fn parse(source: &[u8]) -> crate::Template {
    crate::Template::parse(source, &DEBIAN_4_96)
}
