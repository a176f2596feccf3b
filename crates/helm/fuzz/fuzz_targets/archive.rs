//! Chart archives are untrusted: loading arbitrary bytes must never panic and
//! must stay within the size limits (gzip bombs, huge headers, hostile paths).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = helm::load_chart_archive(data);
});
