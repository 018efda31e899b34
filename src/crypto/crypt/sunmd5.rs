//! Sun's MD5 `$md5` (SunMD5), as libxcrypt 4.4.33's `crypt_sunmd5_rn`:
//! `$md5[,$]rounds=N$SALT$` (or without `rounds=`), then `$` and 22
//! characters, on the `md-5` crate.

use super::des::ASCII64;
use md5::{Digest, Md5};

/// libxcrypt's `CRYPT_OUTPUT_SIZE`.
const CRYPT_OUTPUT_SIZE: usize = 384;

/// Rounds a hash may demand (the 4096 basic ones and its `rounds=`): 2^20,
/// ten times the most that libxcrypt's `crypt_gensalt` (and so `mkpasswd
/// -m sunmd5`) gives by default (32768 + 65535 extra, + 4096), a couple
/// of seconds.  Exim would run up to 2^32; more fail here.
pub(super) const MAX_ROUNDS: u32 = 1 << 20;

/// Mixed into a round's MD5, with its NUL, when the coin says so.
const HAMLET: &[u8] = concat!(
    "To be, or not to be,--that is the question:--\n",
    "Whether 'tis nobler in the mind to suffer\n",
    "The slings and arrows of outrageous fortune\n",
    "Or to take arms against a sea of troubles,\n",
    "And by opposing end them?--To die,--to sleep,--\n",
    "No more; and by a sleep to say we end\n",
    "The heartache, and the thousand natural shocks\n",
    "That flesh is heir to,--'tis a consummation\n",
    "Devoutly to be wish'd. To die,--to sleep;--\n",
    "To sleep! perchance to dream:--ay, there's the rub;\n",
    "For in that sleep of death what dreams may come,\n",
    "When we have shuffled off this mortal coil,\n",
    "Must give us pause: there's the respect\n",
    "That makes calamity of so long life;\n",
    "For who would bear the whips and scorns of time,\n",
    "The oppressor's wrong, the proud man's contumely,\n",
    "The pangs of despis'd love, the law's delay,\n",
    "The insolence of office, and the spurns\n",
    "That patient merit of the unworthy takes,\n",
    "When he himself might his quietus make\n",
    "With a bare bodkin? who would these fardels bear,\n",
    "To grunt and sweat under a weary life,\n",
    "But that the dread of something after death,--\n",
    "The undiscover'd country, from whose bourn\n",
    "No traveller returns,--puzzles the will,\n",
    "And makes us rather bear those ills we have\n",
    "Than fly to others that we know not of?\n",
    "Thus conscience does make cowards of us all;\n",
    "And thus the native hue of resolution\n",
    "Is sicklied o'er with the pale cast of thought;\n",
    "And enterprises of great pith and moment,\n",
    "With this regard, their currents turn awry,\n",
    "And lose the name of action.--Soft you now!\n",
    "The fair Ophelia!--Nymph, in thy orisons\n",
    "Be all my sins remember'd.\n",
    "\0",
)
.as_bytes();

fn nth_bit(d: &[u8; 16], n: u32) -> bool {
    let n = n % 128;
    d[(n / 8) as usize] & (1 << (n % 8)) != 0
}

/// `muffet_coin_toss`: whether round `round` includes [`HAMLET`].
fn coin_toss(d: &[u8; 16], round: u32) -> bool {
    let pick = |i: usize| {
        let (a, b) = (u32::from(d[i % 16]), u32::from(d[(i + 3) % 16]));
        let mut v = u32::from(d[((a >> (b % 5)) % 16) as usize]);
        if b & (1 << (a % 8)) != 0 {
            v /= 2;
        }
        u32::from(nth_bit(d, v))
    };
    let (mut x, mut y) = (0u32, 0u32);
    for i in 0..8 {
        x |= pick(i) << i;
        y |= pick(i + 8) << i;
    }
    if nth_bit(d, round) {
        x /= 2;
    }
    if nth_bit(d, round.wrapping_add(64)) {
        y /= 2;
    }
    nth_bit(d, x) ^ nth_bit(d, y)
}

/// The number of rounds and the length of the setting's salt part (the
/// whole of it that goes into the first MD5 and the result).
fn parse(setting: &[u8]) -> Option<(u32, usize)> {
    if !matches!(setting.get(4), Some(b'$' | b',')) {
        return None;
    }
    let mut p = &setting[5..];
    let mut rounds = 4096u32;
    if let Some(num) = p.strip_prefix(b"rounds=") {
        // No leading zero; at most 2^32 - 1 (added with wrap-around).
        let len = num.iter().take_while(|c| c.is_ascii_digit()).count();
        if !matches!(num.first(), Some(b'1'..=b'9')) || len > 10 {
            return None;
        }
        let extra: u32 = std::str::from_utf8(&num[..len]).ok()?.parse().ok()?;
        rounds = rounds.wrapping_add(extra);
        p = num[len..].strip_prefix(b"$")?;
    }
    let salt = p.iter().take_while(|c| ASCII64.contains(c)).count();
    p = &p[salt..];
    let mut end = setting.len() - p.len();
    match p {
        [] => {}
        [b'$', b'$', ..] | [b'$'] => end += 1,
        [b'$', ..] => {}
        _ => return None,
    }
    Some((rounds, end))
}

/// `crypt_sunmd5_rn` (`setting` starts with `$md5`).
pub(super) fn sunmd5(phrase: &[u8], setting: &[u8]) -> Option<Vec<u8>> {
    let (rounds, salt_len) = parse(setting)?;
    if salt_len + 22 + 2 > CRYPT_OUTPUT_SIZE || rounds > MAX_ROUNDS {
        return None;
    }
    let mut d: [u8; 16] = Md5::new()
        .chain_update(phrase)
        .chain_update(&setting[..salt_len])
        .finalize()
        .into();
    for i in 0..rounds {
        let mut ctx = Md5::new().chain_update(d);
        if coin_toss(&d, i) {
            ctx.update(HAMLET);
        }
        ctx.update(i.to_string().as_bytes());
        d = ctx.finalize().into();
    }
    let mut out = setting[..salt_len].to_vec();
    out.push(b'$');
    let mut put = |b0: u8, b1: u8, b2: u8, n: usize| {
        let v = u32::from(b0) | (u32::from(b1) << 8) | (u32::from(b2) << 16);
        for k in 0..n {
            out.push(ASCII64[(v >> (6 * k) & 0x3f) as usize]);
        }
    };
    for [a, b, c] in [[12, 6, 0], [13, 7, 1], [14, 8, 2], [15, 9, 3], [5, 10, 4]] {
        put(d[a], d[b], d[c], 4);
    }
    put(d[11], 0, 0, 2);
    Some(out)
}
