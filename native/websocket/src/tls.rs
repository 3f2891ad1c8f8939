//! TLS through rustls (ring provider) with webpki-roots.
// CONTRACT STUB: signatures fixed; bodies to be implemented.

use devian_ws_protocol::error::{Result, TlsError};
use std::sync::Arc;

/// How the client verifies the server. Verification is on by default.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    /// Extra trusted roots, each a PEM text with one or more certificates.
    pub extra_roots_pem: Vec<Vec<u8>>,
    /// Do not trust the Mozilla roots from webpki-roots (only the extra ones).
    pub no_default_roots: bool,
    /// SHA-256 fingerprints of the DER certificate; if any, the server's
    /// end-entity certificate must match one (on top of normal verification).
    pub pinned_sha256: Vec<[u8; 32]>,
    /// DANGER: accept any certificate. For local development only.
    pub dangerous_accept_any_certificate: bool,
}

/// Builds a rustls client configuration from the options.
pub fn client_config(_opts: &TlsOptions) -> Result<Arc<rustls::ClientConfig>> {
    todo!()
}

/// Maps a rustls error to our TLS error kinds (unknown CA, wrong host, expired, ...).
pub fn map_error(_e: &rustls::Error) -> TlsError {
    todo!()
}
