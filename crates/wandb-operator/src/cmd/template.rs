//! `wandb-operator template [NAME] CHART ...`: `helm template` with our engine,
//! printing exactly what Helm 4.2.3 prints.

use std::io::Write;

use crate::cli::TemplateArgs;

/// The `helm::TemplateOptions` these arguments describe. Like `helm template`,
/// one positional is the chart and two are `NAME CHART`; `--name` also sets the
/// release name.
pub fn options(args: &TemplateArgs) -> anyhow::Result<helm::TemplateOptions> {
    let (name, chart) = match args.positional.as_slice() {
        [chart] => (None, chart.clone()),
        [name, chart] => (Some(name.clone()), chart.clone()),
        _ => anyhow::bail!("expected [NAME] CHART"),
    };
    if name.is_some() && args.name.is_some() {
        anyhow::bail!("cannot use --name with a positional release name");
    }
    Ok(helm::TemplateOptions {
        chart: chart.into(),
        values_files: args.values.clone(),
        set: args.set.clone(),
        set_string: args.set_string.clone(),
        release_name: name.or_else(|| args.name.clone()),
        namespace: args.namespace.clone(),
        include_crds: args.include_crds,
        kube_version: args.kube_version.clone(),
        api_versions: args.api_versions.clone(),
        no_hooks: args.no_hooks,
    })
}

/// Runs `template`.
pub fn run(args: &TemplateArgs, out: &mut impl Write) -> anyhow::Result<()> {
    let text = helm::template_cli(&options(args)?)?;
    out.write_all(text.as_bytes())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn parse(args: &[&str]) -> TemplateArgs {
        let mut full = vec!["wandb-operator", "template"];
        full.extend_from_slice(args);
        match Cli::try_parse_from(full).unwrap().command {
            Command::Template(t) => t,
            other => panic!("not template: {other:?}"),
        }
    }

    #[test]
    fn positional_name_and_chart_like_helm() {
        let o = options(&parse(&["rel", "chart/", "-f", "a.json", "-n", "ns"])).unwrap();
        assert_eq!(o.release_name.as_deref(), Some("rel"));
        assert_eq!(o.chart, std::path::PathBuf::from("chart/"));
        assert_eq!(o.namespace.as_deref(), Some("ns"));
        assert_eq!(o.values_files, vec![std::path::PathBuf::from("a.json")]);

        let o = options(&parse(&[
            "chart",
            "--name",
            "r",
            "--set",
            "a=1,b=2",
            "--set",
            "c=3",
            "--set-string",
            "d=4",
            "-f",
            "x.yaml,y.yaml",
            "--include-crds",
            "--kube-version",
            "1.30",
        ]))
        .unwrap();
        assert_eq!(o.release_name.as_deref(), Some("r"));
        assert_eq!(o.set, vec!["a=1,b=2".to_string(), "c=3".to_string()]);
        assert_eq!(o.set_string, vec!["d=4".to_string()]);
        assert_eq!(o.values_files.len(), 2);
        assert!(o.include_crds);
        assert_eq!(o.kube_version.as_deref(), Some("1.30"));
        assert_eq!(o.release_name, Some("r".into()));

        assert!(options(&parse(&["a", "b", "--name", "c"])).is_err());
        assert!(
            Cli::try_parse_from(["wandb-operator", "template"]).is_err(),
            "a chart is required"
        );
    }

    #[test]
    fn renders_a_chart_and_reports_failures() {
        let dir = std::env::temp_dir().join(format!("wo-template-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: tiny\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(dir.join("values.yaml"), "port: 80\n").unwrap();
        std::fs::write(
            dir.join("templates/svc.yaml"),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\nspec:\n  ports: [{port: {{ required \"port!\" .Values.port }}}]\n",
        )
        .unwrap();
        let chart = dir.to_string_lossy().into_owned();
        let mut out = Vec::new();
        run(
            &parse(&["web", &chart, "-n", "prod", "--set", "port=8080"]),
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "---\n# Source: tiny/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: prod\nspec:\n  ports: [{port: 8080}]\n"
        );
        let e = run(&parse(&[&chart, "--set", "port=null"]), &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("port!"), "{e}");
    }
}
