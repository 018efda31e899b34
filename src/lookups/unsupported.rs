//! Lookup types of Debian's 4.96 build whose servers exim-expand does not
//! contact yet (`dnsdb`, `ldap`, `mysql`, `nis`, `pgsql`, `readsock`):
//! they defer with a message saying so, or with Exim's own message when
//! no server is configured.

use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;

#[derive(Debug, Clone, Copy)]
pub struct Unsupported {
    pub name: &'static str,
    pub style: LookupStyle,
    /// The main option naming the servers, and Exim's message when it is
    /// unset.
    pub servers: Option<(&'static str, &'static str)>,
}

impl Unsupported {
    pub const fn new(name: &'static str, style: LookupStyle) -> Unsupported {
        Unsupported {
            name,
            style,
            servers: None,
        }
    }
}

impl Lookup for Unsupported {
    fn style(&self) -> LookupStyle {
        self.style
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<Capability> {
        Some(Capability::Network)
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        _h: &LookupHandle,
        _q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        if let Some((option, message)) = self.servers
            && ev.ctx.option(option).is_none()
        {
            return Err(LookupFailure::Defer(message.into()));
        }
        Err(LookupFailure::Defer(format!(
            "lookup type \"{}\" is not supported by exim-expand yet",
            self.name
        )))
    }
}
