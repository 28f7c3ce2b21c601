//! One typed function per protocol method: what pages call.

use tna_types::logs::LogPage;
use tna_types::protocol::method::{
    DevicesCapabilities, DevicesList, EventsSubscribe, EventsUnsubscribe, SchedulesList,
    SystemGetTimeZone, TnaGetConfig, TnaGetJobCodeLog, TnaGetLog, TnaSetConfig, TnaSetConfigMulti,
};
use tna_types::protocol::{
    DeviceParams, LogPageParams, NoParams, SetConfigMultiParams, SetConfigParams, SubscribeParams,
    SubscribeResult, UnsubscribeParams,
};
use tna_types::{
    Device, DeviceCapabilities, DeviceResult, JobCodeLog, Schedule, TnaConfig, TnaLog,
};

use super::{ApiClient, ApiError};

impl ApiClient {
    /// `devices.list`: every device of every gateway.
    pub async fn list_devices(self) -> Result<Vec<Device>, ApiError> {
        Ok(self.call::<DevicesList>(NoParams {}).await?.devices)
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
    pub async fn set_config_multi(
        self,
        device_ids: Vec<u32>,
        config: TnaConfig,
    ) -> Result<Vec<DeviceResult>, ApiError> {
        Ok(self
            .call::<TnaSetConfigMulti>(SetConfigMultiParams { device_ids, config })
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

    /// `events.unsubscribe`.
    pub async fn unsubscribe_events(self, subscription_id: u64) -> Result<(), ApiError> {
        self.call::<EventsUnsubscribe>(UnsubscribeParams { subscription_id })
            .await
            .map(|_| ())
    }
}
