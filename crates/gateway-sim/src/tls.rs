//! Test certificates: a throw-away CA and a server certificate it signs, valid for `localhost`
//! and 127.0.0.1, mirroring the real gateway's `device-gateway -c` output (server-auth TLS only:
//! clients hold `ca.crt`, no client certificate).

use std::path::Path;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};

use crate::SimError;

/// PEM-encoded CA certificate plus the server certificate and key it signed.
#[derive(Clone)]
pub struct TlsMaterial {
    /// CA certificate clients must trust (`ca.crt`).
    pub ca_cert_pem: String,
    /// Server certificate (`server.crt`), SANs `localhost` and 127.0.0.1.
    pub server_cert_pem: String,
    /// Server private key (`server.key`).
    pub server_key_pem: String,
}

impl std::fmt::Debug for TlsMaterial {
    // Never print the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial").finish_non_exhaustive()
    }
}

/// Generates a fresh CA and server certificate. With `dir`, also writes `ca.crt`, `server.crt`
/// and `server.key` there (creating the directory).
pub fn generate_tls(dir: Option<&Path>) -> Result<TlsMaterial, SimError> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "gateway-sim test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca_params.self_signed(&ca_key)?;

    let server_key = KeyPair::generate()?;
    let mut server_params =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    server_params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    let server_cert =
        server_params.signed_by(&server_key, &Issuer::from_params(&ca_params, &ca_key))?;

    let material = TlsMaterial {
        ca_cert_pem: ca_cert.pem(),
        server_cert_pem: server_cert.pem(),
        server_key_pem: server_key.serialize_pem(),
    };
    if let Some(dir) = dir {
        write_pem(dir, &material)?;
    }
    Ok(material)
}

fn write_pem(dir: &Path, m: &TlsMaterial) -> Result<(), SimError> {
    std::fs::create_dir_all(dir).map_err(|source| SimError::WriteFile {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, pem) in [
        ("ca.crt", &m.ca_cert_pem),
        ("server.crt", &m.server_cert_pem),
        ("server.key", &m.server_key_pem),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, pem).map_err(|source| SimError::WriteFile { path, source })?;
    }
    Ok(())
}
