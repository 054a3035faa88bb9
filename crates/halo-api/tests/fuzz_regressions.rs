//! Inputs the fuzz targets in `fuzz/` found crashing, kept as regression tests (see `tools/fuzz.sh`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// `fuzz/artifacts/error_body/crash-2786f5d8…`: a second `Bearer <token>` glued to the end of a first token was
/// kept in the message and the excerpt, because the scan resumed after the first token.
#[test]
fn a_bearer_token_glued_to_another_token_is_redacted() {
    let body = br#"{"error":"invalid","de~l:ai""BeaRer fuzzTOKEN323456/89Bearer fuzzTOKEN1234567890ret":"sek"}"#;
    let err = halo_api::__fuzz_error_from_response(400, body);
    for text in [
        err.halo_message(),
        err.body_excerpt(),
        Some(err.to_string().as_str()),
    ]
    .into_iter()
    .flatten()
    {
        assert!(!text.contains("fuzzTOKEN1234567890"), "token kept: {text}");
        assert!(!text.contains("fuzzTOKEN323456"), "token kept: {text}");
    }
}
