//! Which close codes and reasons the application may send from a browser.
//!
//! RFC 6455 §7.4 defines the code ranges and §5.5 limits a control frame's payload to 125
//! bytes (2 for the code, so at most 123 for the reason). The WHATWG WebSocket standard is
//! stricter than the RFC: `close()` accepts only 1000 and 3000–4999 and throws otherwise. We
//! check here so the C# caller gets a clear error instead of a browser exception.

use crate::error::{Error, ErrorKind, Result};

/// Longest reason that fits a close frame (RFC 6455 §5.5: 125 − 2 bytes of code).
pub const MAX_REASON_BYTES: usize = 123;

/// Normal closure (RFC 6455 §7.4.1).
pub const NORMAL: u16 = 1000;

/// Checks that `code` and `reason` can be passed to the browser's `WebSocket.close`.
pub fn validate(code: u16, reason: &str) -> Result<()> {
    // RFC 6455 §7.4.2 reserves 1004–1006 and 1015 as never sent; the WHATWG standard goes
    // further and only lets scripts send 1000 and the 3000–4999 application/registered range.
    if code != NORMAL && !(3000..=4999).contains(&code) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "close code {code} cannot be sent from a browser: use 1000 or 3000-4999 \
                 (RFC 6455 section 7.4; WHATWG WebSocket close())"
            ),
        ));
    }
    if reason.len() > MAX_REASON_BYTES {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "close reason is {} bytes of UTF-8; at most {MAX_REASON_BYTES} fit a close \
                 frame (RFC 6455 section 5.5)",
                reason.len()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_and_application_codes_pass() {
        for code in [1000, 3000, 3999, 4000, 4999] {
            assert!(validate(code, "bye").is_ok(), "{code}");
        }
    }

    #[test]
    fn reserved_and_protocol_codes_are_refused() {
        // 1005/1006/1015: RFC 6455 §7.4.1 "MUST NOT be set as a status code in a Close
        // control frame"; 1001–1011 are for endpoints, not scripts (WHATWG close()).
        for code in [
            0,
            999,
            1001,
            1002,
            1005,
            1006,
            1011,
            1015,
            2999,
            5000,
            u16::MAX,
        ] {
            let e = validate(code, "").unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{code}");
        }
    }

    #[test]
    fn reason_limit_counts_utf8_bytes() {
        // RFC 6455 §5.5: 123 bytes is the most; a 2-byte character past it must fail even
        // though the char count is below 123.
        let at_limit = "a".repeat(MAX_REASON_BYTES);
        assert!(validate(NORMAL, &at_limit).is_ok());
        let over = format!("{}é", "a".repeat(MAX_REASON_BYTES - 1));
        assert_eq!(over.chars().count(), MAX_REASON_BYTES);
        assert!(validate(NORMAL, &over).is_err());
    }
}
