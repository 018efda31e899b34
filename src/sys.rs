//! What Exim's calls into the C library give: `isspace` in the C locale,
//! and the words for system errors, as Exim prints them.

/// C's `isspace` in the "C" locale: SP, TAB, LF, VT, FF, CR.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// `b` without leading [`is_space`] bytes (for the SQL and Redis lookups,
/// which are features).
#[cfg_attr(
    not(any(
        feature = "sqlite",
        feature = "pgsql",
        feature = "mysql",
        feature = "redis"
    )),
    allow(dead_code)
)]
pub fn trim_start(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|&c| !is_space(c)).unwrap_or(b.len());
    &b[s..]
}

/// `b` without trailing [`is_space`] bytes.
pub fn trim_end(b: &[u8]) -> &[u8] {
    let e = b.iter().rposition(|&c| !is_space(c)).map_or(0, |i| i + 1);
    &b[..e]
}

/// `b` without leading and trailing [`is_space`] bytes.
pub fn trim(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|&c| !is_space(c)).unwrap_or(b.len());
    let e = b.iter().rposition(|&c| !is_space(c)).map_or(s, |i| i + 1);
    &b[s..e]
}

/// `strerror(errno)`: "No such file or directory".
pub fn strerror(errno: i32) -> String {
    // SAFETY: strerror returns a pointer to a NUL-terminated static or
    // thread-local string for any error number; it is copied at once.
    unsafe {
        let p = libc::strerror(errno);
        if p.is_null() {
            return format!("Unknown error {errno}");
        }
        std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned()
    }
}

/// The `strerror` text of an I/O error (Rust's own text without its
/// " (os error N)" tail when the error has no errno).
pub fn io_error_text(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => strerror(code),
        None => {
            let text = e.to_string();
            match text.find(" (os error ") {
                Some(n) => text[..n].to_string(),
                None => text,
            }
        }
    }
}

/// Reads `what` to the end, but never more than `max` bytes: more is an
/// error naming [`Limits::max_read`](crate::eval::Limits::max_read).  A read
/// error is reported (Exim's `fgets` loops take it for the end of the file,
/// and so a silent "no match"), except that a directory reads as empty, as
/// it does in Exim.
pub fn read_bounded(
    r: &mut impl std::io::Read,
    what: &[u8],
    max: usize,
) -> Result<Vec<u8>, String> {
    let mut data = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    match std::io::Read::read_to_end(&mut std::io::Read::take(r, limit), &mut data) {
        Err(e) if e.raw_os_error() == Some(libc::EISDIR) => return Ok(Vec::new()),
        Err(e) => {
            return Err(format!(
                "error reading {}: {}",
                String::from_utf8_lossy(what),
                io_error_text(&e)
            ));
        }
        Ok(_) => {}
    }
    if data.len() > max {
        return Err(too_long(what, max));
    }
    Ok(data)
}

/// The message for a file longer than [`read_bounded`] allows.
fn too_long(what: &[u8], max: usize) -> String {
    format!(
        "{} is longer than {max} bytes (Limits::max_read)",
        String::from_utf8_lossy(what)
    )
}

/// Exim's `string_open_failed`: `failed to open NAME: strerror`, and for a
/// permission error the ids Exim would have had ([`permission_ids`]).
pub fn open_failed(name: &[u8], errno: i32) -> Vec<u8> {
    let mut m = b"failed to open ".to_vec();
    m.extend_from_slice(name);
    m.extend_from_slice(b": ");
    m.extend_from_slice(strerror(errno).as_bytes());
    if errno == libc::EACCES {
        m.extend_from_slice(permission_ids().as_bytes());
    }
    m
}

/// ` (euid=U egid=G)` as Exim adds it to "Permission denied": run as root,
/// Exim keeps euid 0 but has switched to its own group.
pub fn permission_ids() -> String {
    // SAFETY: geteuid and getegid have no preconditions and cannot fail.
    let (euid, egid) = unsafe { (libc::geteuid(), libc::getegid()) };
    let egid = if euid == 0 {
        exim_ids(&crate::eval::Profile::DEBIAN_4_96).1
    } else {
        egid
    };
    format!(" (euid={euid} egid={egid})")
}

/// The uid and gid of the Exim user: those of the system's account of
/// that name when it exists (Debian builds look it up at run time), else
/// the profile's numbers.
pub fn exim_ids(profile: &crate::eval::Profile) -> (u32, u32) {
    static REFERENCE: std::sync::OnceLock<Option<(u32, u32)>> = std::sync::OnceLock::new();
    let found = if profile.exim_user == crate::eval::Profile::DEBIAN_4_96.exim_user {
        *REFERENCE.get_or_init(|| getpwnam(profile.exim_user.as_bytes()).map(|e| (e.uid, e.gid)))
    } else {
        getpwnam(profile.exim_user.as_bytes()).map(|e| (e.uid, e.gid))
    };
    found.unwrap_or((profile.exim_uid, profile.exim_gid))
}

/// Builds a message from pieces of text and raw bytes (messages quote
/// input, which need not be UTF-8).
pub fn msg(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The login name of the calling user (Exim's `$caller_name` and the
/// sender of locally submitted messages).  Read once, as Exim reads it at
/// start-up: the user does not change, and reading the password file for
/// every `$sender_address` cost more than the rest of the expansion.
pub fn caller_name() -> &'static str {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    NAME.get_or_init(read_caller_name)
}

fn read_caller_name() -> String {
    // SAFETY: getuid has no preconditions; getpwuid returns NULL or a
    // pointer to static storage that we copy out immediately.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if pw.is_null() {
            return "root".into();
        }
        std::ffi::CStr::from_ptr((*pw).pw_name)
            .to_string_lossy()
            .into_owned()
    }
}

/// The fields of a password-file entry that Exim uses.
pub struct PasswdEntry {
    /// `pw_uid`.
    pub uid: libc::uid_t,
    /// `pw_gid`.
    pub gid: libc::gid_t,
    /// `pw_gecos`.
    pub gecos: Vec<u8>,
    /// `pw_dir`.
    pub dir: Vec<u8>,
    /// `pw_shell`.
    pub shell: Vec<u8>,
}

/// `getpwnam_r`, growing the buffer while it is too small.
pub fn getpwnam(name: &[u8]) -> Option<PasswdEntry> {
    let cname = std::ffi::CString::new(name).ok()?;
    let mut size = 1024usize;
    loop {
        let mut buf = vec![0 as libc::c_char; size];
        // SAFETY: an all-zero passwd is a valid value (null pointers, zero ids).
        let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer refers to live, correctly sized storage; the
        // name is NUL-terminated and `size` is the buffer's length.
        let rc = unsafe {
            libc::getpwnam_r(
                cname.as_ptr(),
                &mut pwd,
                buf.as_mut_ptr(),
                size,
                &mut result,
            )
        };
        if rc == libc::ERANGE && size < (1 << 20) {
            size *= 4;
            continue;
        }
        if rc != 0 || result.is_null() {
            return None;
        }
        return Some(PasswdEntry {
            uid: pwd.pw_uid,
            gid: pwd.pw_gid,
            gecos: c_field(pwd.pw_gecos),
            dir: c_field(pwd.pw_dir),
            shell: c_field(pwd.pw_shell),
        });
    }
}

/// The bytes of a C string field, empty for a null pointer.
fn c_field(p: *const libc::c_char) -> Vec<u8> {
    if p.is_null() {
        return Vec::new();
    }
    // SAFETY: getpwnam_r filled the field with a pointer to a NUL-terminated
    // string inside the buffer, which is still alive here.
    unsafe { std::ffi::CStr::from_ptr(p) }.to_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    #[test]
    fn trimming() {
        assert_eq!(super::trim(b" \t a b \x0b"), b"a b");
        assert_eq!(super::trim(b"   "), b"");
    }

    #[test]
    fn texts() {
        assert_eq!(super::strerror(libc::ENOENT), "No such file or directory");
        let e = std::io::Error::from_raw_os_error(libc::EACCES);
        assert_eq!(super::io_error_text(&e), "Permission denied");
    }
}
