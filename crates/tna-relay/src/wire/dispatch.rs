//! Method → handler. Every input is checked here before anything reaches a device: limits from
//! `tna_types::limits`, and configs through `tna_types::validate` (the same function the console
//! runs on every edit), so the relay never sends an invalid config to a device.

use std::collections::HashSet;
use std::sync::Arc;

use futures::StreamExt;
use futures::future::join_all;
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;
use tna_types::archive::{LogQuery, MAX_QUERY_DEVICES, MAX_QUERY_LIMIT};
use tna_types::dst::{ZoneFix, ZoneSettings, ZonesResult};
use tna_types::limits::{MAX_DEVICES_PER_CALL, MAX_LOG_PAGE, MAX_USERS_PER_CALL};
use tna_types::protocol::{
    ArchiveStatusResult, AuditResult, CapabilitiesResult, ClocksResult, ConfigResult,
    DeviceInfoResult, DevicesResult, EmptyResult, ErrorCode, JobCodeUseResult, JobCodesResult,
    LogPageParams, MAX_OPERATION_ID_LEN, Outcome, PolicyParams, Request, RequestId, Response,
    ResultsResult, RpcError, SchedulesResult, SetConfigMultiParams, SubscribeResult,
    TimeZoneResult,
};
use tna_types::validate::{check_user_id, validate_user_id};
use tna_types::{
    DeviceResult, FieldError, LogPage, TnaConfig, UserJobCodes, validate_config, validate_users,
};

use crate::audit;
use crate::auth::Auth;
use crate::device_info;
use crate::device_zones;
use crate::fanout::{Fanout, SocketEvents};
use crate::gateways::Gateways;
use crate::gsdk::{self, GatewayClient};
use crate::kiosk_scope::KioskView;
use crate::outbox::{Encoding, Frame};
use crate::signin::{self, Caller};
use crate::sync::{Syncer, archive_error};
use crate::timecards;

/// gRPC `INVALID_ARGUMENT`, used in per-device result rows for devices the relay refused itself.
const GRPC_INVALID_ARGUMENT: i32 = 3;

/// What handlers share: the gateways and the live-event fan-out.
#[derive(Clone)]
pub struct AppState {
    /// The gateways, and which device is behind which.
    pub gateways: Gateways,
    /// The one realtime stream, fanned out to sockets.
    pub fanout: Fanout,
    /// Accounts and sessions (`None`: sign-in off, everyone is admin).
    pub auth: Option<Auth>,
    /// Text for the sign-in page (demo account).
    pub sign_in_hint: Option<String>,
    /// Session cookies get `Secure` (the relay serves HTTPS).
    pub secure_cookies: bool,
    /// The device status streams (and other relay-wide notices), broadcast to sockets.
    pub status: crate::status::StatusHub,
    /// The log archive and its sync (`None`: the relay keeps no archive).
    pub sync: Option<Syncer>,
    /// The relay's metrics (`/metrics`).
    pub metrics: crate::metrics::Metrics,
    /// The audit trail's rules (refuse writes it cannot record?) and the bulk operations seen.
    pub audit: audit::Audit,
    /// The outbox bytes all sockets hold beyond their guaranteed share (see `outbox.rs`).
    pub outbox_budget: Arc<crate::outbox::Budget>,
    /// Heavy archive queries running at once, relay-wide (see `heavy.rs`).
    pub heavy: crate::heavy::HeavyQueries,
    /// Log pages read ahead for downloads (see `read_ahead.rs`).
    pub read_ahead: crate::read_ahead::ReadAhead,
}

/// A request's result as the session writes it: JSON, or a typed value. On a socket of the
/// binary subprotocol (`tna_types::binary`) the result of a method the `methods!` table marks
/// `binary` goes out as a binary frame: a typed value is written straight to postcard (log
/// pages: the fast path), a JSON one is read back into the method's result type first.
#[derive(Debug)]
pub enum Reply {
    /// The `result` object, encoded.
    Json(Box<RawValue>),
    /// The result as its type (only for methods marked `binary`).
    Typed(Box<dyn TypedResult>),
}

/// A result that can be written as JSON or as postcard.
pub trait TypedResult: Send + std::fmt::Debug {
    /// The `result` object as JSON.
    fn json(&self) -> Result<Box<RawValue>, RpcError>;
    /// The binary frame answering request `id`.
    fn binary(&self, id: i64) -> Result<Vec<u8>, RpcError>;
}

impl<T: Serialize + Send + std::fmt::Debug> TypedResult for T {
    fn json(&self) -> Result<Box<RawValue>, RpcError> {
        raw_json(self)
    }

    fn binary(&self, id: i64) -> Result<Vec<u8>, RpcError> {
        tna_types::binary::encode_reply(id, self).map_err(|e| encode_failed(&e))
    }
}

impl Reply {
    /// The frame answering request `id` of `method`: binary when the socket speaks the binary
    /// subprotocol, the method has a binary result and the ID is a number; JSON text otherwise.
    pub fn into_frame(
        self,
        method: &str,
        id: RequestId,
        encoding: Encoding,
    ) -> Result<Frame, RpcError> {
        let number = match id {
            RequestId::Number(n)
                if encoding == Encoding::Binary && Request::has_binary_result(method) =>
            {
                Some(n)
            }
            _ => None,
        };
        match (self, number) {
            (Reply::Typed(value), Some(n)) => value.binary(n).map(Frame::Binary),
            (Reply::Typed(value), None) => Ok(json_frame(id, value.json()?)),
            (Reply::Json(raw), Some(n)) => Request::binary_from_json(method, n, raw.get())
                .unwrap_or_else(|| Err(tna_types::binary::BinaryError::no_binary_form(method)))
                .map(Frame::Binary)
                .map_err(|e| encode_failed(&e)),
            (Reply::Json(raw), None) => Ok(json_frame(id, raw)),
        }
    }
}

/// `v` as a typed result (for the methods marked `binary`).
fn typed<T: Serialize + Send + std::fmt::Debug + 'static>(v: T) -> Result<Reply, RpcError> {
    Ok(Reply::Typed(Box::new(v)))
}

/// A JSON response frame.
fn json_frame(id: RequestId, result: Box<RawValue>) -> Frame {
    Frame::Text(
        Response {
            id: Some(id),
            outcome: Outcome::Result(result),
        }
        .to_text(),
    )
}

fn encode_failed(e: &dyn std::fmt::Display) -> RpcError {
    RpcError::new(
        ErrorCode::Internal,
        format!("Could not encode the result: {e}."),
    )
}

/// Runs one request of the socket whose events are `socket` and returns its result.
pub async fn handle(
    state: &AppState,
    request: Request,
    socket: &Arc<SocketEvents>,
    caller: &Caller,
) -> Result<Reply, RpcError> {
    let gws = &state.gateways;
    let method = request.method();
    // Every method the `methods!` table marks `audited` is refused here when its entry could not
    // be stored (see `audit.rs`), before anything is read or written. A dry run writes nothing.
    let dry_run = matches!(&request, Request::TimeFixZones(p) if p.dry_run);
    if Request::is_audited(method) && !dry_run {
        state.audit.check(state.sync.as_ref(), method).await?;
    }
    // A kiosk sees only its scope: calls naming other devices are refused here, lists and log
    // queries are narrowed in their arms (see `kiosk_scope.rs`).
    let kiosk = KioskView::of(caller, gws);
    if let Some(k) = &kiosk {
        match &request {
            Request::TnaGetConfig(p) => k.check(&[p.device_id]).await?,
            Request::SystemGetTimeZone(p) => k.check(&[p.device_id]).await?,
            Request::TnaGetLog(p) => k.check(&[p.device_id]).await?,
            Request::EventsSubscribe(p) => k.check(&p.device_ids).await?,
            _ => {}
        }
    }
    match request {
        Request::DevicesList(_) => {
            let (mut devices, mut gateways) = gws.list_devices().await?;
            if let Some(k) = &kiosk {
                k.narrow_list(&mut devices, &mut gateways);
            }
            device_info::fill(state.sync.as_ref(), &mut devices).await;
            typed(DevicesResult { devices, gateways })
        }
        Request::DevicesSetInfo(p) => {
            let sync = archive_of(state)?;
            let info = device_info::checked(&p)?;
            // A name for an ID no gateway knows would label nothing: refuse the typo.
            let (devices, _) = gws.list_devices().await?;
            if !devices.iter().any(|d| d.device_id == info.device_id) {
                return Err(gws.unknown_device(info.device_id));
            }
            audited(
                state,
                caller,
                Write::new(method, vec![info.device_id]).after(json(&info)),
                async {
                    device_info::current(sync, info.device_id)
                        .await
                        .map(|i| json(&i))
                },
                device_info::store(sync, &info),
                |_| ok_result(),
            )
            .await?;
            to_value(DeviceInfoResult { info })
        }
        Request::DevicesCapabilities(p) => to_value(CapabilitiesResult {
            capabilities: gws
                .on_device(p.device_id, |gw| {
                    gsdk::device::capabilities(gw, p.device_id)
                })
                .await?,
        }),
        Request::SchedulesList(p) => to_value(SchedulesResult {
            schedules: gws
                .on_device(p.device_id, |gw| gsdk::schedule::list(gw, p.device_id))
                .await?,
        }),
        Request::TnaGetConfig(p) => typed(ConfigResult {
            config: gws
                .on_device(p.device_id, |gw| gsdk::tna::get_config(gw, p.device_id))
                .await?,
        }),
        Request::TnaSetConfig(p) => {
            let config = audited(
                state,
                caller,
                Write::new(method, vec![p.device_id]).after(json(&p.config)),
                read_before(state, &[p.device_id], |gw, id| async move {
                    gsdk::tna::get_config(&gw, id).await
                }),
                gws.on_device(p.device_id, |gw| async {
                    let schedules = gsdk::schedule::list(gw, p.device_id).await?;
                    let ids: Vec<u32> = schedules.iter().map(|s| s.id).collect();
                    validate_config(&p.config, Some(&ids)).map_err(RpcError::validation)?;
                    gsdk::tna::set_config(gw, p.device_id, &p.config).await?;
                    // Re-read: the console shows what the device now holds, not what was sent.
                    gsdk::tna::get_config(gw, p.device_id).await
                }),
                json,
            )
            .await?;
            to_value(ConfigResult { config })
        }
        Request::TnaSetConfigMulti(p) => {
            // Refuse a bad request before reading any device for the audit trail.
            check_device_ids(&p.device_ids)?;
            check_operation_id(p.operation_id.as_deref())?;
            validate_config(&p.config, None).map_err(RpcError::validation)?;
            let write = Write::new(method, p.device_ids.clone())
                .after(json(&p.config))
                .operation(p.operation_id.clone());
            // The audit trail's "before" and the schedule checks are reads of every device:
            // both at once, so a batch costs one read latency and one write latency.
            let (before, refused) = tokio::join!(
                read_before(state, &p.device_ids, |gw, id| async move {
                    gsdk::tna::get_config(&gw, id).await
                }),
                schedule_refusals(gws, &p.device_ids, &p.config),
            );
            let results = audited(
                state,
                caller,
                write,
                async { before },
                set_config_multi(gws, p, refused),
                json,
            )
            .await?;
            to_value(ResultsResult { results })
        }
        Request::TnaGetLog(p) => {
            check_page(&p)?;
            let mut page = if let Some((archive, _)) = remote_cursor(state, p.device_id).await {
                // Another relay's device: its log as the shared archive holds it.
                let logs = archive
                    .tna_from_event(p.device_id, p.start_event_id, p.limit)
                    .await
                    .map_err(archive_error)?;
                LogPage::from_read(logs, p.start_event_id, p.limit)
            } else {
                state
                    .read_ahead
                    .get_log(gws, p.device_id, p.start_event_id, p.limit)
                    .await?
            };
            if let Some(k) = &kiosk {
                // Today's punches only; the cursor still moves past the older ones.
                let today = k.today_start(p.device_id).await;
                page.logs.retain(|l| l.timestamp >= today);
            }
            typed(page)
        }
        Request::TnaGetJobCodeLog(p) => {
            check_page(&p)?;
            typed(
                gws.on_device(p.device_id, |gw| {
                    gsdk::tna::get_job_code_log(gw, p.device_id, p.start_event_id, p.limit)
                })
                .await?,
            )
        }
        Request::JobCodesGet(p) => {
            check_user_ids(&p.user_ids)?;
            to_value(JobCodesResult {
                users: gws
                    .on_device(p.device_id, |gw| {
                        gsdk::user::get_job_codes(gw, p.device_id, &p.user_ids)
                    })
                    .await?,
            })
        }
        Request::JobCodesSet(p) => {
            check_users(&p.users)?;
            let user_ids: Vec<String> = p.users.iter().map(|u| u.user_id.clone()).collect();
            audited(
                state,
                caller,
                Write::new(method, vec![p.device_id]).after(json(&p.users)),
                read_before(state, &[p.device_id], |gw, id| {
                    let user_ids = user_ids.clone();
                    async move { gsdk::user::get_job_codes(&gw, id, &user_ids).await }
                }),
                gws.on_device(p.device_id, |gw| {
                    gsdk::user::set_job_codes(gw, p.device_id, &p.users)
                }),
                json,
            )
            .await?;
            to_value(EmptyResult {})
        }
        Request::TimeGet(p) => {
            check_device_ids(&p.device_ids)?;
            to_value(ClocksResult {
                clocks: gws
                    .per_site(&p.device_ids, |gw, ids| async move {
                        Ok(gsdk::time::get_clocks(gw, &ids).await)
                    })
                    .await?,
            })
        }
        Request::TimeSync(p) => {
            check_device_ids(&p.device_ids)?;
            let results = audited(
                state,
                caller,
                Write::new(method, p.device_ids.clone()),
                async { None },
                gws.per_site(&p.device_ids, |gw, ids| async move {
                    gsdk::time::sync(gw, &ids).await
                }),
                json,
            )
            .await?;
            to_value(ResultsResult { results })
        }
        Request::TimeGetZones(p) => {
            check_device_ids(&p.device_ids)?;
            let year = device_zones::this_year();
            to_value(ZonesResult {
                devices: device_zones::get_zones(gws, &p.device_ids, year).await?,
            })
        }
        Request::TimeFixZones(p) => {
            check_device_ids(&p.device_ids)?;
            let year = device_zones::this_year();
            let answer = device_zones::fix_zones(gws, &p.device_ids, p.dry_run, year).await;
            if !p.dry_run {
                // The fix read every device before writing: that read is the audit's "before",
                // and the targets it wrote are the "after".
                let per_device = |pick: fn(&ZoneFix) -> Option<&ZoneSettings>| {
                    answer.as_ref().ok().map(|r| {
                        Value::Object(
                            r.fixes
                                .iter()
                                .map(|f| (f.device_id.to_string(), json(&pick(f))))
                                .collect(),
                        )
                    })
                };
                let before = per_device(|f| f.before.as_ref());
                let mut write = Write::new(method, p.device_ids.clone());
                write.after = per_device(|f| f.target.as_ref());
                record_outcome(state, caller, write, before, &answer, json).await;
            }
            to_value(answer?)
        }
        Request::SessionWhoami(_)
        | Request::AccountsList(_)
        | Request::AccountsCreate(_)
        | Request::AccountsSetRole(_)
        | Request::AccountsSetPassword(_)
        | Request::AccountsDelete(_)
        | Request::KioskPair(_)
        | Request::KioskList(_)
        | Request::KioskRevoke(_) => {
            let auth = state.auth.clone();
            let account_change = account_change(state.auth.as_ref(), &request);
            let run_caller = caller.clone();
            // Account changes hash passwords (argon2): off the async workers.
            let run = async move {
                let answer = tokio::task::spawn_blocking(move || {
                    signin::handle(auth.as_ref(), &run_caller, &request)
                })
                .await
                .map_err(|_| RpcError::new(ErrorCode::Internal, "The account change failed."))?;
                answer.unwrap_or_else(|| {
                    Err(RpcError::new(
                        ErrorCode::Internal,
                        "unrouted account method",
                    ))
                })
            };
            let answer = match account_change {
                // Never the password or the pairing code: the entry says who and what, and
                // whether it worked.
                Some((before, after)) => {
                    let mut write = Write::new(method, Vec::new());
                    write.after = after;
                    audited(state, caller, write, async { before }, run, |_| ok_result()).await?
                }
                None => run.await?,
            };
            to_value(answer)
        }
        Request::JobCodesSetMulti(p) => {
            check_device_ids(&p.device_ids)?;
            check_users(&p.users)?;
            let users = &p.users;
            check_operation_id(p.operation_id.as_deref())?;
            let user_ids: Vec<String> = users.iter().map(|u| u.user_id.clone()).collect();
            let results = audited(
                state,
                caller,
                Write::new(method, p.device_ids.clone())
                    .after(json(users))
                    .operation(p.operation_id.clone()),
                read_before(state, &p.device_ids, |gw, id| {
                    let user_ids = user_ids.clone();
                    async move { gsdk::user::get_job_codes(&gw, id, &user_ids).await }
                }),
                gws.per_site(&p.device_ids, |gw, ids| async move {
                    gsdk::user::set_job_codes_multi(gw, &ids, users).await
                }),
                json,
            )
            .await?;
            to_value(ResultsResult { results })
        }
        Request::SystemGetJobCodeUse(p) => to_value(JobCodeUseResult {
            enabled: gws
                .on_device(p.device_id, |gw| {
                    gsdk::system::job_code_use(gw, p.device_id)
                })
                .await?,
        }),
        Request::SystemSetJobCodeUse(p) => {
            let enabled = audited(
                state,
                caller,
                Write::new(method, vec![p.device_id]).after(json(&p.enabled)),
                read_before(state, &[p.device_id], |gw, id| async move {
                    gsdk::system::job_code_use(&gw, id).await
                }),
                gws.on_device(p.device_id, |gw| {
                    gsdk::system::set_job_code_use(gw, p.device_id, p.enabled)
                }),
                json,
            )
            .await?;
            to_value(JobCodeUseResult { enabled })
        }
        Request::ArchiveStatus(_) => {
            let sync = archive_of(state)?;
            let states = sync.states().await?;
            let remote_devices = if state.fanout.passes_remote_devices() {
                gws.devices_elsewhere(states.iter().map(|s| s.cursor.device_id))
            } else {
                Vec::new()
            };
            to_value(ArchiveStatusResult {
                backend: match sync.archive().kind() {
                    tna_archive::Backend::Sqlite => "sqlite",
                    tna_archive::Backend::Postgres => "postgres",
                }
                .to_string(),
                states,
                remote_devices,
            })
        }
        Request::ArchiveSync(p) => {
            let sync = archive_of(state)?;
            queue_reads(state, caller, method, p.device_ids, |ids| {
                sync.sync_now(ids)
            })
            .await
        }
        Request::ArchiveLogs(mut q) => {
            let sync = archive_of(state)?;
            check_query(&q)?;
            if let Some(k) = &kiosk {
                k.narrow_query(&mut q).await?;
            }
            let _turn = state.heavy.turn().await?;
            typed(sync.archive().query_tna(&q).await.map_err(archive_error)?)
        }
        Request::ArchiveJobCodeLogs(q) => {
            let sync = archive_of(state)?;
            check_query(&q)?;
            let _turn = state.heavy.turn().await?;
            typed(
                sync.archive()
                    .query_job_codes(&q)
                    .await
                    .map_err(archive_error)?,
            )
        }
        Request::TimecardsGet(p) => {
            let sync = archive_of(state)?;
            let _turn = state.heavy.turn().await?;
            to_value(timecards::get(sync.archive(), &state.gateways, &p).await?)
        }
        Request::TimecardsGetPolicy(_) => {
            let sync = archive_of(state)?;
            to_value(PolicyParams {
                policy: timecards::policy(sync.archive()).await?,
            })
        }
        Request::TimecardsSetPolicy(p) => {
            let sync = archive_of(state)?;
            audited(
                state,
                caller,
                Write::new(method, Vec::new()).after(json(&p.policy)),
                async {
                    timecards::policy(sync.archive())
                        .await
                        .ok()
                        .map(|b| json(&b))
                },
                timecards::set_policy(sync.archive(), &p.policy),
                |_| ok_result(),
            )
            .await?;
            to_value(PolicyParams { policy: p.policy })
        }
        Request::UsersList(p) => {
            let sync = archive_of(state)?;
            crate::users::check_list(&p)?;
            to_value(
                sync.archive()
                    .directory_page(&p)
                    .await
                    .map_err(archive_error)?,
            )
        }
        Request::UsersGet(p) => {
            let sync = archive_of(state)?;
            check_user_ids(&p.user_ids)?;
            let mut users = sync
                .archive()
                .directory_users(&p.user_ids)
                .await
                .map_err(archive_error)?;
            if let Some(k) = &kiosk {
                // Names only, of users a device of the kiosk's scope holds.
                let mut shown = Vec::with_capacity(users.len());
                for u in users {
                    let mut covered = false;
                    for d in &u.device_ids {
                        if k.covers(*d).await {
                            covered = true;
                            break;
                        }
                    }
                    if covered {
                        // Shortened here when the kiosk was paired for a public wall: the
                        // tablet never receives more of a name than it shows.
                        let mut u = u.display_only();
                        u.name = u.name.map(|n| k.name_form().apply(&n));
                        shown.push(u);
                    }
                }
                users = shown;
            }
            typed(tna_types::users::UsersResult { users })
        }
        Request::UsersSync(p) => {
            let sync = archive_of(state)?;
            let directory = sync.directory().ok_or_else(|| {
                RpcError::because(
                    ErrorCode::Unsupported,
                    "noDirectory",
                    "This relay keeps no user directory.",
                    serde_json::Value::Null,
                )
            })?;
            queue_reads(state, caller, method, p.device_ids, |ids| {
                directory.sync_now(ids)
            })
            .await
        }
        Request::AuditList(q) => {
            let sync = archive_of(state)?;
            if q.limit == 0 {
                return Err(RpcError::invalid_params("limit must be at least 1"));
            }
            to_value(AuditResult {
                entries: sync.archive().list_audit(&q).await.map_err(archive_error)?,
            })
        }
        Request::SystemGetTimeZone(p) => typed(TimeZoneResult {
            device_id: p.device_id,
            time_zone: gws
                .on_device(p.device_id, |gw| gsdk::system::time_zone(gw, p.device_id))
                .await?,
        }),
        Request::EventsSubscribe(p) => {
            check_device_ids(&p.device_ids)?;
            let (subscription_id, mut next_event_ids) =
                state.fanout.subscribe(socket, p.device_ids.clone()).await?;
            // Other relays' devices: where the shared archive stands, so that a client's gap
            // fill (`tna.getLog`, answered from the archive) covers them too.
            if state.fanout.passes_remote_devices() {
                let without: Vec<u32> = p
                    .device_ids
                    .iter()
                    .filter(|d| !next_event_ids.contains_key(d))
                    .copied()
                    .collect();
                for d in gws.devices_elsewhere(without) {
                    if let Some((_, c)) = remote_cursor(state, d).await {
                        next_event_ids.insert(d, c.next_event_id);
                    }
                }
            }
            typed(SubscribeResult {
                subscription_id,
                next_event_ids,
            })
        }
        Request::EventsUnsubscribe(p) => {
            if !state.fanout.unsubscribe_for(socket, p.subscription_id) {
                return Err(RpcError::invalid_params(format!(
                    "subscription {} is not one of this connection's",
                    p.subscription_id
                )));
            }
            typed(EmptyResult {})
        }
    }
}

/// The shared archive and its T&A cursor of `device_id`, when that is a device of another
/// relay on it: none of this relay's gateways lists it, the archive holds its log, and this
/// relay passes its live events.
async fn remote_cursor(
    state: &AppState,
    device_id: u32,
) -> Option<(&tna_archive::Archive, tna_types::archive::Cursor)> {
    let archive = state.sync.as_ref()?.archive();
    if !state.fanout.passes_remote_devices()
        || state.gateways.devices_elsewhere([device_id]).is_empty()
    {
        return None;
    }
    let cursor = archive
        .cursor(device_id, tna_archive::Stream::Tna)
        .await
        .ok()??;
    Some((archive, cursor))
}

/// The relay's archive, or the error that says there is none.
fn archive_of(state: &AppState) -> Result<&Syncer, RpcError> {
    state.sync.as_ref().ok_or_else(|| {
        RpcError::because(
            ErrorCode::Unsupported,
            "noArchive",
            "This relay keeps no log archive (start it with --archive).",
            serde_json::Value::Null,
        )
    })
}

/// An archive query: a real page size, a sane range, not too many devices.
fn check_query(q: &LogQuery) -> Result<(), RpcError> {
    if q.limit == 0 {
        return Err(RpcError::invalid_params("limit must be at least 1"));
    }
    if q.limit > MAX_QUERY_LIMIT {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::ArchivePage,
            MAX_QUERY_LIMIT.into(),
            q.limit.into(),
        ));
    }
    if let (Some(from), Some(to)) = (q.from, q.to)
        && to < from
    {
        return Err(RpcError::invalid_params("to must not be before from"));
    }
    if let Some(ids) = &q.device_ids
        && ids.len() > MAX_QUERY_DEVICES
    {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::ArchiveDevices,
            MAX_QUERY_DEVICES as u64,
            ids.len() as u64,
        ));
    }
    if let Some(user) = &q.user_id {
        validate_user_id(user).map_err(|m| RpcError::invalid_params(format!("userId: {m}")))?;
    }
    Ok(())
}

/// How long the audit trail's "before" read may delay a write.
const BEFORE_LIMIT: std::time::Duration = std::time::Duration::from_secs(5);
/// Devices read at once for an audit entry's "before": every device of one call (a call names
/// at most this many), so a multi-device write waits one read latency, not one per 16 devices.
const BEFORE_CONCURRENCY: usize = MAX_DEVICES_PER_CALL;

/// The state of `device_ids` before a write, for the audit trail: `{ "<id>": state | null }`
/// (`None` without an archive, so a relay without one makes no extra calls).
async fn read_before<T, F, Fut>(state: &AppState, device_ids: &[u32], read: F) -> Option<Value>
where
    T: Serialize,
    F: Fn(GatewayClient, u32) -> Fut,
    Fut: std::future::Future<Output = Result<T, RpcError>>,
{
    state.sync.as_ref()?;
    let gws = &state.gateways;
    let read = &read;
    let all = futures::stream::iter(device_ids.iter().copied())
        .map(|id| async move {
            let v = match gws.client_for(id).await {
                Ok(gw) => read(gw.clone(), id).await.ok().map(|s| json(&s)),
                Err(_) => None,
            };
            (id, v.unwrap_or(Value::Null))
        })
        .buffered(BEFORE_CONCURRENCY)
        .collect::<Vec<(u32, Value)>>();
    // The write must not wait long for its audit record: past the limit it goes ahead and the
    // entry says the state before was not read.
    let Ok(states) = tokio::time::timeout(BEFORE_LIMIT, all).await else {
        return Some(serde_json::json!({ "unread": "the devices did not answer in time" }));
    };
    Some(Value::Object(
        states
            .into_iter()
            .map(|(id, v)| (id.to_string(), v))
            .collect(),
    ))
}

/// What an audited write says about itself besides its outcome.
struct Write {
    method: &'static str,
    device_ids: Vec<u32>,
    /// The state asked for.
    after: Option<Value>,
    /// The bulk operation this call is a batch of.
    operation_id: Option<String>,
}

impl Write {
    fn new(method: &'static str, device_ids: Vec<u32>) -> Self {
        debug_assert!(Request::is_audited(method), "{method} is not audited");
        Write {
            method,
            device_ids,
            after: None,
            operation_id: None,
        }
    }

    fn after(self, after: Value) -> Self {
        Write {
            after: Some(after),
            ..self
        }
    }

    fn operation(self, operation_id: Option<String>) -> Self {
        Write {
            operation_id,
            ..self
        }
    }
}

/// An audited "read these devices now" (`archive.sync`, `users.sync`): the IDs checked (every
/// device when `None`), the reads queued by `queue`, the request recorded; answers `{}` at once.
async fn queue_reads(
    state: &AppState,
    caller: &Caller,
    method: &'static str,
    device_ids: Option<Vec<u32>>,
    queue: impl FnOnce(Option<&[u32]>),
) -> Result<Reply, RpcError> {
    if let Some(ids) = &device_ids {
        check_device_ids(ids)?;
    }
    let write = Write::new(method, device_ids.clone().unwrap_or_default())
        .after(serde_json::json!({ "deviceIds": device_ids }));
    audited(
        state,
        caller,
        write,
        async { None },
        async {
            queue(device_ids.as_deref());
            Ok(EmptyResult {})
        },
        |_| ok_result(),
    )
    .await?;
    to_value(EmptyResult {})
}

/// The one path of an audited write (the archive was checked writable by [`handle`]): read the
/// state before (capped: [`read_before`]), write, record the outcome — `summary` turns a success
/// into the entry's `results` — and answer.
async fn audited<T, B, W>(
    state: &AppState,
    caller: &Caller,
    write: Write,
    before: B,
    run: W,
    summary: fn(&T) -> Value,
) -> Result<T, RpcError>
where
    B: std::future::Future<Output = Option<Value>>,
    W: std::future::Future<Output = Result<T, RpcError>>,
{
    let before = before.await;
    let answer = run.await;
    record_outcome(state, caller, write, before, &answer, summary).await;
    answer
}

/// Records a write's outcome in the audit trail, unless the relay refused it before it reached
/// a device (nothing changed).
async fn record_outcome<T>(
    state: &AppState,
    caller: &Caller,
    write: Write,
    before: Option<Value>,
    answer: &Result<T, RpcError>,
    summary: fn(&T) -> Value,
) {
    let results = match answer {
        Ok(r) => summary(r),
        Err(e)
            if matches!(
                e.kind(),
                Some(
                    ErrorCode::ValidationFailed
                        | ErrorCode::InvalidParams
                        | ErrorCode::LimitExceeded
                )
            ) && e.data.as_ref().and_then(|d| d.get("grpcCode")).is_none() =>
        {
            return;
        }
        Err(e) => serde_json::json!({ "error": { "code": e.code, "message": e.message } }),
    };
    state
        .audit
        .record(
            state.sync.as_ref(),
            caller,
            audit::Change {
                method: write.method,
                device_ids: write.device_ids,
                before,
                after: write.after,
                results,
                operation_id: write.operation_id,
            },
        )
        .await;
}

/// The `results` of a write whose answer says nothing worth keeping (or must not be kept: a
/// pairing code).
fn ok_result() -> Value {
    serde_json::json!({ "ok": true })
}

/// For an audited account or kiosk change: the account (or kiosk) before and the change asked
/// for, without secrets; `None` for the account reads.
fn account_change(
    auth: Option<&Auth>,
    request: &Request,
) -> Option<(Option<Value>, Option<Value>)> {
    let account = |username: &str| {
        auth.and_then(|a| {
            a.accounts()
                .into_iter()
                .find(|a| a.username == username)
                .map(|a| json(&a))
        })
    };
    use serde_json::json as j;
    Some(match request {
        Request::AccountsCreate(p) => (None, Some(j!({ "username": p.username, "role": p.role }))),
        Request::AccountsSetRole(p) => (
            account(&p.username),
            Some(j!({ "username": p.username, "role": p.role })),
        ),
        Request::AccountsSetPassword(p) => (
            account(&p.username),
            Some(j!({ "username": p.username, "password": "changed" })),
        ),
        Request::AccountsDelete(p) => (account(&p.username), None),
        Request::KioskPair(p) => (None, Some(j!({ "kiosk": p.name }))),
        Request::KioskRevoke(p) => (Some(j!({ "kiosk": p.name })), None),
        _ => return None,
    })
}

/// An `operationId`: 1..=[`MAX_OPERATION_ID_LEN`] bytes of visible ASCII.
fn check_operation_id(id: Option<&str>) -> Result<(), RpcError> {
    match id {
        Some(id)
            if id.is_empty()
                || id.len() > MAX_OPERATION_ID_LEN
                || !id.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            Err(RpcError::invalid_params(format!(
                "operationId must be 1 to {MAX_OPERATION_ID_LEN} visible ASCII characters"
            )))
        }
        _ => Ok(()),
    }
}

fn json<T: Serialize + ?Sized>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// The users of a job-code write: at least one, at most [`MAX_USERS_PER_CALL`], each valid
/// (`tna_types::validate_users`: IDs, at most 16 codes, labels, no repeats).
fn check_users(users: &[UserJobCodes]) -> Result<(), RpcError> {
    if users.is_empty() {
        return Err(RpcError::invalid_params(
            "users must name at least one user",
        ));
    }
    if users.len() > MAX_USERS_PER_CALL {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::UsersPerCall,
            MAX_USERS_PER_CALL as u64,
            users.len() as u64,
        ));
    }
    validate_users(users).map_err(RpcError::validation)
}

/// The user IDs of `jobCodes.get`: each a valid user ID, at most [`MAX_USERS_PER_CALL`].
fn check_user_ids(ids: &[String]) -> Result<(), RpcError> {
    if ids.len() > MAX_USERS_PER_CALL {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::UsersPerCall,
            MAX_USERS_PER_CALL as u64,
            ids.len() as u64,
        ));
    }
    let errors: Vec<FieldError> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| {
            check_user_id(id)
                .err()
                .map(|rule| FieldError::broke(format!("userIds[{i}]"), rule))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(RpcError::validation(errors))
    }
}

/// Each target's failure row where the config names schedules the device lacks (or its schedule
/// list could not be read); read from every device at once. Empty when the config names none.
async fn schedule_refusals(
    gws: &Gateways,
    device_ids: &[u32],
    config: &TnaConfig,
) -> Vec<DeviceResult> {
    if !uses_named_schedules(config) {
        return Vec::new();
    }
    let checks = join_all(device_ids.iter().map(|&id| async move {
        match gws.on_device(id, |gw| gsdk::schedule::list(gw, id)).await {
            Ok(list) => {
                let ids: Vec<u32> = list.iter().map(|s| s.id).collect();
                validate_config(config, Some(&ids)).err().map(|errs| {
                    let msg = errs
                        .first()
                        .map(|e| format!("{}: {}", e.field, e.message))
                        .unwrap_or_default();
                    DeviceResult::failed(id, GRPC_INVALID_ARGUMENT, msg)
                })
            }
            Err(e) => Some(DeviceResult::failed(
                id,
                e.data
                    .as_ref()
                    .and_then(|d| d["grpcCode"].as_i64())
                    .unwrap_or(2) as i32,
                e.message,
            )),
        }
    }))
    .await;
    checks.into_iter().flatten().collect()
}

/// For a request already checked (device IDs, the config itself) and its devices `refused` by
/// [`schedule_refusals`] (they get their own failure row and are not written): writes the rest
/// in one `SetConfigMulti` call per gateway (all gateways at once). Results come back in request
/// order.
async fn set_config_multi(
    gws: &Gateways,
    p: SetConfigMultiParams,
    refused: Vec<DeviceResult>,
) -> Result<Vec<DeviceResult>, RpcError> {
    let refused_ids: HashSet<u32> = refused.iter().map(|r| r.device_id).collect();
    let targets: Vec<u32> = p
        .device_ids
        .iter()
        .copied()
        .filter(|id| !refused_ids.contains(id))
        .collect();
    let written = if targets.is_empty() {
        Vec::new()
    } else {
        let config = &p.config;
        gws.per_site(&targets, |gw, ids| async move {
            gsdk::tna::set_config_multi(gw, &ids, config).await
        })
        .await?
    };
    let mut by_id: std::collections::HashMap<u32, DeviceResult> = refused
        .into_iter()
        .chain(written)
        .map(|r| (r.device_id, r))
        .collect();
    Ok(p.device_ids
        .iter()
        .filter_map(|id| by_id.remove(id))
        .collect())
}

fn uses_named_schedules(c: &TnaConfig) -> bool {
    c.schedules
        .iter()
        .any(|&s| s > tna_types::limits::SCHEDULE_ALWAYS)
}

fn check_device_ids(ids: &[u32]) -> Result<(), RpcError> {
    if ids.is_empty() {
        return Err(RpcError::invalid_params(
            "deviceIds must name at least one device",
        ));
    }
    if ids.len() > MAX_DEVICES_PER_CALL {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::DevicesPerCall,
            MAX_DEVICES_PER_CALL as u64,
            ids.len() as u64,
        ));
    }
    let mut seen = HashSet::with_capacity(ids.len());
    if let Some(dup) = ids.iter().find(|id| !seen.insert(**id)) {
        return Err(RpcError::invalid_params(format!(
            "deviceIds names device {dup} twice"
        )));
    }
    Ok(())
}

fn check_page(p: &LogPageParams) -> Result<(), RpcError> {
    if p.limit == 0 {
        // 0 would mean "read everything" to the gateway, which times out on big devices.
        return Err(RpcError::invalid_params("limit must be at least 1"));
    }
    if p.limit > MAX_LOG_PAGE {
        return Err(RpcError::limit_exceeded(
            tna_types::protocol::Limit::LogPage,
            MAX_LOG_PAGE.into(),
            p.limit.into(),
        ));
    }
    Ok(())
}

/// Encodes a typed result straight to JSON text (no intermediate `Value` tree: for log pages
/// that tree costs more than the records).
fn to_value<T: Serialize>(v: T) -> Result<Reply, RpcError> {
    raw_json(&v).map(Reply::Json)
}

/// `v` as an encoded `result` object.
fn raw_json<T: Serialize>(v: &T) -> Result<Box<RawValue>, RpcError> {
    serde_json::value::to_raw_value(v).map_err(|e| encode_failed(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_id_rules() {
        assert_eq!(
            check_device_ids(&[]).unwrap_err().kind(),
            Some(ErrorCode::InvalidParams)
        );
        assert_eq!(
            check_device_ids(&[1, 2, 1]).unwrap_err().kind(),
            Some(ErrorCode::InvalidParams)
        );
        let many: Vec<u32> = (0..=MAX_DEVICES_PER_CALL as u32).collect();
        assert_eq!(
            check_device_ids(&many).unwrap_err().kind(),
            Some(ErrorCode::LimitExceeded)
        );
        assert!(check_device_ids(&[1, 2]).is_ok());
    }

    #[test]
    fn page_rules() {
        let p = |limit| LogPageParams {
            device_id: 1,
            start_event_id: 0,
            limit,
        };
        assert_eq!(
            check_page(&p(0)).unwrap_err().kind(),
            Some(ErrorCode::InvalidParams)
        );
        assert_eq!(
            check_page(&p(MAX_LOG_PAGE + 1)).unwrap_err().kind(),
            Some(ErrorCode::LimitExceeded)
        );
        assert!(check_page(&p(MAX_LOG_PAGE)).is_ok());
    }
}
