//! `gsdk.connect.Connect`: the device list and the connection-status stream.

use gsdk_proto::connect::connect_server::Connect;
use gsdk_proto::connect::{
    ConnectionMode, DeviceInfo, GetDeviceListRequest, GetDeviceListResponse, Status as ConnStatus,
    StatusChange, SubscribeStatusRequest,
};
use tonic::{Request, Response, Status};

use crate::Gateway;
use crate::fanout::SubscriberStream;
use crate::seed::DEVICE_PORT;

/// The Connect service over the simulated devices.
pub(crate) struct ConnectService {
    gw: Gateway,
}

impl ConnectService {
    /// Serves `gw`.
    pub(crate) fn new(gw: Gateway) -> Self {
        ConnectService { gw }
    }
}

#[tonic::async_trait]
impl Connect for ConnectService {
    async fn get_device_list(
        &self,
        _req: Request<GetDeviceListRequest>,
    ) -> Result<Response<GetDeviceListResponse>, Status> {
        let device_infos = self
            .gw
            .slots()
            .iter()
            .map(|s| DeviceInfo {
                device_id: s.profile.id,
                r#type: s.profile.model.ty as i32,
                connection_mode: ConnectionMode::ServerToDevice as i32,
                ip_addr: s.profile.ip.clone(),
                port: DEVICE_PORT,
                status: if s.online() {
                    ConnStatus::TlsConnected
                } else {
                    ConnStatus::Disconnected
                } as i32,
                auto_reconnect: true,
                use_ssl: true,
            })
            .collect();
        Ok(Response::new(GetDeviceListResponse { device_infos }))
    }

    type SubscribeStatusStream = SubscriberStream<StatusChange>;

    async fn subscribe_status(
        &self,
        req: Request<SubscribeStatusRequest>,
    ) -> Result<Response<Self::SubscribeStatusStream>, Status> {
        let queue = req.get_ref().queue_size;
        Ok(Response::new(
            self.gw.shared.status.subscribe(queue, Box::new(|_| true)),
        ))
    }
}
