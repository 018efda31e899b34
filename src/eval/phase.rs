//! Where in an SMTP session an ACL runs (Exim's `acl_where`): it decides
//! which conditions and modifiers an ACL may use, the default response
//! code of a rejection and the words of its messages.

/// The point of an SMTP session (or none) at which ACLs run.
///
/// ```
/// use exim_expand::eval::SmtpPhase;
/// assert_eq!(SmtpPhase::Helo.name(), "EHLO or HELO");
/// assert_eq!(SmtpPhase::Rcpt.reject_code(), "550");
/// assert!(SmtpPhase::Data.is_message());
/// assert!(!SmtpPhase::Connect.is_message());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SmtpPhase {
    /// `acl_smtp_rcpt`.
    Rcpt,
    /// `acl_smtp_mail`.
    Mail,
    /// `acl_smtp_predata`.
    Predata,
    /// `acl_smtp_mime`.
    Mime,
    /// `acl_smtp_dkim`.
    Dkim,
    /// `acl_smtp_data`.
    Data,
    /// `acl_smtp_data_prdr`.
    Prdr,
    /// `acl_not_smtp`.
    NotSmtp,
    /// `acl_smtp_auth`.
    Auth,
    /// `acl_smtp_connect`.
    Connect,
    /// `acl_smtp_etrn`.
    Etrn,
    /// `acl_smtp_expn`.
    Expn,
    /// `acl_smtp_helo`.
    Helo,
    /// `acl_smtp_mailauth`.
    MailAuth,
    /// `acl_not_smtp_start`.
    NotSmtpStart,
    /// `acl_smtp_notquit`.
    NotQuit,
    /// `acl_smtp_quit`.
    Quit,
    /// `acl_smtp_starttls`.
    StartTls,
    /// `acl_smtp_vrfy`.
    Vrfy,
    /// Delivery time (events).
    Delivery,
    /// Outside any session: expansion tests (`exim -be`), `${acl}`.
    #[default]
    Unknown,
}

impl SmtpPhase {
    /// Every phase, in Exim's order (its `ACL_WHERE_*` numbers).
    pub const ALL: [SmtpPhase; 21] = [
        SmtpPhase::Rcpt,
        SmtpPhase::Mail,
        SmtpPhase::Predata,
        SmtpPhase::Mime,
        SmtpPhase::Dkim,
        SmtpPhase::Data,
        SmtpPhase::Prdr,
        SmtpPhase::NotSmtp,
        SmtpPhase::Auth,
        SmtpPhase::Connect,
        SmtpPhase::Etrn,
        SmtpPhase::Expn,
        SmtpPhase::Helo,
        SmtpPhase::MailAuth,
        SmtpPhase::NotSmtpStart,
        SmtpPhase::NotQuit,
        SmtpPhase::Quit,
        SmtpPhase::StartTls,
        SmtpPhase::Vrfy,
        SmtpPhase::Delivery,
        SmtpPhase::Unknown,
    ];

    /// The phase's name in Exim's messages (`acl_wherenames`).
    pub fn name(self) -> &'static str {
        match self {
            SmtpPhase::Rcpt => "RCPT",
            SmtpPhase::Mail => "MAIL",
            SmtpPhase::Predata => "PREDATA",
            SmtpPhase::Mime => "MIME",
            SmtpPhase::Dkim => "DKIM",
            SmtpPhase::Data => "DATA",
            SmtpPhase::Prdr => "PRDR",
            SmtpPhase::NotSmtp => "non-SMTP",
            SmtpPhase::Auth => "AUTH",
            SmtpPhase::Connect => "connection",
            SmtpPhase::Etrn => "ETRN",
            SmtpPhase::Expn => "EXPN",
            SmtpPhase::Helo => "EHLO or HELO",
            SmtpPhase::MailAuth => "MAILAUTH",
            SmtpPhase::NotSmtpStart => "non-SMTP-start",
            SmtpPhase::NotQuit => "NOTQUIT",
            SmtpPhase::Quit => "QUIT",
            SmtpPhase::StartTls => "STARTTLS",
            SmtpPhase::Vrfy => "VRFY",
            SmtpPhase::Delivery => "delivery",
            SmtpPhase::Unknown => "unknown",
        }
    }

    /// The response code of a rejection in this phase (`acl_wherecodes`;
    /// "0" where no response is sent).
    pub fn reject_code(self) -> &'static str {
        match self {
            SmtpPhase::Rcpt
            | SmtpPhase::Mail
            | SmtpPhase::Predata
            | SmtpPhase::Mime
            | SmtpPhase::Dkim
            | SmtpPhase::Data
            | SmtpPhase::Prdr
            | SmtpPhase::Connect
            | SmtpPhase::Expn
            | SmtpPhase::Helo
            | SmtpPhase::StartTls => "550",
            SmtpPhase::Auth => "503",
            SmtpPhase::Etrn => "458",
            SmtpPhase::Vrfy => "252",
            _ => "0",
        }
    }

    /// Exim's bit for the phase in its tables of where a condition is
    /// forbidden.
    pub fn bit(self) -> u32 {
        1 << SmtpPhase::ALL.iter().position(|&p| p == self).unwrap_or(20)
    }

    /// A phase that belongs to a message (header lines may be added):
    /// Exim's `where <= ACL_WHERE_NOTSMTP`.
    pub fn is_message(self) -> bool {
        self.bit() <= SmtpPhase::NotSmtp.bit()
    }
}

/// Where an ACL's header line goes in the message (Exim's `:at_start:`,
/// `:after_received:`, `:at_start_rfc:`, `:at_end:` prefixes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HeaderPlace {
    /// After the existing headers (the default).
    #[default]
    End,
    /// Before every header.
    Start,
    /// After the Received: headers.
    AfterReceived,
    /// Before the first header that is not Received: or Resent-*.
    StartRfc,
}

/// A header line an ACL added (`warn message =`, `add_header =`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedHeader {
    /// Where it goes.
    pub place: HeaderPlace,
    /// The line, with its final newline.
    pub text: Vec<u8>,
}
