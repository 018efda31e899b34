//! The C library's stub resolver: glibc's `res_nsearch`, with one
//! resolver state per thread (read from /etc/resolv.conf the first time
//! a thread asks), so that queries from several threads do not share
//! `_res`.

use std::cell::RefCell;
use std::ffi::{CStr, c_char, c_int, c_ulong};

/// Qualify a name without dots with the default domain (resolv.h).
pub(crate) const RES_DEFNAMES: c_ulong = 0x0000_0080;
/// Search the `search` domains.
pub(crate) const RES_DNSRCH: c_ulong = 0x0000_0200;
/// Send EDNS0.
pub(crate) const RES_USE_EDNS0: c_ulong = 0x0010_0000;
/// Set EDNS0's DO bit.
pub(crate) const RES_USE_DNSSEC: c_ulong = 0x0080_0000;

/// netdb.h's `h_errno` values.
const HOST_NOT_FOUND: c_int = 1;
const TRY_AGAIN: c_int = 2;
const NO_RECOVERY: c_int = 3;
const NO_DATA: c_int = 4;

const CLASS_IN: c_int = 1;
/// The largest DNS message (arpa/nameser.h's `NS_MAXMSG`).
const MAX_MESSAGE: usize = 65535;

/// glibc's `struct __res_state`: the fields set here, then room for the
/// rest (568 bytes in all on 64-bit systems, 512 on 32-bit ones).
#[repr(C)]
struct ResState {
    retrans: c_int,
    retry: c_int,
    options: c_ulong,
    rest: [u64; 128],
}

#[link(name = "resolv")]
unsafe extern "C" {
    #[link_name = "__res_ninit"]
    fn res_ninit(state: *mut ResState) -> c_int;
    fn res_nsearch(
        state: *mut ResState,
        name: *const c_char,
        class: c_int,
        rtype: c_int,
        answer: *mut u8,
        anslen: c_int,
    ) -> c_int;
    #[link_name = "__res_nclose"]
    fn res_nclose(state: *mut ResState);
}

unsafe extern "C" {
    fn __h_errno_location() -> *mut c_int;
}

/// Why a search gave no answer, as the C library says (`h_errno`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// `HOST_NOT_FOUND`: NXDOMAIN.
    HostNotFound,
    /// `NO_DATA`: the name has no records of the type.
    NoData,
    /// `TRY_AGAIN`: no answer, or SERVFAIL.
    TryAgain,
    /// `NO_RECOVERY`: the server refused, or the query could not be made.
    NoRecovery,
    /// Anything else (`NETDB_INTERNAL`, with `errno`).
    Other(c_int),
}

/// A thread's resolver state; kept in a box because glibc's points into
/// itself.
struct State {
    res: Box<ResState>,
    /// The options as resolv.conf set them.
    configured: c_ulong,
    /// `retrans` and `retry` as resolv.conf set them.
    configured_retrans: c_int,
    configured_retry: c_int,
}

impl State {
    fn new() -> Option<State> {
        let mut res = Box::new(ResState {
            retrans: 0,
            retry: 0,
            options: 0,
            rest: [0; 128],
        });
        // SAFETY: `res` is zeroed and larger than glibc's struct.
        if unsafe { res_ninit(&mut *res) } != 0 {
            return None;
        }
        let configured = res.options;
        let (configured_retrans, configured_retry) = (res.retrans, res.retry);
        Some(State {
            res,
            configured,
            configured_retrans,
            configured_retry,
        })
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // SAFETY: the state was initialised by res_ninit.
        unsafe { res_nclose(&mut *self.res) }
    }
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Options to turn on and off, on top of resolv.conf's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Options {
    pub(crate) set: c_ulong,
    pub(crate) clear: c_ulong,
    /// `retrans` and `retry` for this query (`None`: resolv.conf's).
    pub(crate) retrans: Option<c_int>,
    pub(crate) retry: Option<c_int>,
}

/// `res_nsearch(name, IN, rtype)` with this thread's state: the response.
pub(crate) fn search(name: &CStr, rtype: u16, opts: Options) -> Result<Vec<u8>, Failure> {
    STATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = State::new();
        }
        let state = slot.as_mut().ok_or(Failure::TryAgain)?;
        state.res.options = (state.configured & !opts.clear) | opts.set;
        state.res.retrans = opts.retrans.unwrap_or(state.configured_retrans);
        state.res.retry = opts.retry.unwrap_or(state.configured_retry);
        let mut answer = vec![0u8; MAX_MESSAGE];
        // SAFETY: the state is initialised, `name` is NUL-terminated and
        // `answer` has the length given.
        let len = unsafe {
            res_nsearch(
                &mut *state.res,
                name.as_ptr(),
                CLASS_IN,
                c_int::from(rtype),
                answer.as_mut_ptr(),
                MAX_MESSAGE as c_int,
            )
        };
        if len < 0 {
            return Err(failure(h_errno()));
        }
        answer.truncate((len as usize).min(MAX_MESSAGE));
        Ok(answer)
    })
}

fn h_errno() -> c_int {
    // SAFETY: glibc's per-thread h_errno.
    unsafe { *__h_errno_location() }
}

fn failure(h_errno: c_int) -> Failure {
    match h_errno {
        HOST_NOT_FOUND => Failure::HostNotFound,
        NO_DATA => Failure::NoData,
        TRY_AGAIN => Failure::TryAgain,
        NO_RECOVERY => Failure::NoRecovery,
        other => Failure::Other(other),
    }
}
