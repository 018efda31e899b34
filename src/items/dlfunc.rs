//! `${dlfunc{file}{function}{arg}...}`: a function in a shared object.

use crate::eval::{Evaluator, Failure, Value};

/// `${dlfunc{file}{function}{arg}...}`: calls
/// `int function(uschar **yield, int argc, uschar *argv[])` in a shared
/// object, as Exim does.
pub fn dlfunc(ev: &mut Evaluator, vals: &[Value]) -> Result<Value, Failure> {
    let mut out = Value::empty();
    let (Some(file), Some(func)) = (vals.first(), vals.get(1)) else {
        return Err(super::unread());
    };
    let cfile = std::ffi::CString::new(file.c_str()).unwrap_or_default();
    let cfunc = std::ffi::CString::new(func.c_str()).unwrap_or_default();
    // dlerror() names the main program as it was invoked (argv[0]) when
    // the file is empty; Exim's message then names Exim: its path when the
    // program was run by path, else its file name.
    let exe = std::env::args().next().unwrap_or_default();
    let exim_path = match exe.contains('/') {
        true => ev.ctx.profile.exim_path,
        false => ev
            .ctx
            .profile
            .exim_path
            .rsplit('/')
            .next()
            .unwrap_or_default(),
    };
    let dlerror = || {
        // SAFETY: dlerror returns NULL or a NUL-terminated string.
        let text = unsafe {
            let p = libc::dlerror();
            if p.is_null() {
                Vec::new()
            } else {
                std::ffi::CStr::from_ptr(p).to_bytes().to_vec()
            }
        };
        match text.strip_prefix(format!("{exe}: ").as_bytes()) {
            Some(rest) if !exe.is_empty() => [exim_path.as_bytes(), b": ", rest].concat(),
            _ => text,
        }
    };
    let fail = |ev: &Evaluator, m: Vec<u8>| {
        crate::acl::log_line(ev, &m);
        Err(Failure::new(m))
    };
    // SAFETY: loading a shared object the configuration names, as Exim
    // does; the handle is kept for the life of the process.
    let handle = unsafe { libc::dlopen(cfile.as_ptr(), libc::RTLD_LAZY) };
    if handle.is_null() {
        let m = crate::sys::msg(&[b"dlopen \"", file.c_str(), b"\" failed: ", &dlerror()]);
        return fail(ev, m);
    }
    // SAFETY: handle is a live dlopen handle; the name is NUL-terminated.
    let sym = unsafe { libc::dlsym(handle, cfunc.as_ptr()) };
    if sym.is_null() {
        let m = crate::sys::msg(&[
            b"dlsym \"",
            func.c_str(),
            b"\" in \"",
            file.c_str(),
            b"\" failed: ",
            &dlerror(),
        ]);
        return fail(ev, m);
    }
    type DlFn = unsafe extern "C" fn(
        *mut *mut libc::c_char,
        libc::c_int,
        *mut *mut libc::c_char,
    ) -> libc::c_int;
    let args: Vec<std::ffi::CString> = vals[2..]
        .iter()
        .map(|v| std::ffi::CString::new(v.c_str()).unwrap_or_default())
        .collect();
    let mut argv: Vec<*mut libc::c_char> = args.iter().map(|a| a.as_ptr().cast_mut()).collect();
    argv.push(std::ptr::null_mut());
    let mut result: *mut libc::c_char = std::ptr::null_mut();
    // SAFETY: the symbol is called with Exim's dlfunc signature, which the
    // named function is required to have (as in Exim); the argument
    // strings outlive the call.
    let status = unsafe {
        let f: DlFn = std::mem::transmute(sym);
        f(
            &mut result,
            (argv.len() - 1) as libc::c_int,
            argv.as_mut_ptr(),
        )
    };
    let text = if result.is_null() {
        None
    } else {
        // SAFETY: the function returned a NUL-terminated string.
        Some(
            unsafe { std::ffi::CStr::from_ptr(result) }
                .to_bytes()
                .to_vec(),
        )
    };
    const OK: i32 = 0;
    const FAIL: i32 = 2;
    const FAIL_FORCED: i32 = 4;
    if status != OK {
        let msg = text.unwrap_or_else(|| b"(no message)".to_vec());
        if status == FAIL_FORCED {
            return Err(Failure::forced(msg));
        }
        if status != FAIL {
            let mut l = format!(
                "dlfunc{{{}}}{{{}}} failed ({status}): ",
                String::from_utf8_lossy(file.c_str()),
                String::from_utf8_lossy(func.c_str())
            )
            .into_bytes();
            l.extend_from_slice(&msg);
            crate::acl::log_line(ev, &l);
        }
        return Err(Failure::new(msg));
    }
    if let Some(t) = text {
        out.push_bytes(&t);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {

    use crate::testutil::permissive as ctx;

    /// items.jsonl and live oracle runs.
    #[test]
    fn oracle_cases() {
        let cases: &[(&str, Result<&str, &str>)] = &[(
            "${dlfunc{/lib/x86_64-linux-gnu/libc.so.6}{nosuchsym}}",
            Err(
                "dlsym \"nosuchsym\" in \"/lib/x86_64-linux-gnu/libc.so.6\" failed: /lib/x86_64-linux-gnu/libc.so.6: undefined symbol: nosuchsym",
            ),
        )];
        let bad = crate::testutil::mismatches_in(ctx, cases);
        assert!(bad.is_empty(), "{}", bad.join("\n"));
    }
}
