//! exim-expand: Exim's string-expansion language as a library.
//!
//! ```
//! use exim_expand::{expand, Context};
//! let mut ctx = Context::new();
//! let v = expand(b"${if eq{a}{a}{yes}{no}}", &mut ctx).unwrap();
//! assert_eq!(v.bytes, b"yes");
//! ```

#![warn(missing_docs)]

// The language's builtins, reached through the registry (see `builtins`).
mod acl;
mod address;
mod conditions;
mod items;
mod lookups;
mod operators;
mod vars;
// Engines shared by the builtins.
mod base64;
mod cnum;
mod crypto;
mod ip;
mod lists;
mod numeric;
mod regex;
mod sys;
#[cfg(test)]
mod testutil;

pub mod auth;
pub mod builtins;
pub mod check;
#[cfg(feature = "cli")]
#[doc(hidden)]
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod dns;
pub mod docs;
pub mod engine;
pub mod eval;
pub mod lint;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod message;
pub mod parser;
pub mod smtp;

/// The README's examples are doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub use builtins::parse;
pub use engine::{Engine, EngineBuilder, Session};
pub use eval::{Capability, Template};
pub use eval::{Clock, Context, ErrorKind, Evaluator, ExpandError, Value, expand};
pub use lookups::MockLookup;
/// The `ldap`, `ldapdn` and `ldapm` lookups, for registering them with
/// other timeouts.
#[cfg(feature = "ldap")]
pub use lookups::ldap::LdapLookup;
/// The `redis` lookup, for registering one with other timeouts.
#[cfg(feature = "redis")]
pub use lookups::redis::RedisLookup;
