//! Mail authentication: SPF (libspf2's answers), DKIM verification
//! (pdkim's), ARC verification and signing (Exim's arc.c), DMARC (libopendmarc's), Exim's native SRS (`${srs_encode}`,
//! `inbound_srs`) and the older libsrs_alt scheme.

pub mod arc;
pub mod dkim;
pub mod dmarc;
pub mod spf;
pub mod srs;
pub mod srs_alt;
