//! Variables computed from the context: identity, time, paths.

use crate::eval::{Evaluator, Value};
use crate::sys::caller_name;

fn v(s: impl Into<Vec<u8>>) -> Value {
    Value::new(s)
}

pub fn primary_hostname(ev: &Evaluator) -> Value {
    v(ev.ctx.primary_hostname())
}

pub fn primary_hostname_var(ev: &Evaluator) -> Value {
    match ev.ctx.option("smtp_active_hostname") {
        Some(h) => v(h),
        None => primary_hostname(ev),
    }
}

pub fn qualify_domain(ev: &Evaluator) -> Value {
    match ev.ctx.option("qualify_domain") {
        Some(d) => v(d),
        None => primary_hostname(ev),
    }
}

pub fn qualify_recipient(ev: &Evaluator) -> Value {
    match ev.ctx.option("qualify_recipient") {
        Some(d) => v(d),
        None => qualify_domain(ev),
    }
}

pub fn version(ev: &Evaluator) -> Value {
    v(ev.ctx.profile.version)
}

pub fn compile_number(ev: &Evaluator) -> Value {
    v(ev.ctx.profile.compile_number)
}

pub fn compile_date(ev: &Evaluator) -> Value {
    v(ev.ctx.profile.compile_date)
}

pub fn exim_path(ev: &Evaluator) -> Value {
    v(ev.ctx
        .option("exim_path")
        .unwrap_or(ev.ctx.profile.exim_path))
}

pub fn spool_directory(ev: &Evaluator) -> Value {
    v(ev.ctx
        .option("spool_directory")
        .unwrap_or(ev.ctx.profile.spool_directory))
}

pub fn config_file(ev: &Evaluator) -> Value {
    v(ev.ctx.config_file.as_str())
}

pub fn config_dir(ev: &Evaluator) -> Value {
    let f = &ev.ctx.config_file;
    match f.rfind('/') {
        Some(i) => v(&f[..i]),
        None => v(""),
    }
}

pub fn value<'e>(ev: &'e Evaluator<'_>) -> Option<&'e Value> {
    ev.value.as_ref()
}

pub fn item<'e>(ev: &'e Evaluator<'_>) -> Option<&'e Value> {
    ev.item.as_ref()
}

pub fn runrc(ev: &Evaluator) -> Value {
    ev.ctx.vars.get("runrc").cloned().unwrap_or_else(|| v("0"))
}

pub fn return_size_limit(_ev: &Evaluator) -> Value {
    v("102400")
}

pub fn spf_guess(ev: &Evaluator) -> Value {
    v(ev.ctx
        .option("spf_guess")
        .unwrap_or("v=spf1 a/24 mx/24 ptr ?all"))
}

pub fn sender_address(ev: &Evaluator) -> Value {
    let domain = qualify_domain(ev).bytes;
    let mut b = Vec::with_capacity(caller_name().len() + 1 + domain.len());
    b.extend_from_slice(caller_name().as_bytes());
    b.push(b'@');
    b.extend_from_slice(&domain);
    v(b)
}

pub fn sender_address_domain(ev: &Evaluator) -> Value {
    let s = ev
        .ctx
        .vars
        .get("sender_address")
        .cloned()
        .unwrap_or_else(|| sender_address(ev));
    match s.bytes.iter().rposition(|&c| c == b'@') {
        Some(i) => Value {
            bytes: s.bytes[i + 1..].to_vec(),
            tainted: s.tainted,
        },
        None => Value::empty(),
    }
}

pub fn sender_address_local_part(ev: &Evaluator) -> Value {
    let s = ev
        .ctx
        .vars
        .get("sender_address")
        .cloned()
        .unwrap_or_else(|| sender_address(ev));
    match s.bytes.iter().rposition(|&c| c == b'@') {
        Some(i) => Value {
            bytes: s.bytes[..i].to_vec(),
            tainted: s.tainted,
        },
        None => s,
    }
}

/// `$sender_fullhost`: set by the caller, or in an SMTP session built from
/// what is known of the client.
pub fn sender_fullhost(ev: &Evaluator) -> Value {
    match ev.ctx.vars.get("sender_fullhost") {
        Some(v) => v.clone(),
        None => session_host_names(ev).map_or_else(Value::empty, |h| Value::tainted(h.fullhost)),
    }
}

/// `$sender_rcvhost`, likewise.
pub fn sender_rcvhost(ev: &Evaluator) -> Value {
    match ev.ctx.vars.get("sender_rcvhost") {
        Some(v) => v.clone(),
        None => session_host_names(ev).map_or_else(Value::empty, |h| Value::tainted(h.rcvhost)),
    }
}

fn session_host_names(ev: &Evaluator) -> Option<crate::smtp::HostNames> {
    if !ev.ctx.smtp_session {
        return None;
    }
    let get = |n: &str| {
        ev.ctx
            .vars
            .get(n)
            .filter(|v| !v.is_empty())
            .map(|v| v.bytes.clone())
    };
    let address = get("sender_host_address")?;
    let port = if ev.ctx.show_incoming_port {
        get("sender_host_port")
            .and_then(|p| String::from_utf8(p).ok()?.parse::<u16>().ok())
            .filter(|&p| p > 0)
    } else {
        None
    };
    let name = crate::smtp::known_host_name(ev.ctx);
    let helo = ev.ctx.vars.get("sender_helo_name").map(|v| v.bytes.clone());
    Some(crate::smtp::host_names(
        &address,
        port,
        name.as_deref(),
        helo.as_deref(),
    ))
}

pub fn pid(ev: &Evaluator) -> Value {
    v(ev.ctx.pid.unwrap_or_else(std::process::id).to_string())
}

pub fn exim_uid(ev: &Evaluator) -> Value {
    v(crate::sys::exim_ids(&ev.ctx.profile).0.to_string())
}

pub fn exim_gid(ev: &Evaluator) -> Value {
    v(crate::sys::exim_ids(&ev.ctx.profile).1.to_string())
}

pub fn caller_uid(_ev: &Evaluator) -> Value {
    // SAFETY: getuid cannot fail.
    v(unsafe { libc::getuid() }.to_string())
}

pub fn caller_gid(_ev: &Evaluator) -> Value {
    // SAFETY: getgid cannot fail.
    v(unsafe { libc::getgid() }.to_string())
}

pub fn initial_cwd(_ev: &Evaluator) -> Value {
    v(std::env::current_dir()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default())
}

pub fn load_average(_ev: &Evaluator) -> Value {
    let mut l = [0f64; 1];
    // SAFETY: getloadavg writes at most 1 element into l.
    let n = unsafe { libc::getloadavg(l.as_mut_ptr(), 1) };
    if n < 1 {
        return v("-1");
    }
    v(((l[0] * 1000.0) as i64).to_string())
}

fn statvfs_of(path: &str) -> Option<libc::statvfs> {
    let c = std::ffi::CString::new(path).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c is a valid NUL-terminated path and s a valid out pointer.
    let rc = unsafe { libc::statvfs(c.as_ptr(), &mut s) };
    (rc == 0).then_some(s)
}

fn space_kb(path: &str) -> Value {
    match statvfs_of(path) {
        Some(s) => v((s.f_bavail.saturating_mul(s.f_frsize) / 1024).to_string()),
        None => v("-1"),
    }
}

fn inodes(path: &str) -> Value {
    match statvfs_of(path) {
        Some(s) => v(s.f_favail.to_string()),
        None => v("-1"),
    }
}

pub fn spool_space(ev: &Evaluator) -> Value {
    space_kb(&spool_directory(ev).to_string_lossy())
}

pub fn spool_inodes(ev: &Evaluator) -> Value {
    inodes(&spool_directory(ev).to_string_lossy())
}

pub fn log_space(ev: &Evaluator) -> Value {
    space_kb(&format!("{}/log", spool_directory(ev).to_string_lossy()))
}

pub fn log_inodes(ev: &Evaluator) -> Value {
    inodes(&format!("{}/log", spool_directory(ev).to_string_lossy()))
}

/// Broken-down local time of the evaluation clock.
fn local_tm(ev: &Evaluator) -> (libc::tm, i64, u32) {
    let (secs, micros) = ev.ctx.clock.now();
    let t = secs as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: t and tm are valid; localtime_r is thread-safe.
    unsafe { libc::localtime_r(&t, &mut tm) };
    (tm, secs, micros)
}

fn gm_tm(secs: i64) -> libc::tm {
    let t = secs as libc::time_t;
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: t and tm are valid; gmtime_r is thread-safe.
    unsafe { libc::gmtime_r(&t, &mut tm) };
    tm
}

const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn zone(tm: &libc::tm) -> String {
    let off = tm.tm_gmtoff;
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a % 3600) / 60)
}

pub fn tod_bsdinbox(ev: &Evaluator) -> Value {
    let (tm, _, _) = local_tm(ev);
    v(format!(
        "{} {} {:2} {:02}:{:02}:{:02} {}",
        DAYS[tm.tm_wday as usize % 7],
        MONTHS[tm.tm_mon as usize % 12],
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        tm.tm_year + 1900
    ))
}

pub fn tod_epoch(ev: &Evaluator) -> Value {
    v(ev.ctx.clock.now().0.to_string())
}

pub fn tod_epoch_l(ev: &Evaluator) -> Value {
    let (s, us) = ev.ctx.clock.now();
    v(format!("{}", s as i128 * 1_000_000 + us as i128))
}

pub fn tod_full(ev: &Evaluator) -> Value {
    let (tm, _, _) = local_tm(ev);
    v(format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} {}",
        DAYS[tm.tm_wday as usize % 7],
        tm.tm_mday,
        MONTHS[tm.tm_mon as usize % 12],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        zone(&tm)
    ))
}

pub fn tod_log(ev: &Evaluator) -> Value {
    let (tm, _, _) = local_tm(ev);
    v(format!(
        "{}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    ))
}

pub fn tod_logfile(ev: &Evaluator) -> Value {
    let (tm, _, _) = local_tm(ev);
    v(format!(
        "{}{:02}{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday
    ))
}

pub fn tod_zone(ev: &Evaluator) -> Value {
    let (tm, _, _) = local_tm(ev);
    v(zone(&tm))
}

pub fn tod_zulu(ev: &Evaluator) -> Value {
    let tm = gm_tm(ev.ctx.clock.now().0);
    v(format!(
        "{}{:02}{:02}{:02}{:02}{:02}Z",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    ))
}
