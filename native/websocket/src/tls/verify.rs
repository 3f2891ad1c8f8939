//! Custom server certificate verifiers: pinning on top of webpki, and the
//! explicitly dangerous accept-anything verifier.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use std::fmt;
use std::sync::Arc;

/// The error a pinning verifier reports (inside
/// `CertificateError::Other`) when the end-entity certificate matches no pin.
/// [`super::map_error`] turns it into `TlsError::PinMismatch`.
#[derive(Debug)]
pub struct PinMismatchError;

impl fmt::Display for PinMismatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("certificate does not match any pinned SHA-256 fingerprint")
    }
}

impl std::error::Error for PinMismatchError {}

/// SHA-256 of `der`.
pub(crate) fn sha256(der: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, der);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// `Ok` when `pins` is empty or the certificate's fingerprint is one of them.
fn check_pins(pins: &[[u8; 32]], end_entity: &CertificateDer<'_>) -> Result<(), rustls::Error> {
    if pins.is_empty() {
        return Ok(());
    }
    let seen = sha256(end_entity.as_ref());
    if pins.contains(&seen) {
        Ok(())
    } else {
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(
            OtherError(Arc::new(PinMismatchError)),
        )))
    }
}

/// Normal webpki verification, and then the end-entity certificate must
/// match one of the pins. Pinning narrows trust; it never widens it.
#[derive(Debug)]
pub(crate) struct PinningVerifier {
    inner: Arc<WebPkiServerVerifier>,
    pins: Vec<[u8; 32]>,
}

impl PinningVerifier {
    pub(crate) fn new(inner: Arc<WebPkiServerVerifier>, pins: Vec<[u8; 32]>) -> Self {
        PinningVerifier { inner, pins }
    }
}

impl ServerCertVerifier for PinningVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verified = self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        check_pins(&self.pins, end_entity)?;
        Ok(verified)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// DANGER: accepts any certificate chain for any name (unless pins are
/// given, then only the pin counts). Handshake signatures are still verified
/// with the provider's algorithms, so the peer must own the key it presents.
#[derive(Debug)]
pub(crate) struct AcceptAnyVerifier {
    provider: Arc<CryptoProvider>,
    pins: Vec<[u8; 32]>,
}

impl AcceptAnyVerifier {
    pub(crate) fn new(provider: Arc<CryptoProvider>, pins: Vec<[u8; 32]>) -> Self {
        AcceptAnyVerifier { provider, pins }
    }
}

impl ServerCertVerifier for AcceptAnyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        check_pins(&self.pins, end_entity)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // FIPS 180-2 test vector: SHA-256("abc").
    #[test]
    fn sha256_known_vector() {
        let d = sha256(b"abc");
        assert_eq!(&d[..4], &[0xba, 0x78, 0x16, 0xbf]);
        assert_eq!(&d[28..], &[0xf2, 0x00, 0x15, 0xad]);
    }

    #[test]
    fn pins_checked_against_end_entity_der() {
        let cert = CertificateDer::from(vec![1u8, 2, 3]);
        assert!(check_pins(&[], &cert).is_ok());
        assert!(check_pins(&[sha256(&[1, 2, 3])], &cert).is_ok());
        let err = check_pins(&[sha256(&[1, 2, 4])], &cert).expect_err("must mismatch");
        assert_eq!(
            super::super::map_error(&err),
            devian_ws_protocol::error::TlsError::PinMismatch
        );
    }
}
