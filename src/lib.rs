//! exim-expand: Exim's string-expansion language as a library.
//!
//! ```
//! use exim_expand::{expand, Context};
//! let mut ctx = Context::new();
//! let v = expand(b"${if eq{a}{a}{yes}{no}}", &mut ctx).unwrap();
//! assert_eq!(v.bytes, b"yes");
//! ```

pub mod acl;
pub mod address;
pub mod auth;
pub mod builtins;
pub mod check;
#[cfg(feature = "cli")]
pub mod cli;
pub mod conditions;
pub mod config;
pub mod diagnostic;
pub mod dns;
pub mod engine;
pub mod eval;
pub mod items;
pub mod lint;
pub mod lists;
pub mod lookups;
pub mod message;
pub mod numeric;
pub mod operators;
pub mod parser;
pub mod regex;
pub mod sys;
#[cfg(test)]
pub(crate) mod testutil;
pub mod vars;

pub use builtins::parse;
pub use engine::{Engine, EngineBuilder, Session};
pub use eval::{Capability, Template};
pub use eval::{Clock, Context, ErrorKind, Evaluator, ExpandError, Value, expand};
