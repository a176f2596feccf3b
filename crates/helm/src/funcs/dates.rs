//! Sprig's date and duration functions over a Go-like `time.Time` object,
//! with Go's layout-based formatting and parsing (`2006-01-02T15:04:05Z07:00`).
//!
//! The local time zone is UTC (as in a container without TZ). Named zones
//! (`dateInZone`, `htmlDateInZone`) come from the system tz database
//! (`/usr/share/zoneinfo`, like Go's `time.LoadLocation`) or, where it is
//! absent, from the copy bundled with jiff; an unknown zone is UTC, which is
//! what Sprig does when `time.LoadLocation` fails.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, TimeZone, Timelike, Utc};
use gotmpl::{FuncError, FuncMap, Object, Value};

use super::{arity, err, pure, str_arg};

const NANOS_PER_SEC: i64 = 1_000_000_000;

/// A Go `time.Time`: an instant with a fixed offset and a zone name.
#[derive(Clone, Debug)]
pub struct GoTime {
    t: DateTime<FixedOffset>,
    zone: String,
}

impl GoTime {
    /// The current time in the local zone (UTC).
    pub fn now() -> Self {
        GoTime::utc(Utc::now().fixed_offset())
    }

    fn utc(t: DateTime<FixedOffset>) -> Self {
        let utc = t.with_timezone(&FixedOffset::east_opt(0).unwrap_or(*t.offset()));
        GoTime {
            t: utc,
            zone: "UTC".into(),
        }
    }

    fn from_unix(secs: i64) -> Self {
        let t = Utc
            .timestamp_opt(secs, 0)
            .single()
            .unwrap_or_default()
            .fixed_offset();
        GoTime::utc(t)
    }

    /// Go's `time.LoadLocation(name)` then `Time.In`, falling back to UTC
    /// when the zone cannot be loaded (Sprig ignores the error).
    fn in_zone(&self, name: &str) -> GoTime {
        let utc = || GoTime::utc(self.t);
        // Go's own rules before it looks for a file.
        if name.is_empty()
            || name == "UTC"
            || name == "Local"
            || name.contains("..")
            || name.starts_with(['/', '\\'])
        {
            return utc();
        }
        let Ok(tz) = jiff::tz::TimeZone::get(name) else {
            return utc();
        };
        // jiff matches names case-insensitively; Go opens the file by name,
        // which is case-sensitive on Linux.
        if tz.iana_name() != Some(name) {
            return utc();
        }
        let Ok(ts) = jiff::Timestamp::new(self.t.timestamp(), 0) else {
            return utc();
        };
        let info = tz.to_offset_info(ts);
        match FixedOffset::east_opt(info.offset().seconds()) {
            Some(off) => GoTime {
                t: self.t.with_timezone(&off),
                zone: info.abbreviation().to_string(),
            },
            None => utc(),
        }
    }

    fn unix(&self) -> i64 {
        self.t.timestamp()
    }

    /// Go's `Time.Format`.
    pub fn format(&self, layout: &str) -> String {
        format_go(&self.t, &self.zone, layout)
    }
}

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let t = &self.t;
        Some(match name {
            "Year" => Value::Int(i64::from(t.year())),
            "Month" => Value::string(MONTHS[t.month0() as usize]),
            "Day" => Value::Int(i64::from(t.day())),
            "Hour" => Value::Int(i64::from(t.hour())),
            "Minute" => Value::Int(i64::from(t.minute())),
            "Second" => Value::Int(i64::from(t.second())),
            "Nanosecond" => Value::Int(i64::from(t.nanosecond())),
            "YearDay" => Value::Int(i64::from(t.ordinal())),
            "Weekday" => Value::string(DAYS[t.weekday().num_days_from_sunday() as usize]),
            "Unix" => Value::Int64(t.timestamp()),
            "UnixNano" => Value::Int64(t.timestamp_nanos_opt().unwrap_or(0)),
            "UTC" | "Local" => Value::Object(Arc::new(GoTime::utc(*t))),
            "String" => Value::string(self.go_string()),
            "IsZero" => Value::Bool(t.timestamp() == ZERO_UNIX && t.nanosecond() == 0),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        match name {
            "Format" => Some(str_arg(args, 0).map(|l| Value::string(self.format(l)))),
            "Add" => Some(match args.first() {
                Some(Value::Int64(ns)) => Ok(Value::Object(Arc::new(GoTime {
                    t: self.t + Duration::nanoseconds(*ns),
                    zone: self.zone.clone(),
                }))),
                Some(v) => Err(super::type_error("time.Duration", v)),
                None => Err(err("missing argument")),
            }),
            _ => self.field(name).map(Ok),
        }
    }
    fn go_string(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }
}

/// Unix seconds of Go's zero time (January 1, year 1, 00:00:00 UTC).
const ZERO_UNIX: i64 = -62_135_596_800;

/// The JSON form of an object, for `toJson`/`toYaml` (`time.Time` marshals as RFC 3339).
pub(crate) fn object_json(o: &dyn Object) -> Option<String> {
    if o.type_name() == "time.Time" {
        o.call_method(
            "Format",
            &[Value::string("2006-01-02T15:04:05.999999999Z07:00")],
        )
        .and_then(|r| r.ok())
        .and_then(|v| v.as_str().map(str::to_string))
    } else {
        None
    }
}

fn zero_time() -> GoTime {
    GoTime::from_unix(ZERO_UNIX)
}

fn time_arg(a: &[Value], i: usize) -> Result<GoTime, FuncError> {
    match a.get(i) {
        Some(Value::Object(o)) if o.type_name() == "time.Time" => {
            let unix = match o.field("Unix") {
                Some(Value::Int64(s)) => s,
                _ => 0,
            };
            let nanos = match o.field("Nanosecond") {
                Some(Value::Int(n)) => n,
                _ => 0,
            };
            let mut t = GoTime::from_unix(unix);
            t.t += Duration::nanoseconds(nanos);
            Ok(t)
        }
        Some(other) => Err(super::type_error("time.Time", other)),
        None => Err(err("missing argument")),
    }
}

/// Sprig's loose date argument: a time, or Unix seconds as int/int64; anything else is now.
fn loose_time(v: &Value) -> GoTime {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            time_arg(std::slice::from_ref(v), 0).unwrap_or_else(|_| GoTime::now())
        }
        Value::Int(s) | Value::Int64(s) => GoTime::from_unix(*s),
        _ => GoTime::now(),
    }
}

fn obj(t: GoTime) -> Value {
    Value::Object(Arc::new(t))
}

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "now", |a| {
        arity("now", a, 0)?;
        Ok(obj(GoTime::now()))
    });
    pure(map, "date", |a| {
        arity("date", a, 2)?;
        Ok(Value::string(loose_time(&a[1]).format(str_arg(a, 0)?)))
    });
    for name in ["dateInZone", "date_in_zone"] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 3)?;
            let layout = str_arg(a, 0)?;
            let zone = str_arg(a, 2)?;
            Ok(Value::string(
                loose_time(&a[1]).in_zone(zone).format(layout),
            ))
        });
    }
    pure(map, "htmlDate", |a| {
        arity("htmlDate", a, 1)?;
        Ok(Value::string(loose_time(&a[0]).format("2006-01-02")))
    });
    pure(map, "htmlDateInZone", |a| {
        arity("htmlDateInZone", a, 2)?;
        let zone = str_arg(a, 1)?;
        Ok(Value::string(
            loose_time(&a[0]).in_zone(zone).format("2006-01-02"),
        ))
    });
    for (name, must) in [
        ("dateModify", false),
        ("date_modify", false),
        ("mustDateModify", true),
        ("must_date_modify", true),
    ] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 2)?;
            let d = str_arg(a, 0)?;
            let mut t = time_arg(a, 1)?;
            match parse_duration(d) {
                Ok(ns) => {
                    t.t += Duration::nanoseconds(ns);
                    Ok(obj(t))
                }
                Err(e) if must => Err(err(e)),
                Err(_) => Ok(obj(t)),
            }
        });
    }
    pure(map, "ago", |a| {
        arity("ago", a, 1)?;
        let t = loose_time(&a[0]);
        let since = Utc::now().fixed_offset() - t.t;
        let ns = since.num_nanoseconds().unwrap_or(i64::MAX);
        Ok(Value::string(format_duration(round_duration(
            ns,
            NANOS_PER_SEC,
        ))))
    });
    for (name, must) in [("toDate", false), ("mustToDate", true)] {
        map.insert(name, move |_: &mut dyn gotmpl::CallContext, a: &[Value]| {
            arity(name, a, 2)?;
            match parse_go(str_arg(a, 0)?, str_arg(a, 1)?) {
                Ok(t) => Ok(obj(t)),
                Err(e) if must => Err(err(e)),
                Err(_) => Ok(obj(zero_time())),
            }
        });
    }
    pure(map, "unixEpoch", |a| {
        arity("unixEpoch", a, 1)?;
        Ok(Value::string(time_arg(a, 0)?.unix().to_string()))
    });
    pure(map, "duration", |a| {
        arity("duration", a, 1)?;
        let n = match &a[0] {
            Value::String(s) => s.parse::<i64>().unwrap_or(0),
            Value::Int64(n) => *n,
            _ => 0,
        };
        Ok(Value::string(format_duration(
            n.wrapping_mul(NANOS_PER_SEC),
        )))
    });
    pure(map, "durationRound", |a| {
        arity("durationRound", a, 1)?;
        let d: i64 = match &a[0] {
            Value::String(s) => parse_duration(s).unwrap_or(0),
            Value::Int64(n) => *n,
            Value::Object(o) if o.type_name() == "time.Time" => {
                let t = loose_time(&a[0]);
                (Utc::now().fixed_offset() - t.t)
                    .num_nanoseconds()
                    .unwrap_or(i64::MAX)
            }
            _ => 0,
        };
        Ok(Value::string(duration_round(d)))
    });
}

fn duration_round(d: i64) -> String {
    let u = d.unsigned_abs();
    let hour: u64 = 3_600_000_000_000;
    let (year, month, day, minute, second) = (
        hour * 24 * 365,
        hour * 24 * 30,
        hour * 24,
        60_000_000_000u64,
        1_000_000_000u64,
    );
    if u > year {
        format!("{}y", u / year)
    } else if u > month {
        format!("{}mo", u / month)
    } else if u > day {
        format!("{}d", u / day)
    } else if u > hour {
        format!("{}h", u / hour)
    } else if u > minute {
        format!("{}m", u / minute)
    } else if u > second {
        format!("{}s", u / second)
    } else {
        "0s".into()
    }
}

/// Go's `Duration.Round(m)`: halfway values round away from zero.
fn round_duration(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m { d + r } else { d - m + r }
    } else if r + r < m {
        d - r
    } else {
        d + m - r
    }
}

/// Go's `Duration.String`: `1h1m1s`, `1.5s`, `500ms`, `0s`.
pub fn format_duration(d: i64) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac(u, div));
        out.push_str(unit);
    } else {
        let secs = u / 1_000_000_000;
        let nanos = u % 1_000_000_000;
        let (h, m, s) = (secs / 3600, (secs / 60) % 60, secs % 60);
        if h > 0 {
            out.push_str(&format!("{h}h"));
        }
        if h > 0 || m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&frac(s * 1_000_000_000 + nanos, 1_000_000_000));
        out.push('s');
    }
    if neg { format!("-{out}") } else { out }
}

fn frac(v: u64, div: u64) -> String {
    let whole = v / div;
    let rest = v % div;
    if rest == 0 {
        return whole.to_string();
    }
    let width = div.to_string().len() - 1;
    let digits = format!("{rest:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let orig = s;
    let bad = || format!("time: invalid duration {}", super::gofmt::go_quote(orig));
    let (neg, mut s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let num_end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        if num_end == 0 {
            return Err(bad());
        }
        let num: f64 = s[..num_end].parse().map_err(|_| bad())?;
        s = &s[num_end..];
        let unit_end = s
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(s.len());
        let unit = &s[..unit_end];
        s = &s[unit_end..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    super::gofmt::go_quote(orig)
                ));
            }
            u => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    super::gofmt::go_quote(u),
                    super::gofmt::go_quote(orig)
                ));
            }
        };
        total += num * mult;
    }
    if total > i64::MAX as f64 {
        return Err(bad());
    }
    let v = total.round() as i64;
    Ok(if neg { -v } else { v })
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Layout tokens, longest first where prefixes overlap.
const TOKENS: &[&str] = &[
    "January",
    "Jan",
    "Monday",
    "Mon",
    "MST",
    "2006",
    "Z07:00:00",
    "Z070000",
    "Z07:00",
    "Z0700",
    "Z07",
    "-07:00:00",
    "-070000",
    "-07:00",
    "-0700",
    "-07",
    "__2",
    "_2",
    "002",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "15",
    "PM",
    "pm",
    "1",
    "2",
    "3",
    "4",
    "5",
];

enum Tok<'a> {
    Lit(&'a str),
    Std(&'a str),
    Frac(char, usize),
}

fn tokenize(layout: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let mut i = 0;
    let b = layout.as_bytes();
    let mut lit_start = 0;
    while i < layout.len() {
        // Fractional seconds: .000 / .999 / ,000 after a seconds field.
        if (b[i] == b'.' || b[i] == b',')
            && i + 1 < b.len()
            && (b[i + 1] == b'0' || b[i + 1] == b'9')
        {
            let c = b[i + 1];
            let mut j = i + 1;
            while j < b.len() && b[j] == c {
                j += 1;
            }
            if j >= b.len() || !b[j].is_ascii_digit() {
                if lit_start < i {
                    out.push(Tok::Lit(&layout[lit_start..i]));
                }
                out.push(Tok::Frac(c as char, j - i - 1));
                i = j;
                lit_start = i;
                continue;
            }
        }
        let rest = &layout[i..];
        let found = TOKENS.iter().find(|t| {
            rest.starts_with(**t)
                && !(**t == "Jan" && rest.starts_with("January"))
                && !(**t == "Mon" && rest.starts_with("Monday"))
        });
        match found {
            Some(t) => {
                if lit_start < i {
                    out.push(Tok::Lit(&layout[lit_start..i]));
                }
                out.push(Tok::Std(t));
                i += t.len();
                lit_start = i;
            }
            None => {
                i += rest.chars().next().map(char::len_utf8).unwrap_or(1);
            }
        }
    }
    if lit_start < layout.len() {
        out.push(Tok::Lit(&layout[lit_start..]));
    }
    out
}

fn format_go(t: &DateTime<FixedOffset>, zone: &str, layout: &str) -> String {
    let mut out = String::new();
    let off = t.offset().local_minus_utc();
    for tok in tokenize(layout) {
        match tok {
            Tok::Lit(s) => out.push_str(s),
            Tok::Frac(c, n) => {
                let ns = format!("{:09}", t.nanosecond());
                let digits = &ns[..n.min(9)];
                if c == '0' {
                    out.push('.');
                    out.push_str(digits);
                } else {
                    let trimmed = digits.trim_end_matches('0');
                    if !trimmed.is_empty() {
                        out.push('.');
                        out.push_str(trimmed);
                    }
                }
            }
            Tok::Std(s) => {
                let v = match s {
                    "January" => MONTHS[t.month0() as usize].to_string(),
                    "Jan" => MONTHS[t.month0() as usize][..3].to_string(),
                    "Monday" => DAYS[t.weekday().num_days_from_sunday() as usize].to_string(),
                    "Mon" => DAYS[t.weekday().num_days_from_sunday() as usize][..3].to_string(),
                    "MST" => {
                        if zone.is_empty() {
                            zone_abbrev(off)
                        } else {
                            zone.to_string()
                        }
                    }
                    "2006" => format!("{:04}", t.year()),
                    "06" => format!("{:02}", t.year().rem_euclid(100)),
                    "01" => format!("{:02}", t.month()),
                    "1" => t.month().to_string(),
                    "02" => format!("{:02}", t.day()),
                    "2" => t.day().to_string(),
                    "_2" => format!("{:>2}", t.day()),
                    "__2" => format!("{:>3}", t.ordinal()),
                    "002" => format!("{:03}", t.ordinal()),
                    "15" => format!("{:02}", t.hour()),
                    "3" => (if t.hour().is_multiple_of(12) {
                        12
                    } else {
                        t.hour() % 12
                    })
                    .to_string(),
                    "03" => format!(
                        "{:02}",
                        if t.hour().is_multiple_of(12) {
                            12
                        } else {
                            t.hour() % 12
                        }
                    ),
                    "04" => format!("{:02}", t.minute()),
                    "4" => t.minute().to_string(),
                    "05" => format!("{:02}", t.second()),
                    "5" => t.second().to_string(),
                    "PM" => (if t.hour() >= 12 { "PM" } else { "AM" }).to_string(),
                    "pm" => (if t.hour() >= 12 { "pm" } else { "am" }).to_string(),
                    z => format_zone(z, off),
                };
                out.push_str(&v);
            }
        }
    }
    out
}

fn tok_str(t: &Tok<'_>) -> String {
    match t {
        Tok::Lit(s) | Tok::Std(s) => s.to_string(),
        Tok::Frac(c, n) => format!(".{}", c.to_string().repeat(*n)),
    }
}

fn zone_abbrev(off: i32) -> String {
    if off == 0 {
        return "UTC".into();
    }
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    format!("{sign}{:02}{:02}", a / 3600, (a / 60) % 60)
}

fn format_zone(tok: &str, off: i32) -> String {
    if tok.starts_with('Z') && off == 0 {
        return "Z".into();
    }
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    let (h, m, s) = (a / 3600, (a / 60) % 60, a % 60);
    let body = tok.trim_start_matches(['Z', '-']);
    match body {
        "07:00:00" => format!("{sign}{h:02}:{m:02}:{s:02}"),
        "070000" => format!("{sign}{h:02}{m:02}{s:02}"),
        "07:00" => format!("{sign}{h:02}:{m:02}"),
        "0700" => format!("{sign}{h:02}{m:02}"),
        _ => format!("{sign}{h:02}"),
    }
}

/// Go's `time.ParseInLocation(layout, value, time.Local)` with Local = UTC.
fn parse_go(layout: &str, value: &str) -> Result<GoTime, String> {
    let bad = || {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            super::gofmt::go_quote(value),
            super::gofmt::go_quote(layout),
            super::gofmt::go_quote(value),
            super::gofmt::go_quote(layout)
        )
    };
    let (mut year, mut month, mut day, mut hour, mut min, mut sec, mut nanos) =
        (1i32, 1u32, 1u32, 0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut offset: i32 = 0;
    let mut v = value;
    fn take_num(v: &mut &str, min: usize, max: usize) -> Option<u32> {
        let n = v.bytes().take(max).take_while(u8::is_ascii_digit).count();
        if n < min {
            return None;
        }
        let r = v[..n].parse().ok();
        *v = &v[n..];
        r
    }
    for tok in tokenize(layout) {
        let (tok_text, rest_before) = (tok_str(&tok), v);
        let step = (|| -> Option<()> {
            match tok {
                Tok::Lit(s) => {
                    v = v.strip_prefix(s)?;
                }
                Tok::Frac(_, _) => {
                    if let Some(rest) = v.strip_prefix(['.', ',']) {
                        let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                        let digits = format!("{:0<9}", &rest[..n.min(9)]);
                        nanos = digits.parse().unwrap_or(0);
                        v = &rest[n..];
                    }
                }
                Tok::Std(s) => match s {
                    "2006" => year = take_num(&mut v, 4, 4)? as i32,
                    "06" => {
                        let y = take_num(&mut v, 2, 2)? as i32;
                        year = if y >= 69 { 1900 + y } else { 2000 + y };
                    }
                    "01" => month = take_num(&mut v, 2, 2)?,
                    "1" => month = take_num(&mut v, 1, 2)?,
                    "02" => day = take_num(&mut v, 2, 2)?,
                    "2" => day = take_num(&mut v, 1, 2)?,
                    "_2" => {
                        v = v.strip_prefix(' ').unwrap_or(v);
                        day = take_num(&mut v, 1, 2)?;
                    }
                    "15" => hour = take_num(&mut v, 1, 2)?,
                    "3" | "03" => hour = take_num(&mut v, 1, 2)?,
                    "04" | "4" => min = take_num(&mut v, 1, 2)?,
                    "05" | "5" => {
                        sec = take_num(&mut v, 1, 2)?;
                        // Go accepts fractional seconds after a seconds field even if the layout has none.
                        if let Some(rest) = v.strip_prefix('.')
                            && rest.starts_with(|c: char| c.is_ascii_digit())
                        {
                            let n = rest.bytes().take_while(u8::is_ascii_digit).count();
                            let digits = format!("{:0<9}", &rest[..n.min(9)]);
                            nanos = digits.parse().unwrap_or(0);
                            v = &rest[n..];
                        }
                    }
                    "PM" | "pm" => {
                        let up = v.get(..2).map(str::to_ascii_uppercase)?;
                        pm = Some(match up.as_str() {
                            "PM" => true,
                            "AM" => false,
                            _ => return None,
                        });
                        v = &v[2..];
                    }
                    "January" | "Jan" => {
                        let idx = MONTHS.iter().position(|m| {
                            let name = if s == "Jan" { &m[..3] } else { m };
                            v.starts_with(name)
                        })?;
                        month = idx as u32 + 1;
                        v = &v[if s == "Jan" { 3 } else { MONTHS[idx].len() }..];
                    }
                    "Monday" | "Mon" => {
                        let idx = DAYS
                            .iter()
                            .position(|d| v.starts_with(if s == "Mon" { &d[..3] } else { d }))?;
                        v = &v[if s == "Mon" { 3 } else { DAYS[idx].len() }..];
                    }
                    "MST" => {
                        let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                        if n < 3 {
                            return None;
                        }
                        v = &v[n..];
                    }
                    "002" => {
                        take_num(&mut v, 3, 3)?;
                    }
                    "__2" => {
                        v = v.trim_start_matches(' ');
                        take_num(&mut v, 1, 3)?;
                    }
                    z => {
                        if z.starts_with('Z') && v.starts_with('Z') {
                            v = &v[1..];
                            offset = 0;
                        } else {
                            let sign = match v.as_bytes().first() {
                                Some(b'+') => 1,
                                Some(b'-') => -1,
                                _ => return None,
                            };
                            v = &v[1..];
                            let h = take_num(&mut v, 2, 2)? as i32;
                            let mut m = 0;
                            if z.contains("07:00") || z.contains("0700") {
                                v = if z.contains(':') {
                                    v.strip_prefix(':')?
                                } else {
                                    v
                                };
                                m = take_num(&mut v, 2, 2)? as i32;
                            }
                            offset = sign * (h * 3600 + m * 60);
                        }
                    }
                },
            }
            Some(())
        })();
        if step.is_none() {
            return Err(format!(
                "parsing time {} as {}: cannot parse {} as {}",
                super::gofmt::go_quote(value),
                super::gofmt::go_quote(layout),
                super::gofmt::go_quote(rest_before),
                super::gofmt::go_quote(&tok_text)
            ));
        }
    }
    if !v.is_empty() {
        return Err(format!(
            "parsing time {}: extra text: {}",
            super::gofmt::go_quote(value),
            super::gofmt::go_quote(v)
        ));
    }
    if let Some(p) = pm {
        if p && hour < 12 {
            hour += 12;
        } else if !p && hour == 12 {
            hour = 0;
        }
    }
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
        format!(
            "parsing time {}: day out of range",
            super::gofmt::go_quote(value)
        )
    })?;
    let naive = date
        .and_hms_nano_opt(hour, min, sec, nanos)
        .ok_or_else(|| {
            format!(
                "parsing time {}: hour out of range",
                super::gofmt::go_quote(value)
            )
        })?;
    let tz = FixedOffset::east_opt(offset).ok_or_else(bad)?;
    let t = tz.from_local_datetime(&naive).single().ok_or_else(bad)?;
    Ok(if offset == 0 {
        GoTime {
            t,
            zone: "UTC".into(),
        }
    } else {
        GoTime {
            t,
            zone: String::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn to_date(layout: &str, v: &str) -> gotmpl::Value {
        funcs()
            .get("toDate")
            .unwrap()
            .call(&mut NoEngine, &[s(layout), s(v)])
            .unwrap()
    }

    #[test]
    fn dates() {
        let d = to_date("2006-01-02", "2024-02-29");
        assert_eq!(ok("date", &[s("2006-01-02"), d.clone()]), "2024-02-29");
        assert_eq!(
            ok(
                "dateInZone",
                &[s("2006-01-02T15:04Z07:00"), d.clone(), s("UTC")]
            ),
            "2024-02-29T00:00Z"
        );
        assert_eq!(
            ok("unixEpoch", &[to_date("2006-01-02", "1970-01-02")]),
            "86400"
        );
        assert_eq!(
            ok(
                "date",
                &[
                    s("Mon Jan _2 15:04:05 MST 2006"),
                    to_date("2006-01-02 15:04:05", "2024-03-05 13:07:09")
                ]
            ),
            "Tue Mar  5 13:07:09 UTC 2024"
        );
        assert_eq!(ok("kindOf", std::slice::from_ref(&d)), "struct");
        assert_eq!(ok("typeOf", std::slice::from_ref(&d)), "time.Time");
        assert_eq!(
            super::super::gofmt::format_value(&d),
            "2024-02-29 00:00:00 +0000 UTC"
        );
        let m = ok("dateModify", &[s("-1.5h"), d]);
        assert_eq!(m, "2024-02-28 22:30:00 +0000 UTC");
        assert_eq!(
            ok("toDate", &[s("2006-01-02"), s("bad")]),
            "0001-01-01 00:00:00 +0000 UTC"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(ok("duration", &[i(90)]), "0s");
        assert_eq!(ok("duration", &[gotmpl::Value::Int64(90)]), "1m30s");
        assert_eq!(ok("duration", &[s("3661")]), "1h1m1s");
        assert_eq!(ok("duration", &[f(1.0)]), "0s");
        assert_eq!(ok("durationRound", &[s("2h10m")]), "2h");
        assert_eq!(format_duration(1_500_000_000), "1.5s");
        assert_eq!(format_duration(500_000), "500µs");
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
    }
}
