//! Values files: YAML 1.1 parsing (anchors, merge keys, deep nesting) must
//! never panic, and alias expansion is bounded.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = helm::yaml::parse_values(text);
        let _ = helm::yaml::parse_documents(text);
    }
});
