//! DNS resolvers for the engine's [`Resolver`](crate::eval::Resolver)
//! provider: [`SystemResolver`], the system's resolver, and
//! [`ZoneResolver`], which answers from BIND zone files the way the
//! system resolver would see an authoritative nsd serving them.

use crate::eval::{Answer, DnsError, Resolver, RrType};

mod error;
mod lexer;
mod name;
mod rdata;
mod rrtype;
mod spelling;
mod tree;
mod zone;
mod zone_check;
mod zone_resolver;
#[cfg(test)]
mod zone_resolver_tests;

pub use error::ZoneError;
pub use zone_resolver::ZoneResolver;

/// The system's resolver (placeholder until the resolv.conf client lands).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn query(&self, _name: &[u8], _rr: RrType) -> Result<Answer, DnsError> {
        Err(DnsError::Again("no DNS client in this build yet".into()))
    }
}
