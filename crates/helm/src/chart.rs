//! The chart model and Helm's loader (`pkg/chart/v2/loader`): directories
//! (with `.helmignore`) and gzip tar archives (untrusted input, with limits).

use std::{
    io::Read,
    path::{Path, PathBuf},
};

use serde_json::{Map as JsonMap, Value as Json};

use crate::{Error, ignore::Rules, values::Values, yaml};

/// Helm's `MaxDecompressedChartSize`: 100 MiB for a whole archive.
pub const MAX_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// Helm's `MaxDecompressedFileSize`: 5 MiB for one file.
pub const MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;
/// Most entries we accept in one archive (Helm has no limit; an archive of
/// millions of empty files would otherwise exhaust memory).
pub const MAX_FILES: usize = 20_000;
/// Deepest subchart nesting we load (archives inside archives).
const MAX_NESTING: usize = 16;

/// A file of a chart: path relative to the chart root, with `/` separators.
#[derive(Clone, Debug, PartialEq)]
pub struct File {
    /// e.g. `templates/deployment.yaml`
    pub name: String,
    /// Raw content (a UTF-8 BOM is stripped, as Helm does).
    pub data: Vec<u8>,
}

/// A maintainer entry of `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Maintainer {
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// URL.
    pub url: String,
}

/// A dependency entry of `Chart.yaml` (v2) or `requirements.yaml` (v1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dependency {
    /// Chart name (matches the subchart's `Chart.yaml` name).
    pub name: String,
    /// Version constraint.
    pub version: String,
    /// Repository URL (unused offline).
    pub repository: String,
    /// Comma-separated value paths; the first that resolves to a bool decides.
    pub condition: String,
    /// Tags under `tags:` that enable or disable the dependency.
    pub tags: Vec<String>,
    /// Result of condition/tag evaluation.
    pub enabled: bool,
    /// `import-values`: strings or `{child, parent}` maps.
    pub import_values: Vec<Json>,
    /// Name under which the subchart is rendered.
    pub alias: String,
}

/// `Chart.yaml`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// `name`
    pub name: String,
    /// `home`
    pub home: String,
    /// `sources`
    pub sources: Vec<String>,
    /// `version` (SemVer)
    pub version: String,
    /// `description`
    pub description: String,
    /// `keywords`
    pub keywords: Vec<String>,
    /// `maintainers`
    pub maintainers: Vec<Maintainer>,
    /// `icon`
    pub icon: String,
    /// `apiVersion` (`v1` when missing)
    pub api_version: String,
    /// `condition`
    pub condition: String,
    /// `tags`
    pub tags: String,
    /// `appVersion`
    pub app_version: String,
    /// `deprecated`
    pub deprecated: bool,
    /// `annotations`
    pub annotations: Vec<(String, String)>,
    /// `kubeVersion` constraint
    pub kube_version: String,
    /// `dependencies`
    pub dependencies: Vec<Dependency>,
    /// `type`: `application`, `library` or empty
    pub chart_type: String,
}

/// A loaded chart with its subcharts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chart {
    /// `Chart.yaml`.
    pub metadata: Metadata,
    /// `templates/**`, in load order.
    pub templates: Vec<File>,
    /// `values.yaml` (every document merged).
    pub values: Values,
    /// `values.schema.json`, raw.
    pub schema: Option<Vec<u8>>,
    /// Everything else: what `.Files` sees (including `crds/**`).
    pub files: Vec<File>,
    /// Subcharts found in `charts/`, in load order.
    pub dependencies: Vec<Chart>,
    /// Path from the root chart (`parent/charts/child`), set by the renderer.
    pub(crate) full_path: String,
    /// Whether this chart is the root of the tree being rendered.
    pub(crate) is_root: bool,
}

impl Chart {
    /// The chart name (the alias after dependency processing).
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// The chart version.
    pub fn version(&self) -> &str {
        &self.metadata.version
    }

    /// The app version, if set.
    pub fn app_version(&self) -> Option<&str> {
        Some(self.metadata.app_version.as_str()).filter(|s| !s.is_empty())
    }

    /// Whether this is a library chart (`type: library`).
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }

    /// Files under `crds/` with a manifest extension, and those of the
    /// subcharts, with their full display path (`chart/charts/sub/crds/x.yaml`).
    pub fn crd_objects(&self) -> Vec<(String, &File)> {
        let mut out = Vec::new();
        self.collect_crds(&self.metadata.name.clone(), &mut out);
        out
    }

    fn collect_crds<'a>(&'a self, path: &str, out: &mut Vec<(String, &'a File)>) {
        for f in &self.files {
            if f.name.starts_with("crds/")
                && [".yaml", ".yml", ".json"]
                    .iter()
                    .any(|e| f.name.ends_with(e))
            {
                out.push((format!("{path}/{}", f.name), f));
            }
        }
        for d in &self.dependencies {
            d.collect_crds(&format!("{path}/charts/{}", d.name()), out);
        }
    }
}

/// Loads a chart from a directory (Helm's `loader.LoadDir`), applying `.helmignore`.
pub fn load_chart_dir(path: &Path) -> Result<Chart, Error> {
    let meta =
        std::fs::metadata(path).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
    if !meta.is_dir() {
        // `helm template x.tgz` works too.
        let bytes =
            std::fs::read(path).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
        return load_chart_archive(&bytes);
    }
    let root =
        std::fs::canonicalize(path).map_err(|e| Error::Load(format!("{}: {e}", path.display())))?;
    let mut rules = Rules::default();
    if let Ok(text) = std::fs::read_to_string(root.join(".helmignore")) {
        rules = Rules::parse(&text).map_err(Error::Load)?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    let mut total = 0u64;
    walk(&root, &root, "", &rules, &mut files, &mut total)?;
    load_files(files, 0)
}

fn walk(
    root: &Path,
    dir: &Path,
    prefix: &str,
    rules: &Rules,
    out: &mut Vec<File>,
    total: &mut u64,
) -> Result<(), Error> {
    let mut entries: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| Error::Load(format!("{}: {e}", dir.display())))?
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    entries.sort();
    for (name, p) in entries {
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let lmeta = std::fs::symlink_metadata(&p)
            .map_err(|e| Error::Load(format!("{}: {e}", p.display())))?;
        let real = if lmeta.file_type().is_symlink() {
            // Follow links like Helm, but never out of the chart.
            let target = std::fs::canonicalize(&p)
                .map_err(|e| Error::Load(format!("{rel}: broken symlink: {e}")))?;
            if !target.starts_with(root) {
                return Err(Error::Load(format!(
                    "chart contains a symlink that points outside the chart: {rel}"
                )));
            }
            target
        } else {
            p.clone()
        };
        let meta = std::fs::metadata(&real).map_err(|e| Error::Load(format!("{rel}: {e}")))?;
        if meta.is_dir() {
            if rules.ignore(&rel, true) {
                continue;
            }
            walk(root, &real, &rel, rules, out, total)?;
            continue;
        }
        if rules.ignore(&rel, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(Error::Load(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                p.display()
            )));
        }
        if meta.len() > MAX_FILE_SIZE {
            return Err(Error::Load(format!(
                "chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        *total += meta.len();
        if *total > MAX_CHART_SIZE || out.len() >= MAX_FILES {
            return Err(Error::Load(format!(
                "chart is larger than the maximum size {MAX_CHART_SIZE} or has more than {MAX_FILES} files"
            )));
        }
        let data = std::fs::read(&real).map_err(|e| Error::Load(format!("{rel}: {e}")))?;
        out.push(File {
            name: rel,
            data: strip_bom(data),
        });
    }
    Ok(())
}

fn strip_bom(mut data: Vec<u8>) -> Vec<u8> {
    if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        data.drain(..3);
    }
    data
}

/// Loads a chart from a gzip-compressed tar archive (`loader.LoadArchive`).
/// The archive is untrusted: sizes, file count and paths are checked.
pub fn load_chart_archive(bytes: &[u8]) -> Result<Chart, Error> {
    load_archive_nested(bytes, 0)
}

fn load_archive_nested(bytes: &[u8], depth: usize) -> Result<Chart, Error> {
    let files = archive_files(bytes)?;
    load_files(files, depth)
}

/// Reads the files of a chart archive, stripping the top-level directory.
pub fn archive_files(bytes: &[u8]) -> Result<Vec<File>, Error> {
    if bytes.len() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b {
        return Err(Error::Load(
            "file does not appear to be a gzipped archive; got 'application/octet-stream'".into(),
        ));
    }
    let gz = flate2::read::GzDecoder::new(bytes);
    // Bound the decompressed stream itself, so a gzip bomb stops early.
    let limited = gz.take(MAX_CHART_SIZE + 1);
    let mut ar = tar::Archive::new(limited);
    let mut files: Vec<File> = Vec::new();
    let mut total: u64 = 0;
    let entries = ar
        .entries()
        .map_err(|e| Error::Load(format!("invalid archive: {e}")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| Error::Load(format!("invalid archive: {e}")))?;
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_dir()
            || kind.is_pax_global_extensions()
            || kind.is_pax_local_extensions()
            || kind.is_gnu_longname()
            || kind.is_gnu_longlink()
        {
            continue;
        }
        let raw_path = entry.path_bytes().into_owned();
        let raw = String::from_utf8_lossy(&raw_path).replace('\\', "/");
        if raw.starts_with('/') || is_drive_path(&raw) {
            return Err(Error::Load(format!(
                "chart illegally contains an absolute path: {raw}"
            )));
        }
        let parts: Vec<&str> = raw.split('/').collect();
        if parts.contains(&"..") {
            return Err(Error::Load(format!(
                "chart illegally references parent directory: {raw}"
            )));
        }
        if parts.len() == 1 && parts[0] == "Chart.yaml" {
            return Err(Error::Load("chart yaml not in base directory".into()));
        }
        let name = parts[1..]
            .iter()
            .filter(|p| !p.is_empty() && **p != ".")
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        if name.is_empty() {
            return Err(Error::Load("chart illegally contains empty path".into()));
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = entry
                .link_name_bytes()
                .map(|b| String::from_utf8_lossy(&b).replace('\\', "/"))
                .unwrap_or_default();
            if link_escapes(&name, &target) {
                return Err(Error::Load(format!(
                    "chart contains a link that points outside the chart: {name} -> {target}"
                )));
            }
            // Helm reads a link entry as an empty file.
            files.push(File {
                name,
                data: Vec::new(),
            });
            continue;
        }
        if !kind.is_file()
            && kind != tar::EntryType::Continuous
            && kind != tar::EntryType::GNUSparse
        {
            return Err(Error::Load(format!(
                "chart contains an unsupported entry type: {name}"
            )));
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        if size > MAX_FILE_SIZE {
            return Err(Error::Load(format!(
                "decompressed chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        total = total.saturating_add(size);
        if total > MAX_CHART_SIZE {
            return Err(Error::Load(format!(
                "decompressed chart is larger than the maximum size {MAX_CHART_SIZE}"
            )));
        }
        if files.len() >= MAX_FILES {
            return Err(Error::Load(format!(
                "chart has more than {MAX_FILES} files"
            )));
        }
        let mut data = Vec::with_capacity(size.min(MAX_FILE_SIZE) as usize);
        (&mut entry)
            .take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut data)
            .map_err(|e| Error::Load(format!("invalid archive: {e}")))?;
        if data.len() as u64 > MAX_FILE_SIZE {
            return Err(Error::Load(format!(
                "decompressed chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
            )));
        }
        if files.iter().any(|f| f.name == name) {
            return Err(Error::Load(format!(
                "chart contains a duplicate file: {name}"
            )));
        }
        files.push(File {
            name,
            data: strip_bom(data),
        });
    }
    if files.is_empty() {
        return Err(Error::Load("no files in chart archive".into()));
    }
    Ok(files)
}

fn is_drive_path(p: &str) -> bool {
    let b = p.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Whether a link at `name` (inside the chart) pointing to `target` leaves it.
fn link_escapes(name: &str, target: &str) -> bool {
    if target.starts_with('/') || is_drive_path(target) {
        return true;
    }
    let mut stack: Vec<&str> = name.split('/').collect();
    stack.pop();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if stack.pop().is_none() {
                    return true;
                }
            }
            p => stack.push(p),
        }
    }
    false
}

/// `loader.LoadFiles`: sorts files into the chart's parts and loads subcharts.
pub fn load_files(files: Vec<File>, depth: usize) -> Result<Chart, Error> {
    if depth > MAX_NESTING {
        return Err(Error::Load("subcharts are nested too deeply".into()));
    }
    let mut chart = Chart::default();
    let chart_yaml = files
        .iter()
        .find(|f| f.name == "Chart.yaml")
        .ok_or_else(|| Error::Load("Chart.yaml file is missing".into()))?;
    let raw = yaml::parse(&String::from_utf8_lossy(&chart_yaml.data))
        .map_err(|e| Error::Load(format!("cannot load Chart.yaml: {e}")))?;
    chart.metadata = metadata_from_json(&raw)
        .map_err(|e| Error::Load(format!("cannot load Chart.yaml: {e}")))?;
    if chart.metadata.api_version.is_empty() {
        chart.metadata.api_version = "v1".into();
    }
    // Subchart files grouped by directory under charts/, in first-seen order.
    let mut sub: Vec<(String, Vec<File>)> = Vec::new();
    for f in files {
        let name = f.name.clone();
        match name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {}
            "values.yaml" => {
                let text = String::from_utf8_lossy(&f.data);
                chart.values = yaml::parse_values(&text).map_err(|e| {
                    Error::Load(format!(
                        "cannot load values.yaml: cannot unmarshal yaml document: {e}"
                    ))
                })?;
            }
            "values.schema.json" => chart.schema = Some(f.data),
            "requirements.yaml" => {
                let raw = yaml::parse(&String::from_utf8_lossy(&f.data))
                    .map_err(|e| Error::Load(format!("cannot load requirements.yaml: {e}")))?;
                if let Some(deps) = raw.get("dependencies") {
                    chart.metadata.dependencies = deps_from_json(deps)
                        .map_err(|e| Error::Load(format!("cannot load requirements.yaml: {e}")))?;
                }
                if chart.metadata.api_version == "v1" {
                    chart.files.push(f);
                }
            }
            n if n.starts_with("templates/") => chart.templates.push(f),
            n if n.starts_with("charts/") => {
                if n.ends_with(".prov") {
                    chart.files.push(f);
                    continue;
                }
                let cname = &n["charts/".len()..];
                if cname.starts_with('.') || cname.starts_with('_') {
                    continue;
                }
                let (scname, rest) = match cname.split_once('/') {
                    Some((a, b)) => (a.to_string(), b.to_string()),
                    None => (cname.to_string(), cname.to_string()),
                };
                let file = File {
                    name: rest,
                    data: f.data,
                };
                match sub.iter_mut().find(|(n, _)| *n == scname) {
                    Some((_, v)) => v.push(file),
                    None => sub.push((scname, vec![file])),
                }
            }
            _ => chart.files.push(f),
        }
    }
    validate_metadata(&chart.metadata)?;
    for (n, files) in sub {
        let sc = if n.ends_with(".tgz") {
            let file = files.into_iter().next().ok_or_else(|| {
                Error::Load(format!(
                    "error unpacking subchart tar in {}",
                    chart.metadata.name
                ))
            })?;
            if file.name != n {
                return Err(Error::Load(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    chart.metadata.name, file.name
                )));
            }
            load_archive_nested(&file.data, depth + 1)
        } else if files.iter().all(|f| f.name == n) {
            // A plain file directly in charts/ (README, .tar.gz of another
            // name): Helm tries to load it as a chart and fails.
            Err(Error::Load("Chart.yaml file is missing".into()))
        } else {
            load_files(files, depth + 1)
        };
        let sc = sc.map_err(|e| {
            Error::Load(format!(
                "error unpacking subchart {n} in {}: {}",
                chart.metadata.name,
                e.inner()
            ))
        })?;
        chart.dependencies.push(sc);
    }
    Ok(chart)
}

fn validation(msg: String) -> Error {
    Error::Load(format!("validation: {msg}"))
}

fn validate_metadata(md: &Metadata) -> Result<(), Error> {
    if md.api_version.is_empty() {
        return Err(validation("chart.metadata.apiVersion is required".into()));
    }
    if md.name.is_empty() {
        return Err(validation("chart.metadata.name is required".into()));
    }
    if md.name.contains('/') || md.name == "." || md.name == ".." {
        return Err(validation(format!(
            "chart.metadata.name {:?} is invalid",
            md.name
        )));
    }
    if md.version.is_empty() {
        return Err(validation("chart.metadata.version is required".into()));
    }
    if crate::semverc::parse_version(&md.version).is_none() {
        return Err(validation(format!(
            "chart.metadata.version {:?} is invalid",
            md.version
        )));
    }
    if !(md.chart_type.is_empty()
        || md.chart_type.eq_ignore_ascii_case("application")
        || md.chart_type.eq_ignore_ascii_case("library"))
    {
        return Err(validation(
            "chart.metadata.type must be application or library".into(),
        ));
    }
    for m in &md.maintainers {
        if m.name.is_empty() {
            return Err(validation("each maintainer requires a name".into()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for d in &md.dependencies {
        if !d.alias.is_empty()
            && !d
                .alias
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        {
            return Err(validation(format!(
                "dependency {:?} has disallowed characters in the alias",
                d.name
            )));
        }
        let key = if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        };
        if !seen.insert(key.clone()) {
            return Err(validation(format!(
                "more than one dependency with name or alias {key:?}"
            )));
        }
    }
    Ok(())
}

fn s(v: Option<&Json>) -> Result<String, String> {
    match v {
        None | Some(Json::Null) => Ok(String::new()),
        Some(Json::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type string",
            yaml::json_kind(other)
        )),
    }
}

fn str_list(v: Option<&Json>) -> Result<Vec<String>, String> {
    match v {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(a)) => a.iter().map(|x| s(Some(x))).collect(),
        Some(other) => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []string",
            yaml::json_kind(other)
        )),
    }
}

fn metadata_from_json(raw: &Json) -> Result<Metadata, String> {
    let empty = JsonMap::new();
    let m = match raw {
        Json::Object(m) => m,
        Json::Null => &empty,
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                yaml::json_kind(other)
            ));
        }
    };
    let mut md = Metadata {
        name: s(m.get("name"))?,
        home: s(m.get("home"))?,
        sources: str_list(m.get("sources"))?,
        version: s(m.get("version"))?,
        description: s(m.get("description"))?,
        keywords: str_list(m.get("keywords"))?,
        icon: s(m.get("icon"))?,
        api_version: s(m.get("apiVersion"))?,
        condition: s(m.get("condition"))?,
        tags: s(m.get("tags"))?,
        app_version: s(m.get("appVersion"))?,
        kube_version: s(m.get("kubeVersion"))?,
        chart_type: s(m.get("type"))?,
        ..Default::default()
    };
    md.deprecated = matches!(m.get("deprecated"), Some(Json::Bool(true)));
    if let Some(Json::Array(ms)) = m.get("maintainers") {
        for x in ms {
            md.maintainers.push(Maintainer {
                name: s(x.get("name"))?,
                email: s(x.get("email"))?,
                url: s(x.get("url"))?,
            });
        }
    }
    if let Some(Json::Object(a)) = m.get("annotations") {
        for (k, v) in a {
            md.annotations.push((k.clone(), s(Some(v))?));
        }
        md.annotations.sort();
    }
    if let Some(d) = m.get("dependencies") {
        md.dependencies = deps_from_json(d)?;
    }
    Ok(md)
}

fn deps_from_json(d: &Json) -> Result<Vec<Dependency>, String> {
    let mut out = Vec::new();
    match d {
        Json::Null => {}
        Json::Array(items) => {
            for x in items {
                if x.is_null() {
                    continue;
                }
                let tags = str_list(x.get("tags"))?;
                let import_values = match x.get("import-values") {
                    Some(Json::Array(a)) => a.clone(),
                    _ => Vec::new(),
                };
                out.push(Dependency {
                    name: s(x.get("name"))?,
                    version: s(x.get("version"))?,
                    repository: s(x.get("repository"))?,
                    condition: s(x.get("condition"))?,
                    tags,
                    enabled: matches!(x.get("enabled"), Some(Json::Bool(true))),
                    import_values,
                    alias: s(x.get("alias"))?,
                });
            }
        }
        other => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field Metadata.dependencies of type []*chart.Dependency",
                yaml::json_kind(other)
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // Write the raw name so tests can build hostile paths.
            let gnu = h.as_gnu_mut().unwrap();
            gnu.name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    const CHART: &[u8] = b"apiVersion: v2\nname: c\nversion: 0.1.0\n";

    #[test]
    fn archive_roundtrip() {
        let a = tgz(&[
            ("c/Chart.yaml", CHART),
            ("c/templates/a.yaml", b"x: 1\n"),
            ("c/values.yaml", b"a: 1\n"),
        ]);
        let c = load_chart_archive(&a).unwrap();
        assert_eq!(c.name(), "c");
        assert_eq!(c.templates.len(), 1);
        assert_eq!(c.values.get("a").and_then(|v| v.as_f64()), Some(1.0));
    }

    #[test]
    fn archive_rejects_parent_and_absolute_paths() {
        let a = tgz(&[("c/Chart.yaml", CHART), ("c/../evil", b"x")]);
        assert!(
            load_chart_archive(&a)
                .unwrap_err()
                .to_string()
                .contains("parent directory")
        );
        let a = tgz(&[("/c/Chart.yaml", CHART)]);
        assert!(
            load_chart_archive(&a)
                .unwrap_err()
                .to_string()
                .contains("absolute")
        );
        assert!(load_chart_archive(b"not gzip").is_err());
    }

    #[test]
    fn metadata_validation() {
        let a = tgz(&[("c/Chart.yaml", b"apiVersion: v2\nname: c\n")]);
        assert_eq!(
            load_chart_archive(&a).unwrap_err().to_string(),
            "validation: chart.metadata.version is required"
        );
        let a = tgz(&[(
            "c/Chart.yaml",
            b"apiVersion: v2\nname: c\nversion: 1.0.0\ntype: foo\n",
        )]);
        assert!(
            load_chart_archive(&a)
                .unwrap_err()
                .to_string()
                .contains("application or library")
        );
        let a = tgz(&[("c/values.yaml", b"a: 1\n")]);
        assert_eq!(
            load_chart_archive(&a).unwrap_err().to_string(),
            "Chart.yaml file is missing"
        );
    }

    #[test]
    fn link_escape_detection() {
        assert!(link_escapes("templates/a", "../../x"));
        assert!(!link_escapes("templates/a", "../values.yaml"));
        assert!(link_escapes("a", "/etc/passwd"));
    }
}
