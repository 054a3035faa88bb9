//! Halo error bodies: any bytes as the body of an error response (first two bytes pick the status) must give an
//! error whose message and excerpt are bounded, free of control characters, and never echo a bearer token.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// `error_body::EXCERPT_MAX_CHARS` / `MESSAGE_MAX_CHARS` (512) plus the `…` the truncation appends.
const MAX_CHARS: usize = 513;

fuzz_target!(|data: &[u8]| {
    let (status, body) = match data {
        [a, b, rest @ ..] => (400 + u16::from_le_bytes([*a, *b]) % 200, rest),
        _ => (500, data),
    };
    let err = halo_api::__fuzz_error_from_response(status, body);
    assert_eq!(err.status(), Some(status));
    for text in [err.halo_message(), err.body_excerpt()]
        .into_iter()
        .flatten()
    {
        assert!(
            text.chars().count() <= MAX_CHARS,
            "unbounded text: {} chars",
            text.chars().count()
        );
        assert!(
            !text.chars().any(char::is_control),
            "control character kept: {text:?}"
        );
        assert!(!text.is_empty(), "empty text kept instead of None");
    }
    let shown = err.to_string();
    assert!(
        !shown.chars().any(char::is_control),
        "control character in Display: {shown:?}"
    );
    // A token following "Bearer " is always redacted (the seeds carry such strings). Only checked when every
    // occurrence of the token is marked as one: an unmarked copy elsewhere cannot be recognised.
    let planted = "Bearer fuzzTOKEN1234567890";
    let marked = std::str::from_utf8(body).is_ok_and(|s| {
        s.contains(planted)
            && s.matches("fuzzTOKEN1234567890").count() == s.matches(planted).count()
    });
    if marked {
        for text in [err.halo_message(), err.body_excerpt(), Some(shown.as_str())]
            .into_iter()
            .flatten()
        {
            assert!(
                !text.contains("fuzzTOKEN1234567890"),
                "token leaked: {text:?}"
            );
        }
    }
    let _ = format!("{err:?}");
});
