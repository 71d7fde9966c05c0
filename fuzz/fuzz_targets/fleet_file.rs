//! The fleet file: TOML parse and validation, including the error-location code that
//! maps a serde/TOML error back to a line and a field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtctl::fleet::Fleet;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Fleet::parse(text, Path::new("fuzz.toml")) {
        Ok(fleet) => {
            assert!(fleet.validate().is_ok());
            let _ = fleet.gateway_spec();
            let _ = fleet.algorithm();
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
