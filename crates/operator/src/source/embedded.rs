//! The platform chart embedded in the binary (`charts/operator-wandb`, packed by
//! `build.rs`), used when neither the CR nor the channel names another chart, and
//! whenever a reference is `{name, version}` without `url` or `path`.

use super::ChartRefError;

/// The packed chart (`operator-wandb/...` entries, gzip tar).
pub const EMBEDDED_CHART_TGZ: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/operator-wandb.tgz"));

const CHART_YAML: &str = include_str!("../../../../charts/operator-wandb/Chart.yaml");

/// Name and version from the embedded `Chart.yaml`.
pub fn embedded_chart_id() -> (String, String) {
    let field = |key: &str| {
        CHART_YAML
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .map(|v| v.trim().trim_matches('"').trim_matches('\'').to_string())
            .unwrap_or_default()
    };
    (field("name"), field("version"))
}

/// Checks that a `{name, version}` reference names the embedded chart; `field` is
/// where the reference came from.
pub fn check_embedded(
    name: Option<&str>,
    version: Option<&str>,
    field: &str,
) -> Result<(), ChartRefError> {
    let (have_name, have_version) = embedded_chart_id();
    if let Some(name) = name
        && name != have_name
    {
        return Err(ChartRefError {
            field: format!("{field}.name"),
            message: format!(
                "{name:?} is not the embedded chart ({have_name}); give a url or path to use another chart"
            ),
        });
    }
    if let Some(version) = version
        && version != have_version
    {
        return Err(ChartRefError {
            field: format!("{field}.version"),
            message: format!(
                "the embedded chart {have_name} is version {have_version}, not {version}; give a url or path for other versions"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn embedded_chart_is_a_helm_package() {
        let (name, version) = embedded_chart_id();
        assert_eq!(name, "operator-wandb");
        assert!(!version.is_empty());
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(EMBEDDED_CHART_TGZ));
        let mut names = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = entry.path().unwrap().to_string_lossy().into_owned();
            if path == "operator-wandb/Chart.yaml" {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                assert_eq!(text, CHART_YAML);
            }
            names.push(path);
        }
        assert!(
            names.iter().all(|n| n.starts_with("operator-wandb/")),
            "{names:?}"
        );
        assert!(names.contains(&"operator-wandb/values.yaml".to_string()));
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("operator-wandb/templates/"))
        );
        // .helmignore'd content stays out.
        assert!(
            !names
                .iter()
                .any(|n| n.contains("/tests/") || n.ends_with(".md")),
            "{names:?}"
        );
    }

    #[test]
    fn name_and_version_must_match() {
        let (name, version) = embedded_chart_id();
        assert!(check_embedded(Some(&name), Some(&version), "spec.chart").is_ok());
        assert!(check_embedded(None, None, "spec.chart").is_ok());
        let e = check_embedded(Some("other"), None, "spec.chart").unwrap_err();
        assert_eq!(e.field, "spec.chart.name");
        let e = check_embedded(Some(&name), Some("9.9.9"), "spec.chart").unwrap_err();
        assert_eq!(e.field, "spec.chart.version");
    }
}
