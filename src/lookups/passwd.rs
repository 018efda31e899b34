//! The `passwd` lookup: a user's password-file entry by name.
//!
//! Exim 4.96 behaviour reproduced here:
//! * the result is `*:UID:GID:GECOS:HOME:SHELL` — the password field is
//!   always `*`, the ids are printed as signed C `int`s;
//! * Exim copies GECOS, home and shell through 128-byte buffers: a field
//!   longer than 127 bytes is cut to its first 126 bytes;
//! * an unknown user (or any `getpwnam` failure) is a plain failure, as is
//!   an empty name; the name is a C string, so it ends at a NUL byte;
//! * there are no error messages: the result is never `Err`.

use crate::sys::getpwnam;

/// Looks `user` up with `getpwnam_r`.  `Ok(None)` means no such user.
pub fn find(user: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let user = match user.iter().position(|&b| b == 0) {
        Some(n) => &user[..n],
        None => user,
    };
    if user.is_empty() {
        return Ok(None);
    }
    let Some(entry) = getpwnam(user) else {
        return Ok(None);
    };
    let mut out = format!("*:{}:{}:", entry.uid as i32, entry.gid as i32).into_bytes();
    out.extend_from_slice(exim_field(&entry.gecos));
    out.push(b':');
    out.extend_from_slice(exim_field(&entry.dir));
    out.push(b':');
    out.extend_from_slice(exim_field(&entry.shell));
    Ok(Some(out))
}

/// A field as it comes out of one of Exim's 128-byte copy buffers.
fn exim_field(s: &[u8]) -> &[u8] {
    if s.len() > 127 { &s[..126] } else { s }
}

/// The `passwd` lookup type (the system's user database, read through
/// the C library).
pub(crate) fn query(
    q: &crate::eval::LookupQuery,
) -> Result<Option<Vec<u8>>, crate::eval::LookupFailure> {
    find(q.key).map_err(crate::eval::LookupFailure::Defer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::run_oracle;

    /// The entry for `name` in /etc/passwd, formatted the way Exim does
    /// (for comparison when the system uses plain files).
    fn from_etc_passwd(name: &str) -> Option<String> {
        let text = std::fs::read_to_string("/etc/passwd").ok()?;
        text.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() == 7 && f[0] == name)
                .then(|| format!("*:{}:{}:{}:{}:{}", f[2], f[3], f[4], f[5], f[6]))
        })
    }

    #[test]
    fn known_and_unknown_users() {
        let root = find(b"root").unwrap().expect("root exists");
        let root = String::from_utf8(root).unwrap();
        assert!(root.starts_with("*:0:0:"), "{root}");
        if let Some(want) = from_etc_passwd("root") {
            assert_eq!(root, want);
        }
        assert_eq!(find(b"nosuchuser-xyz"), Ok(None));
        assert_eq!(find(b""), Ok(None));
        assert_eq!(find(b"\0root"), Ok(None));
        assert_eq!(
            find(b"root\0junk").unwrap().as_deref(),
            Some(root.as_bytes())
        );
        assert_eq!(find(&[b'x'; 5000]), Ok(None));
        assert_eq!(find(b"ro ot"), Ok(None));
        assert_eq!(find(b"\xff\xfe"), Ok(None));
    }

    #[test]
    fn long_fields_are_cut_like_exim() {
        assert_eq!(exim_field(&[b'a'; 127]).len(), 127);
        assert_eq!(exim_field(&[b'a'; 128]).len(), 126);
        assert_eq!(exim_field(&[b'a'; 500]).len(), 126);
        assert_eq!(exim_field(b""), b"");
    }

    /// Live comparison with Exim when it is installed.
    #[test]
    fn oracle() {
        let mut users = vec!["root".to_string(), "nosuchuser-xyz".to_string()];
        if let Ok(text) = std::fs::read_to_string("/etc/passwd") {
            users.extend(
                text.lines()
                    .filter_map(|l| l.split(':').next())
                    .take(8)
                    .map(str::to_string),
            );
        }
        for user in users {
            let expr = format!("${{lookup passwd{{{user}}}{{[$value]}}{{NOTFOUND}}}}");
            let Some(want) = run_oracle(&expr) else {
                return;
            };
            let mine = match find(user.as_bytes()).unwrap() {
                Some(v) => format!("[{}]", String::from_utf8_lossy(&v)),
                None => "NOTFOUND".into(),
            };
            assert_eq!(Ok(mine), want, "user {user:?}");
        }
    }
}
