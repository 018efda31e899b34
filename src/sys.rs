//! What Exim's calls into the C library give: `isspace` in the C locale,
//! and the words for system errors, as Exim prints them.

/// C's `isspace` in the "C" locale: SP, TAB, LF, VT, FF, CR.
pub fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
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

/// Builds a message from pieces of text and raw bytes (messages quote
/// input, which need not be UTF-8).
pub fn msg(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The login name of the calling user (Exim's `$caller_name` and the
/// sender of locally submitted messages).
pub fn caller_name() -> String {
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
