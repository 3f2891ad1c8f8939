//! Authentication methods (seed 002), applied on every (re)connect.
// CONTRACT STUB.

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

impl Auth {
    /// The URL to connect to, with the query parameter added if that is the method.
    pub fn apply_to_url(&self, _url: &str) -> String {
        todo!()
    }
    /// Sub-protocols to offer in addition to the user's.
    pub fn extra_protocols(&self) -> Vec<String> {
        todo!()
    }
    /// Headers to send in addition to the user's.
    pub fn extra_headers(&self) -> Vec<(String, String)> {
        todo!()
    }
    /// The first message to send after open, if that is the method.
    pub fn first_message(&self) -> Option<String> {
        todo!()
    }
}
