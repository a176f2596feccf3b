//! Masterminds/semver v3 versions and constraints, as far as the chart loader
//! and dependency processing need them (`kubeVersion`, dependency versions).

use std::cmp::Ordering;

/// A parsed (lenient) semantic version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Major.
    pub major: u64,
    /// Minor.
    pub minor: u64,
    /// Patch.
    pub patch: u64,
    /// Pre-release identifiers (after `-`), empty when none.
    pub pre: String,
}

/// `semver.NewVersion`: optional `v`, one to three numeric parts, optional
/// `-prerelease` and `+metadata`.
pub fn parse_version(s: &str) -> Option<Version> {
    let s = s.strip_prefix('v').unwrap_or(s);
    let (s, _meta) = match s.split_once('+') {
        Some((a, m)) if !m.is_empty() && valid_ids(m) => (a, m),
        Some(_) => return None,
        None => (s, ""),
    };
    let (core, pre) = match s.split_once('-') {
        Some((a, p)) if !p.is_empty() && valid_ids(p) => (a, p),
        Some(_) => return None,
        None => (s, ""),
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    let mut nums = [0u64; 3];
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if p.len() > 1 && p.starts_with('0') {
            return None;
        }
        nums[i] = p.parse().ok()?;
    }
    Some(Version {
        major: nums[0],
        minor: nums[1],
        patch: nums[2],
        pre: pre.to_string(),
    })
}

fn valid_ids(s: &str) -> bool {
    s.split('.')
        .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn cmp_pre(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let mut ai = a.split('.');
    let mut bi = b.split('.');
    loop {
        match (ai.next(), bi.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(p), Ok(q)) => p.cmp(&q),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    (Err(_), Err(_)) => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
        }
    }
}

impl Version {
    fn cmp(&self, o: &Version) -> Ordering {
        (self.major, self.minor, self.patch)
            .cmp(&(o.major, o.minor, o.patch))
            .then_with(|| cmp_pre(&self.pre, &o.pre))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Tilde,
    Caret,
}

struct Single {
    op: Op,
    v: Version,
    /// Number of explicitly given numeric parts before a wildcard (0-3).
    given: usize,
    has_pre: bool,
}

fn parse_single(s: &str) -> Option<Single> {
    let s = s.trim();
    let ops = [
        (">=", Op::Ge),
        ("=>", Op::Ge),
        ("<=", Op::Le),
        ("=<", Op::Le),
        ("!=", Op::Ne),
        ("~>", Op::Tilde),
        ("~", Op::Tilde),
        ("^", Op::Caret),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ];
    let mut op = Op::Eq;
    let mut rest = s;
    for (p, o) in ops {
        if let Some(r) = s.strip_prefix(p) {
            op = o;
            rest = r.trim_start();
            break;
        }
    }
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let (core, tail) = match rest.find(['-', '+']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let parts: Vec<&str> = if core.is_empty() {
        vec![]
    } else {
        core.split('.').collect()
    };
    if parts.len() > 3 {
        return None;
    }
    let mut nums = [0u64; 3];
    let mut given = 0;
    for p in &parts {
        if matches!(*p, "x" | "X" | "*") {
            break;
        }
        nums[given] = p.parse().ok()?;
        given += 1;
    }
    if core.is_empty() || parts.is_empty() {
        given = 0;
    }
    let pre = tail
        .strip_prefix('-')
        .map(|t| t.split('+').next().unwrap_or(""))
        .unwrap_or("");
    Some(Single {
        op,
        v: Version {
            major: nums[0],
            minor: nums[1],
            patch: nums[2],
            pre: pre.to_string(),
        },
        given,
        has_pre: !pre.is_empty(),
    })
}

fn bump(v: &Version, given: usize) -> Version {
    match given {
        0 => Version {
            major: u64::MAX,
            minor: 0,
            patch: 0,
            pre: String::new(),
        },
        1 => Version {
            major: v.major + 1,
            minor: 0,
            patch: 0,
            pre: String::new(),
        },
        2 => Version {
            major: v.major,
            minor: v.minor + 1,
            patch: 0,
            pre: String::new(),
        },
        _ => Version {
            major: v.major,
            minor: v.minor,
            patch: v.patch + 1,
            pre: String::new(),
        },
    }
}

fn check(c: &Single, v: &Version) -> bool {
    if !v.pre.is_empty() && !c.has_pre {
        return false;
    }
    let lo = &c.v;
    let ge = |a: &Version| v.cmp(a) != Ordering::Less;
    let lt = |a: &Version| v.cmp(a) == Ordering::Less;
    match c.op {
        Op::Eq => {
            if c.given < 3 {
                ge(lo) && lt(&bump(lo, c.given))
            } else {
                v.cmp(lo) == Ordering::Equal
            }
        }
        Op::Ne => {
            if c.given < 3 {
                !(ge(lo) && lt(&bump(lo, c.given)))
            } else {
                v.cmp(lo) != Ordering::Equal
            }
        }
        Op::Gt => {
            if c.given < 3 {
                ge(&bump(lo, c.given))
            } else {
                v.cmp(lo) == Ordering::Greater
            }
        }
        Op::Ge => ge(lo),
        Op::Lt => lt(lo),
        Op::Le => {
            if c.given < 3 {
                lt(&bump(lo, c.given))
            } else {
                v.cmp(lo) != Ordering::Greater
            }
        }
        Op::Tilde => {
            let upper = if c.given <= 1 {
                bump(lo, 1)
            } else {
                bump(lo, 2)
            };
            ge(lo) && lt(&upper)
        }
        Op::Caret => {
            let upper = if lo.major > 0 || c.given <= 1 {
                bump(lo, 1)
            } else if lo.minor > 0 || c.given == 2 {
                bump(lo, 2)
            } else {
                bump(lo, 3)
            };
            ge(lo) && lt(&upper)
        }
    }
}

/// `IsCompatibleRange(constraint, version)`: false when either does not parse.
pub fn satisfies(constraint: &str, version: &str) -> bool {
    let Some(v) = parse_version(version) else {
        return false;
    };
    let constraint = constraint.trim();
    if constraint.is_empty() {
        return false;
    }
    constraint.split("||").any(|group| {
        let group = group.trim();
        // Hyphen ranges: "1.2 - 1.4".
        if let Some((a, b)) = group.split_once(" - ") {
            let (Some(mut lo), Some(mut hi)) = (parse_single(a), parse_single(b)) else {
                return false;
            };
            lo.op = Op::Ge;
            hi.op = Op::Le;
            return check(&lo, &v) && check(&hi, &v);
        }
        let mut items: Vec<String> = Vec::new();
        // Split on commas and whitespace, but keep an operator attached to
        // its version (">= 1.2").
        for chunk in group.split(',') {
            let mut pending = String::new();
            for tok in chunk.split_whitespace() {
                if tok.chars().all(|c| "<>=!~^".contains(c)) {
                    pending.push_str(tok);
                } else {
                    items.push(format!("{pending}{tok}"));
                    pending.clear();
                }
            }
        }
        !items.is_empty()
            && items
                .iter()
                .all(|it| parse_single(it).is_some_and(|c| check(&c, &v)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints() {
        assert!(satisfies(">=1.20-0", "v1.36.0"));
        assert!(satisfies("^1.2", "1.3.0"));
        assert!(!satisfies(">=1.20", "1.21.0-gke.1"));
        assert!(!satisfies("<1.20.0", "v1.36.0"));
        assert!(satisfies("~1.2.3", "1.2.9"));
        assert!(!satisfies("~1.2.3", "1.3.0"));
        assert!(satisfies("1.2.x", "1.2.7"));
        assert!(satisfies(">= 1.0.0, < 2.0.0", "1.5.0"));
        assert!(satisfies("1.0 - 2.0", "1.5.0"));
        assert!(satisfies("<1 || >=3", "3.1.0"));
        assert!(satisfies("*", "3.1.0"));
        assert!(satisfies("0.1.0", "0.1.0"));
        assert!(parse_version("1.2").is_some());
        assert!(parse_version("x.y").is_none());
    }
}
