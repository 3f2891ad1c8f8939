//! TLS through rustls (ring provider) with webpki-roots.
//!
//! Configurations are built with an explicit ring [`CryptoProvider`], so no
//! process-wide default provider has to be installed. Verification is on by
//! default: Mozilla's roots (webpki-roots), plus any extra PEM roots, plus
//! optional SHA-256 pinning of the server's end-entity certificate. Turning
//! verification off needs the explicitly named
//! [`TlsOptions::dangerous_accept_any_certificate`].

mod pem;
mod verify;

use crate::stream::{DeadlineIo, MaybeTlsStream, TlsStream};
use devian_ws_protocol::error::{Error, Result, TlsError};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::ServerName;
use rustls::{CertificateError, ClientConfig, ClientConnection, RootCertStore, ServerConfig};
use std::io;
use std::net::TcpStream;
use std::sync::Arc;

pub use verify::PinMismatchError;

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
    ///
    /// Handshake signatures are still checked, so the peer must hold the key
    /// of the certificate it shows; but anyone can make such a certificate.
    /// When pins are also given, only the pin is checked (self-signed pinning).
    pub dangerous_accept_any_certificate: bool,
}

/// The ring provider every configuration of this crate is built with.
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn bad_config(what: impl std::fmt::Display) -> Error {
    Error::Tls(TlsError::BadConfig(what.to_string()))
}

/// Builds a rustls client configuration from the options.
///
/// Fails with [`TlsError::BadConfig`] when an extra root is not usable PEM,
/// or when no root at all would be trusted while verification is on.
pub fn client_config(opts: &TlsOptions) -> Result<Arc<rustls::ClientConfig>> {
    let provider = provider();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(bad_config)?;

    let mut roots = RootCertStore::empty();
    if !opts.no_default_roots {
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    }
    for pem in &opts.extra_roots_pem {
        for cert in pem::certificates(pem)? {
            roots
                .add(cert)
                .map_err(|e| bad_config(format_args!("extra root: {e}")))?;
        }
    }

    let config = if opts.dangerous_accept_any_certificate {
        let verifier = verify::AcceptAnyVerifier::new(provider, opts.pinned_sha256.clone());
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    } else {
        if roots.is_empty() {
            return Err(bad_config(
                "no trusted roots: default roots disabled and no extra roots given",
            ));
        }
        let webpki = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(bad_config)?;
        if opts.pinned_sha256.is_empty() {
            builder.with_webpki_verifier(webpki)
        } else {
            let verifier = verify::PinningVerifier::new(webpki, opts.pinned_sha256.clone());
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
    };
    Ok(Arc::new(config.with_no_client_auth()))
}

/// Builds a rustls server configuration from a PEM certificate chain (leaf
/// first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
pub fn server_config(cert_chain_pem: &[u8], key_pem: &[u8]) -> Result<Arc<rustls::ServerConfig>> {
    let certs = pem::certificates(cert_chain_pem)?;
    let key = pem::private_key(key_pem)?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(bad_config)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(bad_config)?;
    Ok(Arc::new(config))
}

/// SHA-256 of a DER certificate, the form [`TlsOptions::pinned_sha256`] takes.
pub fn sha256_fingerprint(der: &[u8]) -> [u8; 32] {
    verify::sha256(der)
}

// Here rather than in `stream`, so that `stream` (the transport) does not
// depend on this module's error mapping: the dependency runs one way.
impl MaybeTlsStream {
    /// Wraps an accepted TCP connection in server-side TLS. The TLS
    /// handshake runs on the first read or write, under the socket timeouts.
    pub fn server_tls(tcp: TcpStream, config: Arc<rustls::ServerConfig>) -> Result<Self> {
        let conn = rustls::ServerConnection::new(config).map_err(|e| Error::Tls(map_error(&e)))?;
        Ok(MaybeTlsStream::ServerTls(Box::new(
            rustls::StreamOwned::new(conn, tcp),
        )))
    }
}

/// Maps a rustls error to our TLS error kinds (unknown CA, wrong host, expired, ...).
pub fn map_error(e: &rustls::Error) -> TlsError {
    match e {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::UnknownIssuer => TlsError::UnknownIssuer,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsError::WrongHostName
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => TlsError::Expired,
            CertificateError::Other(other)
                if other.0.downcast_ref::<PinMismatchError>().is_some() =>
            {
                TlsError::PinMismatch
            }
            _ => TlsError::Other(e.to_string()),
        },
        _ => TlsError::Other(e.to_string()),
    }
}

/// Turns an I/O error into our error, recovering the TLS error kind when
/// rustls reported it through `std::io` (it wraps its errors as InvalidData).
/// A socket timeout becomes [`Error::Timeout`]; anything else stays
/// [`Error::Io`].
pub fn map_io_error(e: io::Error) -> Error {
    map_io_error_during(e, "socket I/O")
}

/// [`map_io_error`], naming the step that timed out.
fn map_io_error_during(e: io::Error, step: &'static str) -> Error {
    if let Some(tls) = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>())
    {
        return Error::Tls(map_error(tls));
    }
    if crate::stream::is_timeout(&e) {
        Error::Timeout(step)
    } else {
        Error::Io(e)
    }
}

/// A client TLS session for `host`: the name the certificate must be valid
/// for, also sent as SNI (an IP literal is checked against the
/// certificate's IP addresses).
pub fn client_connection(host: &str, config: Arc<ClientConfig>) -> Result<ClientConnection> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|_| Error::Url(format!("{host:?} is not a valid TLS server name")))?;
    ClientConnection::new(config, name).map_err(|e| Error::Tls(map_error(&e)))
}

/// Runs `conn`'s handshake over `io` to completion. `io` bounds the time
/// (a [`crate::DeadlineIo`], or a TLS stream over one), so a server that
/// trickles its handshake cannot hold the client past the deadline.
pub fn complete_handshake(
    conn: &mut ClientConnection,
    io: &mut (impl io::Read + io::Write),
) -> Result<()> {
    while conn.is_handshaking() {
        let (read, written) = conn
            .complete_io(io)
            .map_err(|e| map_io_error_during(e, "TLS handshake"))?;
        if read == 0 && written == 0 && conn.is_handshaking() {
            return Err(Error::Io(io::ErrorKind::UnexpectedEof.into()));
        }
    }
    Ok(())
}

/// [`connect`] over plain TCP, as the concrete stream.
pub fn connect_tcp(
    tcp: TcpStream,
    host: &str,
    config: Arc<ClientConfig>,
    deadline: std::time::Instant,
) -> Result<Box<TlsStream>> {
    let mut conn = client_connection(host, config)?;
    complete_handshake(&mut conn, &mut DeadlineIo::new(&tcp, deadline))?;
    Ok(Box::new(rustls::StreamOwned::new(conn, tcp)))
}

/// Runs the client TLS handshake for `host` over `tunnel` to completion, so
/// certificate problems surface here as [`TlsError`] kinds rather than on
/// first use. The whole handshake is bounded by `deadline`.
///
/// `tunnel` is plain TCP, or the TLS session with an `https://` proxy, in
/// which case the server's TLS runs inside it ([`MaybeTlsStream::TlsInTls`]).
pub fn connect(
    tunnel: MaybeTlsStream,
    host: &str,
    config: Arc<ClientConfig>,
    deadline: std::time::Instant,
) -> Result<MaybeTlsStream> {
    match tunnel {
        MaybeTlsStream::Plain(tcp) => {
            connect_tcp(tcp, host, config, deadline).map(MaybeTlsStream::Tls)
        }
        MaybeTlsStream::Tls(mut proxy) => {
            let mut conn = client_connection(host, config)?;
            {
                let mut io = DeadlineIo::new(&proxy.sock, deadline);
                let mut through = rustls::Stream::new(&mut proxy.conn, &mut io);
                complete_handshake(&mut conn, &mut through)?;
            }
            Ok(MaybeTlsStream::TlsInTls(Box::new(
                rustls::StreamOwned::new(conn, *proxy),
            )))
        }
        MaybeTlsStream::TlsInTls(_) | MaybeTlsStream::ServerTls(_) => Err(Error::Usage(
            "TLS over this stream: expected TCP or a proxy's TLS",
        )),
    }
}

#[cfg(test)]
#[path = "../tests/common/certs.rs"]
mod certs;

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::ServerConnection;

    /// Drives a client and a server connection against each other in memory
    /// until both finish or one fails; returns the client's error, if any.
    fn handshake(
        client: Arc<ClientConfig>,
        server: Arc<ServerConfig>,
        host: &str,
    ) -> Option<TlsError> {
        let name = ServerName::try_from(host.to_owned()).expect("test host name");
        let mut c = ClientConnection::new(client, name).expect("client connection");
        let mut s = ServerConnection::new(server).expect("server connection");
        // A full TLS 1.3 handshake takes a handful of flights; 20 is a safe bound.
        for _ in 0..20 {
            let mut buf = Vec::new();
            while c.wants_write() {
                c.write_tls(&mut buf).expect("write to Vec");
            }
            if !buf.is_empty() {
                let mut rd = &buf[..];
                while !rd.is_empty() {
                    s.read_tls(&mut rd).expect("server read_tls");
                }
                if s.process_new_packets().is_err() {
                    // The server rejected us; the client error comes next round.
                }
            }
            let mut buf = Vec::new();
            while s.wants_write() {
                s.write_tls(&mut buf).expect("write to Vec");
            }
            if !buf.is_empty() {
                let mut rd = &buf[..];
                while !rd.is_empty() {
                    c.read_tls(&mut rd).expect("client read_tls");
                }
                if let Err(e) = c.process_new_packets() {
                    return Some(map_error(&e));
                }
            }
            if !c.is_handshaking() && !s.is_handshaking() {
                return None;
            }
        }
        panic!("handshake did not finish in 20 rounds");
    }

    fn trusting(ca: &certs::Ca, pins: Vec<[u8; 32]>) -> Arc<ClientConfig> {
        client_config(&TlsOptions {
            extra_roots_pem: vec![ca.pem.clone().into_bytes()],
            no_default_roots: true,
            pinned_sha256: pins,
            dangerous_accept_any_certificate: false,
        })
        .expect("client config")
    }

    fn server(leaf: &certs::Leaf) -> Arc<ServerConfig> {
        server_config(leaf.chain_pem.as_bytes(), leaf.key_pem.as_bytes()).expect("server config")
    }

    #[test]
    fn trusted_ca_verifies() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["localhost"], false);
        assert_eq!(
            handshake(trusting(&ca, vec![]), server(&leaf), "localhost"),
            None
        );
    }

    #[test]
    fn ip_literal_checked_against_ip_san() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["127.0.0.1"], false);
        assert_eq!(
            handshake(trusting(&ca, vec![]), server(&leaf), "127.0.0.1"),
            None
        );
    }

    #[test]
    fn unknown_issuer_without_extra_root() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["localhost"], false);
        let config = client_config(&TlsOptions::default()).expect("default config");
        assert_eq!(
            handshake(config, server(&leaf), "localhost"),
            Some(TlsError::UnknownIssuer)
        );
    }

    #[test]
    fn wrong_host_name() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["other.example"], false);
        assert_eq!(
            handshake(trusting(&ca, vec![]), server(&leaf), "localhost"),
            Some(TlsError::WrongHostName)
        );
    }

    #[test]
    fn expired_certificate() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["localhost"], true);
        assert_eq!(
            handshake(trusting(&ca, vec![]), server(&leaf), "localhost"),
            Some(TlsError::Expired)
        );
    }

    #[test]
    fn pin_match_and_mismatch() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["localhost"], false);
        let good = sha256_fingerprint(&leaf.der);
        assert_eq!(
            handshake(trusting(&ca, vec![good]), server(&leaf), "localhost"),
            None
        );

        let mut bad = good;
        bad[0] ^= 0xff;
        assert_eq!(
            handshake(trusting(&ca, vec![bad]), server(&leaf), "localhost"),
            Some(TlsError::PinMismatch)
        );
    }

    // Pinning is on top of normal verification: a pinned but untrusted
    // certificate is still rejected as unknown issuer.
    #[test]
    fn pin_does_not_bypass_verification() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["localhost"], false);
        let config = client_config(&TlsOptions {
            pinned_sha256: vec![sha256_fingerprint(&leaf.der)],
            ..TlsOptions::default()
        })
        .expect("config");
        assert_eq!(
            handshake(config, server(&leaf), "localhost"),
            Some(TlsError::UnknownIssuer)
        );
    }

    #[test]
    fn dangerous_mode_accepts_self_signed_and_wrong_name() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["other.example"], true);
        let config = client_config(&TlsOptions {
            dangerous_accept_any_certificate: true,
            ..TlsOptions::default()
        })
        .expect("config");
        assert_eq!(handshake(config, server(&leaf), "localhost"), None);
    }

    #[test]
    fn dangerous_mode_with_pin_still_checks_the_pin() {
        let ca = certs::Ca::new();
        let leaf = ca.leaf(&["localhost"], false);
        let opts = |pin| TlsOptions {
            dangerous_accept_any_certificate: true,
            pinned_sha256: vec![pin],
            ..TlsOptions::default()
        };
        let good = sha256_fingerprint(&leaf.der);
        assert_eq!(
            handshake(
                client_config(&opts(good)).expect("config"),
                server(&leaf),
                "localhost"
            ),
            None
        );
        assert_eq!(
            handshake(
                client_config(&opts([7; 32])).expect("config"),
                server(&leaf),
                "localhost"
            ),
            Some(TlsError::PinMismatch)
        );
    }

    #[test]
    fn bad_pem_is_a_config_error() {
        let opts = TlsOptions {
            extra_roots_pem: vec![b"not a pem".to_vec()],
            ..TlsOptions::default()
        };
        assert!(matches!(
            client_config(&opts),
            Err(Error::Tls(TlsError::BadConfig(_)))
        ));
        assert!(matches!(
            server_config(b"", b""),
            Err(Error::Tls(TlsError::BadConfig(_)))
        ));
    }

    #[test]
    fn no_roots_at_all_is_a_config_error() {
        let opts = TlsOptions {
            no_default_roots: true,
            ..TlsOptions::default()
        };
        assert!(matches!(
            client_config(&opts),
            Err(Error::Tls(TlsError::BadConfig(_)))
        ));
    }

    #[test]
    fn io_error_carrying_rustls_error_keeps_its_kind() {
        let inner = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let io = io::Error::new(io::ErrorKind::InvalidData, inner);
        assert!(matches!(
            map_io_error(io),
            Error::Tls(TlsError::UnknownIssuer)
        ));
        let other = rustls::Error::InvalidCertificate(CertificateError::Revoked);
        assert!(matches!(map_error(&other), TlsError::Other(_)));
    }
}
