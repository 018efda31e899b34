//! The DKIM step of receiving a message (Exim's receive.c after the data,
//! before the MIME and DATA ACLs): verify the signatures, log what pdkim
//! logs, run `acl_smtp_dkim` once per signer of `dkim_verify_signers`
//! (for each of its signatures), and keep the verification for
//! `${authresults}` and the `<=` line's `DKIM=`.

use super::session::SmtpSession;
use crate::acl::{AclOutcome, AclRc};
use crate::auth::dkim::{self, Signature, Verification, VerifyOptions};
use crate::eval::{SmtpPhase, Value};

/// The message's DKIM results, kept in the context for `${authresults}`
/// and DMARC.
#[derive(Debug, Clone, Default)]
pub struct DkimState {
    /// The verification (signatures in pdkim's order, with what the DKIM
    /// ACL decided about them).
    pub verification: Verification,
    /// The domain the `<=` line shows as `DKIM=` (Exim's
    /// `dkim_verify_overall`).
    pub overall: Option<Vec<u8>>,
}

impl SmtpSession<'_> {
    fn verify_options(&mut self) -> VerifyOptions {
        let mut o = VerifyOptions::default();
        if let Some(v) = self.expanded_option_if_set("dkim_verify_hashes") {
            o.hashes = v;
        }
        if let Some(v) = self.expanded_option_if_set("dkim_verify_keytypes") {
            o.keytypes = v;
        }
        if let Some(v) = self.expanded_option_if_set("dkim_verify_min_keysizes") {
            o.min_keysizes = v;
        }
        o.minimal = self.bool_option("dkim_verify_minimal", false);
        o
    }

    fn expanded_option_if_set(&mut self, name: &str) -> Option<Vec<u8>> {
        self.option(name)?;
        self.expanded_option(name, "")
    }

    /// Verifies `data` (the message as received) and runs the DKIM ACL.
    /// `Err` carries the ACL's verdict when it did not accept (the
    /// message is then refused or discarded).
    pub(super) fn dkim_step(&mut self, data: &[u8]) -> Result<(), AclOutcome> {
        if self
            .ctx
            .acl_controls
            .iter()
            .any(|c| c == b"dkim_disable_verify")
        {
            return Ok(());
        }
        let opts = self.verify_options();
        let resolver = self.ctx.resolver.clone();
        let crypto = self.ctx.crypto.clone();
        let verification = dkim::verify(data, resolver.as_ref(), crypto.as_ref(), &opts);
        // A message with too many signatures is given up while its
        // headers are read, before it has an id: that first line has none.
        for (n, l) in verification.log.iter().enumerate() {
            if n == 0 && verification.disabled {
                self.ctx.log.set_message_id(None);
                self.log(l);
                let id = self.var("message_exim_id").bytes;
                self.ctx.log.set_message_id(Some(&id));
            } else {
                self.log(l);
            }
        }
        self.set("dkim_signers", Value::tainted(verification.signers()));
        let mut state = DkimState {
            verification,
            overall: None,
        };
        let signers = match self.option("acl_smtp_dkim") {
            Some(_) => self.expanded_option("dkim_verify_signers", "$dkim_signers"),
            None => None,
        };
        let verdict = match signers {
            Some(list) if !list.is_empty() => self.run_dkim_acl(&mut state, &list),
            _ => {
                for sig in &mut state.verification.signatures {
                    let line = dkim::after_acl_run(sig, None, &mut state.overall);
                    self.log_if("dkim_verbose", &line);
                }
                Ok(())
            }
        };
        self.ctx.extensions.insert(state);
        verdict
    }

    /// One ACL run per distinct signer (and per signature of it).
    fn run_dkim_acl(&mut self, state: &mut DkimState, list: &[u8]) -> Result<(), AclOutcome> {
        let mut seen: Vec<Vec<u8>> = Vec::new();
        let mut results: Vec<Vec<u8>> = Vec::new();
        let mut verdict = Ok(());
        'signers: for item in crate::lists::ListIter::new(list) {
            if item.is_empty() || seen.contains(&item) {
                continue;
            }
            seen.push(item.to_vec());
            self.set("dkim_cur_signer", Value::tainted(item.to_vec()));
            let matching = state.verification.matching(&item);
            if matching.is_empty() {
                self.set_signature_vars(None);
                let r = self.acl(SmtpPhase::Dkim, "acl_smtp_dkim", None);
                results.push(self.var("dkim_verify_status").bytes);
                if r.rc != AclRc::Ok {
                    verdict = Err(r);
                    break 'signers;
                }
                continue;
            }
            for i in matching {
                self.set_signature_vars(Some(&state.verification.signatures[i]));
                let sig = &state.verification.signatures[i];
                let (status0, reason0) = (
                    sig.status.word().as_bytes().to_vec(),
                    sig.reason_word().as_bytes().to_vec(),
                );
                let r = self.acl(SmtpPhase::Dkim, "acl_smtp_dkim", None);
                let status = self.var("dkim_verify_status").bytes;
                let reason = self.var("dkim_verify_reason").bytes;
                let set = status != status0 || reason != reason0;
                let sig = &mut state.verification.signatures[i];
                let line =
                    dkim::after_acl_run(sig, Some((&status, &reason, set)), &mut state.overall);
                self.log_if("dkim_verbose", &line);
                results.push(status);
                if r.rc != AclRc::Ok {
                    verdict = Err(r);
                    break 'signers;
                }
            }
        }
        self.set("dkim_verify_status", Value::new(results.join(&b':')));
        verdict
    }

    /// The `$dkim_*` variables for `sig`, or the defaults of a signer
    /// without a signature (`$dkim_domain`, `$dkim_selector` and
    /// `$dkim_key_length` then keep the previous run's values).
    fn set_signature_vars(&mut self, sig: Option<&Signature>) {
        for name in dkim::SIGNATURE_VARIABLES {
            let value = match sig {
                Some(s) => s.variable(name),
                None if matches!(name, "domain" | "selector" | "key_length") => continue,
                None => dkim::default_variable(name),
            };
            let var = format!("dkim_{name}");
            match value {
                Some(v) => self.set(&var, Value::tainted(v)),
                None => self.unset(&var),
            }
        }
    }
}
