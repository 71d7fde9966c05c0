//! The publish API body (`POST /api/v1/publish`): JSON, nesting limit, target and payload,
//! through the same pure function the handler calls.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtctl::serve::api::parse_publish_body;
use rtctl::serve::log::Target;

fuzz_target!(|data: &[u8]| {
    match parse_publish_body(data) {
        Ok(body) => {
            // the payload is kept verbatim and is valid JSON
            let _: &serde_json::value::RawValue =
                serde_json::from_str(body.payload.get()).expect("payload is JSON");
            if let Target::Department(id) | Target::Device(id) = &body.target {
                assert!(!id.is_empty());
            }
        }
        Err((message, _field)) => assert!(!message.is_empty()),
    }
});
