//! DNS resolvers for the engine's [`Resolver`] provider.

use crate::eval::{Answer, DnsError, Resolver, RrType};

/// The system's resolver (placeholder until the resolv.conf client lands).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn query(&self, _name: &[u8], _rr: RrType) -> Result<Answer, DnsError> {
        Err(DnsError::Again("no DNS client in this build yet".into()))
    }
}
