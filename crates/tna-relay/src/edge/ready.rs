//! `GET /readyz`: whether the relay can do its work now, for the Docker `HEALTHCHECK`, load
//! balancers and operators. (`/healthz` only says the process is up.)
//!
//! Every gateway is asked for its device list and the archive (when the relay keeps one) for
//! its cursors, all at once, each within [`PROBE_TIMEOUT`]. The answer is 200 when every gateway
//! answered and the archive did (or there is none), otherwise 503, with the same JSON body:
//! `{"ready": bool, "gateways": [{"site": "HQ", "reachable": true}], "archive": "ok" | "error" |
//! "none"}` (`site` is `default` for a lone unnamed gateway).

use std::time::Duration;

use futures::future::join_all;
use serde::Serialize;

use crate::gateways::Gateways;
use crate::gsdk;
use crate::metrics::DEFAULT_SITE;
use crate::sync::Syncer;

/// How long one probe (a gateway's device list, the archive's cursors) may take.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// The `/readyz` body.
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// Every gateway reachable and the archive answering (or not kept).
    pub ready: bool,
    /// Each gateway, in config order.
    pub gateways: Vec<GatewayReadiness>,
    /// The archive.
    pub archive: ArchiveReadiness,
}

/// One gateway's answer.
#[derive(Debug, Serialize)]
pub struct GatewayReadiness {
    /// The site name (`default` for a lone unnamed gateway).
    pub site: String,
    /// It answered a device list within [`PROBE_TIMEOUT`].
    pub reachable: bool,
}

/// The archive's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ArchiveReadiness {
    /// It answered.
    Ok,
    /// It failed or did not answer in time.
    Error,
    /// The relay keeps no archive.
    None,
}

/// Probes every gateway and the archive at once.
pub async fn check(gateways: &Gateways, sync: Option<&Syncer>) -> Readiness {
    let gateway_probes = join_all(gateways.sites().iter().map(|site| async move {
        let answer = tokio::time::timeout(PROBE_TIMEOUT, gsdk::connect::list_devices(&site.client));
        let reachable = match answer.await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                tracing::debug!(site = ?site.name, "readiness: {}", e.message);
                false
            }
            Err(_) => false,
        };
        GatewayReadiness {
            site: site.name.clone().unwrap_or_else(|| DEFAULT_SITE.into()),
            reachable,
        }
    }));
    let archive_probe = async {
        let Some(sync) = sync else {
            return ArchiveReadiness::None;
        };
        match tokio::time::timeout(PROBE_TIMEOUT, sync.archive().cursors()).await {
            Ok(Ok(_)) => ArchiveReadiness::Ok,
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "readiness: the archive does not answer");
                ArchiveReadiness::Error
            }
            Err(_) => ArchiveReadiness::Error,
        }
    };
    let (gateways, archive) = futures::join!(gateway_probes, archive_probe);
    let ready = gateways.iter().all(|g| g.reachable) && archive != ArchiveReadiness::Error;
    Readiness {
        ready,
        gateways,
        archive,
    }
}
