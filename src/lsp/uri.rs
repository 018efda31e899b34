//! `file:` URIs and paths, both ways, with percent-encoding.  Other
//! schemes (an editor's `untitled:` buffers) keep the whole URI as their
//! "path": such a document has no directory for `.include`s.

use lsp_types::Uri;

/// The path a URI names.
pub fn path_of(uri: &Uri) -> String {
    let s = uri.as_str();
    let Some(rest) = s.strip_prefix("file://") else {
        return s.to_string();
    };
    // `file://host/path`: the host (usually empty or localhost) is dropped.
    let path = match rest.find('/') {
        Some(i) => &rest[i..],
        None => rest,
    };
    String::from_utf8_lossy(&percent_decode(path.as_bytes())).into_owned()
}

/// The `file:` URI of a path (relative paths are taken as given).
pub fn uri_of(path: &str) -> Uri {
    let text = if path.contains(':') && !path.starts_with('/') {
        // Already a URI (an `untitled:` buffer's "path").
        path.to_string()
    } else {
        let mut s = String::from("file://");
        for &b in path.as_bytes() {
            if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
                s.push(b as char);
            } else {
                s.push_str(&format!("%{b:02X}"));
            }
        }
        s
    };
    text.parse()
        .unwrap_or_else(|_| "file:///".parse().expect("a valid URI"))
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    percent_encoding::percent_decode(s).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_uris_round_trip() {
        for p in ["/etc/exim4/exim4.conf", "/tmp/a b/ñ.conf", "/x/100%.exim"] {
            let u = uri_of(p);
            assert_eq!(path_of(&u), p, "{}", u.as_str());
        }
        assert_eq!(uri_of("/tmp/a b").as_str(), "file:///tmp/a%20b");
        let host: Uri = "file://localhost/etc/x".parse().unwrap();
        assert_eq!(path_of(&host), "/etc/x");
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(path_of(&untitled), "untitled:Untitled-1");
        assert_eq!(
            uri_of("untitled:Untitled-1").as_str(),
            "untitled:Untitled-1"
        );
    }
}
