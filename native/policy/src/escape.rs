//! The two escapings authentication needs: URL query components and JSON strings.

/// Appends `s` percent-encoded for a query component: RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - . _ ~`) pass through, every other byte is `%XX`.
pub fn percent_encode_into(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xF)] as char);
        }
    }
}

/// Appends `s` escaped for the inside of a JSON string (RFC 8259 §7).
pub fn json_escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let v = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(HEX[v >> 4] as char);
                out.push(HEX[v & 0xF] as char);
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_only_unreserved() {
        let mut s = String::new();
        percent_encode_into("aZ09-._~ %/?#[]@!$&'()*+,;=", &mut s);
        assert_eq!(
            s,
            "aZ09-._~%20%25%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2B%2C%3B%3D"
        );
    }

    #[test]
    fn json_escaping_covers_quotes_backslash_controls() {
        let mut s = String::new();
        json_escape_into("\"\\\r\t\u{0}\u{1f}ü", &mut s);
        assert_eq!(s, "\\\"\\\\\\r\\t\\u0000\\u001fü");
    }
}
