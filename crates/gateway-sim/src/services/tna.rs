//! `gsdk.tna.TNA`: T&A config (get, set, set on many devices) and the T&A / job-code logs.

use gsdk_proto::schedule::ScheduleInfo;
use gsdk_proto::tna::tna_server::Tna;
use gsdk_proto::tna::{
    GetConfigRequest, GetConfigResponse, GetJobCodeLogRequest, GetJobCodeLogResponse,
    GetTnaLogRequest, GetTnaLogResponse, Key, Mode, SetConfigMultiRequest, SetConfigMultiResponse,
    SetConfigRequest, SetConfigResponse, TnaConfig,
};
use std::sync::atomic::Ordering;
use tonic::{Request, Response, Status};

use super::{reach, require_job_code, require_tna, run_multi};
use crate::Gateway;
use crate::seed::TNA_KEYS;

/// Longest label the device stores (`Key.MAX_TNA_LABEL_LENGTH`), in bytes.
const MAX_LABEL_BYTES: usize = 48;
/// The predefined schedules every device accepts without listing them: 0 = none, 1 = Always.
const PREDEFINED_SCHEDULES: [u32; 2] = [0, 1];

/// The TNA service over the simulated devices.
pub(crate) struct TnaService {
    gw: Gateway,
}

impl TnaService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        TnaService { gw }
    }
}

/// Checks a config against the device's rules and returns it padded to 16 labels/schedules.
fn validate(cfg: &TnaConfig, schedules: &[ScheduleInfo]) -> Result<TnaConfig, Status> {
    let mode = Mode::try_from(cfg.mode)
        .map_err(|_| Status::invalid_argument(format!("invalid T&A mode {}", cfg.mode)))?;
    if !(0..=TNA_KEYS as i32).contains(&cfg.key) {
        return Err(Status::invalid_argument(format!(
            "invalid T&A key {}",
            cfg.key
        )));
    }
    if mode == Mode::Fixed && cfg.key == Key::Unspecified as i32 {
        return Err(Status::invalid_argument("FIXED mode needs a key"));
    }
    if cfg.labels.len() > TNA_KEYS || cfg.schedules.len() > TNA_KEYS {
        return Err(Status::invalid_argument(format!(
            "at most {TNA_KEYS} labels and schedules (got {} and {})",
            cfg.labels.len(),
            cfg.schedules.len()
        )));
    }
    if let Some((i, l)) = cfg
        .labels
        .iter()
        .enumerate()
        .find(|(_, l)| l.len() > MAX_LABEL_BYTES)
    {
        return Err(Status::invalid_argument(format!(
            "label of KEY_{} is {} bytes (max {MAX_LABEL_BYTES})",
            i + 1,
            l.len()
        )));
    }
    let known =
        |id: u32| PREDEFINED_SCHEDULES.contains(&id) || schedules.iter().any(|s| s.id == id);
    if let Some((i, id)) = cfg
        .schedules
        .iter()
        .enumerate()
        .find(|(_, id)| !known(**id))
    {
        return Err(Status::invalid_argument(format!(
            "KEY_{}: unknown schedule {id}",
            i + 1
        )));
    }
    let mut out = cfg.clone();
    out.labels.resize(TNA_KEYS, String::new());
    out.schedules.resize(TNA_KEYS, 0);
    Ok(out)
}

/// SetConfig on one device (shared by SetConfig and SetConfigMulti).
async fn set_one(gw: &Gateway, device_id: u32, cfg: &TnaConfig) -> Result<(), Status> {
    let slot = reach(gw, device_id).await?;
    require_tna(slot)?;
    let mut st = slot.lock();
    let cfg = validate(cfg, &st.schedules)?;
    if slot.flags.fail_set_config.load(Ordering::Relaxed) {
        return Err(Status::internal(format!(
            "device {device_id} failed to write the T&A config"
        )));
    }
    st.tna_config = Some(cfg);
    Ok(())
}

fn missing_config() -> Status {
    Status::invalid_argument("config is required")
}

#[tonic::async_trait]
impl Tna for TnaService {
    async fn get_config(
        &self,
        req: Request<GetConfigRequest>,
    ) -> Result<Response<GetConfigResponse>, Status> {
        let slot = reach(&self.gw, req.get_ref().device_id).await?;
        require_tna(slot)?;
        let config = slot.lock().tna_config.clone();
        Ok(Response::new(GetConfigResponse { config }))
    }

    async fn set_config(
        &self,
        req: Request<SetConfigRequest>,
    ) -> Result<Response<SetConfigResponse>, Status> {
        let req = req.into_inner();
        let cfg = req.config.ok_or_else(missing_config)?;
        set_one(&self.gw, req.device_id, &cfg).await?;
        Ok(Response::new(SetConfigResponse {}))
    }

    async fn set_config_multi(
        &self,
        req: Request<SetConfigMultiRequest>,
    ) -> Result<Response<SetConfigMultiResponse>, Status> {
        let req = req.into_inner();
        let cfg = req.config.ok_or_else(missing_config)?;
        run_multi(&req.device_i_ds, |id| set_one(&self.gw, id, &cfg)).await?;
        Ok(Response::new(SetConfigMultiResponse {
            device_errors: Vec::new(),
        }))
    }

    async fn get_tna_log(
        &self,
        req: Request<GetTnaLogRequest>,
    ) -> Result<Response<GetTnaLogResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        require_tna(slot)?;
        // The filter field is documented by Suprema as "not yet supported": ignored, as there.
        let st = slot.lock();
        let tna_events = st
            .log
            .starting_at(req.start_event_id, req.max_num_of_log)
            .iter()
            .map(|r| r.to_tna(req.device_id))
            .collect();
        Ok(Response::new(GetTnaLogResponse { tna_events }))
    }

    async fn get_job_code_log(
        &self,
        req: Request<GetJobCodeLogRequest>,
    ) -> Result<Response<GetJobCodeLogResponse>, Status> {
        let req = req.into_inner();
        let slot = reach(&self.gw, req.device_id).await?;
        require_tna(slot)?;
        require_job_code(slot)?;
        let st = slot.lock();
        let job_code_events = st
            .log
            .job_codes_starting_at(req.start_event_id, req.max_num_of_log)
            .map(|r| r.to_job_code(req.device_id))
            .collect();
        Ok(Response::new(GetJobCodeLogResponse { job_code_events }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(mode: Mode, key: Key) -> TnaConfig {
        TnaConfig {
            mode: mode as i32,
            key: key as i32,
            ..TnaConfig::default()
        }
    }

    #[test]
    fn validation_rules() {
        let scheds = crate::seed::schedules();
        let ok = validate(&cfg(Mode::ByUser, Key::Unspecified), &scheds);
        assert_eq!(
            ok.map(|c| (c.labels.len(), c.schedules.len())).ok(),
            Some((16, 16))
        );
        assert!(validate(&cfg(Mode::Fixed, Key::Unspecified), &scheds).is_err());
        assert!(validate(&cfg(Mode::Fixed, Key::Key3), &scheds).is_ok());
        assert!(
            validate(
                &TnaConfig {
                    mode: 9,
                    ..TnaConfig::default()
                },
                &scheds
            )
            .is_err()
        );
        assert!(validate(&cfg(Mode::ByUser, Key::MaxTnaLabelLength), &scheds).is_err());
        let mut c = cfg(Mode::ByUser, Key::Unspecified);
        c.labels = vec!["é".repeat(24)]; // 48 bytes: allowed
        assert!(validate(&c, &scheds).is_ok());
        c.labels = vec!["é".repeat(24) + "x"];
        assert!(validate(&c, &scheds).is_err());
        c.labels = vec![String::new(); 17];
        assert!(validate(&c, &scheds).is_err());
        c.labels.clear();
        c.schedules = vec![0, 1, 2, 5];
        assert!(validate(&c, &scheds).is_ok());
        c.schedules = vec![7];
        assert!(validate(&c, &scheds).is_err());
    }
}
