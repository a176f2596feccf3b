//! Packs `charts/operator-wandb` into `$OUT_DIR/operator-wandb.tgz`, the chart
//! embedded in the binary (so that nothing has to be downloaded), laid out like
//! `helm package` output: every file under `operator-wandb/`, `.helmignore` applied.
//!
//! Only the `.helmignore` forms the chart uses are supported (`dir/`, `*.ext`,
//! plain names, comments); anything else fails the build instead of silently
//! packaging files Helm would skip.

use std::{
    error::Error,
    fs,
    path::{Path, PathBuf},
};

fn main() -> Result<(), Box<dyn Error>> {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let chart_dir = manifest_dir.join("../../charts/operator-wandb");
    println!("cargo::rerun-if-changed={}", chart_dir.display());
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("operator-wandb.tgz");

    let rules = read_rules(&chart_dir)?;
    let mut files = Vec::new();
    collect(&chart_dir, Path::new(""), &rules, &mut files)?;
    files.sort();

    let gz = flate2::write::GzEncoder::new(fs::File::create(&out)?, flate2::Compression::best());
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    for rel in &files {
        let data = fs::read(chart_dir.join(rel))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        let name = Path::new("operator-wandb").join(rel);
        tar.append_data(&mut header, name, data.as_slice())?;
    }
    tar.into_inner()?.finish()?;
    Ok(())
}

enum Rule {
    Dir(String),
    Suffix(String),
    Name(String),
}

fn read_rules(chart_dir: &Path) -> Result<Vec<Rule>, Box<dyn Error>> {
    let text = fs::read_to_string(chart_dir.join(".helmignore")).unwrap_or_default();
    let mut rules = vec![Rule::Name(".helmignore".into())];
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(dir) = line.strip_suffix('/')
            && !dir.contains(['/', '*', '?', '[', '!'])
        {
            rules.push(Rule::Dir(dir.to_string()));
        } else if let Some(ext) = line.strip_prefix('*')
            && !ext.contains(['/', '*', '?', '[', '!'])
        {
            rules.push(Rule::Suffix(ext.to_string()));
        } else if !line.contains(['/', '*', '?', '[', '!']) {
            rules.push(Rule::Name(line.to_string()));
        } else {
            return Err(format!(
                "unsupported .helmignore pattern {line:?}; extend crates/operator/build.rs"
            )
            .into());
        }
    }
    Ok(rules)
}

fn collect(
    root: &Path,
    rel: &Path,
    rules: &[Rule],
    out: &mut Vec<PathBuf>,
) -> Result<(), Box<dyn Error>> {
    for entry in fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = rel.join(&name);
        let is_dir = entry.file_type()?.is_dir();
        let ignored = rules.iter().any(|r| match r {
            Rule::Dir(d) => is_dir && *d == name,
            Rule::Suffix(s) => name.ends_with(s.as_str()),
            Rule::Name(n) => *n == name,
        });
        if ignored || name == "__pycache__" {
            continue;
        }
        if is_dir {
            collect(root, &path, rules, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}
