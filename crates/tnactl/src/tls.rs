//! Which certificates an `https://` relay may present: the system's root certificates, or only
//! the CA given with `login --ca-cert FILE` (`TNACTL_CA_CERT`; kept with the session) for a relay
//! with a private CA. The same roots for the sign-in (ureq) and the socket (tungstenite), both
//! rustls with ring.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The trusted roots, as DER certificates.
#[derive(Debug, Clone)]
pub struct Roots(Vec<CertificateDer<'static>>);

/// Why the roots could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The CA file cannot be read or holds no certificate.
    #[error("the CA file {path}: {why}")]
    CaFile {
        /// The file.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// The TLS setup failed.
    #[error("TLS: {0}")]
    Setup(String),
}

impl Roots {
    /// Only the certificates of the PEM file `ca`, or the system's roots.
    pub fn load(ca: Option<&Path>) -> Result<Roots, TlsError> {
        match ca {
            Some(path) => {
                let err = |why: String| TlsError::CaFile {
                    path: path.display().to_string(),
                    why,
                };
                let pem = std::fs::read(path).map_err(|e| err(e.to_string()))?;
                let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
                    .collect::<Result<_, _>>()
                    .map_err(|e| err(format!("not PEM certificates: {e}")))?;
                if certs.is_empty() {
                    return Err(err("no certificate in it".into()));
                }
                Ok(Roots(certs))
            }
            None => Ok(Roots(rustls_native_certs::load_native_certs().certs)),
        }
    }

    /// For the socket.
    pub fn rustls_config(&self) -> Result<Arc<rustls::ClientConfig>, TlsError> {
        let mut store = rustls::RootCertStore::empty();
        let (_added, _ignored) = store.add_parsable_certificates(self.0.iter().cloned());
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Setup(e.to_string()))?
            .with_root_certificates(store)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    /// For the sign-in.
    pub fn ureq_config(&self) -> ureq::tls::TlsConfig {
        let certs: Vec<ureq::tls::Certificate<'static>> = self
            .0
            .iter()
            .map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::client::WebPkiServerVerifier;
    use rustls::client::danger::ServerCertVerifier;
    use rustls::pki_types::{ServerName, UnixTime};

    #[test]
    fn a_private_ca_verifies_its_server_and_the_system_roots_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let m = gateway_sim::generate_tls(Some(dir.path())).unwrap();
        let server = CertificateDer::from_pem_slice(m.server_cert_pem.as_bytes()).unwrap();
        let check = |roots: &Roots| {
            let mut store = rustls::RootCertStore::empty();
            store.add_parsable_certificates(roots.0.iter().cloned());
            let v = WebPkiServerVerifier::builder_with_provider(
                Arc::new(store),
                Arc::new(rustls::crypto::ring::default_provider()),
            )
            .build()
            .unwrap();
            v.verify_server_cert(
                &server,
                &[],
                &ServerName::try_from("127.0.0.1").unwrap(),
                &[],
                UnixTime::now(),
            )
            .map(|_| ())
        };
        let private = Roots::load(Some(&dir.path().join("ca.crt"))).unwrap();
        assert_eq!(private.0.len(), 1);
        check(&private).expect("the private CA verifies");
        assert!(check(&Roots::load(None).unwrap()).is_err());
        assert!(Roots::load(Some(&dir.path().join("server.key"))).is_err());
    }
}
