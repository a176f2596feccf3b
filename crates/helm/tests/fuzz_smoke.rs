//! The fuzz targets' bodies (`fuzz/fuzz_targets/`) on stable: mutated corpus
//! archives, values files and `--set` strings must never panic, and hostile
//! inputs (gzip bombs, alias bombs, huge list indices) fail cleanly.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;

#[path = "common/rng.rs"]
mod rng;

use rng::Rng;

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(8) {
        if v.is_empty() {
            v.push(rng.next() as u8);
            continue;
        }
        let i = rng.below(v.len());
        match rng.below(4) {
            0 => v[i] = rng.next() as u8,
            1 => {
                v.remove(i);
            }
            2 => v.insert(i, b"[]{}:-&*!|>'\"#,\n "[rng.below(17)]),
            _ => {
                let j = rng.below(v.len());
                let chunk: Vec<u8> = v[i.min(j)..i.max(j)].to_vec();
                v.splice(i..i, chunk.into_iter().take(64));
            }
        }
    }
    v
}

fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_path(name).unwrap();
        h.set_cksum();
        b.append(&h, *data).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    gz.finish().unwrap()
}

#[test]
fn archives_never_panic() {
    let good = tgz(&[
        ("c/Chart.yaml", b"apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("c/values.yaml", b"a: {b: [1, 2]}\n"),
        ("c/templates/x.yaml", b"kind: {{ .Values.a }}\n"),
    ]);
    assert!(helm::load_chart_archive(&good).is_ok());
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let _ = helm::load_chart_archive(&mutate(&mut rng, &good));
    }
}

#[test]
fn gzip_bomb_is_rejected() {
    // 6 MiB of zeros in one file: over the 5 MiB per-file limit.
    let big = vec![0u8; 6 * 1024 * 1024];
    let a = tgz(&[
        ("c/Chart.yaml", b"apiVersion: v2\nname: c\nversion: 0.1.0\n"),
        ("c/big.bin", &big),
    ]);
    assert!(a.len() < 64 * 1024, "test archive should compress well");
    let err = helm::load_chart_archive(&a).unwrap_err().to_string();
    assert!(err.contains("larger than the maximum"), "{err}");
}

#[test]
fn values_and_set_never_panic() {
    let seeds: Vec<Vec<u8>> = [
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/charts/yaml11/values.yaml"
        ))
        .unwrap(),
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/charts/globals/values.yaml"
        ))
        .unwrap(),
        b"a: &a [1, *a]\nb: {<<: [*a]}\n".to_vec(),
    ]
    .into();
    let mut rng = Rng(42);
    for i in 0..4000 {
        let input = mutate(&mut rng, &seeds[i % seeds.len()]);
        if let Ok(text) = std::str::from_utf8(&input) {
            let _ = helm::yaml::parse_values(text);
        }
    }
    for s in [
        "a[99999999]=1",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.A.B.C.D.E=1",
        "a={b,c",
        "[=]",
        "a[0][1].b=2",
        "\\",
    ] {
        let mut base = helm::values::Values::new();
        let _ = helm::strvals::parse_into(s, &mut base);
    }
    for _ in 0..3000 {
        let input = mutate(&mut rng, b"a.b[0]=x,c={1,2},d\\.e=f");
        if let Ok(text) = std::str::from_utf8(&input) {
            let _ = helm::strvals::parse_into(text, &mut helm::values::Values::new());
        }
    }
}

#[test]
fn deep_flow_nesting_fails_cleanly() {
    let deep = "[".repeat(5000);
    assert!(helm::yaml::parse_values(&deep).is_err());
}

#[test]
fn deep_block_nesting_fails_cleanly() {
    let deep_map: String = (0..3000)
        .map(|i| format!("{}k:\n", "  ".repeat(i)))
        .collect();
    assert!(helm::yaml::parse_values(&deep_map).is_err());
}
