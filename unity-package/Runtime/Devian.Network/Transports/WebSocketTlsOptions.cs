using System;
using System.Collections.Generic;

namespace Devian.Network.Transports
{
    /// <summary>Certificate verification for <c>wss://</c>. By default the platform's web PKI roots are trusted.</summary>
    public sealed class WebSocketTlsOptions
    {
        private readonly List<byte[]> _rootCertificatesPem = new List<byte[]>();
        private readonly List<byte[]> _pinnedSha256 = new List<byte[]>();

        /// <summary>Extra trusted root certificates, each a PEM document (for private CAs and tests).</summary>
        public IReadOnlyList<byte[]> RootCertificatesPem { get { return _rootCertificatesPem; } }

        /// <summary>SHA-256 pins of acceptable server certificates (32 bytes each); empty means no pinning.</summary>
        public IReadOnlyList<byte[]> PinnedSha256 { get { return _pinnedSha256; } }

        /// <summary>
        /// Disables certificate verification entirely. A man in the middle can then read and change
        /// all traffic. Only for local development; never ship with this set.
        /// </summary>
        public bool DangerousAcceptAnyCertificate { get; set; }

        /// <summary>Trusts the root certificate(s) in a PEM document.</summary>
        public WebSocketTlsOptions AddRootCertificatePem(byte[] pem)
        {
            if (pem == null || pem.Length == 0)
            {
                throw new ArgumentException("PEM data must not be empty", "pem");
            }
            _rootCertificatesPem.Add(pem);
            return this;
        }

        /// <summary>Accepts only servers whose end-entity certificate has this SHA-256 (32 bytes).</summary>
        public WebSocketTlsOptions AddPinSha256(byte[] sha256)
        {
            if (sha256 == null || sha256.Length != 32)
            {
                throw new ArgumentException("a SHA-256 pin is exactly 32 bytes", "sha256");
            }
            _pinnedSha256.Add(sha256);
            return this;
        }
    }
}
