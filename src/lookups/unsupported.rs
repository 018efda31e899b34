//! Lookup types of Debian's 4.96 build whose servers exim-expand does not
//! contact yet (`nis`):
//! they defer with a message saying so, or with Exim's own message when
//! no server is configured; and types this build was made without (a
//! Cargo feature left out).

use crate::eval::{Capability, Evaluator, Lookup, LookupFailure, LookupHandle, LookupQuery};
use crate::parser::LookupStyle;

#[derive(Debug, Clone, Copy)]
pub struct Unsupported {
    pub name: &'static str,
    pub style: LookupStyle,
    /// The main option naming the servers, and Exim's message when it is
    /// unset.
    pub servers: Option<(&'static str, &'static str)>,
    /// The Cargo feature this build was made without.
    pub not_built: Option<&'static str>,
}

impl Unsupported {
    pub const fn new(name: &'static str, style: LookupStyle) -> Unsupported {
        Unsupported {
            name,
            style,
            servers: None,
            not_built: None,
        }
    }
}

impl Lookup for Unsupported {
    fn style(&self) -> LookupStyle {
        self.style
    }

    fn capability(&self, _file: Option<&[u8]>) -> Option<Capability> {
        match self.not_built {
            Some(_) => None,
            None => Some(Capability::Network),
        }
    }

    fn find(
        &self,
        ev: &mut Evaluator,
        _h: &LookupHandle,
        _q: &LookupQuery,
    ) -> Result<Option<Vec<u8>>, LookupFailure> {
        if let Some(feature) = self.not_built {
            return Err(LookupFailure::Open(format!(
                "lookup type \"{}\" is not compiled into this build (feature \"{feature}\")",
                self.name
            )));
        }
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
