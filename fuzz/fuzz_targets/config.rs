//! Read any bytes as an Exim configuration, with a hermetic include
//! resolver (a few fixed files, one including itself), in both option modes.
#![no_main]

use exim_expand::config::{Config, Includes, ReadOptions};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

fn includes() -> Includes {
    static FILES: OnceLock<Arc<HashMap<String, Vec<u8>>>> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        Arc::new(HashMap::from([
            ("/inc/a.conf".to_string(), b"A_MACRO = from a\nqualify_domain = a.example\n".to_vec()),
            ("/inc/self.conf".to_string(), b".include /inc/self.conf\n".to_vec()),
            ("/inc/acl.conf".to_string(), b"begin acl\nx:\n  accept hosts = +relay\n".to_vec()),
        ]))
    });
    Includes::Map(files.clone())
}

fuzz_target!(|data: &[u8]| {
    for strict in [false, true] {
        let opts = ReadOptions {
            strict_options: strict,
            includes: includes(),
            base_dir: Some("/inc".into()),
            ..ReadOptions::default()
        };
        if let Ok(c) = Config::from_bytes_with(data, &opts) {
            let _ = c.options().len() + c.named_lists().len() + c.acls().len();
        }
    }
});
