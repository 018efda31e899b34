//! An SMTP session (`-bh`) fed arbitrary input: commands, messages,
//! BDAT chunks and AUTH dialogues, through a configuration with an ACL at
//! every phase, over the zone-file resolver with no zones (every name
//! is unknown), in the sandbox.  Nothing may panic or hang.

#![no_main]

mod common;

use exim_expand::config::Config;
use exim_expand::smtp::{Client, SmtpSession, Step};
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = "\
primary_hostname = fuzz.example
acl_smtp_connect = accept
acl_smtp_helo = accept
acl_smtp_mail = mail
acl_smtp_rcpt = rcpt
acl_smtp_predata = accept
acl_smtp_dkim = accept
acl_smtp_data = data
acl_smtp_quit = accept
acl_smtp_notquit = accept
begin acl
mail:
  warn spf = pass:fail:none
  warn add_header = X-Fuzz: $sender_address
  accept
rcpt:
  deny local_parts = bad
       message = 550 5.1.1 no $local_part\\nsecond line
  accept
data:
  warn !verify = header_syntax
  warn logwrite = ${authresults{fuzz.example}}
  accept
begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = ${if eq{$auth2}{user}}
  server_set_id = $auth2
";

fuzz_target!(|data: &[u8]| {
    let Ok(config) = Config::from_str(CONFIG, &[]) else {
        return;
    };
    let mut ctx = common::sandbox();
    ctx.apply_config(&config);
    ctx.resolver = std::sync::Arc::new(exim_expand::dns::ZoneResolver::default());
    let mut s = SmtpSession::new(
        &mut ctx,
        Client {
            address: "192.0.2.1".into(),
            port: Some(25),
        },
    );
    if s.start() == Step::Command {
        exim_expand::smtp::run_script(&mut s, data, |s| {
            s.take_output();
            s.take_log();
        });
    }
});
