//! Header variables (`$h_name:`, `$rh_`, `$bh_`, `$lh_` and the long
//! `header_` forms) and `$message_headers(_raw)`, after Exim's
//! `find_header`.
//!
//! All values come from the message and are tainted.

use crate::eval::{Context, Evaluator, Value};
use crate::message::{Message, htype};
use crate::parser::HeaderKind;
use crate::sys::is_space;

/// How a header value is put together.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Trimmed values joined by `\n` (or `,\n` for address headers).
    Joined,
    /// The text after the name verbatim, concatenated.
    Raw,
    /// Each value (trailing newlines removed) as a `:` list element.
    List,
}

/// Exim's `header_insert_maxlen` (compiled in: 64K).
fn insert_maxlen(_ctx: &Context) -> usize {
    64 * 1024
}

/// Collects the headers called `name` (with its colon; `None` = all
/// headers).  `None` when there is no such header.
fn collect(msg: &Message, name: Option<&[u8]>, want: Want, maxlen: usize) -> Option<Vec<u8>> {
    let len = name.map_or(0, <[u8]>::len);
    let mut found = false;
    let mut comma = false;
    let mut g: Vec<u8> = Vec::new();
    for h in msg.visible_headers() {
        let text = &h.text;
        if let Some(n) = name
            && (len > text.len() || !text[..len].eq_ignore_ascii_case(n))
        {
            continue;
        }
        found = true;
        let mut s = len;
        if want == Want::Joined {
            while s < text.len() && is_space(text[s]) {
                s += 1;
            }
        }
        let mut t = text.len();
        match want {
            Want::List => {
                while t > s && text[t - 1] == b'\n' {
                    t -= 1;
                }
            }
            Want::Joined => {
                while t > s && is_space(text[t - 1]) {
                    t -= 1;
                }
                if name.is_some()
                    && matches!(
                        h.htype,
                        htype::BCC
                            | htype::CC
                            | htype::FROM
                            | htype::REPLY_TO
                            | htype::SENDER
                            | htype::TO
                    )
                {
                    comma = true;
                }
            }
            Want::Raw => {}
        }
        let inc = (t - s).min(maxlen.saturating_sub(g.len()));
        let part = &text[s..s + inc];
        match want {
            Want::List => {
                if !g.is_empty() {
                    g.push(b':');
                }
                for &c in part {
                    g.push(c);
                    if c == b':' {
                        g.push(b':');
                    }
                }
            }
            Want::Raw => g.extend_from_slice(part),
            Want::Joined => {
                if inc > 0 {
                    if !g.is_empty() {
                        g.extend_from_slice(if comma { b",\n" } else { b"\n" });
                    }
                    g.extend_from_slice(part);
                }
            }
        }
        if g.len() >= maxlen {
            break;
        }
    }
    found.then_some(g)
}

/// RFC 2047 decoding of a header value into `charset`, or without
/// translation when `charset` is `None`.  On failure the input is kept.
///
/// This goes through the `${rfc2047d:}` operator on a copy of the
/// context; see the crate report for the direct call it should become.
fn decode(ctx: &Context, input: Vec<u8>, charset: Option<&str>) -> Vec<u8> {
    let lencheck = !matches!(ctx.option("check_rfc2047_length"), Some("false"));
    crate::operators::charset::decode_2047(&input, lencheck, charset.map(str::as_bytes)).0
}

/// `$h_name:` and friends: `None` when the message has no such header
/// (or there is no message).
pub fn header(ev: &Evaluator, kind: HeaderKind, name: &[u8]) -> Option<Value> {
    let msg = ev.ctx.message.as_ref()?;
    // Exim reads at most 255 bytes of the name, then adds the colon.
    let mut n = name[..name.len().min(255)].to_vec();
    n.push(b':');
    let maxlen = insert_maxlen(ev.ctx);
    let want = match kind {
        HeaderKind::Raw => Want::Raw,
        HeaderKind::List => Want::List,
        HeaderKind::Decoded | HeaderKind::Basic => Want::Joined,
    };
    let g = collect(msg, Some(&n), want, maxlen)?;
    let bytes = match kind {
        HeaderKind::Decoded => decode(ev.ctx, g, Some(ev.ctx.headers_charset())),
        HeaderKind::Basic => decode(ev.ctx, g, None),
        HeaderKind::Raw | HeaderKind::List => g,
    };
    Some(Value::tainted(bytes))
}

/// `$message_headers`: all headers, trimmed, joined by newlines, RFC 2047
/// decoded without charset translation.
pub fn message_headers(ev: &Evaluator) -> Value {
    let Some(msg) = ev.ctx.message.as_ref() else {
        return Value::empty();
    };
    let g = collect(msg, None, Want::Joined, insert_maxlen(ev.ctx)).unwrap_or_default();
    Value::tainted(decode(ev.ctx, g, None))
}

/// `$message_headers_raw`: all header lines verbatim.
pub fn message_headers_raw(ev: &Evaluator) -> Value {
    let Some(msg) = ev.ctx.message.as_ref() else {
        return Value::empty();
    };
    Value::tainted(collect(msg, None, Want::Raw, insert_maxlen(ev.ctx)).unwrap_or_default())
}

/// `$reply_address`: Reply-To: (or, when missing or empty, From:) raw,
/// trimmed, newlines turned into spaces.
pub fn reply_address(ev: &Evaluator) -> Value {
    let Some(msg) = ev.ctx.message.as_ref() else {
        return Value::empty();
    };
    let maxlen = insert_maxlen(ev.ctx);
    let mut s = collect(msg, Some(b"reply-to:"), Want::Raw, maxlen);
    if s.as_ref().is_none_or(|v| v.iter().all(|&c| is_space(c))) {
        s = collect(msg, Some(b"from:"), Want::Raw, maxlen);
    }
    let Some(v) = s else {
        return Value::empty();
    };
    let start = v.iter().position(|&c| !is_space(c)).unwrap_or(v.len());
    let mut out: Vec<u8> = v[start..]
        .iter()
        .map(|&c| if c == b'\n' { b' ' } else { c })
        .collect();
    while out.last().is_some_and(|&c| is_space(c)) {
        out.pop();
    }
    Value::tainted(out)
}

#[cfg(test)]
mod tests;
