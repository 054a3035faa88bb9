//! Serving the simulated tenant over HTTPS with a self-signed certificate generated at start (rcgen, rustls with
//! the aws-lc-rs provider — the same rustls the clients use), so certificate checks such as the plugin's
//! `ssl_verify` can be tested against a local server. Turned on with [`SimConfig::with_tls`](crate::SimConfig::with_tls).

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types};

/// The generated certificate and the acceptor that serves it.
#[derive(Clone)]
pub(crate) struct SimTls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) cert_pem: String,
}

impl SimTls {
    /// A fresh self-signed certificate for `localhost` and `127.0.0.1` (valid for the life of the sim).
    pub(crate) fn generate() -> Result<Self, String> {
        let names = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
        let certified = rcgen::generate_simple_self_signed(names)
            .map_err(|e| format!("generating the certificate: {e}"))?;
        let cert = certified.cert.der().clone();
        let key = pki_types::PrivateKeyDer::Pkcs8(pki_types::PrivatePkcs8KeyDer::from(
            certified.signing_key.serialize_der(),
        ));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS protocol versions: {e}"))?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .map_err(|e| format!("TLS server configuration: {e}"))?;
        // The sim serves HTTP/1.1 only (hyper's http1 connection builder).
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            acceptor: TlsAcceptor::from(Arc::new(config)),
            cert_pem: certified.cert.pem(),
        })
    }
}

impl std::fmt::Debug for SimTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimTls").finish_non_exhaustive()
    }
}
