//! What the engine asks the outside world for, as traits an embedder can
//! replace: each has a default that does what Debian's Exim does on a
//! machine without the service.

use std::fmt::Debug;

/// `Ok(true)`: authenticated; `Ok(false)`: refused; `Err(msg)`: the
/// expansion fails with `msg` (Exim's ERROR/DEFER).
pub type AuthResult = Result<bool, String>;

pub trait AuthProvider: Debug + Send + Sync {
    /// `${if pam{user:password:...}}`: the colon list, unsplit.
    fn pam(&self, data: &[u8]) -> AuthResult;
    /// `${if saslauthd{{user}{password}{service}{realm}}}`.
    fn saslauthd(
        &self,
        user: &[u8],
        password: &[u8],
        service: Option<&[u8]>,
        realm: Option<&[u8]>,
    ) -> AuthResult;
    /// `${if ldapauth{user="..." pass="..." ldap://...}}`.
    fn ldapauth(&self, query: &[u8]) -> AuthResult;
}
