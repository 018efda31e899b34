//! Exim 4.96 variable table (Debian build: no ARC, Brightmail, DCC, DMARC),
//! sorted by name. Generated from the 4.96 table; defaults checked against the
//! oracle (`shared/conformance/variables.jsonl`).

use super::computed::*;
use super::host_lookup;
use super::message_vars;
use super::{VarDef, VarKind::*};

pub static VARS: &[VarDef] = &[
    VarDef {
        name: "acl_arg1",
        kind: Str,
    },
    VarDef {
        name: "acl_arg2",
        kind: Str,
    },
    VarDef {
        name: "acl_arg3",
        kind: Str,
    },
    VarDef {
        name: "acl_arg4",
        kind: Str,
    },
    VarDef {
        name: "acl_arg5",
        kind: Str,
    },
    VarDef {
        name: "acl_arg6",
        kind: Str,
    },
    VarDef {
        name: "acl_arg7",
        kind: Str,
    },
    VarDef {
        name: "acl_arg8",
        kind: Str,
    },
    VarDef {
        name: "acl_arg9",
        kind: Str,
    },
    VarDef {
        name: "acl_narg",
        kind: Default("0"),
    },
    VarDef {
        name: "acl_verify_message",
        kind: Str,
    },
    VarDef {
        name: "address_data",
        kind: Str,
    },
    VarDef {
        name: "address_file",
        kind: Str,
    },
    VarDef {
        name: "address_pipe",
        kind: Str,
    },
    VarDef {
        name: "authenticated_fail_id",
        kind: Str,
    },
    VarDef {
        name: "authenticated_id",
        kind: Str,
    },
    VarDef {
        name: "authenticated_sender",
        kind: Str,
    },
    VarDef {
        name: "authentication_failed",
        kind: Default("0"),
    },
    VarDef {
        name: "av_failed",
        kind: Default("0"),
    },
    VarDef {
        name: "body_linecount",
        kind: Computed(message_vars::body_linecount),
    },
    VarDef {
        name: "body_zerocount",
        kind: Computed(message_vars::body_zerocount),
    },
    VarDef {
        name: "bounce_recipient",
        kind: Str,
    },
    VarDef {
        name: "bounce_return_size_limit",
        kind: Computed(return_size_limit),
    },
    VarDef {
        name: "caller_gid",
        kind: Computed(caller_gid),
    },
    VarDef {
        name: "caller_uid",
        kind: Computed(caller_uid),
    },
    VarDef {
        name: "callout_address",
        kind: Str,
    },
    VarDef {
        name: "compile_date",
        kind: Computed(compile_date),
    },
    VarDef {
        name: "compile_number",
        kind: Computed(compile_number),
    },
    VarDef {
        name: "config_dir",
        kind: Computed(config_dir),
    },
    VarDef {
        name: "config_file",
        kind: Computed(config_file),
    },
    VarDef {
        name: "csa_status",
        kind: Str,
    },
    VarDef {
        name: "dkim_algo",
        kind: Str,
    },
    VarDef {
        name: "dkim_bodylength",
        kind: Str,
    },
    VarDef {
        name: "dkim_canon_body",
        kind: Str,
    },
    VarDef {
        name: "dkim_canon_headers",
        kind: Str,
    },
    VarDef {
        name: "dkim_copiedheaders",
        kind: Str,
    },
    VarDef {
        name: "dkim_created",
        kind: Str,
    },
    VarDef {
        name: "dkim_cur_signer",
        kind: Str,
    },
    VarDef {
        name: "dkim_domain",
        kind: Str,
    },
    VarDef {
        name: "dkim_expires",
        kind: Str,
    },
    VarDef {
        name: "dkim_headernames",
        kind: Str,
    },
    VarDef {
        name: "dkim_identity",
        kind: Str,
    },
    VarDef {
        name: "dkim_key_granularity",
        kind: Str,
    },
    VarDef {
        name: "dkim_key_length",
        kind: Default("0"),
    },
    VarDef {
        name: "dkim_key_nosubdomains",
        kind: Str,
    },
    VarDef {
        name: "dkim_key_notes",
        kind: Str,
    },
    VarDef {
        name: "dkim_key_srvtype",
        kind: Str,
    },
    VarDef {
        name: "dkim_key_testing",
        kind: Str,
    },
    VarDef {
        name: "dkim_selector",
        kind: Str,
    },
    VarDef {
        name: "dkim_signers",
        kind: Str,
    },
    VarDef {
        name: "dkim_verify_reason",
        kind: Str,
    },
    VarDef {
        name: "dkim_verify_status",
        kind: Str,
    },
    VarDef {
        name: "dnslist_domain",
        kind: Str,
    },
    VarDef {
        name: "dnslist_matched",
        kind: Str,
    },
    VarDef {
        name: "dnslist_text",
        kind: Str,
    },
    VarDef {
        name: "dnslist_value",
        kind: Str,
    },
    VarDef {
        name: "domain",
        kind: Str,
    },
    VarDef {
        name: "domain_data",
        kind: Str,
    },
    VarDef {
        name: "event_data",
        kind: Str,
    },
    VarDef {
        name: "event_defer_errno",
        kind: Default("0"),
    },
    VarDef {
        name: "event_name",
        kind: Str,
    },
    VarDef {
        name: "exim_gid",
        kind: Computed(exim_gid),
    },
    VarDef {
        name: "exim_path",
        kind: Computed(exim_path),
    },
    VarDef {
        name: "exim_uid",
        kind: Computed(exim_uid),
    },
    VarDef {
        name: "exim_version",
        kind: Computed(version),
    },
    VarDef {
        name: "headers_added",
        kind: Str,
    },
    VarDef {
        name: "home",
        kind: Str,
    },
    VarDef {
        name: "host",
        kind: Str,
    },
    VarDef {
        name: "host_address",
        kind: Str,
    },
    VarDef {
        name: "host_data",
        kind: Str,
    },
    VarDef {
        name: "host_lookup_deferred",
        kind: Computed(host_lookup::host_lookup_deferred),
    },
    VarDef {
        name: "host_lookup_failed",
        kind: Computed(host_lookup::host_lookup_failed),
    },
    VarDef {
        name: "host_port",
        kind: Default("0"),
    },
    VarDef {
        name: "initial_cwd",
        kind: Computed(initial_cwd),
    },
    VarDef {
        name: "inode",
        kind: Default("0"),
    },
    VarDef {
        name: "interface_address",
        kind: Str,
    },
    VarDef {
        name: "interface_port",
        kind: Default("-1"),
    },
    VarDef {
        name: "item",
        kind: Held(item),
    },
    VarDef {
        name: "ldap_dn",
        kind: Str,
    },
    VarDef {
        name: "load_average",
        kind: Computed(load_average),
    },
    VarDef {
        name: "local_part",
        kind: Str,
    },
    VarDef {
        name: "local_part_data",
        kind: Str,
    },
    VarDef {
        name: "local_part_prefix",
        kind: Str,
    },
    VarDef {
        name: "local_part_prefix_v",
        kind: Str,
    },
    VarDef {
        name: "local_part_suffix",
        kind: Str,
    },
    VarDef {
        name: "local_part_suffix_v",
        kind: Str,
    },
    VarDef {
        name: "local_scan_data",
        kind: Str,
    },
    VarDef {
        name: "local_user_gid",
        kind: Default("4294967295"),
    },
    VarDef {
        name: "local_user_uid",
        kind: Default("4294967295"),
    },
    VarDef {
        name: "localhost_number",
        kind: Default("0"),
    },
    VarDef {
        name: "log_inodes",
        kind: Computed(log_inodes),
    },
    VarDef {
        name: "log_space",
        kind: Computed(log_space),
    },
    VarDef {
        name: "lookup_dnssec_authenticated",
        kind: Str,
    },
    VarDef {
        name: "mailstore_basename",
        kind: Str,
    },
    VarDef {
        name: "malware_name",
        kind: Str,
    },
    VarDef {
        name: "max_received_linelength",
        kind: Computed(message_vars::max_received_linelength),
    },
    VarDef {
        name: "message_age",
        kind: Default("0"),
    },
    VarDef {
        name: "message_body",
        kind: Computed(message_vars::message_body),
    },
    VarDef {
        name: "message_body_end",
        kind: Computed(message_vars::message_body_end),
    },
    VarDef {
        name: "message_body_size",
        kind: Computed(message_vars::message_body_size),
    },
    VarDef {
        name: "message_exim_id",
        kind: Computed(message_vars::message_id),
    },
    VarDef {
        name: "message_headers",
        kind: Computed(message_vars::message_headers),
    },
    VarDef {
        name: "message_headers_raw",
        kind: Computed(message_vars::message_headers_raw),
    },
    VarDef {
        name: "message_id",
        kind: Computed(message_vars::message_id),
    },
    VarDef {
        name: "message_linecount",
        kind: Computed(message_vars::message_linecount),
    },
    VarDef {
        name: "message_size",
        kind: Computed(message_vars::message_size),
    },
    VarDef {
        name: "message_smtputf8",
        kind: Bool,
    },
    VarDef {
        name: "mime_anomaly_level",
        kind: Default("0"),
    },
    VarDef {
        name: "mime_anomaly_text",
        kind: Str,
    },
    VarDef {
        name: "mime_boundary",
        kind: Str,
    },
    VarDef {
        name: "mime_charset",
        kind: Str,
    },
    VarDef {
        name: "mime_content_description",
        kind: Str,
    },
    VarDef {
        name: "mime_content_disposition",
        kind: Str,
    },
    VarDef {
        name: "mime_content_id",
        kind: Str,
    },
    VarDef {
        name: "mime_content_size",
        kind: Default("0"),
    },
    VarDef {
        name: "mime_content_transfer_encoding",
        kind: Str,
    },
    VarDef {
        name: "mime_content_type",
        kind: Str,
    },
    VarDef {
        name: "mime_decoded_filename",
        kind: Str,
    },
    VarDef {
        name: "mime_filename",
        kind: Str,
    },
    VarDef {
        name: "mime_is_coverletter",
        kind: Default("0"),
    },
    VarDef {
        name: "mime_is_multipart",
        kind: Default("0"),
    },
    VarDef {
        name: "mime_is_rfc822",
        kind: Default("0"),
    },
    VarDef {
        name: "mime_part_count",
        kind: Default("-1"),
    },
    VarDef {
        name: "original_domain",
        kind: Str,
    },
    VarDef {
        name: "original_local_part",
        kind: Str,
    },
    VarDef {
        name: "originator_gid",
        kind: Computed(caller_gid),
    },
    VarDef {
        name: "originator_uid",
        kind: Computed(caller_uid),
    },
    VarDef {
        name: "parent_domain",
        kind: Str,
    },
    VarDef {
        name: "parent_local_part",
        kind: Str,
    },
    VarDef {
        name: "pid",
        kind: Computed(pid),
    },
    VarDef {
        name: "prdr_requested",
        kind: Bool,
    },
    VarDef {
        name: "primary_hostname",
        kind: Computed(primary_hostname),
    },
    VarDef {
        name: "proxy_external_address",
        kind: Str,
    },
    VarDef {
        name: "proxy_external_port",
        kind: Default("0"),
    },
    VarDef {
        name: "proxy_local_address",
        kind: Str,
    },
    VarDef {
        name: "proxy_local_port",
        kind: Default("0"),
    },
    VarDef {
        name: "proxy_session",
        kind: Bool,
    },
    VarDef {
        name: "prvscheck_address",
        kind: Str,
    },
    VarDef {
        name: "prvscheck_keynum",
        kind: Str,
    },
    VarDef {
        name: "prvscheck_result",
        kind: Str,
    },
    VarDef {
        name: "qualify_domain",
        kind: Computed(qualify_domain),
    },
    VarDef {
        name: "qualify_recipient",
        kind: Computed(qualify_recipient),
    },
    VarDef {
        name: "queue_name",
        kind: Str,
    },
    VarDef {
        name: "queue_size",
        kind: Str,
    },
    VarDef {
        name: "rcpt_count",
        kind: Default("0"),
    },
    VarDef {
        name: "rcpt_defer_count",
        kind: Default("0"),
    },
    VarDef {
        name: "rcpt_fail_count",
        kind: Default("0"),
    },
    VarDef {
        name: "received_count",
        kind: Computed(message_vars::received_count),
    },
    VarDef {
        name: "received_for",
        kind: Str,
    },
    VarDef {
        name: "received_ip_address",
        kind: Str,
    },
    VarDef {
        name: "received_port",
        kind: Default("-1"),
    },
    VarDef {
        name: "received_protocol",
        kind: Str,
    },
    VarDef {
        name: "received_time",
        kind: Default("0"),
    },
    VarDef {
        name: "recipient_data",
        kind: Str,
    },
    VarDef {
        name: "recipient_verify_failure",
        kind: Str,
    },
    VarDef {
        name: "recipients",
        kind: Computed(message_vars::recipients),
    },
    VarDef {
        name: "recipients_count",
        kind: Computed(message_vars::recipients_count),
    },
    VarDef {
        name: "regex_match_string",
        kind: Str,
    },
    VarDef {
        name: "reply_address",
        kind: Computed(message_vars::reply_address),
    },
    VarDef {
        name: "return_path",
        kind: Computed(message_vars::return_path),
    },
    VarDef {
        name: "return_size_limit",
        kind: Computed(return_size_limit),
    },
    VarDef {
        name: "router_name",
        kind: Str,
    },
    VarDef {
        name: "runrc",
        kind: Computed(runrc),
    },
    VarDef {
        name: "self_hostname",
        kind: Str,
    },
    VarDef {
        name: "sender_address",
        kind: Computed(sender_address),
    },
    VarDef {
        name: "sender_address_data",
        kind: Str,
    },
    VarDef {
        name: "sender_address_domain",
        kind: Computed(sender_address_domain),
    },
    VarDef {
        name: "sender_address_local_part",
        kind: Computed(sender_address_local_part),
    },
    VarDef {
        name: "sender_data",
        kind: Str,
    },
    VarDef {
        name: "sender_fullhost",
        kind: Computed(sender_fullhost),
    },
    VarDef {
        name: "sender_helo_dnssec",
        kind: Bool,
    },
    VarDef {
        name: "sender_helo_name",
        kind: Str,
    },
    VarDef {
        name: "sender_host_address",
        kind: Str,
    },
    VarDef {
        name: "sender_host_authenticated",
        kind: Str,
    },
    VarDef {
        name: "sender_host_dnssec",
        kind: Computed(host_lookup::sender_host_dnssec),
    },
    VarDef {
        name: "sender_host_name",
        kind: Computed(host_lookup::sender_host_name),
    },
    VarDef {
        name: "sender_host_port",
        kind: Default("0"),
    },
    VarDef {
        name: "sender_ident",
        kind: Str,
    },
    VarDef {
        name: "sender_rate",
        kind: Str,
    },
    VarDef {
        name: "sender_rate_limit",
        kind: Str,
    },
    VarDef {
        name: "sender_rate_period",
        kind: Str,
    },
    VarDef {
        name: "sender_rcvhost",
        kind: Computed(sender_rcvhost),
    },
    VarDef {
        name: "sender_verify_failure",
        kind: Str,
    },
    VarDef {
        name: "sending_ip_address",
        kind: Str,
    },
    VarDef {
        name: "sending_port",
        kind: Default("-1"),
    },
    VarDef {
        name: "smtp_active_hostname",
        kind: Computed(primary_hostname_var),
    },
    VarDef {
        name: "smtp_command",
        kind: Str,
    },
    VarDef {
        name: "smtp_command_argument",
        kind: Str,
    },
    VarDef {
        name: "smtp_command_history",
        kind: Str,
    },
    VarDef {
        name: "smtp_count_at_connection_start",
        kind: Default("0"),
    },
    VarDef {
        name: "smtp_notquit_reason",
        kind: Str,
    },
    VarDef {
        name: "spam_action",
        kind: Str,
    },
    VarDef {
        name: "spam_bar",
        kind: Str,
    },
    VarDef {
        name: "spam_report",
        kind: Str,
    },
    VarDef {
        name: "spam_score",
        kind: Str,
    },
    VarDef {
        name: "spam_score_int",
        kind: Str,
    },
    VarDef {
        name: "spf_guess",
        kind: Computed(spf_guess),
    },
    VarDef {
        name: "spf_header_comment",
        kind: Str,
    },
    VarDef {
        name: "spf_received",
        kind: Str,
    },
    VarDef {
        name: "spf_result",
        kind: Str,
    },
    VarDef {
        name: "spf_result_guessed",
        kind: Bool,
    },
    VarDef {
        name: "spf_smtp_comment",
        kind: Str,
    },
    VarDef {
        name: "spool_directory",
        kind: Computed(spool_directory),
    },
    VarDef {
        name: "spool_inodes",
        kind: Computed(spool_inodes),
    },
    VarDef {
        name: "spool_space",
        kind: Computed(spool_space),
    },
    VarDef {
        name: "srs_recipient",
        kind: Str,
    },
    VarDef {
        name: "thisaddress",
        kind: Str,
    },
    VarDef {
        name: "tls_bits",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_certificate_verified",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_cipher",
        kind: Str,
    },
    VarDef {
        name: "tls_in_bits",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_in_certificate_verified",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_in_cipher",
        kind: Str,
    },
    VarDef {
        name: "tls_in_cipher_std",
        kind: Str,
    },
    VarDef {
        name: "tls_in_ocsp",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_in_ourcert",
        kind: Cert,
    },
    VarDef {
        name: "tls_in_peercert",
        kind: Cert,
    },
    VarDef {
        name: "tls_in_peerdn",
        kind: Str,
    },
    VarDef {
        name: "tls_in_resumption",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_in_sni",
        kind: Str,
    },
    VarDef {
        name: "tls_in_ver",
        kind: Str,
    },
    VarDef {
        name: "tls_out_bits",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_out_certificate_verified",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_out_cipher",
        kind: Str,
    },
    VarDef {
        name: "tls_out_cipher_std",
        kind: Str,
    },
    VarDef {
        name: "tls_out_dane",
        kind: Bool,
    },
    VarDef {
        name: "tls_out_ocsp",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_out_ourcert",
        kind: Cert,
    },
    VarDef {
        name: "tls_out_peercert",
        kind: Cert,
    },
    VarDef {
        name: "tls_out_peerdn",
        kind: Str,
    },
    VarDef {
        name: "tls_out_resumption",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_out_sni",
        kind: Str,
    },
    VarDef {
        name: "tls_out_tlsa_usage",
        kind: Default("0"),
    },
    VarDef {
        name: "tls_out_ver",
        kind: Str,
    },
    VarDef {
        name: "tls_peerdn",
        kind: Str,
    },
    VarDef {
        name: "tls_sni",
        kind: Str,
    },
    VarDef {
        name: "tod_bsdinbox",
        kind: Computed(tod_bsdinbox),
    },
    VarDef {
        name: "tod_epoch",
        kind: Computed(tod_epoch),
    },
    VarDef {
        name: "tod_epoch_l",
        kind: Computed(tod_epoch_l),
    },
    VarDef {
        name: "tod_full",
        kind: Computed(tod_full),
    },
    VarDef {
        name: "tod_log",
        kind: Computed(tod_log),
    },
    VarDef {
        name: "tod_logfile",
        kind: Computed(tod_logfile),
    },
    VarDef {
        name: "tod_zone",
        kind: Computed(tod_zone),
    },
    VarDef {
        name: "tod_zulu",
        kind: Computed(tod_zulu),
    },
    VarDef {
        name: "transport_name",
        kind: Str,
    },
    VarDef {
        name: "value",
        kind: Held(value),
    },
    VarDef {
        name: "verify_mode",
        kind: Str,
    },
    VarDef {
        name: "version_number",
        kind: Computed(version),
    },
    VarDef {
        name: "warn_message_delay",
        kind: Str,
    },
    VarDef {
        name: "warn_message_recipient",
        kind: Str,
    },
    VarDef {
        name: "warn_message_recipients",
        kind: Str,
    },
    VarDef {
        name: "warnmsg_delay",
        kind: Str,
    },
    VarDef {
        name: "warnmsg_recipient",
        kind: Str,
    },
    VarDef {
        name: "warnmsg_recipients",
        kind: Str,
    },
];
