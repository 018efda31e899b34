//! Mail-authentication features of the expansion language: Exim's
//! native SRS (`${srs_encode}`, `inbound_srs`) and the older libsrs_alt
//! scheme as a library.

pub mod dkim;
pub mod spf;
pub mod srs;
pub mod srs_alt;
