//! Masterminds/semver v3 versions and constraints (`semver`, `semverCompare`).

use std::{cmp::Ordering, sync::Arc, sync::LazyLock};

use gotmpl::{FuncError, FuncMap, Object, Value};
use regex::Regex;

use super::{arity, err, pure, str_arg};

pub(crate) fn register(map: &mut FuncMap) {
    pure(map, "semver", |a| {
        arity("semver", a, 1)?;
        let v = Version::parse(str_arg(a, 0)?).map_err(err)?;
        Ok(Value::Object(Arc::new(v)))
    });
    pure(map, "semverCompare", |a| {
        arity("semverCompare", a, 2)?;
        let c = Constraints::parse(str_arg(a, 0)?).map_err(err)?;
        let v = Version::parse(str_arg(a, 1)?).map_err(err)?;
        Ok(Value::Bool(c.check(&v)))
    });
}

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=|!=|>|<|>=|=>|<=|=<|~|~>|\^";

#[allow(clippy::unwrap_used)]
static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$").unwrap()
});
#[allow(clippy::unwrap_used)]
static CONSTRAINT_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^\s*({OPS})?\s*({CV})\s*$")).unwrap());
#[allow(clippy::unwrap_used)]
static FIND_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"({OPS})?\s*({CV})")).unwrap());
#[allow(clippy::unwrap_used)]
static VALID_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"^(\s*({OPS})?\s*({CV})\s*,?)+$")).unwrap());
#[allow(clippy::unwrap_used)]
static RANGE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!(r"\s*({CV})\s+-\s+({CV})\s*")).unwrap());

/// A semantic version (`*semver.Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// `semver.NewVersion`: lenient (`v` prefix, missing minor/patch).
    pub fn parse(s: &str) -> Result<Version, String> {
        let m = VERSION_RE.captures(s).ok_or("invalid semantic version")?;
        let num = |i: usize| -> Result<u64, String> {
            match m.get(i) {
                None => Ok(0),
                Some(x) => x
                    .as_str()
                    .trim_start_matches('.')
                    .parse::<u64>()
                    .map_err(|e| format!("error parsing version segment: {e}")),
            }
        };
        let pre = m.get(5).map(|x| x.as_str().to_string()).unwrap_or_default();
        for seg in pre.split('.').filter(|_| !pre.is_empty()) {
            if seg.len() > 1 && seg.starts_with('0') && seg.bytes().all(|b| b.is_ascii_digit()) {
                return Err("version segment starts with 0".into());
            }
        }
        Ok(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre,
            metadata: m.get(8).map(|x| x.as_str().to_string()).unwrap_or_default(),
            original: s.to_string(),
        })
    }

    fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| compare_prerelease(&self.pre, &o.pre))
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let (pa, pb): (Vec<&str>, Vec<&str>) = (a.split('.').collect(), b.split('.').collect());
    for i in 0..pa.len().max(pb.len()) {
        let (x, y) = (pa.get(i), pb.get(i));
        let ord = match (x, y) {
            (None, Some(_)) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (Some(x), Some(y)) => match (x.parse::<u64>(), y.parse::<u64>()) {
                (Ok(n), Ok(m)) => n.cmp(&m),
                (Ok(_), Err(_)) => Ordering::Less,
                (Err(_), Ok(_)) => Ordering::Greater,
                (Err(_), Err(_)) => x.cmp(y),
            },
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

impl Object for Version {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Major" => Value::Int64(self.major as i64),
            "Minor" => Value::Int64(self.minor as i64),
            "Patch" => Value::Int64(self.patch as i64),
            "Prerelease" => Value::string(&self.pre),
            "Metadata" => Value::string(&self.metadata),
            "Original" => Value::string(&self.original),
            "String" => Value::string(self.to_string()),
            _ => return None,
        })
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, FuncError>> {
        let other = || -> Result<Version, FuncError> {
            match args.first() {
                Some(Value::Object(o)) if o.type_name() == "*semver.Version" => {
                    Version::parse(&o.go_string()).map_err(err)
                }
                Some(v) => Err(super::type_error("*semver.Version", v)),
                None => Err(err("missing argument")),
            }
        };
        let cmp = |f: fn(Ordering) -> bool| Some(other().map(|o| Value::Bool(f(self.compare(&o)))));
        match name {
            "LessThan" => cmp(|o| o == Ordering::Less),
            "GreaterThan" => cmp(|o| o == Ordering::Greater),
            "Equal" => cmp(|o| o == Ordering::Equal),
            "Compare" => Some(other().map(|o| Value::Int(self.compare(&o) as i64))),
            _ => self.field(name).map(Ok),
        }
    }
    fn go_string(&self) -> String {
        self.to_string()
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

struct Constraint {
    op: Op,
    con: Version,
    dirty: bool,
    minor_dirty: bool,
    patch_dirty: bool,
}

/// A parsed constraint string: OR groups of AND-ed constraints.
pub struct Constraints {
    groups: Vec<Vec<Constraint>>,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

impl Constraints {
    /// `semver.NewConstraint`.
    pub fn parse(c: &str) -> Result<Constraints, String> {
        let c = RANGE_RE.replace_all(c, ">= ${1}, <= ${11}").into_owned();
        let mut groups = Vec::new();
        for part in c.split("||") {
            if !VALID_RE.is_match(part) {
                return Err(format!("improper constraint: {part}"));
            }
            let mut group = Vec::new();
            let found: Vec<String> = FIND_RE
                .find_iter(part)
                .map(|m| m.as_str().to_string())
                .collect();
            let found = if found.is_empty() {
                vec![part.to_string()]
            } else {
                found
            };
            for s in found {
                group.push(parse_constraint(&s)?);
            }
            groups.push(group);
        }
        Ok(Constraints { groups })
    }

    /// Whether `v` satisfies any OR group.
    pub fn check(&self, v: &Version) -> bool {
        self.groups.iter().any(|g| g.iter().all(|c| c.check(v)))
    }
}

fn parse_constraint(s: &str) -> Result<Constraint, String> {
    let m = CONSTRAINT_RE
        .captures(s)
        .ok_or_else(|| format!("improper constraint: {s}"))?;
    let g = |i: usize| m.get(i).map(|x| x.as_str()).unwrap_or("");
    let op = match g(1) {
        "" | "=" => Op::Eq,
        "!=" => Op::Ne,
        ">" => Op::Gt,
        "<" => Op::Lt,
        ">=" | "=>" => Op::Ge,
        "<=" | "=<" => Op::Le,
        "~" | "~>" => Op::Tilde,
        _ => Op::Caret,
    };
    let (major, minor, patch, pre_meta) = (g(3), g(4), g(5), g(6));
    let rest: String = pre_meta.to_string() + g(9);
    let (mut dirty, mut minor_dirty, mut patch_dirty) = (false, false, false);
    let ver = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{rest}")
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        dirty = true;
        minor_dirty = true;
        format!("{major}.0.0{rest}")
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{rest}")
    } else {
        g(2).trim_start_matches('v').to_string()
    };
    let con = Version::parse(&ver)?;
    Ok(Constraint {
        op,
        con,
        dirty,
        minor_dirty,
        patch_dirty,
    })
}

impl Constraint {
    fn check(&self, v: &Version) -> bool {
        // A prerelease only satisfies constraints that mention a prerelease.
        if !v.pre.is_empty() && self.con.pre.is_empty() {
            return false;
        }
        let c = &self.con;
        let cmp = v.compare(c);
        match self.op {
            Op::Eq => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    cmp == Ordering::Equal
                }
            }
            Op::Ne => {
                if self.dirty {
                    !self.tilde(v)
                } else {
                    cmp != Ordering::Equal
                }
            }
            Op::Gt => {
                if !self.dirty {
                    return cmp == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                cmp == Ordering::Greater
            }
            Op::Lt => cmp == Ordering::Less,
            Op::Ge => cmp != Ordering::Less,
            Op::Le => {
                if !self.dirty {
                    return cmp != Ordering::Greater;
                }
                if v.major > c.major {
                    return false;
                }
                !(v.major == c.major && v.minor > c.minor && !self.minor_dirty)
            }
            Op::Tilde => self.tilde(v),
            Op::Caret => {
                if cmp == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if v.minor > 0 {
                    return false;
                }
                v.patch == c.patch
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        if v.minor != c.minor && !self.minor_dirty {
            return false;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn cmp(c: &str, v: &str) -> bool {
        Constraints::parse(c)
            .unwrap()
            .check(&Version::parse(v).unwrap())
    }

    #[test]
    fn constraints() {
        assert!(cmp(">=1.20-0", "v1.36.0"));
        assert!(cmp("^1.2", "1.3.0"));
        assert!(!cmp(">=1.20", "1.21.0-gke.1"));
        assert!(cmp(">=1.20-0", "1.21.0-gke.1"));
        assert!(cmp("~1.2.3", "1.2.9"));
        assert!(!cmp("~1.2.3", "1.3.0"));
        assert!(cmp(">= 1.2, < 2.0", "1.5.0"));
        assert!(cmp("1.2 - 1.4.5", "1.4.5"));
        assert!(!cmp("1.2 - 1.4.5", "1.4.6"));
        assert!(cmp("<1.0.0 || >=2.0.0", "2.1.0"));
        assert!(cmp("1.2.x", "1.2.7"));
        assert!(cmp("*", "3.0.0"));
        assert!(!cmp("^0.2.3", "0.3.0"));
    }

    #[test]
    fn version_object() {
        assert_eq!(ok("semver", &[s("1.2.3-beta.1+b")]), "1.2.3-beta.1+b");
        assert_eq!(
            call("semver", &[s("x.y")]).unwrap_err(),
            "invalid semantic version"
        );
        let v = Version::parse("v1.2").unwrap();
        assert_eq!(
            v.field("Minor")
                .map(|x| super::super::gofmt::format_value(&x))
                .unwrap(),
            "2"
        );
    }
}
