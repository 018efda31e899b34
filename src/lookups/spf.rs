//! The `spf` lookup: `${lookup{SENDER}spf{IP}}` is the SPF result of mail
//! from SENDER arriving from IP (`pass`, `fail`, `softfail`, `neutral`,
//! `none`, `temperror`, `permerror`), as Exim's lookups/spf.c asks
//! libspf2: the mail-from check alone, without a HELO name.
//!
//! The "file" is the client's address: one that is not an IP address,
//! or an empty sender, makes the lookup fail (not defer), as in Exim.
//! DNS goes through the context's resolver, as for the `spf` condition.

use crate::eval::{Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;

/// The `spf` lookup type.
#[derive(Debug)]
pub struct SpfLookup;

impl Lookup for SpfLookup {
    fn style(&self) -> LookupStyle {
        LookupStyle::SingleKey
    }

    /// The resolver's own: the network for the system's, nothing for
    /// zone files.
    fn open(
        &self,
        ev: &mut Evaluator,
        _file: Option<&[u8]>,
    ) -> Result<LookupHandle, LookupFailure> {
        super::open_resolver(ev, "an \"spf\" lookup")
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        _h: &LookupHandle,
        q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        let ip = q
            .file
            .and_then(|f| std::str::from_utf8(crate::eval::c_str(f)).ok())
            .and_then(|f| f.parse::<std::net::IpAddr>().ok());
        let Some(ip) = ip else {
            return Ok(None);
        };
        let receiver = ev.ctx.primary_hostname().into_bytes();
        let resolver = ev.ctx.resolver.clone();
        let sender = crate::eval::c_str(q.key);
        Ok(
            crate::auth::spf::mailfrom_result(resolver.as_ref(), ip, sender, &receiver)
                .map(|r| r.name().as_bytes().to_vec()),
        )
    }
}
