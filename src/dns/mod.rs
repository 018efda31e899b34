//! DNS resolvers for the engine's [`Resolver`](crate::eval::Resolver)
//! provider: [`SystemResolver`], the system's resolver as Exim uses it,
//! and [`ZoneResolver`], which answers from BIND zone files the way the
//! system resolver would see an authoritative nsd serving them.

mod error;
pub mod exim;
pub mod host_name;
pub mod hosts;
mod hosts_file;
mod lexer;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod libresolv;
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod message;
mod name;
mod rdata;
mod rrtype;
mod spelling;
mod system;
mod tree;
mod zone;
mod zone_check;
mod zone_resolver;
#[cfg(test)]
mod zone_resolver_tests;

pub use error::ZoneError;
pub use hosts_file::HostsFile;
pub use system::{ConfiguredSystemResolver, SystemResolver};
pub use zone_resolver::ZoneResolver;
