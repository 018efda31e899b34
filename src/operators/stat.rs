//! `${stat:file}`: a file's metadata, as `ls -l` and `stat(2)` give it.

use super::{OpResult, msg};
use crate::eval::{Evaluator, Value};
use std::ffi::CString;

/// `ls -l` style permissions, with set-id and sticky bits.
fn symbolic_mode(mode: u32) -> String {
    let kind = match mode & libc::S_IFMT {
        libc::S_IFIFO => 'p',
        libc::S_IFCHR => 'c',
        libc::S_IFDIR => 'd',
        libc::S_IFBLK => 'b',
        libc::S_IFREG => '-',
        _ => '?',
    };
    const NORMAL: [&str; 8] = ["---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx"];
    const SETID: [&str; 8] = ["--S", "--s", "-wS", "-ws", "r-S", "r-s", "rwS", "rws"];
    const STICKY: [&str; 8] = ["--T", "--t", "-wT", "-wt", "r-T", "r-t", "rwT", "rwt"];
    let table = |special: bool, alt: &'static [&'static str; 8]| {
        if special { alt } else { &NORMAL }
    };
    let user = table(mode & 0o4000 != 0, &SETID)[((mode >> 6) & 7) as usize];
    let group = table(mode & 0o2000 != 0, &SETID)[((mode >> 3) & 7) as usize];
    let other = table(mode & 0o1000 != 0, &STICKY)[(mode & 7) as usize];
    format!("{kind}{user}{group}{other}")
}

/// `${stat:path}`: `mode=... smode=... inode=... device=... links=...
/// uid=... gid=... size=... atime=... mtime=... ctime=...`.
pub fn stat(ev: &mut Evaluator, _arg: Option<&str>, input: &Value) -> OpResult {
    ev.ctx.policy.check(
        crate::eval::Capability::Files,
        "looking at a file (\"stat\")",
    )?;
    let path = &input.bytes;
    let failed = |errno: i32| {
        let text = std::io::Error::from_raw_os_error(errno).to_string();
        let text = match text.find(" (os error ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        msg(&[b"stat(", path, b") failed: ", text.as_bytes()])
    };
    let Ok(cpath) = CString::new(path.clone()) else {
        return Err(failed(libc::EINVAL).into());
    };
    // SAFETY: `st` is plain data that stat() fills in; `cpath` is a valid
    // NUL-terminated string.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::stat(cpath.as_ptr(), &mut st) };
    if rc < 0 {
        let errno = std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::ENOENT);
        return Err(failed(errno).into());
    }
    let mode = st.st_mode;
    Ok(format!(
        "mode={:04o} smode={} inode={} device={} links={} uid={} gid={} size={} atime={} mtime={} ctime={}",
        mode & 0o77777,
        symbolic_mode(mode),
        st.st_ino as i64,
        st.st_dev as i64,
        st.st_nlink as i64,
        st.st_uid as i64,
        st.st_gid as i64,
        st.st_size as i64,
        st.st_atime as i64,
        st.st_mtime as i64,
        st.st_ctime as i64,
    )
    .into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::Context;

    fn run(f: super::super::OpFn, input: Value) -> Result<String, String> {
        let mut ctx = Context::new();
        ctx.policy = crate::eval::Policy::permissive();
        let mut ev = Evaluator::new(&mut ctx);
        f(&mut ev, None, &input)
            .map(|v| v.to_string_lossy())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn stat_cases() {
        assert_eq!(
            run(stat, Value::from("/nonexist")),
            Err("stat(/nonexist) failed: No such file or directory".to_string())
        );
        let out = run(stat, Value::from("/")).unwrap();
        assert!(
            out.starts_with("mode=40755 smode=drwxr-xr-x inode="),
            "{out}"
        );
        assert!(out.contains(" uid=0 gid=0 size="), "{out}");
        assert_eq!(symbolic_mode(0o104755), "-rwsr-xr-x");
        assert_eq!(symbolic_mode(0o041777), "drwxrwxrwt");
        assert_eq!(symbolic_mode(0o102644), "-rw-r-Sr--");
        assert_eq!(symbolic_mode(0o010600), "prw-------");
        // The library's default policy does not let it look at files.
        let mut ctx = Context::new();
        let got = stat(&mut Evaluator::new(&mut ctx), None, &Value::from("/"));
        assert!(
            got.unwrap_err()
                .to_string()
                .contains("capability \"files\"")
        );
    }
}
