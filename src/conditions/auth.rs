//! The authentication conditions `pam`, `saslauthd` and `ldapauth` go
//! through an [`AuthProvider`] that the embedder can replace.  The default
//! behaves as Debian's Exim 4.96 does on a machine with no PAM service for
//! Exim, no saslauthd daemon and no LDAP server (checked with the oracle).

use crate::eval::{Evaluator, Value};
use std::fmt::Debug;

pub use crate::eval::{AuthProvider, AuthResult};

/// No PAM service, saslauthd daemon or LDAP server: what the oracle prints.
#[derive(Debug, Default, Clone, Copy)]
pub struct Unavailable;

impl AuthProvider for Unavailable {
    fn pam(&self, _data: &[u8]) -> AuthResult {
        Ok(false)
    }

    fn saslauthd(&self, _u: &[u8], _p: &[u8], _s: Option<&[u8]>, _r: Option<&[u8]>) -> AuthResult {
        Err("cannot connect to saslauthd daemon at /var/run/saslauthd/mux: No such file or directory".into())
    }

    fn ldapauth(&self, query: &[u8]) -> AuthResult {
        use crate::lookups::ldap_params;
        let p = ldap_params::parse(query).map_err(lossy_message)?;
        let (Some(_), Some(password)) = (&p.user, &p.password) else {
            return Err("ldapauth lookups must specify the username and password".into());
        };
        // An empty password would bind anonymously: Exim fails the check.
        if password.is_empty() {
            return Ok(false);
        }
        ldap_params::check_url(&p.url).map_err(lossy_message)?;
        Err(format!(
            "failed to bind the LDAP connection to server {} - ldap_bind() returned -1",
            ldap_server(&String::from_utf8_lossy(&p.url))
        ))
    }
}

fn lossy_message(m: Vec<u8>) -> String {
    String::from_utf8_lossy(&m).into_owned()
}

/// `host:port` of an LDAP URL as Exim's message shows it (`NULL:389` when
/// the URL names no host).
fn ldap_server(query: &str) -> String {
    let url = query
        .split_whitespace()
        .find(|w| w.starts_with("ldap"))
        .unwrap_or("");
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or("");
    let hostport = rest.split('/').next().unwrap_or("");
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => (h, p.to_string()),
        None => (hostport, "389".to_string()),
    };
    let host = if host.is_empty() { "NULL" } else { host };
    format!("{host}:{port}")
}

pub fn pam(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    Ok(ev.ctx.auth.pam(&a[0].bytes)?)
}

pub fn saslauthd(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    let get = |i: usize| a.get(i).map(|v| v.bytes.as_slice());
    // A realm without a service is ignored, as in Exim.
    let service = get(2);
    let realm = service.and(get(3));
    Ok(ev
        .ctx
        .auth
        .saslauthd(&a[0].bytes, &a[1].bytes, service, realm)?)
}

pub fn ldapauth(ev: &mut Evaluator, a: &[Value]) -> Result<bool, crate::eval::Failure> {
    Ok(ev.ctx.auth.ldapauth(&a[0].bytes)?)
}

#[cfg(test)]
mod tests {
    use crate::testutil::mismatches;

    #[test]
    fn defaults_match_the_oracle() {
        // `exim -be` on a machine without PAM service, saslauthd or LDAP.
        let bad = mismatches(&[
            ("${if pam{nobody:x}{y}{n}}", Ok("n")),
            ("${if pam{}{y}{n}}", Ok("n")),
            (
                "${if saslauthd{{u}{p}}{y}{n}}",
                Err(
                    "cannot connect to saslauthd daemon at /var/run/saslauthd/mux: No such file or directory",
                ),
            ),
            (
                "${if saslauthd{{u}}{y}{n}}",
                Err("too few arguments or bracketing error for saslauthd"),
            ),
            (
                "${if ldapauth{ldap:///o=x}{y}{n}}",
                Err("ldapauth lookups must specify the username and password"),
            ),
            (
                "${if ldapauth{::}{y}{n}}",
                Err("malformed parameter setting precedes LDAP URL"),
            ),
            (
                "${if ldapauth{x=y}{y}{n}}",
                Err("malformed parameter setting precedes LDAP URL"),
            ),
            (
                "${if ldapauth{who=x ldap:///o=x}{y}{n}}",
                Err("unknown parameter \"who=\" precedes LDAP URL"),
            ),
            ("${if ldapauth{user=x pass= ldap:///o=x}{y}{n}}", Ok("n")),
            (
                "${if ldapauth{user=x pass=y ldapx:///o=x}{y}{n}}",
                Err(
                    "LDAP URL does not start with \"ldap://\", \"ldaps://\", or \"ldapi://\" (it starts with \"ldapx:///o=x...\")",
                ),
            ),
            (
                "${if ldapauth{user=\"cn=x\" pass=y ldap:///o=x}{y}{n}}",
                Err(
                    "failed to bind the LDAP connection to server NULL:389 - ldap_bind() returned -1",
                ),
            ),
            (
                "${if ldapauth{user=\"cn=x\" pass=y ldap://127.0.0.1:1/o=x}{y}{n}}",
                Err(
                    "failed to bind the LDAP connection to server 127.0.0.1:1 - ldap_bind() returned -1",
                ),
            ),
        ]);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }

    #[test]
    fn embedders_plug_in_their_own_provider() {
        #[derive(Debug)]
        struct Yes;
        impl super::AuthProvider for Yes {
            fn pam(&self, d: &[u8]) -> super::AuthResult {
                Ok(d == b"alice:secret")
            }
            fn saslauthd(
                &self,
                _: &[u8],
                _: &[u8],
                _: Option<&[u8]>,
                _: Option<&[u8]>,
            ) -> super::AuthResult {
                Ok(true)
            }
            fn ldapauth(&self, _: &[u8]) -> super::AuthResult {
                Err("no".into())
            }
        }
        let mut ctx = crate::Context::new();
        ctx.auth = std::sync::Arc::new(Yes);
        let r = crate::expand(
            b"${if pam{alice:secret}{in}{out}} ${if saslauthd{{u}{p}}{in}{out}}",
            &mut ctx,
        )
        .unwrap();
        assert_eq!(r.bytes, b"in in");
    }
}
