//! A release channel read from a file (`--channel FILE` in the CLI, tests, and sites
//! that distribute releases as files). The file holds one release document.

use std::path::PathBuf;

use futures::future::BoxFuture;

use super::{ChannelError, ChannelRequest, ReleaseChannel, parse_release};
use crate::spec::StoredSpec;

/// A channel serving the single release in a file.
#[derive(Clone, Debug)]
pub struct FileChannel {
    path: PathBuf,
}

impl FileChannel {
    /// A channel reading `path` on every fetch (so edits are picked up).
    pub fn new(path: impl Into<PathBuf>) -> FileChannel {
        FileChannel { path: path.into() }
    }

    /// Reads the release synchronously (for the CLI).
    pub fn read(&self, request: &ChannelRequest) -> Result<StoredSpec, ChannelError> {
        let text = std::fs::read_to_string(&self.path)
            .map_err(|e| ChannelError::Unreachable(format!("{}: {e}", self.path.display())))?;
        let release = parse_release(&text)
            .map_err(|e| ChannelError::Invalid(format!("{}: {e}", self.path.display())))?;
        if let Some(wanted) = &request.release_id {
            let actual = release.metadata.as_ref().and_then(|m| m.get("releaseId"));
            if actual != Some(wanted) {
                return Err(ChannelError::ReleaseNotFound(wanted.clone()));
            }
        }
        Ok(release)
    }
}

impl ReleaseChannel for FileChannel {
    fn fetch<'a>(
        &'a self,
        request: &'a ChannelRequest,
    ) -> BoxFuture<'a, Result<StoredSpec, ChannelError>> {
        Box::pin(async move { self.read(request) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::TempDir;

    #[test]
    fn serves_the_file_and_checks_pins() {
        let tmp = TempDir::new("channel");
        let path = tmp.path().join("r.yaml");
        std::fs::write(
            &path,
            "metadata: {releaseId: r7}\nchart: {name: operator-wandb}\nvalues: {a: 1}\n",
        )
        .unwrap();
        let channel = FileChannel::new(&path);
        let latest =
            futures::executor::block_on(channel.fetch(&ChannelRequest::default())).unwrap();
        assert_eq!(latest.values, serde_json::json!({"a": 1}));
        let pinned = ChannelRequest {
            release_id: Some("r7".into()),
            ..ChannelRequest::default()
        };
        assert!(channel.read(&pinned).is_ok());
        let other = ChannelRequest {
            release_id: Some("r8".into()),
            ..ChannelRequest::default()
        };
        assert!(matches!(
            channel.read(&other),
            Err(ChannelError::ReleaseNotFound(_))
        ));
    }

    #[test]
    fn missing_file_is_unreachable() {
        let channel = FileChannel::new("/nonexistent/channel.yaml");
        assert!(matches!(
            channel.read(&ChannelRequest::default()),
            Err(ChannelError::Unreachable(_))
        ));
    }
}
