//! Reading a local chart (`spec.chart.path`): a directory, a `.tgz`, or a file whose
//! whole content is a base64-encoded `.tgz`. The Go operator read the path as a file
//! first, so directories failed there; here a directory is recognised first.

use std::path::{Path, PathBuf};

use base64::Engine;

/// Largest chart archive accepted, before and after base64 decoding.
pub const MAX_CHART_ARCHIVE_BYTES: u64 = 64 * 1024 * 1024;

/// A local chart, ready for the renderer's loader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LocalChart {
    /// An unpacked chart directory (holding `Chart.yaml`).
    Directory(PathBuf),
    /// The bytes of a gzip-compressed chart archive.
    Archive(Vec<u8>),
}

/// The path names no usable chart.
#[derive(Debug, thiserror::Error)]
pub enum LocalChartError {
    /// The path cannot be read.
    #[error("reading chart {path}: {source}")]
    Read {
        /// The chart path.
        path: PathBuf,
        /// The IO error.
        #[source]
        source: std::io::Error,
    },
    /// A directory without `Chart.yaml`.
    #[error("chart directory {0} has no Chart.yaml")]
    NoChartYaml(PathBuf),
    /// Larger than [`MAX_CHART_ARCHIVE_BYTES`].
    #[error("chart archive {0} is larger than {MAX_CHART_ARCHIVE_BYTES} bytes")]
    TooLarge(PathBuf),
    /// Neither gzip nor base64 of gzip.
    #[error("{0} is neither a chart directory, a .tgz archive, nor a base64-encoded .tgz")]
    Unrecognised(PathBuf),
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads the chart at `path` into a [`LocalChart`].
pub fn read_local_chart(path: &Path) -> Result<LocalChart, LocalChartError> {
    let read_err = |source| LocalChartError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if meta.is_dir() {
        if !path.join("Chart.yaml").is_file() {
            return Err(LocalChartError::NoChartYaml(path.to_path_buf()));
        }
        return Ok(LocalChart::Directory(path.to_path_buf()));
    }
    // base64 inflates by 4/3, so allow that much for the encoded form.
    if meta.len() > MAX_CHART_ARCHIVE_BYTES / 3 * 4 + 4 {
        return Err(LocalChartError::TooLarge(path.to_path_buf()));
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    if bytes.starts_with(&GZIP_MAGIC) {
        if bytes.len() as u64 > MAX_CHART_ARCHIVE_BYTES {
            return Err(LocalChartError::TooLarge(path.to_path_buf()));
        }
        return Ok(LocalChart::Archive(bytes));
    }
    let compact: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    match base64::engine::general_purpose::STANDARD.decode(&compact) {
        Ok(decoded) if decoded.starts_with(&GZIP_MAGIC) => Ok(LocalChart::Archive(decoded)),
        _ => Err(LocalChartError::Unrecognised(path.to_path_buf())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TempDir;

    #[test]
    fn directory_with_chart_yaml() {
        let tmp = TempDir::new("local-dir");
        let dir = tmp.path();
        std::fs::write(dir.join("Chart.yaml"), "name: x\nversion: 0.1.0\n").unwrap();
        assert_eq!(
            read_local_chart(dir).unwrap(),
            LocalChart::Directory(dir.to_path_buf())
        );
        std::fs::remove_file(dir.join("Chart.yaml")).unwrap();
        assert!(matches!(
            read_local_chart(dir),
            Err(LocalChartError::NoChartYaml(_))
        ));
    }

    #[test]
    fn tgz_and_base64_tgz() {
        let tmp = TempDir::new("local-tgz");
        let dir = tmp.path();
        let archive = [0x1f, 0x8b, 8, 0, 1, 2, 3, 4];
        std::fs::write(dir.join("c.tgz"), archive).unwrap();
        assert_eq!(
            read_local_chart(&dir.join("c.tgz")).unwrap(),
            LocalChart::Archive(archive.to_vec())
        );
        let mut b64 = base64::engine::general_purpose::STANDARD.encode(archive);
        b64.push('\n');
        std::fs::write(dir.join("c.b64"), b64).unwrap();
        assert_eq!(
            read_local_chart(&dir.join("c.b64")).unwrap(),
            LocalChart::Archive(archive.to_vec())
        );
    }

    #[test]
    fn other_files_and_missing_paths_are_errors() {
        let tmp = TempDir::new("local-bad");
        let dir = tmp.path();
        std::fs::write(dir.join("values.yaml"), "a: 1\n").unwrap();
        assert!(matches!(
            read_local_chart(&dir.join("values.yaml")),
            Err(LocalChartError::Unrecognised(_))
        ));
        let e = read_local_chart(&dir.join("missing.tgz")).unwrap_err();
        assert!(e.to_string().contains("missing.tgz"), "{e}");
    }
}
