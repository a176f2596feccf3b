//! `wandb-operator crd`: print the CRD generated from the Rust types.

use std::io::Write;

/// Writes the CRD YAML to `out`.
pub fn run(out: &mut impl Write) -> anyhow::Result<()> {
    out.write_all(operator::api::crd_yaml()?.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn prints_the_checked_in_crd() {
        let mut out = Vec::new();
        super::run(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let checked_in = include_str!("../../../../charts/operator/crds/weightsandbiases.yaml");
        assert_eq!(text, checked_in);
    }
}
