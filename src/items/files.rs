//! `${readfile{file}{eol}}`: a whole file, newlines optionally replaced.

use crate::eval::{Evaluator, Failure, Value};

/// Exim's `cat_file`: the data read as `fgets` does (chunks of at most 1023
/// bytes ending at a newline), each chunk cut at its first NUL; with `eol`
/// every chunk's final newline is replaced by it.
pub(crate) fn cat_file(data: &[u8], eol: Option<&[u8]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    while !rest.is_empty() {
        let max = rest.len().min(1023);
        let n = rest[..max]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(max, |i| i + 1);
        let chunk = &rest[..n];
        rest = &rest[n..];
        let mut len = chunk.iter().position(|&c| c == 0).unwrap_or(chunk.len());
        match eol {
            Some(eol) => {
                let had_newline = len > 0 && chunk[len - 1] == b'\n';
                if had_newline {
                    len -= 1;
                }
                out.extend_from_slice(&chunk[..len]);
                if had_newline {
                    out.extend_from_slice(eol);
                }
            }
            None => out.extend_from_slice(&chunk[..len]),
        }
    }
    out
}

pub fn readfile(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let Some(file) = vals.first() else {
        return Err(super::unread());
    };
    // A file name is used up to a NUL, as the C string it is.
    let name: &[u8] = match file.bytes.iter().position(|&c| c == 0) {
        Some(i) => &file.bytes[..i],
        None => &file.bytes,
    };
    if file.tainted {
        // Exim's open wrapper refuses tainted names with EACCES.
        crate::acl::log_tainted_filename(ev, name, false);
        return Err(Failure::new(crate::sys::open_failed(name, libc::EACCES)));
    }
    use std::os::unix::ffi::OsStrExt;
    let path = std::path::Path::new(std::ffi::OsStr::from_bytes(name));
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return Err(Failure::new(crate::sys::open_failed(
                name,
                e.raw_os_error().unwrap_or(libc::ENOENT),
            )));
        }
    };
    // A read error (a directory: EISDIR) ends the data, as fgets does.
    let data = crate::sys::read_bounded(&mut f, name, ev.ctx.limits.max_read)?;
    let eol = vals.get(1).map(|v| v.bytes.as_slice());
    out.push_bytes(&cat_file(&data, eol));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{Context, Policy};

    use crate::testutil::expand_in as run;

    #[test]
    fn cat_file_chunks() {
        assert_eq!(cat_file(b"a\nb\n\nc\n", Some(b",")), b"a,b,,c,");
        assert_eq!(cat_file(b"a\nb", Some(b"")), b"ab");
        assert_eq!(cat_file(b"a\0x\nb\n", None), b"ab\n");
    }

    /// Expected values from the corpus (testsuite 0002, items.jsonl).
    #[test]
    fn readfile_oracle() {
        let dir = std::env::temp_dir().join(format!("ee-readfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("0002.readfile");
        std::fs::write(&f, "abcde\n12345\n\nxyz\n").unwrap();
        let f = f.display().to_string();
        let mut ctx = Context::new();
        ctx.policy = Policy::permissive();
        ctx.policy.log_to_stderr = false;
        let cases: Vec<(String, Result<&str, String>)> = vec![
            (format!("${{readfile{{{f}}}}}"), Ok("abcde\n12345\n\nxyz\n")),
            (format!("${{readfile{{{f}}}{{}}}}"), Ok("abcde12345xyz")),
            (
                format!("${{readfile{{{f}}}{{:}}}}"),
                Ok("abcde:12345::xyz:"),
            ),
            (
                format!("${{readfile{{{f}}}{{ - }}}}"),
                Ok("abcde - 12345 -  - xyz - "),
            ),
            (
                format!(">${{readfile{{{f}}}{{!}}}}<"),
                Ok(">abcde!12345!!xyz!<"),
            ),
            (
                "${readfile{/non/exist/file}}".into(),
                Err("failed to open /non/exist/file: No such file or directory".into()),
            ),
            (
                "${readfile{}}".into(),
                Err("failed to open : No such file or directory".into()),
            ),
            (
                "${if exists{/non/exist/file}{${readfile{/non/exist/file}}}{non-exist}}".into(),
                Ok("non-exist"),
            ),
            (format!("${{readfile{{{}}}}}", dir.display()), Ok("")),
            (
                "${readfile}".into(),
                Err("Not enough arguments for 'readfile' (min is 1)".into()),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(run(&mut ctx, &e), want.map(str::to_string), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// `exim -f a@b -be '${readfile{$sender_address}}'` prints
    /// `Failed: failed to open a@b: Permission denied (euid=0 egid=105)`
    /// (the ids are the process's own).
    #[test]
    fn tainted_file_name_refused() {
        let mut ctx = Context::new();
        ctx.policy = Policy::permissive();
        ctx.policy.log_to_stderr = false;
        ctx.vars
            .insert("sender_address".into(), Value::tainted(&b"a@b"[..]));
        let got = run(&mut ctx, "${readfile{$sender_address}}").unwrap_err();
        assert!(
            got.starts_with("failed to open a@b: Permission denied (euid="),
            "{got}"
        );
        let got = run(&mut ctx, "${readfile{/etc/${sender_address}}}").unwrap_err();
        assert!(got.starts_with("failed to open /etc/a@b: Permission denied (euid="));
    }

    #[test]
    fn library_default_refuses() {
        let got = run(&mut Context::new(), "${readfile{/etc/hostname}}").unwrap_err();
        assert!(got.contains("capability \"readfile\""), "{got}");
    }
}
