//! Parse and execute a large template (about 2,000 lines, the size of a big
//! chart's templates) against a values tree with a few hundred entries.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{hint::black_box, sync::Arc};

use criterion::{Criterion, criterion_group, criterion_main};
use gotmpl::{CallContext, ExecOptions, FuncError, FuncMap, MissingKey, Templates, Value};

fn large_template() -> String {
    let mut t = String::new();
    t.push_str(
        r#"{{- define "lib.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ $.name }}-{{ .idx }}
{{- range $k, $v := .labels }}
{{ $k }}: {{ $v | printf "%q" }}
{{- end }}
{{- end -}}
{{- define "lib.env" -}}
{{- range $i, $e := . }}
- name: {{ $e.name }}
  value: {{ printf "%v" $e.value | printf "%q" }}
{{- end }}
{{- end -}}
"#,
    );
    for i in 0..60 {
        t.push_str(&format!(
            r#"---
# component {i}
{{{{- $c := index .Values.components {i} }}}}
{{{{- if and $c.enabled (not $c.disabled) }}}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{{{ $c.name }}}}-{i}
  labels:
    {{{{- include "lib.labels" $c | nindent 4 }}}}
spec:
  replicas: {{{{ $c.replicas }}}}
  template:
    spec:
      containers:
      {{{{- range $j, $ct := $c.containers }}}}
        - name: {{{{ $ct.name }}}}
          image: "{{{{ $ct.image }}}}:{{{{ $ct.tag | default "latest" }}}}"
          {{{{- if $ct.ports }}}}
          ports:
          {{{{- range $ct.ports }}}}
            - containerPort: {{{{ . }}}}
          {{{{- end }}}}
          {{{{- end }}}}
          env:
          {{{{- include "lib.env" $ct.env | nindent 10 }}}}
          {{{{- with $ct.resources }}}}
          resources:
            limits: {{{{ .limits }}}}
          {{{{- else }}}}
          resources: {{}}
          {{{{- end }}}}
      {{{{- end }}}}
{{{{- end }}}}
"#
        ));
    }
    t
}

fn values() -> Value {
    let components: Vec<Value> = (0..60)
        .map(|i| {
            let containers: Vec<Value> = (0..3)
                .map(|j| {
                    Value::map([
                        ("name", Value::from(format!("c{j}"))),
                        ("image", Value::from("registry.example.com/app")),
                        (
                            "tag",
                            if j == 1 {
                                Value::Nil
                            } else {
                                Value::from("1.2.3")
                            },
                        ),
                        (
                            "ports",
                            Value::list(vec![Value::Float(8080.0), Value::Float(9090.0)]),
                        ),
                        (
                            "env",
                            Value::list(
                                (0..5)
                                    .map(|k| {
                                        Value::map([
                                            ("name", Value::from(format!("VAR_{k}"))),
                                            ("value", Value::Float(k as f64 * 1.5)),
                                        ])
                                    })
                                    .collect(),
                            ),
                        ),
                        (
                            "resources",
                            if j == 2 {
                                Value::Nil
                            } else {
                                Value::map([("limits", Value::from("1Gi"))])
                            },
                        ),
                    ])
                })
                .collect();
            Value::map([
                ("name", Value::from(format!("component-{i}"))),
                ("idx", Value::Int(i)),
                ("enabled", Value::Bool(true)),
                ("disabled", Value::Bool(i % 7 == 0)),
                ("replicas", Value::Float(2.0)),
                (
                    "labels",
                    Value::map([
                        ("tier", Value::from("backend")),
                        ("team", Value::from("ml")),
                    ]),
                ),
                ("containers", Value::list(containers)),
            ])
        })
        .collect();
    Value::map([(
        "Values",
        Value::map([("components", Value::list(components))]),
    )])
}

fn funcs() -> Arc<FuncMap> {
    let mut f = FuncMap::new();
    f.insert(
        "include",
        |ctx: &mut dyn CallContext, a: &[Value]| -> Result<Value, FuncError> {
            let name = a
                .first()
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            ctx.execute_template(&name, a.get(1).cloned().unwrap_or_default())
                .map(Value::from)
        },
    );
    f.insert(
        "nindent",
        |_: &mut dyn CallContext, a: &[Value]| -> Result<Value, FuncError> {
            let n = match a.first() {
                Some(Value::Int(n)) => *n as usize,
                _ => 0,
            };
            let s = a.get(1).and_then(Value::as_str).unwrap_or_default();
            let pad = " ".repeat(n);
            Ok(Value::from(format!(
                "\n{pad}{}",
                s.replace('\n', &format!("\n{pad}"))
            )))
        },
    );
    f.insert(
        "default",
        |_: &mut dyn CallContext, a: &[Value]| -> Result<Value, FuncError> {
            match a.get(1) {
                Some(v) if v.is_true() => Ok(v.clone()),
                _ => Ok(a.first().cloned().unwrap_or_default()),
            }
        },
    );
    Arc::new(f)
}

fn bench(c: &mut Criterion) {
    let text = large_template();
    let funcs = funcs();
    let data = values();
    let opts = ExecOptions {
        missing_key: MissingKey::Zero,
        ..ExecOptions::default()
    };
    let mut set = Templates::new(funcs.clone());
    set.parse("big.yaml", &text).unwrap();
    let out = set.execute("big.yaml", &data, &opts).unwrap();
    println!(
        "template: {} bytes, {} lines; output: {} bytes",
        text.len(),
        text.lines().count(),
        out.len()
    );

    c.bench_function("parse large template", |b| {
        b.iter(|| {
            let mut s = Templates::new(funcs.clone());
            s.parse("big.yaml", black_box(&text)).unwrap();
            s
        })
    });
    let mut buf = String::new();
    c.bench_function("execute large template", |b| {
        b.iter(|| {
            buf.clear();
            set.execute_into("big.yaml", black_box(&data), &opts, &mut buf)
                .unwrap();
            buf.len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
