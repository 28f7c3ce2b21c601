//! One typed function per protocol method: what pages call.

use tna_types::logs::LogPage;
use tna_types::protocol::method::{
    DevicesCapabilities, DevicesList, DevicesSetInfo, EventsSubscribe, EventsUnsubscribe,
    JobCodesGet, JobCodesSet, JobCodesSetMulti, SchedulesList, SystemGetJobCodeUse,
    SystemGetTimeZone, SystemSetJobCodeUse, TnaGetConfig, TnaGetJobCodeLog, TnaGetLog,
    TnaSetConfig, TnaSetConfigMulti, UsersGet, UsersList,
};
use tna_types::protocol::{
    DeviceParams, DevicesResult, GetJobCodesParams, LogPageParams, NoParams, SetConfigMultiParams,
    SetConfigParams, SetJobCodeUseParams, SetJobCodesMultiParams, SetJobCodesParams,
    SubscribeParams, SubscribeResult, UnsubscribeParams,
};
use tna_types::{
    Device, DeviceCapabilities, DeviceInfo, DeviceResult, JobCodeLog, Schedule, TnaConfig, TnaLog,
    UserJobCodes,
};

use super::{ApiClient, ApiError};

impl ApiClient {
    /// `devices.list`: every device of every gateway.
    pub async fn list_devices(self) -> Result<Vec<Device>, ApiError> {
        Ok(self.call::<DevicesList>(NoParams {}).await?.devices)
    }

    /// `devices.list` with how each gateway (site) answered, for the devices page.
    pub async fn list_devices_and_sites(self) -> Result<DevicesResult, ApiError> {
        self.call::<DevicesList>(NoParams {}).await
    }

    /// `devices.setInfo`: a device's name, location and tags (what the relay now keeps).
    pub async fn set_device_info(self, info: DeviceInfo) -> Result<DeviceInfo, ApiError> {
        Ok(self.call::<DevicesSetInfo>(info).await?.info)
    }

    /// `users.get`: the directory's entries of these users (unknown IDs left out).
    pub async fn get_users(
        self,
        user_ids: Vec<String>,
    ) -> Result<Vec<tna_types::users::DirectoryUser>, ApiError> {
        Ok(self
            .call::<UsersGet>(tna_types::users::UsersGetParams { user_ids })
            .await?
            .users)
    }

    /// `users.list`: one page of the directory matching `query` (ID prefix or part of a name).
    pub async fn list_users(
        self,
        query: Option<String>,
        limit: u32,
        after: Option<String>,
    ) -> Result<tna_types::users::UsersPage, ApiError> {
        self.call::<UsersList>(tna_types::users::UsersListParams {
            query,
            limit,
            after,
        })
        .await
    }

    /// `devices.capabilities`: what one device can do.
    pub async fn device_capabilities(self, device_id: u32) -> Result<DeviceCapabilities, ApiError> {
        Ok(self
            .call::<DevicesCapabilities>(DeviceParams { device_id })
            .await?
            .capabilities)
    }

    /// `schedules.list`: the schedules a device holds ("Always" = ID 1 included).
    pub async fn list_schedules(self, device_id: u32) -> Result<Vec<Schedule>, ApiError> {
        Ok(self
            .call::<SchedulesList>(DeviceParams { device_id })
            .await?
            .schedules)
    }

    /// `tna.getConfig`: a device's T&A config.
    pub async fn get_config(self, device_id: u32) -> Result<TnaConfig, ApiError> {
        Ok(self
            .call::<TnaGetConfig>(DeviceParams { device_id })
            .await?
            .config)
    }

    /// `tna.setConfig`: writes a config; returns it as re-read from the device.
    pub async fn set_config(
        self,
        device_id: u32,
        config: TnaConfig,
    ) -> Result<TnaConfig, ApiError> {
        Ok(self
            .call::<TnaSetConfig>(SetConfigParams { device_id, config })
            .await?
            .config)
    }

    /// `tna.setConfigMulti`: one config to many devices; one result per device, in order.
    /// Batches of one bulk apply carry the same `operation_id`, so the audit trail holds the
    /// apply as one entry.
    pub async fn set_config_multi(
        self,
        device_ids: Vec<u32>,
        config: TnaConfig,
        operation_id: Option<String>,
    ) -> Result<Vec<DeviceResult>, ApiError> {
        Ok(self
            .call::<TnaSetConfigMulti>(SetConfigMultiParams {
                device_ids,
                config,
                operation_id,
            })
            .await?
            .results)
    }

    /// `tna.getLog`: one cursor page of T&A logs.
    pub async fn get_log(
        self,
        device_id: u32,
        start_event_id: u32,
        limit: u32,
    ) -> Result<LogPage<TnaLog>, ApiError> {
        self.call::<TnaGetLog>(LogPageParams {
            device_id,
            start_event_id,
            limit,
        })
        .await
    }

    /// `tna.getJobCodeLog`: one cursor page of job-code logs.
    pub async fn get_job_code_log(
        self,
        device_id: u32,
        start_event_id: u32,
        limit: u32,
    ) -> Result<LogPage<JobCodeLog>, ApiError> {
        self.call::<TnaGetJobCodeLog>(LogPageParams {
            device_id,
            start_event_id,
            limit,
        })
        .await
    }

    /// `jobCodes.get`: the job codes of the given users (all users when empty).
    pub async fn get_job_codes(
        self,
        device_id: u32,
        user_ids: Vec<String>,
    ) -> Result<Vec<UserJobCodes>, ApiError> {
        Ok(self
            .call::<JobCodesGet>(GetJobCodesParams {
                device_id,
                user_ids,
            })
            .await?
            .users)
    }

    /// `jobCodes.set`: replaces the job codes of the listed users on one device.
    pub async fn set_job_codes(
        self,
        device_id: u32,
        users: Vec<UserJobCodes>,
    ) -> Result<(), ApiError> {
        self.call::<JobCodesSet>(SetJobCodesParams { device_id, users })
            .await
            .map(|_| ())
    }

    /// `jobCodes.setMulti`: the users' job codes to many devices; one result per device.
    pub async fn set_job_codes_multi(
        self,
        device_ids: Vec<u32>,
        users: Vec<UserJobCodes>,
    ) -> Result<Vec<DeviceResult>, ApiError> {
        Ok(self
            .call::<JobCodesSetMulti>(SetJobCodesMultiParams {
                device_ids,
                users,
                operation_id: None,
            })
            .await?
            .results)
    }

    /// `system.getJobCodeUse`: whether the device asks for job codes.
    pub async fn job_code_use(self, device_id: u32) -> Result<bool, ApiError> {
        Ok(self
            .call::<SystemGetJobCodeUse>(DeviceParams { device_id })
            .await?
            .enabled)
    }

    /// `system.setJobCodeUse`: switches it; returns the re-read value.
    pub async fn set_job_code_use(self, device_id: u32, enabled: bool) -> Result<bool, ApiError> {
        Ok(self
            .call::<SystemSetJobCodeUse>(SetJobCodeUseParams { device_id, enabled })
            .await?
            .enabled)
    }
    /// `system.getTimeZone`: the device's time zone, seconds east of UTC.
    pub async fn get_time_zone(self, device_id: u32) -> Result<i32, ApiError> {
        Ok(self
            .call::<SystemGetTimeZone>(DeviceParams { device_id })
            .await?
            .time_zone)
    }

    /// `events.subscribe`: live events of the devices, as `events.log` / `events.gap` pushes.
    pub async fn subscribe_events(self, device_ids: Vec<u32>) -> Result<SubscribeResult, ApiError> {
        self.call::<EventsSubscribe>(SubscribeParams { device_ids })
            .await
    }

    /// `time.get`: the devices' clocks, one row per device.
    pub async fn get_clocks(
        self,
        device_ids: Vec<u32>,
    ) -> Result<Vec<tna_types::protocol::DeviceClock>, ApiError> {
        Ok(self
            .call::<tna_types::protocol::method::TimeGet>(tna_types::protocol::DeviceIdsParams {
                device_ids,
            })
            .await?
            .clocks)
    }

    /// `time.sync`: sets the devices' clocks to the relay's UTC time; one result per device.
    pub async fn sync_time(self, device_ids: Vec<u32>) -> Result<Vec<DeviceResult>, ApiError> {
        Ok(self
            .call::<tna_types::protocol::method::TimeSync>(tna_types::protocol::DeviceIdsParams {
                device_ids,
            })
            .await?
            .results)
    }

    /// `time.getZones`: each device's time-zone settings and their verdict against its site's
    /// zone for this year and the next.
    pub async fn get_zones(
        self,
        device_ids: Vec<u32>,
    ) -> Result<Vec<tna_types::dst::DeviceZone>, ApiError> {
        Ok(self
            .call::<tna_types::protocol::method::TimeGetZones>(
                tna_types::protocol::DeviceIdsParams { device_ids },
            )
            .await?
            .devices)
    }

    /// `time.fixZones`: writes each device's zone settings from its site's zone rules (with
    /// `dry_run`, only what would change); one row per device, re-read after a write.
    pub async fn fix_zones(
        self,
        device_ids: Vec<u32>,
        dry_run: bool,
    ) -> Result<tna_types::dst::FixZonesResult, ApiError> {
        self.call::<tna_types::protocol::method::TimeFixZones>(tna_types::dst::FixZonesParams {
            device_ids,
            dry_run,
        })
        .await
    }

    /// `events.unsubscribe`.
    pub async fn unsubscribe_events(self, subscription_id: u64) -> Result<(), ApiError> {
        self.call::<EventsUnsubscribe>(UnsubscribeParams { subscription_id })
            .await
            .map(|_| ())
    }

    /// `archive.status`: the archive's backend and every (device, stream) sync cursor.
    pub async fn archive_status(
        self,
    ) -> Result<tna_types::protocol::ArchiveStatusResult, ApiError> {
        self.call::<tna_types::protocol::method::ArchiveStatus>(NoParams {})
            .await
    }

    /// `archive.sync`: queues a sync of the devices now (every device when `None`).
    pub async fn archive_sync(self, device_ids: Option<Vec<u32>>) -> Result<(), ApiError> {
        self.call::<tna_types::protocol::method::ArchiveSync>(
            tna_types::protocol::ArchiveSyncParams { device_ids },
        )
        .await
        .map(|_| ())
    }

    /// `timecards.get`: the timecards of the days `from..=to` (`YYYY-MM-DD`), optionally of one
    /// user, by the relay's policy.
    pub async fn get_timecards(
        self,
        from: String,
        to: String,
        user_id: Option<String>,
    ) -> Result<tna_types::protocol::TimecardsResult, ApiError> {
        self.call::<tna_types::protocol::method::TimecardsGet>(
            tna_types::protocol::TimecardsParams { from, to, user_id },
        )
        .await
    }

    /// `timecards.getPolicy`: the timecard policy in force.
    pub async fn get_timecard_policy(
        self,
    ) -> Result<tna_types::timecard::TimecardPolicy, ApiError> {
        Ok(self
            .call::<tna_types::protocol::method::TimecardsGetPolicy>(NoParams {})
            .await?
            .policy)
    }

    /// `timecards.setPolicy`: replaces the policy (admin); returns it as stored.
    pub async fn set_timecard_policy(
        self,
        policy: tna_types::timecard::TimecardPolicy,
    ) -> Result<tna_types::timecard::TimecardPolicy, ApiError> {
        Ok(self
            .call::<tna_types::protocol::method::TimecardsSetPolicy>(
                tna_types::protocol::PolicyParams { policy },
            )
            .await?
            .policy)
    }

    /// `audit.list`: one page of the audit trail, newest first (admin).
    pub async fn list_audit(
        self,
        query: tna_types::archive::AuditQuery,
    ) -> Result<Vec<tna_types::archive::AuditEntry>, ApiError> {
        Ok(self
            .call::<tna_types::protocol::method::AuditList>(query)
            .await?
            .entries)
    }

    /// `archive.logs`: one page of archived T&A events across devices (time range, user,
    /// devices), in (timestamp, device, epoch, ID) order; `next` continues it.
    pub async fn archive_logs(
        self,
        query: tna_types::archive::LogQuery,
    ) -> Result<tna_types::archive::QueryPage<tna_types::archive::ArchivedTnaLog>, ApiError> {
        self.call::<tna_types::protocol::method::ArchiveLogs>(query)
            .await
    }

    /// `archive.jobCodeLogs`: one page of archived job-code events, like [`Self::archive_logs`].
    pub async fn archive_job_code_logs(
        self,
        query: tna_types::archive::LogQuery,
    ) -> Result<tna_types::archive::QueryPage<tna_types::archive::ArchivedJobCodeLog>, ApiError>
    {
        self.call::<tna_types::protocol::method::ArchiveJobCodeLogs>(query)
            .await
    }
}
