//! `.helmignore` (Helm's `internal/ignore`): gitignore-like rules evaluated in
//! order, first match decides; `!` negates, a trailing `/` matches only
//! directories, a leading `/` anchors at the chart root, and patterns
//! without `/` match the base name. Matching is Go's `filepath.Match`.

#[derive(Clone, Debug)]
struct Pattern {
    rule: String,
    negate: bool,
    must_dir: bool,
    kind: Kind,
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Rooted,
    Path,
    Base,
}

/// A parsed `.helmignore`.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// Parses `.helmignore` text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut r = Rules::default();
        for line in text.lines() {
            r.parse_rule(line)?;
        }
        Ok(r)
    }

    /// Helm's defaults: dotfiles inside `templates/` are never loaded.
    pub fn add_defaults(&mut self) {
        let _ = self.parse_rule("templates/.?*");
    }

    fn parse_rule(&mut self, rule: &str) -> Result<(), String> {
        let mut rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if go_match(rule, "abc").is_err() {
            return Err("syntax error in pattern".into());
        }
        let mut negate = false;
        if let Some(r) = rule.strip_prefix('!') {
            negate = true;
            rule = r;
        }
        let mut must_dir = false;
        if let Some(r) = rule.strip_suffix('/') {
            must_dir = true;
            rule = r;
        }
        let kind = if let Some(r) = rule.strip_prefix('/') {
            rule = r;
            Kind::Rooted
        } else if rule.contains('/') {
            Kind::Path
        } else {
            Kind::Base
        };
        self.patterns.push(Pattern {
            rule: rule.to_string(),
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.must_dir && !is_dir {
                continue;
            }
            let target = match p.kind {
                Kind::Rooted | Kind::Path => path,
                Kind::Base => path.rsplit('/').next().unwrap_or(path),
            };
            let m = go_match(&p.rule, target).unwrap_or(false);
            if p.negate {
                if m {
                    return false;
                }
                continue;
            }
            if m {
                return true;
            }
        }
        false
    }
}

/// Go's `path/filepath.Match` on `/`-separated names: `*` and `?` do not
/// cross `/`, `[...]` classes with `^` negation and ranges, `\` escapes.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, ()> {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n)
}

fn match_from(p: &[char], n: &[char]) -> Result<bool, ()> {
    let (mut pi, mut ni) = (0usize, 0usize);
    // Backtracking point for the last star.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    if ni < n.len() && n[ni] != '/' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                '[' => {
                    if ni < n.len() && n[ni] != '/' {
                        let (ok, next) = match_class(p, pi, n[ni])?;
                        if ok {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else {
                        // Validate the class even when there is nothing to match.
                        match_class(p, pi, '\0')?;
                    }
                }
                '\\' => {
                    let c = *p.get(pi + 1).ok_or(())?;
                    if ni < n.len() && n[ni] == c {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c => {
                    if ni < n.len() && n[ni] == c {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
            }
        } else if ni == n.len() {
            return Ok(true);
        }
        // Mismatch: let the last star eat one more character (not '/').
        match star {
            Some((sp, sn)) if sn < n.len() && n[sn] != '/' => {
                star = Some((sp, sn + 1));
                pi = sp + 1;
                ni = sn + 1;
            }
            _ => {
                // Check the rest of the pattern for syntax errors like Go does.
                validate(&p[pi.min(p.len())..])?;
                return Ok(false);
            }
        }
    }
}

fn validate(p: &[char]) -> Result<(), ()> {
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '[' => {
                let (_, next) = match_class(p, i, '\0')?;
                i = next;
            }
            '\\' => {
                if i + 1 >= p.len() {
                    return Err(());
                }
                i += 2;
            }
            _ => i += 1,
        }
    }
    Ok(())
}

/// Matches `c` against the class starting at `p[start] == '['`; returns the
/// result and the index after `]`.
fn match_class(p: &[char], start: usize, c: char) -> Result<(bool, usize), ()> {
    let mut i = start + 1;
    let mut negated = false;
    if i < p.len() && p[i] == '^' {
        negated = true;
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        if i >= p.len() {
            return Err(());
        }
        if p[i] == ']' && !first {
            i += 1;
            break;
        }
        first = false;
        let mut lo = p[i];
        if lo == '\\' {
            i += 1;
            lo = *p.get(i).ok_or(())?;
        } else if lo == '-' {
            return Err(());
        }
        i += 1;
        let mut hi = lo;
        if i + 1 < p.len() && p[i] == '-' && p[i + 1] != ']' {
            i += 1;
            hi = p[i];
            if hi == '\\' {
                i += 1;
                hi = *p.get(i).ok_or(())?;
            }
            i += 1;
        }
        if lo <= c && c <= hi {
            matched = true;
        }
    }
    Ok((matched != negated, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_filepath_match() {
        assert_eq!(go_match("*.bak", "a.bak"), Ok(true));
        assert_eq!(go_match("*.bak", "d/a.bak"), Ok(false));
        assert_eq!(go_match("templates/.?*", "templates/.x"), Ok(true));
        assert_eq!(go_match("a[0-9]", "a5"), Ok(true));
        assert_eq!(go_match("a[^0-9]", "a5"), Ok(false));
        assert!(go_match("a[", "a").is_err());
    }

    #[test]
    fn rules() {
        let r = Rules::parse("# c\nignored/\n*.bak\n!keep.bak\n/top.txt\n").unwrap();
        assert!(r.ignore("ignored", true));
        assert!(!r.ignore("ignored", false));
        assert!(r.ignore("files/x.bak", false));
        assert!(r.ignore("top.txt", false));
        assert!(!r.ignore("files/top.txt", false));
        assert!(Rules::parse("a/**/b").is_err());
    }
}
