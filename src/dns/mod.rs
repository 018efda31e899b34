//! DNS resolvers for the engine's [`Resolver`] provider.

use crate::eval::{Answer, DnsError, Resolver, RrType};

/// The system's resolver (placeholder until the resolv.conf client lands).
///
/// ```
/// use exim_expand::eval::{DnsError, RrType};
/// // The default of every context; for now every query fails temporarily.
/// let ctx = exim_expand::Context::new();
/// assert!(matches!(ctx.resolver.query(b"example.com", RrType::Mx), Err(DnsError::Again(_))));
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn query(&self, _name: &[u8], _rr: RrType) -> Result<Answer, DnsError> {
        Err(DnsError::Again("no DNS client in this build yet".into()))
    }
}
