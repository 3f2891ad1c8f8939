//! PEM input for TLS configurations (certificates and private keys).

use devian_ws_protocol::error::{Error, Result, TlsError};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

fn bad(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Tls(TlsError::BadConfig(format!("{what}: {e}")))
}

/// Every certificate in a PEM text, in order. Other PEM sections (keys,
/// CRLs) are skipped; a text with no certificate at all is an error, since
/// it is almost always the wrong file.
pub(crate) fn certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad("certificate PEM", e))?;
    if certs.is_empty() {
        return Err(bad("certificate PEM", "no CERTIFICATE section found"));
    }
    Ok(certs)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) in a PEM text.
pub(crate) fn private_key(pem: &[u8]) -> Result<PrivateKeyDer<'static>> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| bad("private key PEM", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_garbage_inputs_are_rejected() {
        assert!(certificates(b"").is_err());
        assert!(
            certificates(b"-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n").is_err()
        );
        assert!(
            private_key(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err()
        );
    }

    #[test]
    fn several_certificates_in_one_text() {
        let one = "-----BEGIN CERTIFICATE-----\nAAECAw==\n-----END CERTIFICATE-----\n";
        let two = format!("{one}{one}");
        let certs = certificates(two.as_bytes()).expect("two certs");
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0].as_ref(), &[0, 1, 2, 3]);
    }
}
