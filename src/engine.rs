//! The embedding API: an [`Engine`] built once (profile, configuration,
//! providers, policy, limits), templates compiled once and evaluated many
//! times, and [`Session`]s holding what one connection or one `-be` run
//! changes.
//!
//! ```
//! use exim_expand::{Capability, Engine};
//! let engine = Engine::builder()
//!     .option("primary_hostname", "mx.example.com")
//!     .allow(Capability::Env)
//!     .fixed_time(1_705_320_000)
//!     .build()
//!     .unwrap();
//! let t = engine.compile("${uc:$primary_hostname} $tod_epoch").unwrap();
//! assert_eq!(engine.expand(&t, &[]).unwrap().to_string_lossy(), "MX.EXAMPLE.COM 1705320000");
//! assert!(engine.compile("${if eq{a}{b}").is_err());
//! ```
//!
//! An engine and its templates are `Send + Sync`: share them between
//! threads and give each thread (or each connection) its own session.

use crate::config::{Config, Includes, ReadOptions};
use crate::eval::{
    AuthProvider, Capability, Clock, Context, ErrorKind, Evaluator, ExpandError, FixedClock,
    Limits, Lookup, Policy, Profile, Resolver, Settings, Template, Value,
};
use crate::parser::Span;
use std::path::PathBuf;
use std::sync::Arc;

/// The shared, immutable part of evaluation: build one with
/// [`Engine::builder`], then compile templates and open sessions.
///
/// ```
/// use exim_expand::Engine;
/// let engine = Engine::new();
/// let t = engine.compile("${lc:$x}").unwrap();
/// assert_eq!(engine.expand(&t, &[("x", "ABC")]).unwrap().bytes, b"abc");
/// let e = engine.compile("${lc:").unwrap_err();
/// assert_eq!(e.message_str(), "missing } at end of string");
/// ```
#[derive(Debug, Clone)]
pub struct Engine {
    settings: Arc<Settings>,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}

impl Engine {
    /// The default profile (Debian's Exim 4.96), no configuration, the
    /// system clock and resolver, and a policy that grants nothing.
    pub fn new() -> Engine {
        Engine {
            settings: Context::new().settings,
        }
    }

    /// Starts configuring an engine.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// What the engine's sessions share.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Parses `source`; its first syntax error is an error here.
    pub fn compile(&self, source: impl AsRef<[u8]>) -> Result<Template, ExpandError> {
        let t = self.parse(source);
        match t.first_error() {
            Some(e) => Err(e.clone()),
            None => Ok(t),
        }
    }

    /// Parses `source`, keeping syntax errors in the tree to be raised when
    /// evaluation reaches them, after what comes before them has been
    /// evaluated (Exim's order of errors; what the `-be` drop-in needs).
    pub fn parse(&self, source: impl AsRef<[u8]>) -> Template {
        Template::parse(source.as_ref(), &self.settings.registry)
    }

    /// A new session: no variables set, an empty lookup cache.
    pub fn session(&self) -> Session {
        Session {
            ctx: Context::with_settings(self.settings.clone()),
        }
    }

    /// Evaluates `template` in a session of its own with `vars` set
    /// (untainted; use a [`Session`] for tainted values or a message).
    pub fn expand(&self, template: &Template, vars: &[(&str, &str)]) -> Result<Value, ExpandError> {
        let mut s = self.session();
        for (name, value) in vars {
            s.set_var(name, *value);
        }
        s.expand(template)
    }
}

/// Configures an [`Engine`].
///
/// ```
/// use exim_expand::Engine;
/// let engine = Engine::builder()
///     .config_text("domainlist local_domains = example.com : example.org\n")
///     .build()
///     .unwrap();
/// let t = engine.compile("${if match_domain{example.org}{+local_domains}{local}{remote}}").unwrap();
/// assert_eq!(engine.expand(&t, &[]).unwrap().bytes, b"local");
/// ```
#[derive(Debug, Default)]
pub struct EngineBuilder {
    ctx: Context,
    config_file: Option<PathBuf>,
    config_text: Option<String>,
    defines: Vec<(String, String)>,
    options: Vec<(String, String)>,
}

impl EngineBuilder {
    /// The compatibility profile (default `debian-4.96`).
    pub fn profile(mut self, profile: Profile) -> EngineBuilder {
        self.ctx.set_profile(profile);
        self
    }

    /// Reads an Exim configuration file when the engine is built: its main
    /// options, named lists, ACLs and drivers.
    pub fn config_file(mut self, path: impl Into<PathBuf>) -> EngineBuilder {
        self.config_file = Some(path.into());
        self
    }

    /// Configuration text instead of a file (relative `.include`s are
    /// relative to the current directory).
    pub fn config_text(mut self, text: impl Into<String>) -> EngineBuilder {
        self.config_text = Some(text.into());
        self
    }

    /// A `-D NAME=VALUE` macro for the configuration.
    pub fn define(mut self, name: &str, value: &str) -> EngineBuilder {
        self.defines.push((name.into(), value.into()));
        self
    }

    /// Sets a main option, after the configuration is read.
    pub fn option(mut self, name: &str, value: &str) -> EngineBuilder {
        self.options.push((name.into(), value.into()));
        self
    }

    /// The whole policy (default: nothing granted).
    pub fn policy(mut self, policy: Policy) -> EngineBuilder {
        self.ctx.policy = policy;
        self
    }

    /// Grants one capability.
    pub fn allow(mut self, c: Capability) -> EngineBuilder {
        self.ctx.policy.allowed.insert(c);
        self
    }

    /// The clock (default: the system's).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> EngineBuilder {
        self.ctx.clock = clock;
        self
    }

    /// Pins the clock at `secs` since the epoch.
    pub fn fixed_time(self, secs: i64) -> EngineBuilder {
        self.clock(Arc::new(FixedClock { secs, micros: 0 }))
    }

    /// Budgets of each evaluation.
    pub fn limits(mut self, limits: Limits) -> EngineBuilder {
        self.ctx.limits = limits;
        self
    }

    /// Answers `pam`, `saslauthd` and `ldapauth`.
    pub fn auth(mut self, auth: Arc<dyn AuthProvider>) -> EngineBuilder {
        self.ctx.auth = auth;
        self
    }

    /// Answers DNS queries (default: the system's resolver).
    pub fn resolver(mut self, resolver: Arc<dyn Resolver>) -> EngineBuilder {
        self.ctx.resolver = resolver;
        self
    }

    /// Digests and MACs (default: the RustCrypto crates).
    pub fn crypto(mut self, crypto: Arc<dyn crate::eval::Crypto>) -> EngineBuilder {
        self.ctx.crypto = crypto;
        self
    }

    /// Adds a lookup type, or replaces the built-in one of that name.
    pub fn lookup(mut self, name: &str, lookup: Arc<dyn Lookup>) -> EngineBuilder {
        self.ctx.register_lookup(name, lookup);
        self
    }

    /// Answers `${lookup{key}TYPE{file}}` with `value` without reading
    /// files or asking servers (see [`Context::mock_lookup`]).
    pub fn mock_lookup(
        mut self,
        lookup_type: &str,
        file: &[u8],
        key: &[u8],
        value: &[u8],
    ) -> Result<EngineBuilder, ExpandError> {
        self.ctx
            .mock_lookup(lookup_type, file, key, value)
            .map_err(config_error)?;
        Ok(self)
    }

    /// Reads the configuration, if any, and builds the engine.
    pub fn build(mut self) -> Result<Engine, ExpandError> {
        let opts = ReadOptions {
            includes: Includes::for_policy(&self.ctx.policy),
            ..ReadOptions::with_defines(&self.defines)
        }
        .for_profile(&self.ctx.profile);
        let config = match (&self.config_file, &self.config_text) {
            (Some(path), _) => {
                self.ctx.config_file = path.to_string_lossy().into_owned();
                Some(Config::from_file_with(path, &opts))
            }
            (None, Some(text)) => Some(Config::from_bytes_with(text.as_bytes(), &opts)),
            (None, None) => None,
        };
        if let Some(c) = config {
            let c = c.map_err(|e| config_error(e.to_string()))?;
            self.ctx.apply_config(&c);
        }
        for (name, value) in self.options {
            self.ctx.options.insert(name, value);
        }
        Ok(Engine {
            settings: self.ctx.settings,
        })
    }
}

fn config_error(message: String) -> ExpandError {
    ExpandError::new(ErrorKind::Config, message, Span::default())
}

/// One session's state: variables, the message, and what Exim keeps from
/// one expansion to the next (`$runrc`, `acl_c*`, `$value` in `-be`, the
/// lookup cache).  Open one per connection, per `-be` run or per thread.
///
/// ```
/// use exim_expand::Engine;
/// let engine = Engine::new();
/// let mut s = engine.session();
/// s.set_tainted_var("local_part", "Alice");
/// let v = s.expand_str("${lc:$local_part}").unwrap();
/// assert!(v.tainted && v.bytes == b"alice");
/// s.load_message(b"Subject: hello\n\nbody\n");
/// assert_eq!(s.expand_str("$h_subject: $body_linecount").unwrap().bytes, b"hello 1");
/// ```
#[derive(Debug, Clone)]
pub struct Session {
    ctx: Context,
}

impl Session {
    /// Sets a variable (untainted).
    pub fn set_var(&mut self, name: &str, value: impl Into<Value>) -> &mut Session {
        self.ctx.set_var(name, value);
        self
    }

    /// Sets a variable whose value came from outside (a client, a
    /// message): tainted, as Exim marks such data.
    pub fn set_tainted_var(&mut self, name: &str, value: impl AsRef<[u8]>) -> &mut Session {
        self.ctx
            .set_var(name, Value::tainted(value.as_ref().to_vec()));
        self
    }

    /// Removes a variable set with [`Session::set_var`].
    pub fn unset_var(&mut self, name: &str) -> &mut Session {
        self.ctx.vars.remove(name);
        self
    }

    /// The message whose headers and body expansions see, read as
    /// `exim -bem` reads it.
    pub fn load_message(&mut self, data: &[u8]) -> &mut Session {
        let opts = crate::message::ReadOptions::default();
        let m = crate::message::load_bem(&mut self.ctx, data, &opts);
        self.ctx.message = Some(Arc::new(m));
        self
    }

    /// A variable's value as an expansion would see it; `None` when the
    /// profile has no such variable.
    pub fn var(&mut self, name: &str) -> Option<Value> {
        Evaluator::new(&mut self.ctx).variable_value(name)
    }

    /// Evaluates a template.
    pub fn expand(&mut self, template: &Template) -> Result<Value, ExpandError> {
        Evaluator::new(&mut self.ctx).run(template)
    }

    /// Parses and evaluates `source` (errors in Exim's order).
    pub fn expand_str(&mut self, source: impl AsRef<[u8]>) -> Result<Value, ExpandError> {
        let t = Template::parse(source.as_ref(), &self.ctx.registry);
        self.expand(&t)
    }

    /// The evaluation context, for what this API does not wrap.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The evaluation context, mutable.
    pub fn context_mut(&mut self) -> &mut Context {
        &mut self.ctx
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn engine_and_templates_are_shareable() {
        assert_send_sync::<Engine>();
        assert_send_sync::<Template>();
        assert_send_sync::<Session>();
    }

    #[test]
    fn sessions_keep_their_own_state() {
        let engine = Engine::builder().allow(Capability::Run).build().unwrap();
        let run = engine
            .compile(r#"${run{/bin/sh -c "exit 3"}{ok}{fail}}"#)
            .unwrap();
        let rc = engine.compile("$runrc").unwrap();
        let mut a = engine.session();
        let mut b = engine.session();
        // exim -be: the run fails with status 3, then $runrc is 3.
        assert_eq!(a.expand(&run).unwrap().to_string_lossy(), "fail");
        assert_eq!(a.expand(&rc).unwrap().to_string_lossy(), "3");
        assert_eq!(b.expand(&rc).unwrap().to_string_lossy(), "0");
    }

    #[test]
    fn configuration_and_errors() {
        let engine = Engine::builder()
            .config_text("primary_hostname = a.example\ndomainlist local = a.example : b.example\n")
            .build()
            .unwrap();
        let t = engine
            .compile("${if match_domain{b.example}{+local}{yes}{no}} $primary_hostname")
            .unwrap();
        assert_eq!(
            engine.expand(&t, &[]).unwrap().to_string_lossy(),
            "yes a.example"
        );
        let e = Engine::builder()
            .config_file("/nonexistent/exim.conf")
            .build()
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::Config);
        assert!(
            e.message_str().contains("non-existent configuration file"),
            "{e}"
        );
        let e = engine.compile("${lc:").unwrap_err();
        assert_eq!(e.kind, ErrorKind::Syntax);
        // Parsed but not compiled: the error comes when evaluation gets there.
        let t = engine.parse("$nosuch ${lc:");
        let e = engine.expand(&t, &[]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownVariable);
    }

    /// Digests and MACs go through the provider the embedder gives.
    #[test]
    fn a_crypto_provider_replaces_the_default() {
        #[derive(Debug)]
        struct Zeros;
        impl crate::eval::Crypto for Zeros {
            fn digest(&self, _: crate::eval::Digest, _: &[u8]) -> Vec<u8> {
                vec![0; 2]
            }
            fn hmac(&self, _: crate::eval::Digest, _: &[u8], _: &[u8]) -> Vec<u8> {
                vec![1; 3]
            }
            fn crypt(&self, _: &[u8], _: &[u8]) -> Option<Vec<u8>> {
                Some(b"zz".to_vec())
            }
        }
        let engine = Engine::builder().crypto(Arc::new(Zeros)).build().unwrap();
        let t = engine
            .compile(
                "${md5:x} ${sha3_512:x} ${hmac{sha1}{k}{x}} ${if crypteq{x}{\\{md5\\}0000}{y}{n}} \
                 ${if crypteq{x}{zz}{y}{n}} ${if crypteq{x}{\\{crypt16\\}zz}{y}{n}}",
            )
            .unwrap();
        assert_eq!(
            engine.expand(&t, &[]).unwrap().to_string_lossy(),
            "0000 0000 010101 y y y"
        );
    }

    #[test]
    fn tainted_variables_stay_tainted() {
        let engine = Engine::new();
        let mut s = engine.session();
        s.set_tainted_var("x", "abc");
        let v = s.expand_str("${uc:$x}").unwrap();
        assert!(v.tainted);
        assert_eq!(v.bytes, b"ABC");
    }
}
