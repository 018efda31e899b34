//! The library's default policy grants no capability: every access to
//! files, processes, sockets, the environment and the network is refused
//! with a message naming the capability, and granting it lets the
//! expansion go on (to whatever Exim would then do).

use exim_expand::eval::{Capabilities, Policy};
use exim_expand::{Capability, Context, expand};

const CASES: &[(&str, Capability)] = &[
    ("${if exists{/etc/passwd}{y}{n}}", Capability::Files),
    ("${stat:/}", Capability::Files),
    (
        "${if match_domain{a.b}{/etc/hosts}{y}{n}}",
        Capability::Files,
    ),
    (
        "${if match_ip{1.2.3.4}{/etc/hosts}{y}{n}}",
        Capability::Files,
    ),
    (
        "${lookup{root}lsearch{/etc/passwd}{y}{n}}",
        Capability::Files,
    ),
    ("${lookup passwd{root}{y}{n}}", Capability::Files),
    ("${lookup{x}cdb{/nonexistent.cdb}{y}{n}}", Capability::Files),
    ("${readfile{/etc/hostname}}", Capability::ReadFile),
    ("${run{/bin/true}}", Capability::Run),
    (
        "${readsocket{/nonexistent.sock}{x}}",
        Capability::ReadSocket,
    ),
    ("${env{HOME}{y}{n}}", Capability::Env),
    ("${perl{f}}", Capability::Perl),
    ("${dlfunc{/nonexistent.so}{f}}", Capability::Dlfunc),
    ("${acl{nosuch}}", Capability::Acl),
    ("${lookup dnsdb{a=localhost}{y}{n}}", Capability::Network),
];

fn refused(src: &str, allowed: Capabilities) -> Option<String> {
    let mut ctx = Context::new();
    ctx.policy = Policy {
        allowed,
        log_to_stderr: false,
    };
    match expand(src.as_bytes(), &mut ctx) {
        Err(e)
            if e.message_str()
                .contains("is not permitted by the expansion policy") =>
        {
            Some(e.message_str())
        }
        _ => None,
    }
}

#[test]
fn each_access_needs_its_capability() {
    let mut bad = Vec::new();
    for &(src, cap) in CASES {
        let want = format!("capability \"{}\" not granted", cap.name());
        match refused(src, Capabilities::NONE) {
            Some(m) if m.contains(&want) => {}
            other => bad.push(format!("{src}: without {cap:?}: {other:?}")),
        }
        // Everything else granted is not enough.
        if refused(src, Capabilities::ALL.without(cap)).is_none() {
            bad.push(format!("{src}: allowed without {cap:?}"));
        }
        if let Some(m) = refused(src, Capabilities::ALL) {
            bad.push(format!("{src}: refused with every capability: {m}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Issue 8.4: `.include` in a configuration read through the library goes
/// through the same policy as every other file access.
#[test]
fn includes_need_the_files_capability() {
    let dir = std::env::temp_dir().join(format!("exim-expand-inc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let inc = dir.join("part.conf");
    std::fs::write(&inc, "qualify_domain = from.include\n").unwrap();
    let text = format!(".include {}\n", inc.display());
    let refused = exim_expand::Engine::builder()
        .config_text(&text)
        .build()
        .unwrap_err();
    assert_eq!(
        refused.message_str(),
        format!(
            "Exim configuration error in line 1 of <string>:\n  reading an included file ({}) is \
             not permitted by the expansion policy (capability \"files\" not granted)",
            inc.display()
        )
    );
    let engine = exim_expand::Engine::builder()
        .config_text(&text)
        .allow(Capability::Files)
        .build()
        .unwrap();
    let t = engine.parse(b"$qualify_domain");
    assert_eq!(engine.expand(&t, &[]).unwrap().bytes, b"from.include");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hermetic_includes_read_only_their_map() {
    use exim_expand::config::{Config, Includes, ReadOptions};
    use std::collections::HashMap;
    let files = HashMap::from([("/c/a.conf".to_string(), b".include /c/b.conf\n".to_vec())]);
    let opts = ReadOptions {
        includes: Includes::Map(files.into()),
        ..ReadOptions::default()
    };
    let e = Config::from_bytes_with(
        b".include_if_exists /etc/hostname\n.include /c/a.conf\n",
        &opts,
    )
    .unwrap_err();
    assert_eq!(
        (e.message.as_str(), e.line),
        ("failed to open included configuration file /c/b.conf", 1)
    );
    assert!(e.file.ends_with("/c/a.conf"), "{}", e.file);
}
