//! The system's resolver, as Exim uses it: the C library's `res_search`
//! with the resolver configuration of /etc/resolv.conf, its answers read
//! by [`super::message`], its failures mapped as Exim's `dns.c` maps
//! `h_errno`.

use crate::eval::{Answer, DnsError, QueryFlags, Resolver, RrType};

/// The system's resolver with Exim's default resolver options
/// (`dns_qualify_single` on, `dns_search_parents` off, `dns_dnssec_ok`
/// and `dns_use_edns0` as resolv.conf says): the C library's
/// `res_search` (glibc's `res_nsearch`, a state per thread), so
/// /etc/resolv.conf's servers, `options` and `search` apply as they do
/// to Exim.
///
/// Failures map as in Exim's `dns_basic_lookup`: `HOST_NOT_FOUND` is
/// [`DnsError::NoSuchName`], `NO_DATA` [`DnsError::NoData`],
/// `TRY_AGAIN` [`DnsError::Again`], `NO_RECOVERY` and anything else
/// [`DnsError::Fail`].  [`Answer::authenticated`] is the response's AD
/// bit, which glibc (2.31 and later) keeps only with `options trust-ad`
/// in resolv.conf.
///
/// Only built for glibc; elsewhere every query is [`DnsError::Again`].
/// In this crate's unit tests it answers only inside
/// `shared/tools/hermetic-dns`, so that no test queries the network.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolver for SystemResolver {
    fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError> {
        ConfiguredSystemResolver::default().query(name, rr)
    }

    fn query_with(&self, name: &[u8], rr: RrType, flags: QueryFlags) -> Result<Answer, DnsError> {
        ConfiguredSystemResolver::default().query_with(name, rr, flags)
    }

    fn host_table_names(&self, address: std::net::IpAddr) -> Vec<Vec<u8>> {
        super::HostsFile::system().names_of(address)
    }

    fn host_table_addresses(&self, name: &[u8]) -> Vec<std::net::IpAddr> {
        super::HostsFile::system().addresses_of(name)
    }
}

/// The system's resolver with Exim's resolver options set otherwise
/// than by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfiguredSystemResolver {
    /// `dns_qualify_single` (default on): a name without dots gets the
    /// default domain (`RES_DEFNAMES`).
    pub qualify_single: bool,
    /// `dns_search_parents` (default off): names are tried with the
    /// `search` domains (`RES_DNSRCH`).
    pub search_parents: bool,
    /// `dns_use_edns0`: `Some` forces EDNS0 on or off (`RES_USE_EDNS0`);
    /// `None` (the default) leaves resolv.conf's choice.
    pub use_edns0: Option<bool>,
    /// `dns_retrans` (seconds) and `dns_retry`: `None` leaves
    /// resolv.conf's.
    pub retrans: Option<u32>,
    /// See [`ConfiguredSystemResolver::retrans`].
    pub retry: Option<u32>,
    /// `dns_dnssec_ok`: `Some(true)` asks with the DO bit
    /// (`RES_USE_DNSSEC`, ignored when `use_edns0` is `Some(false)`, as
    /// Exim does); `None` (the default) leaves resolv.conf's choice.
    pub dnssec_ok: Option<bool>,
}

impl Default for ConfiguredSystemResolver {
    fn default() -> Self {
        ConfiguredSystemResolver {
            qualify_single: true,
            search_parents: false,
            use_edns0: None,
            dnssec_ok: None,
            retrans: None,
            retry: None,
        }
    }
}

impl Resolver for ConfiguredSystemResolver {
    fn query(&self, name: &[u8], rr: RrType) -> Result<Answer, DnsError> {
        if cfg!(test) && std::env::var_os("HERMETIC_DNS_WORK").is_none() {
            return Err(DnsError::Again(
                "the system resolver is off in unit tests outside hermetic-dns".into(),
            ));
        }
        let name = std::ffi::CString::new(name)
            .map_err(|_| DnsError::Fail("the name contains a NUL byte".into()))?;
        backend::query(&name, rr, self)
    }

    fn query_with(&self, name: &[u8], rr: RrType, flags: QueryFlags) -> Result<Answer, DnsError> {
        let with = ConfiguredSystemResolver {
            dnssec_ok: match self.dnssec_ok {
                None if flags.dnssec_ok => Some(true),
                d => d,
            },
            retrans: flags.retrans.or(self.retrans),
            retry: flags.retry.or(self.retry),
            ..*self
        };
        with.query(name, rr)
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod backend {
    use std::ffi::CStr;

    use super::super::libresolv::{self, Failure, Options};
    use super::super::{message, rrtype};
    use super::ConfiguredSystemResolver;
    use crate::eval::{Answer, DnsError, RrType};

    /// The resolver options Exim's `dns_init` sets and clears.
    fn options(c: &ConfiguredSystemResolver) -> Options {
        let limit = |v: Option<u32>| {
            v.map(|n| std::ffi::c_int::try_from(n).unwrap_or(std::ffi::c_int::MAX))
        };
        let mut o = Options {
            set: 0,
            clear: libresolv::RES_DNSRCH | libresolv::RES_DEFNAMES,
            retrans: limit(c.retrans),
            retry: limit(c.retry),
        };
        if c.qualify_single {
            o.set |= libresolv::RES_DEFNAMES;
        }
        if c.search_parents {
            o.set |= libresolv::RES_DNSRCH;
        }
        match c.use_edns0 {
            Some(true) => o.set |= libresolv::RES_USE_EDNS0,
            Some(false) => o.clear |= libresolv::RES_USE_EDNS0,
            None => {}
        }
        match (c.dnssec_ok, c.use_edns0) {
            (Some(true), Some(false)) | (None, _) => {}
            (Some(true), _) => o.set |= libresolv::RES_USE_DNSSEC,
            (Some(false), _) => o.clear |= libresolv::RES_USE_DNSSEC,
        }
        o.clear &= !o.set;
        o
    }

    pub(super) fn query(
        name: &CStr,
        rr: RrType,
        c: &ConfiguredSystemResolver,
    ) -> Result<Answer, DnsError> {
        let what = || {
            format!(
                "DNS lookup of {} ({})",
                name.to_string_lossy(),
                rrtype::mnemonic(rr)
            )
        };
        let wire = libresolv::search(name, rrtype::code(rr), options(c)).map_err(|f| match f {
            Failure::HostNotFound => DnsError::NoSuchName,
            Failure::NoData => DnsError::NoData,
            Failure::TryAgain => DnsError::Again(format!("{} gave TRY_AGAIN", what())),
            Failure::NoRecovery => DnsError::Fail(format!("{} gave NO_RECOVERY", what())),
            Failure::Other(n) => DnsError::Fail(format!("{} failed (h_errno {n})", what())),
        })?;
        let answer =
            message::decode(wire).map_err(|e| DnsError::Fail(format!("{}: {e}", what())))?;
        if answer.records.is_empty() {
            return Err(DnsError::NoData);
        }
        Ok(answer)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn exim_default_options() {
            let o = options(&ConfiguredSystemResolver::default());
            assert_eq!(o.set, libresolv::RES_DEFNAMES);
            assert_eq!(o.clear, libresolv::RES_DNSRCH);
            let o = options(&ConfiguredSystemResolver {
                dnssec_ok: Some(true),
                search_parents: true,
                qualify_single: false,
                use_edns0: None,
                retrans: Some(2),
                retry: None,
            });
            assert_eq!(o.set, libresolv::RES_DNSRCH | libresolv::RES_USE_DNSSEC);
            assert_eq!(o.clear, libresolv::RES_DEFNAMES);
            assert_eq!((o.retrans, o.retry), (Some(2), None));
            let o = options(&ConfiguredSystemResolver {
                dnssec_ok: Some(true),
                use_edns0: Some(false),
                ..Default::default()
            });
            assert_eq!(o.set & libresolv::RES_USE_DNSSEC, 0);
            assert_ne!(o.clear & libresolv::RES_USE_EDNS0, 0);
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod backend {
    use super::ConfiguredSystemResolver;
    use crate::eval::{Answer, DnsError, RrType};

    pub(super) fn query(
        _name: &std::ffi::CStr,
        _rr: RrType,
        _c: &ConfiguredSystemResolver,
    ) -> Result<Answer, DnsError> {
        Err(DnsError::Again(
            "the system resolver needs glibc; this build has none".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_outside_hermetic_dns_in_unit_tests() {
        if std::env::var_os("HERMETIC_DNS_WORK").is_some() {
            return;
        }
        let e = SystemResolver.query(b"example.com", RrType::A).unwrap_err();
        assert!(matches!(e, DnsError::Again(m) if m.contains("hermetic-dns")));
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<SystemResolver>();
        check::<ConfiguredSystemResolver>();
    }
}
