//! Go `time.ParseDuration`, for `reconcileFrequency` (`30m`, `1h30m`, `90s`).

use std::time::Duration;

/// The requeue period when `reconcileFrequency` is absent or invalid, as in the Go
/// operator.
pub const DEFAULT_RECONCILE_FREQUENCY: Duration = Duration::from_secs(3600);

/// A string that Go's `time.ParseDuration` would reject, or a negative duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {input:?}: {reason}")]
pub struct DurationError {
    input: String,
    reason: &'static str,
}

/// Parses a Go duration string. Negative durations are rejected because a requeue
/// period cannot be negative.
pub fn parse_go_duration(input: &str) -> Result<Duration, DurationError> {
    let err = |reason| DurationError {
        input: input.to_string(),
        reason,
    };
    let mut s = input;
    if let Some(rest) = s.strip_prefix('+') {
        s = rest;
    } else if s.starts_with('-') {
        if s == "-0" {
            return Ok(Duration::ZERO);
        }
        return Err(err("negative durations are not allowed"));
    }
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        return Err(err("empty"));
    }
    let mut total_nanos: u128 = 0;
    while !s.is_empty() {
        let int_end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let int_part = &s[..int_end];
        s = &s[int_end..];
        let mut frac_part = "";
        if let Some(rest) = s.strip_prefix('.') {
            let frac_end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            frac_part = &rest[..frac_end];
            s = &rest[frac_end..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(err("expected a number"));
        }
        let unit_end = s
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(s.len());
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let unit_nanos: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60 * 1_000_000_000,
            "h" => 3600 * 1_000_000_000,
            "" => return Err(err("missing unit")),
            _ => return Err(err("unknown unit")),
        };
        let int: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| err("number out of range"))?
        };
        let mut nanos = int
            .checked_mul(unit_nanos)
            .ok_or_else(|| err("number out of range"))?;
        let mut scale = unit_nanos;
        for digit in frac_part.bytes() {
            scale /= 10;
            if scale == 0 {
                break;
            }
            nanos += u128::from(digit - b'0') * scale;
        }
        total_nanos = total_nanos
            .checked_add(nanos)
            .ok_or_else(|| err("number out of range"))?;
    }
    // Go caps durations at about 292 years (int64 nanoseconds).
    if total_nanos > i64::MAX as u128 {
        return Err(err("number out of range"));
    }
    let secs = (total_nanos / 1_000_000_000) as u64;
    let sub = (total_nanos % 1_000_000_000) as u32;
    Ok(Duration::new(secs, sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_examples() {
        let cases = [
            ("30m", 1800.0),
            ("2h", 7200.0),
            ("90s", 90.0),
            ("1h30m", 5400.0),
            ("1.5h", 5400.0),
            (".5s", 0.5),
            ("300ms", 0.3),
            ("2h45m10.5s", 9910.5),
            ("1us", 0.000001),
            ("1µs", 0.000001),
            ("+5s", 5.0),
            ("0", 0.0),
        ];
        for (text, secs) in cases {
            let d = parse_go_duration(text).unwrap();
            assert!((d.as_secs_f64() - secs).abs() < 1e-9, "{text}: {d:?}");
        }
    }

    #[test]
    fn rejects_what_go_rejects() {
        for text in [
            "",
            "1",
            "h",
            "1x",
            "1.h.",
            "1h-2m",
            "abc",
            ".s",
            "9999999999999h",
        ] {
            assert!(parse_go_duration(text).is_err(), "{text:?} should fail");
        }
        assert!(parse_go_duration("-1h").is_err());
    }
}
