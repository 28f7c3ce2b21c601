//! `apply`: the writes of a plan, through the same batched path as the console
//! (`tna_types::bulk::Run`: batches of 10 to 100 devices per `tna.setConfigMulti` /
//! `jobCodes.setMulti` — devices that get different payloads never share a batch — at most
//! `--parallel` in flight, one operation ID for the whole apply, one outcome per device of each
//! batch), `useJobCode` per device, the zone fix per 1,000 devices; then one result row per
//! device.

use std::collections::BTreeMap;

use serde::Serialize;
use tna_types::UserJobCodes;
use tna_types::bulk::{self, BatchError, DeviceOutcome};
use tna_types::dst::FixZonesParams;
use tna_types::limits::MAX_DEVICES_PER_CALL;
use tna_types::protocol::{
    SetConfigMultiParams, SetJobCodeUseParams, SetJobCodesMultiParams, method,
};

use crate::client::{Client, ClientError, MAX_WINDOW};
use crate::plan::{Change, DevicePlan};

/// One write's failure on one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    /// `tna`, `useJobCode`, `jobCodes` or `zone`.
    pub what: &'static str,
    /// The code and message.
    #[serde(flatten)]
    pub outcome: DeviceOutcome,
}

/// Outcome of the writes of one device.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteResult {
    /// The device.
    pub device_id: u32,
    /// Every write succeeded.
    pub ok: bool,
    /// The writes that failed.
    pub failures: Vec<Failure>,
    /// What still differs when re-read (after a successful write).
    pub still_differs: Vec<Change>,
    /// The re-read failed or the device could not be judged again: why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reread_error: Option<String>,
}

impl WriteResult {
    /// Whether the device ended as the file says.
    pub fn good(&self) -> bool {
        self.ok && self.still_differs.is_empty() && self.reread_error.is_none()
    }
}

/// What a call wrote and to which devices.
type CallMeta = (&'static str, Vec<u32>);

/// A write call of the apply, with the devices its answer covers.
struct Call<P> {
    what: &'static str,
    devices: Vec<u32>,
    params: P,
}

/// Writes every plan's changes; one result per device with changes, in plan order.
/// `progress(done, total)` counts devices written per write kind.
pub fn write(
    client: &mut Client,
    plans: &[DevicePlan],
    operation: &str,
    parallel: usize,
    mut progress: impl FnMut(&str, usize, usize),
) -> Result<Vec<WriteResult>, ClientError> {
    let mut results: BTreeMap<u32, WriteResult> = plans
        .iter()
        .filter(|p| !p.writes.is_empty())
        .map(|p| {
            (
                p.device_id,
                WriteResult {
                    device_id: p.device_id,
                    ok: true,
                    ..WriteResult::default()
                },
            )
        })
        .collect();
    let mut record = |what: &'static str, rows: Vec<(u32, DeviceOutcome)>| {
        for (id, outcome) in rows {
            if let Some(r) = results.get_mut(&id)
                && outcome != DeviceOutcome::Ok
            {
                r.ok = false;
                r.failures.push(Failure { what, outcome });
            }
        }
    };

    // T&A configs: devices grouped by the config they get, the groups in bulk batches.
    bulk_write::<method::TnaSetConfigMulti, _>(
        client,
        "tna",
        groups(
            plans
                .iter()
                .filter_map(|p| p.writes.tna.clone().map(|c| (c, p.device_id))),
        ),
        parallel,
        |config, device_ids| SetConfigMultiParams {
            device_ids,
            config: config.clone(),
            operation_id: Some(operation.to_string()),
        },
        |r| r.results,
        &mut progress,
        &mut record,
    )?;

    // Job codes: devices grouped by the users they get.
    bulk_write::<method::JobCodesSetMulti, _>(
        client,
        "jobCodes",
        groups(
            plans
                .iter()
                .filter(|p| !p.writes.job_codes.is_empty())
                .map(|p| (p.writes.job_codes.clone(), p.device_id)),
        ),
        parallel,
        |users: &Vec<UserJobCodes>, device_ids| SetJobCodesMultiParams {
            device_ids,
            users: users.clone(),
            operation_id: Some(operation.to_string()),
        },
        |r| r.results,
        &mut progress,
        &mut record,
    )?;

    // useJobCode: one call per device (the relay reads, changes and re-reads SystemConfig).
    let uses: Vec<(u32, bool)> = plans
        .iter()
        .filter_map(|p| p.writes.use_job_code.map(|on| (p.device_id, on)))
        .collect();
    let params: Vec<SetJobCodeUseParams> = uses
        .iter()
        .map(|&(device_id, enabled)| SetJobCodeUseParams { device_id, enabled })
        .collect();
    let answers = client.call_many::<method::SystemSetJobCodeUse>(&params, parallel, |_, n| {
        progress("useJobCode", n, params.len())
    })?;
    for ((id, on), a) in uses.iter().zip(answers) {
        let outcome = match a {
            Ok(r) if r.enabled == *on => DeviceOutcome::Ok,
            Ok(r) => DeviceOutcome::Failed {
                code: bulk::FailureCode::None,
                message: format!(
                    "the device holds useJobCode = {} after the write",
                    r.enabled
                ),
            },
            Err(e) => DeviceOutcome::Failed {
                code: bulk::FailureCode::Relay(e.code),
                message: e.message,
            },
        };
        record("useJobCode", vec![(*id, outcome)]);
    }

    // Zones: the relay writes each device's site-zone target and re-reads it.
    let zones: Vec<u32> = plans
        .iter()
        .filter(|p| p.writes.fix_zone)
        .map(|p| p.device_id)
        .collect();
    let calls: Vec<Call<FixZonesParams>> = zones
        .chunks(MAX_DEVICES_PER_CALL)
        .map(|c| Call {
            what: "zone",
            devices: c.to_vec(),
            params: FixZonesParams {
                device_ids: c.to_vec(),
                dry_run: false,
            },
        })
        .collect();
    multi::<method::TimeFixZones>(
        client,
        calls,
        parallel,
        &mut progress,
        |r| {
            r.fixes
                .into_iter()
                .map(|f| {
                    if f.ok {
                        tna_types::DeviceResult::ok(f.device_id)
                    } else {
                        tna_types::DeviceResult {
                            device_id: f.device_id,
                            ok: false,
                            code: f.code,
                            message: f.message,
                            error: f.error,
                        }
                    }
                })
                .collect()
        },
        &mut record,
    )?;

    Ok(results.into_values().collect())
}

/// Devices grouped by what they get, in first-seen order.
fn groups<K: PartialEq>(writes: impl Iterator<Item = (K, u32)>) -> Vec<(K, Vec<u32>)> {
    let mut groups: Vec<(K, Vec<u32>)> = Vec::new();
    for (k, id) in writes {
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, ids)) => ids.push(id),
            None => groups.push((k, vec![id])),
        }
    }
    groups
}

/// One bulk write of groups of devices (each group gets its own payload), scheduled by the
/// shared rule (`tna_types::bulk::Run`: batch size, at most `parallel` batches in flight, order)
/// over the client's one socket; each answer becomes one outcome per device of its batch.
/// `progress` counts the devices of answered batches.
#[allow(clippy::too_many_arguments)]
fn bulk_write<M: tna_types::protocol::Method, K>(
    client: &mut Client,
    what: &'static str,
    groups: Vec<(K, Vec<u32>)>,
    parallel: usize,
    params: impl Fn(&K, Vec<u32>) -> M::Params,
    rows: impl Fn(M::Result) -> Vec<tna_types::DeviceResult>,
    progress: &mut impl FnMut(&str, usize, usize),
    record: &mut impl FnMut(&'static str, Vec<(u32, DeviceOutcome)>),
) -> Result<(), ClientError> {
    if groups.is_empty() {
        return Ok(());
    }
    let slices: Vec<&[u32]> = groups.iter().map(|(_, ids)| ids.as_slice()).collect();
    let mut run = bulk::Run::grouped(&slices, parallel.clamp(1, MAX_WINDOW));
    let total = run.progress().1;
    client.bulk::<M>(
        &mut run,
        |batch| params(&groups[batch.group].0, batch.devices.to_vec()),
        |run, index, answer| {
            let answer = answer.map(&rows).map_err(|e| BatchError {
                code: Some(e.code),
                message: e.message,
            });
            record(what, run.answer(index, answer.as_deref()));
            progress(what, run.progress().0, total);
        },
    )
}

/// Sends multi-device calls (`parallel` in flight) and turns each answer into one outcome per
/// device of the call ([`bulk::batch_outcomes`]).
fn multi<M: tna_types::protocol::Method>(
    client: &mut Client,
    calls: Vec<Call<M::Params>>,
    parallel: usize,
    progress: &mut impl FnMut(&str, usize, usize),
    rows: impl Fn(M::Result) -> Vec<tna_types::DeviceResult>,
    record: &mut impl FnMut(&'static str, Vec<(u32, DeviceOutcome)>),
) -> Result<(), ClientError> {
    if calls.is_empty() {
        return Ok(());
    }
    let total: usize = calls.iter().map(|c| c.devices.len()).sum();
    let what = calls[0].what;
    let (params, meta): (Vec<M::Params>, Vec<CallMeta>) = calls
        .into_iter()
        .map(|c| (c.params, (c.what, c.devices)))
        .unzip();
    let mut done = 0;
    let answers = client.call_many::<M>(&params, parallel, |index, _| {
        done += meta[index].1.len();
        progress(what, done, total);
    })?;
    for ((what, devices), answer) in meta.into_iter().zip(answers) {
        let answer = answer.map(&rows).map_err(|e| BatchError {
            code: Some(e.code),
            message: e.message,
        });
        record(what, bulk::batch_outcomes(&devices, answer.as_deref()));
    }
    Ok(())
}
