//! Reading an instant for a pinned clock: epoch seconds, or an RFC 3339
//! time (`2024-01-15T12:00:00Z`, `2024-01-15 13:00:00+01:00`, fractions of
//! a second allowed; without an offset the time is UTC).

use super::FixedClock;

impl FixedClock {
    /// Parses epoch seconds or an RFC 3339 time; the error says what was
    /// wrong.
    ///
    /// ```
    /// use exim_expand::eval::FixedClock;
    /// assert_eq!(FixedClock::parse("2024-01-15T13:00:00+01:00").unwrap().secs, 1705320000);
    /// assert!(FixedClock::parse("2024-13-45T99:99").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<FixedClock, String> {
        let t = s.trim();
        if let Ok(secs) = t.parse::<i64>() {
            return Ok(FixedClock { secs, micros: 0 });
        }
        parse_rfc3339(t).map_err(|why| {
            format!(
                "cannot read \"{s}\" as epoch seconds or YYYY-MM-DDTHH:MM:SS[.fff][Z|+HH:MM]: {why}"
            )
        })
    }
}

fn parse_rfc3339(t: &str) -> Result<FixedClock, String> {
    let (date, rest) = match t.find(['T', 't', ' ']) {
        Some(i) => (&t[..i], &t[i + 1..]),
        None => (t, "00:00:00"),
    };
    let (y, m, d) = parse_date(date)?;
    let (time, offset) = split_offset(rest)?;
    let (h, min, sec, micros) = parse_time(time)?;
    let secs = days_from_civil(y, m, d) * 86400 + h * 3600 + min * 60 + sec - offset;
    Ok(FixedClock { secs, micros })
}

fn number(
    s: &str,
    what: &str,
    digits: usize,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, String> {
    if s.len() != digits || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(format!("the {what} must be {digits} digits"));
    }
    let n: i64 = s.parse().map_err(|_| format!("bad {what}"))?;
    if !range.contains(&n) {
        return Err(format!("the {what} {n} is out of range"));
    }
    Ok(n)
}

fn parse_date(date: &str) -> Result<(i64, i64, i64), String> {
    let mut parts = date.split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the date must be YYYY-MM-DD".into());
    };
    let y = number(y, "year", 4, 0..=9999)?;
    let m = number(m, "month", 2, 1..=12)?;
    let d = number(d, "day", 2, 1..=days_in_month(y, m))?;
    Ok((y, m, d))
}

/// The time and the offset from UTC in seconds.
fn split_offset(rest: &str) -> Result<(&str, i64), String> {
    if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        return Ok((time, 0));
    }
    let Some(i) = rest.rfind(['+', '-']) else {
        return Ok((rest, 0));
    };
    let (time, off) = (&rest[..i], &rest[i..]);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let Some((oh, om)) = off[1..].split_once(':') else {
        return Err("the offset must be +HH:MM or -HH:MM".into());
    };
    let oh = number(oh, "offset hour", 2, 0..=23)?;
    let om = number(om, "offset minute", 2, 0..=59)?;
    Ok((time, sign * (oh * 3600 + om * 60)))
}

fn parse_time(time: &str) -> Result<(i64, i64, i64, u32), String> {
    let (hms, frac) = match time.split_once(['.', ',']) {
        Some((hms, f)) => (hms, Some(f)),
        None => (time, None),
    };
    let mut parts = hms.split(':');
    let (Some(h), Some(m), s, None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the time must be HH:MM[:SS]".into());
    };
    let h = number(h, "hour", 2, 0..=23)?;
    let m = number(m, "minute", 2, 0..=59)?;
    // 60 for a leap second, as RFC 3339 allows.
    let s = s.map_or(Ok(0), |s| number(s, "second", 2, 0..=60))?;
    let micros = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 9 && f.bytes().all(|c| c.is_ascii_digit()) => {
            let padded = format!("{f:0<6}");
            padded[..6]
                .parse()
                .map_err(|_| "bad fraction".to_string())?
        }
        Some(_) => return Err("the fraction of a second must be 1 to 9 digits".into()),
    };
    Ok((h, m, s, micros))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        let cases: &[(&str, i64, u32)] = &[
            ("1705320000", 1705320000, 0),
            ("-5", -5, 0),
            ("2024-01-15T12:00:00Z", 1705320000, 0),
            ("2024-01-15 12:00:00", 1705320000, 0),
            ("2024-01-15T12:00Z", 1705320000, 0),
            ("2024-01-15", 1705276800, 0),
            ("2024-01-15T13:00:00+01:00", 1705320000, 0),
            ("2024-01-15T07:30:00-04:30", 1705320000, 0),
            ("2024-01-15T12:00:00.25Z", 1705320000, 250000),
            ("1970-01-01T00:00:00Z", 0, 0),
            ("2024-02-29T00:00:00Z", 1709164800, 0),
        ];
        for &(s, secs, micros) in cases {
            assert_eq!(FixedClock::parse(s), Ok(FixedClock { secs, micros }), "{s}");
        }
    }

    #[test]
    fn bad_instants_say_why() {
        let cases: &[(&str, &str)] = &[
            ("yesterday", "the date must be YYYY-MM-DD"),
            ("2024-13-45T99:99", "the month 13 is out of range"),
            ("2023-02-29T00:00:00Z", "the day 29 is out of range"),
            ("2024-01-15T24:00:00Z", "the hour 24 is out of range"),
            ("2024-01-15T12:60:00Z", "the minute 60 is out of range"),
            (
                "2024-01-15T12:00:00+1",
                "the offset must be +HH:MM or -HH:MM",
            ),
            ("2024-1-15", "the month must be 2 digits"),
            (
                "2024-01-15T12:00:00.Z",
                "the fraction of a second must be 1 to 9 digits",
            ),
        ];
        for &(s, why) in cases {
            let e = FixedClock::parse(s).unwrap_err();
            assert!(e.ends_with(why), "{s}: {e}");
        }
    }
}
