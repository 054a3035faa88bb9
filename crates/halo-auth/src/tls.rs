//! The TLS set-up shared by every HTTP client that talks to Halo: the token client, the API client, the
//! plugin's dispatcher client and the CLI.
//!
//! Certificates are verified with the platform's trust store (`rustls-platform-verifier`, which on Linux
//! reads `SSL_CERT_FILE` / `SSL_CERT_DIR` or the system bundle), exactly as reqwest does by default — but the
//! store is loaded on the first TLS handshake and once per process, not once per client at build time.
//! Reading every file under `/etc/ssl/certs` costs several milliseconds; the plugin's `run` mode is one
//! process per action and builds two clients, and a plain-`http` connection (on-premises, the simulator)
//! never needs the store at all.
//!
//! ```
//! let tls = halo_auth::TlsConfig::default(); // verify against the platform's roots
//! let http = tls.client_builder().build().unwrap();
//! # drop(http);
//! ```

use std::fmt;
use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use crate::AuthError;

/// How a client verifies the server's certificate.
///
/// The default verifies against the platform's roots. [`TlsConfig::with_root_pem`] adds private roots (an
/// on-premises Halo behind an internal CA); [`TlsConfig::insecure`] turns verification off (the connection's
/// `ssl_verify: false`), which callers are expected to warn about.
#[derive(Clone, Default)]
pub struct TlsConfig {
    insecure: bool,
    extra_roots: Vec<CertificateDer<'static>>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsConfig")
            .field("verify", &!self.insecure)
            .field("extra_roots", &self.extra_roots.len())
            .finish()
    }
}

impl TlsConfig {
    /// Certificates are not verified at all (`ssl_verify: false`).
    pub fn insecure() -> Self {
        TlsConfig {
            insecure: true,
            extra_roots: Vec::new(),
        }
    }

    /// `true` unless this is [`TlsConfig::insecure`].
    pub fn verifies(&self) -> bool {
        !self.insecure
    }

    /// Also trusts every certificate in `pem` (one or more `-----BEGIN CERTIFICATE-----` blocks).
    ///
    /// # Errors
    /// [`crate::AuthErrorKind::Config`] when `pem` holds no certificate or one that cannot be parsed.
    pub fn with_root_pem(mut self, pem: &[u8]) -> Result<Self, AuthError> {
        let mut found = 0usize;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert = cert.map_err(|e| {
                AuthError::config(format!(
                    "a CA certificate could not be read ({e}); give PEM `-----BEGIN CERTIFICATE-----` blocks"
                ))
            })?;
            self.extra_roots.push(cert);
            found += 1;
        }
        if found == 0 {
            return Err(AuthError::config(
                "no CA certificate was found; give PEM `-----BEGIN CERTIFICATE-----` blocks",
            ));
        }
        Ok(self)
    }

    /// A reqwest client builder with this TLS set-up applied; callers add timeouts, redirects and the rest.
    pub fn client_builder(&self) -> reqwest::ClientBuilder {
        let builder = reqwest::Client::builder();
        if self.insecure {
            return builder.danger_accept_invalid_certs(true);
        }
        let provider = CryptoProvider::get_default()
            .cloned()
            .unwrap_or_else(|| Arc::new(rustls::crypto::aws_lc_rs::default_provider()));
        let verifier = LazyVerifier {
            provider: provider.clone(),
            extra_roots: self.extra_roots.clone(),
            own: OnceLock::new(),
        };
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions();
        let Ok(config) = config else {
            // The provider cannot do TLS 1.2/1.3 at all: leave reqwest's own set-up, which reports it.
            return builder;
        };
        let mut config = config
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        // A preconfigured config is used as is, so the ALPN reqwest would set goes here.
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        builder.tls_backend_preconfigured(config)
    }
}

/// The platform verifier, built on first use. Without extra roots one instance serves the whole process.
struct LazyVerifier {
    provider: Arc<CryptoProvider>,
    extra_roots: Vec<CertificateDer<'static>>,
    own: OnceLock<Result<Arc<rustls_platform_verifier::Verifier>, rustls::Error>>,
}

impl fmt::Debug for LazyVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyVerifier")
            .field("extra_roots", &self.extra_roots.len())
            .field("loaded", &self.own.get().is_some())
            .finish()
    }
}

static PLATFORM: OnceLock<Result<Arc<rustls_platform_verifier::Verifier>, rustls::Error>> =
    OnceLock::new();

impl LazyVerifier {
    fn get(&self) -> Result<&rustls_platform_verifier::Verifier, rustls::Error> {
        let cell = if self.extra_roots.is_empty() {
            &PLATFORM
        } else {
            &self.own
        };
        let loaded = cell.get_or_init(|| {
            let verifier = if self.extra_roots.is_empty() {
                rustls_platform_verifier::Verifier::new(self.provider.clone())
            } else {
                rustls_platform_verifier::Verifier::new_with_extra_roots(
                    self.extra_roots.iter().cloned(),
                    self.provider.clone(),
                )
            };
            verifier.map(Arc::new)
        });
        match loaded {
            Ok(v) => Ok(v),
            Err(e) => Err(e.clone()),
        }
    }
}

impl ServerCertVerifier for LazyVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.get()?
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
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
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        // What the platform verifier answers too; asking it would load the store during the ClientHello.
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn building_a_verified_client_does_not_load_the_trust_store() {
        let _client = TlsConfig::default().client_builder().build().unwrap();
        let v = LazyVerifier {
            provider: Arc::new(rustls::crypto::aws_lc_rs::default_provider()),
            extra_roots: Vec::new(),
            own: OnceLock::new(),
        };
        assert!(!v.supported_verify_schemes().is_empty());
        assert!(v.own.get().is_none());
    }

    #[test]
    fn a_pem_without_certificates_is_a_config_error() {
        let e = TlsConfig::default()
            .with_root_pem(b"not a pem")
            .unwrap_err();
        assert_eq!(e.kind(), crate::AuthErrorKind::Config);
        assert!(e.to_string().contains("BEGIN CERTIFICATE"), "{e}");
    }

    #[test]
    fn debug_shows_settings_not_certificates() {
        let s = format!("{:?}", TlsConfig::insecure());
        assert_eq!(s, "TlsConfig { verify: false, extra_roots: 0 }");
        assert!(!TlsConfig::insecure().verifies());
        assert!(TlsConfig::default().verifies());
    }
}
