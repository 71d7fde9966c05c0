//! Token verification against fixed keys: any string must be refused or accepted without
//! panicking, and accepted only when signed with one of the keys and not expired.
#![no_main]

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use libfuzzer_sys::fuzz_target;
use rtctl::serve::token::Keys;
use sha2::Sha256;

const KEY: &str = "fuzzing-key-0123456789abcdef0123456789";
const OLD_KEY: &str = "rotated-key-0123456789abcdef0123456789";
const NOW: u64 = 1_750_000_000;

fn sign(key: &str, input: &str) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    m.update(input.as_bytes());
    URL_SAFE_NO_PAD.encode(m.finalize().into_bytes())
}

fn validly_signed(token: &str) -> bool {
    let Some((input, sig)) = token.rsplit_once('.') else {
        return false;
    };
    [KEY, OLD_KEY].iter().any(|k| {
        let mut m = Hmac::<Sha256>::new_from_slice(k.as_bytes()).unwrap();
        m.update(input.as_bytes());
        URL_SAFE_NO_PAD
            .decode(sig)
            .is_ok_and(|s| m.verify_slice(&s).is_ok())
    })
}

fuzz_target!(|data: &[u8]| {
    let keys = Keys::parse(&format!("# signing key first\n{KEY}\n{OLD_KEY}\n")).unwrap();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let token = match mode % 3 {
        // any string
        0 => String::from_utf8_lossy(rest).into_owned(),
        // a validly signed token around arbitrary header and payload bytes, to reach the
        // claims parsing and the expiry check
        m => {
            let (h, p) = rest.split_at(rest.len().min(rest.first().copied().unwrap_or(0) as usize));
            let header = if m == 1 {
                URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#)
            } else {
                URL_SAFE_NO_PAD.encode(h)
            };
            let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(p));
            let key = if p.len() % 2 == 0 { KEY } else { OLD_KEY };
            format!("{input}.{}", sign(key, &input))
        }
    };
    if let Ok(claims) = keys.verify(&token, NOW) {
        assert!(
            validly_signed(&token),
            "accepted a token not signed by our keys"
        );
        assert!(claims.exp > NOW, "accepted an expired token");
        // what was accepted re-issues to a token that verifies to the same claims
        let again = keys
            .verify(&keys.issue(&claims), NOW)
            .expect("own token verifies");
        assert_eq!(again.sub, claims.sub);
    }
});
