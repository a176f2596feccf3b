//! Renders the benchmark chart (`tests/charts/big`, case `default`) N times,
//! for instruction-count profiling, which stays repeatable on a loaded
//! machine where wall times do not:
//!
//! ```text
//! cargo build --release -p helm --example profile_big
//! valgrind --tool=callgrind target/release/examples/profile_big 1
//! valgrind --tool=callgrind target/release/examples/profile_big 11
//! ```
//!
//! (difference / 10 = instructions per render, start-up excluded).

#[path = "../tests/common/mod.rs"]
mod common;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let opts = common::case_options("big", "default");
    let mut bytes = 0;
    for _ in 0..n {
        match helm::template_cli(&opts) {
            Ok(out) => bytes += out.len(),
            Err(e) => {
                eprintln!("render failed: {e}");
                std::process::exit(1);
            }
        }
    }
    println!("{n} renders, {bytes} bytes");
}
