//! `gsdk.device`: capabilities, and what a device type tells about its keypad or screen.

use gsdk_proto::device::{GetCapabilityInfoRequest, Type, device_client::DeviceClient};
use tna_types::DeviceCapabilities;
use tna_types::protocol::RpcError;

use super::{GatewayClient, call, request};

/// A device's capabilities (cached: they do not change while the device lives).
pub async fn capabilities(
    gw: &GatewayClient,
    device_id: u32,
) -> Result<DeviceCapabilities, RpcError> {
    if let Some(c) = gw.cached_capabilities(device_id) {
        return Ok(c);
    }
    let mut client = DeviceClient::new(gw.channel());
    let resp = call(
        gw,
        gw.call_timeout,
        Some(device_id),
        client.get_capability_info(request(
            GetCapabilityInfoRequest { device_id },
            gw.call_timeout,
        )),
    )
    .await?;
    let info = resp.cap_info.unwrap_or_default();
    let caps = DeviceCapabilities {
        device_id,
        tna_supported: info.tna_supported,
        job_code_supported: info.job_code_supported,
        has_keypad: has_keypad(info.r#type),
    };
    gw.cache_capabilities(&caps);
    Ok(caps)
}

/// The G-SDK type name (`BIOSTATION_A2`), or `TYPE_0x..` for a type this build does not know.
pub fn type_name(t: i32) -> String {
    match Type::try_from(t) {
        Ok(ty) => ty.as_str_name().to_string(),
        Err(_) => format!("TYPE_0x{t:02X}"),
    }
}

/// Whether a device of this type has a keypad or touch screen on which a user can pick a T&A key
/// (By user / Last choice modes need one). `None` where the model is not known here.
pub fn has_keypad(t: i32) -> Option<bool> {
    use Type::*;
    let ty = Type::try_from(t).ok()?;
    match ty {
        BiostationA2 | Biostation2 | BiostationL2 | Biostation3 | Biostation2a | Facestation2
        | FacestationF2 | FacestationF2Fp | BioliteNet | BioliteN2 | XpassD2Keypad
        | XpassD2KeypadRev | Xpass2Keypad | Facelite | Xstation2 | Xstation2Qr | Xstation2Fp => {
            Some(true)
        }
        BioentryPlus | BioentryW | BioentryW2 | BioentryP2 | BioentryR2 | BioentryW3 | Xpass
        | XpassS2 | XpassS3 | Xpass2 | XpassD2 | XpassD2Rev | SecureIo2 | DoorModule20
        | DoorModule21 | IoDevice | OutputModule | InputModule | Corestation40 | Corestation20
        | DoorInterface24 | Rs485Slave | Im120 => Some(false),
        Undefined | Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keypads() {
        assert_eq!(type_name(Type::BiostationA2 as i32), "BIOSTATION_A2");
        assert_eq!(type_name(0x77), "TYPE_0x77");
        assert_eq!(has_keypad(Type::XpassD2 as i32), Some(false));
        assert_eq!(has_keypad(Type::XpassD2Keypad as i32), Some(true));
        assert_eq!(has_keypad(0x77), None);
    }
}
