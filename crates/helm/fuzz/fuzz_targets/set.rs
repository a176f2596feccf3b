//! `--set` strings must never panic (indices are capped, nesting is capped).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut base = helm::values::Values::new();
        let _ = helm::strvals::parse_into(text, &mut base);
        let _ = helm::strvals::parse_into_string(text, &mut base);
    }
});
