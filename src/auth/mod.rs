//! Mail-authentication features of the expansion language.  So far: Exim's
//! native SRS (`${srs_encode}`, `inbound_srs`).

pub mod srs;
