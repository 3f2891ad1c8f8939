//! Authentication methods (seed 002), applied on every (re)connect.

use crate::escape::{json_escape_into, percent_encode_into};

/// How the client authenticates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Auth {
    /// No authentication.
    #[default]
    None,
    /// `?name=token` appended to the URL (percent-encoded).
    QueryParam {
        /// Parameter name (default `token`).
        name: String,
        /// The token.
        token: String,
    },
    /// A first text message rendered from a template with `{{token}}` and `{{type}}`.
    FirstMessage {
        /// E.g. `{"type":"{{type}}","token":"{{token}}"}`.
        template: String,
        /// The token.
        token: String,
        /// The message type (default `authenticate`).
        message_type: String,
    },
    /// The token offered as a sub-protocol.
    Subprotocol {
        /// The token.
        token: String,
    },
    /// Custom headers (e.g. `Authorization: Bearer ...`).
    Headers(Vec<(String, String)>),
}

/// Seed 002's default query parameter name.
pub const DEFAULT_PARAM_NAME: &str = "token";
/// Seed 002's default first-message type.
pub const DEFAULT_MESSAGE_TYPE: &str = "authenticate";
/// Seed 002's default first-message template.
pub const DEFAULT_TEMPLATE: &str = r#"{"type":"{{type}}","token":"{{token}}"}"#;

impl Auth {
    /// The URL to connect to, with the query parameter added if that is the method.
    ///
    /// Name and token are percent-encoded (RFC 3986 unreserved characters
    /// pass through). The pair goes before any `#fragment`, joined with `?`
    /// or `&` as the URL needs.
    pub fn apply_to_url(&self, url: &str) -> String {
        let Auth::QueryParam { name, token } = self else {
            return url.to_owned();
        };
        let (base, fragment) = match url.find('#') {
            Some(i) => url.split_at(i),
            None => (url, ""),
        };
        let mut out = String::with_capacity(url.len() + name.len() + token.len() * 3 + 2);
        out.push_str(base);
        if !base.contains('?') {
            out.push('?');
        } else if !(base.ends_with('?') || base.ends_with('&')) {
            out.push('&');
        }
        percent_encode_into(name, &mut out);
        out.push('=');
        percent_encode_into(token, &mut out);
        out.push_str(fragment);
        out
    }

    /// Sub-protocols to offer in addition to the user's.
    pub fn extra_protocols(&self) -> Vec<String> {
        match self {
            Auth::Subprotocol { token } => vec![token.clone()],
            _ => Vec::new(),
        }
    }

    /// Headers to send in addition to the user's.
    pub fn extra_headers(&self) -> Vec<(String, String)> {
        match self {
            Auth::Headers(h) => h.clone(),
            _ => Vec::new(),
        }
    }

    /// The first message to send after open, if that is the method.
    ///
    /// Templates are JSON in practice, so the substituted values are
    /// JSON-string-escaped (`"`, `\` and control characters); a token can
    /// then never break out of its string and inject fields.
    pub fn first_message(&self) -> Option<String> {
        let Auth::FirstMessage {
            template,
            token,
            message_type,
        } = self
        else {
            return None;
        };
        Some(render_template(template, token, message_type))
    }

    /// Whether the connection has an extra "authenticating" step after open
    /// (only first-message auth does; the others complete in the handshake).
    pub fn needs_first_message(&self) -> bool {
        matches!(self, Auth::FirstMessage { .. })
    }
}

/// Replaces every `{{token}}` and `{{type}}` in `template`, escaping the values.
fn render_template(template: &str, token: &str, message_type: &str) -> String {
    const TOKEN: &str = "{{token}}";
    const TYPE: &str = "{{type}}";
    let mut out = String::with_capacity(template.len() + token.len() + message_type.len());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix(TOKEN) {
            json_escape_into(token, &mut out);
            rest = after;
        } else if let Some(after) = tail.strip_prefix(TYPE) {
            json_escape_into(message_type, &mut out);
            rest = after;
        } else {
            // Not a placeholder we know: keep the braces literally.
            out.push_str("{{");
            rest = &tail[2..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(token: &str) -> Auth {
        Auth::QueryParam {
            name: DEFAULT_PARAM_NAME.into(),
            token: token.into(),
        }
    }

    #[test]
    fn query_param_seed_002_example() {
        assert_eq!(
            q("your-token").apply_to_url("wss://api.example.com/ws"),
            "wss://api.example.com/ws?token=your-token"
        );
    }

    #[test]
    fn query_param_joins_existing_query_with_ampersand() {
        assert_eq!(
            q("t").apply_to_url("ws://h/p?room=1"),
            "ws://h/p?room=1&token=t"
        );
        assert_eq!(q("t").apply_to_url("ws://h/p?"), "ws://h/p?token=t");
        assert_eq!(q("t").apply_to_url("ws://h/p?a=1&"), "ws://h/p?a=1&token=t");
    }

    // RFC 6455 §3: the resource name carries no fragment; the parameter must
    // go before it, not be swallowed by it.
    #[test]
    fn query_param_goes_before_fragment() {
        assert_eq!(
            q("t").apply_to_url("ws://h/p#frag"),
            "ws://h/p?token=t#frag"
        );
        assert_eq!(
            q("t").apply_to_url("ws://h/p?a=1#f?x"),
            "ws://h/p?a=1&token=t#f?x"
        );
    }

    #[test]
    fn query_param_is_percent_encoded() {
        let a = Auth::QueryParam {
            name: "access token".into(),
            token: "a+b/c=d&é~".into(),
        };
        assert_eq!(
            a.apply_to_url("ws://h/"),
            "ws://h/?access%20token=a%2Bb%2Fc%3Dd%26%C3%A9~"
        );
    }

    #[test]
    fn other_methods_leave_url_alone() {
        assert_eq!(Auth::None.apply_to_url("ws://h/x"), "ws://h/x");
        assert_eq!(
            Auth::Subprotocol { token: "t".into() }.apply_to_url("ws://h/x"),
            "ws://h/x"
        );
    }

    #[test]
    fn first_message_seed_002_example() {
        let a = Auth::FirstMessage {
            template: r#"{"type": "{{type}}", "token": "{{token}}"}"#.into(),
            token: "your-token".into(),
            message_type: DEFAULT_MESSAGE_TYPE.into(),
        };
        assert_eq!(
            a.first_message().as_deref(),
            Some(r#"{"type": "authenticate", "token": "your-token"}"#)
        );
        assert!(a.needs_first_message());
        assert_eq!(q("t").first_message(), None);
    }

    #[test]
    fn first_message_escapes_values_and_keeps_unknown_braces() {
        let a = Auth::FirstMessage {
            template: "{{token}}|{{type}}|{{other}}|{{token}}|{{".into(),
            token: "a\"b\\c\n\u{1}".into(),
            message_type: "t".into(),
        };
        assert_eq!(
            a.first_message().as_deref(),
            Some("a\\\"b\\\\c\\n\\u0001|t|{{other}}|a\\\"b\\\\c\\n\\u0001|{{")
        );
    }

    #[test]
    fn subprotocol_and_headers() {
        assert_eq!(
            Auth::Subprotocol {
                token: "tok".into()
            }
            .extra_protocols(),
            vec!["tok".to_string()]
        );
        assert!(Auth::None.extra_protocols().is_empty());
        let h = vec![("Authorization".to_string(), "Bearer x".to_string())];
        assert_eq!(Auth::Headers(h.clone()).extra_headers(), h);
        assert!(q("t").extra_headers().is_empty());
    }
}
