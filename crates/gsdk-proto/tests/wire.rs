//! Wire-level checks: messages encoded by the generated code must equal protobuf bytes written
//! by hand from the documented V1.8.0 field numbers, so a wrong field number, type or enum value
//! in our .proto files fails here rather than against a real gateway.

use gsdk_proto::err::{ErrorResponse, MultiErrorResponse};
use gsdk_proto::prost::Message;
use gsdk_proto::{connect, device, event, google_rpc, system, tna, user};

/// Tag byte(s) for (field, wire type): varint = 0, length-delimited = 2.
const VARINT: u8 = 0;
const LEN: u8 = 2;
fn tag(field: u8, wire: u8) -> u8 {
    (field << 3) | wire
}

#[test]
fn tna_config_bytes() {
    let cfg = tna::TnaConfig {
        mode: tna::Mode::Fixed as i32,
        key: tna::Key::Key3 as i32,
        is_required: true,
        schedules: vec![0, 1, 300],
        labels: vec!["In".into(), "퇴근".into()],
    };
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        tag(1, VARINT), 0x04,                         // mode = FIXED (4)
        tag(2, VARINT), 0x03,                         // key = KEY_3
        tag(3, VARINT), 0x01,                         // isRequired = true
        tag(4, LEN), 0x04, 0x00, 0x01, 0xAC, 0x02,    // schedules, packed: 0, 1, 300
        tag(5, LEN), 0x02, b'I', b'n',                // labels[0]
        tag(5, LEN), 0x06, 0xED, 0x87, 0xB4, 0xEA, 0xB7, 0xBC, // labels[1] = "퇴근" (UTF-8)
    ];
    assert_eq!(cfg.encode_to_vec(), expected);
    assert_eq!(tna::TnaConfig::decode(expected.as_slice()), Ok(cfg));
}

#[test]
fn mode_and_key_enum_values() {
    assert_eq!(tna::Mode::Unused as i32, 0);
    assert_eq!(tna::Mode::ByUser as i32, 1);
    assert_eq!(tna::Mode::BySchedule as i32, 2);
    assert_eq!(tna::Mode::LastChoice as i32, 3);
    assert_eq!(tna::Mode::Fixed as i32, 4);
    assert_eq!(tna::Key::Unspecified as i32, 0);
    assert_eq!(tna::Key::Key1 as i32, 1);
    assert_eq!(tna::Key::Key16 as i32, 16);
    // The gateway hides a constant in the Key enum; it must decode, and is not a key.
    assert_eq!(tna::Key::try_from(48), Ok(tna::Key::MaxTnaLabelLength));
}

#[test]
fn tna_log_bytes() {
    let log = tna::TnaLog {
        id: 150,
        timestamp: 1_700_000_000,
        device_id: 540_000_001,
        user_id: "1001".into(),
        event_code: 0x1000,
        sub_code: 1,
        tna_key: tna::Key::Key2 as i32,
    };
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        tag(1, VARINT), 0x96, 0x01,                          // ID = 150
        tag(2, VARINT), 0x80, 0xE2, 0xCF, 0xAA, 0x06,        // timestamp
        tag(3, VARINT), 0x81, 0xFE, 0xBE, 0x81, 0x02,        // deviceID
        tag(4, LEN), 0x04, b'1', b'0', b'0', b'1',           // userID
        tag(5, VARINT), 0x80, 0x20,                          // eventCode = 0x1000
        tag(6, VARINT), 0x01,                                // subCode
        tag(7, VARINT), 0x02,                                // TNAKey = KEY_2 (field 7 since V1.2)
    ];
    assert_eq!(log.encode_to_vec(), expected);
}

#[test]
fn job_code_log_bytes() {
    let log = tna::JobCodeLog {
        id: 150,
        timestamp: 1_700_000_000,
        device_id: 540_000_001,
        user_id: "1001".into(),
        event_code: 0x1000,
        sub_code: 1,
        job_code: 77,
    };
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        tag(1, VARINT), 0x96, 0x01,
        tag(2, VARINT), 0x80, 0xE2, 0xCF, 0xAA, 0x06,
        tag(3, VARINT), 0x81, 0xFE, 0xBE, 0x81, 0x02,
        tag(4, LEN), 0x04, b'1', b'0', b'0', b'1',
        tag(5, VARINT), 0x80, 0x20,
        tag(6, VARINT), 0x01,
        tag(7, VARINT), 0x4D,                                // jobCode = 77
    ];
    assert_eq!(log.encode_to_vec(), expected);
}

#[test]
fn log_request_bytes() {
    let req = tna::GetTnaLogRequest {
        device_id: 7,
        start_event_id: 300,
        max_num_of_log: 16,
        filter: None,
    };
    assert_eq!(
        req.encode_to_vec(),
        vec![
            tag(1, VARINT),
            0x07,
            tag(2, VARINT),
            0xAC,
            0x02,
            tag(3, VARINT),
            0x10
        ]
    );
}

fn sample_multi() -> (MultiErrorResponse, Vec<u8>) {
    let multi = MultiErrorResponse {
        device_errors: vec![
            ErrorResponse {
                device_id: 7,
                code: 14,
                msg: "offline".into(),
            },
            ErrorResponse {
                device_id: 9,
                code: 3,
                msg: "bad".into(),
            },
        ],
    };
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        tag(1, LEN), 13,                                     // deviceErrors[0]
            tag(1, VARINT), 0x07,                            //   deviceID
            tag(2, VARINT), 0x0E,                            //   code = UNAVAILABLE (14)
            tag(3, LEN), 0x07, b'o', b'f', b'f', b'l', b'i', b'n', b'e',
        tag(1, LEN), 9,                                      // deviceErrors[1]
            tag(1, VARINT), 0x09,
            tag(2, VARINT), 0x03,                            //   code = INVALID_ARGUMENT (3)
            tag(3, LEN), 0x03, b'b', b'a', b'd',
    ];
    (multi, expected)
}

#[test]
fn multi_error_response_bytes() {
    let (multi, expected) = sample_multi();
    assert_eq!(multi.encode_to_vec(), expected);
    assert_eq!(MultiErrorResponse::decode(expected.as_slice()), Ok(multi));
}

#[test]
fn multi_error_inside_google_rpc_status() {
    let (multi, inner) = sample_multi();
    let st = google_rpc::Status {
        code: 2,
        message: "x".into(),
        details: vec![gsdk_proto::prost_types::Any {
            type_url: gsdk_proto::MULTI_ERROR_TYPE_URL.into(),
            value: multi.encode_to_vec(),
        }],
    };
    let url = gsdk_proto::MULTI_ERROR_TYPE_URL.as_bytes();
    let mut any = vec![tag(1, LEN), url.len() as u8];
    any.extend_from_slice(url);
    any.extend_from_slice(&[tag(2, LEN), inner.len() as u8]);
    any.extend_from_slice(&inner);
    let mut expected = vec![
        tag(1, VARINT),
        0x02,
        tag(2, LEN),
        0x01,
        b'x',
        tag(3, LEN),
        any.len() as u8,
    ];
    expected.extend_from_slice(&any);
    assert_eq!(st.encode_to_vec(), expected);
}

#[test]
fn capability_info_uses_v1_8_numbers() {
    let cap = device::CapabilityInfo {
        tna_supported: true,
        job_code_supported: true,
        ..Default::default()
    };
    // TNASupported = field 16, jobCodeSupported = field 17 (V1.6 used 30 and 31).
    assert_eq!(
        cap.encode_to_vec(),
        vec![0x80, 0x01, 0x01, 0x88, 0x01, 0x01]
    );
}

#[test]
fn device_info_type_is_field_8() {
    let info = connect::DeviceInfo {
        device_id: 1,
        r#type: device::Type::BiostationA2 as i32,
        status: connect::Status::TlsConnected as i32,
        ..Default::default()
    };
    assert_eq!(
        info.encode_to_vec(),
        vec![
            tag(1, VARINT),
            0x01,
            tag(5, VARINT),
            0x02,
            tag(8, VARINT),
            0x09
        ]
    );
    assert_eq!(connect::Status::TlsCannotConnect as i32, 0x200);
}

#[test]
fn event_log_key_and_system_job_code_fields() {
    let ev = event::EventLog {
        tna_key: tna::Key::Key4 as i32,
        event_code: 0x1300,
        ..Default::default()
    };
    assert_eq!(
        ev.encode_to_vec(),
        vec![tag(6, VARINT), 0x80, 0x26, tag(8, VARINT), 0x04]
    );
    let sys = system::SystemConfig {
        use_job_code: true,
        time_zone: -18000,
        ..Default::default()
    };
    // timeZone is int32: negative values take ten varint bytes.
    let mut expected = vec![
        tag(1, VARINT),
        0xB0,
        0xF3,
        0xFE,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0x01,
    ];
    expected.extend_from_slice(&[tag(6, VARINT), 0x01]);
    assert_eq!(sys.encode_to_vec(), expected);
}

#[test]
fn time_messages_use_v1_8_numbers() {
    use gsdk_proto::time;
    // GetResponse.GMTTime = 1 (uint64): 1,700,000,000 = 0x6553F100.
    let got = time::GetResponse {
        gmt_time: 1_700_000_000,
    };
    assert_eq!(
        got.encode_to_vec(),
        vec![tag(1, VARINT), 0x80, 0xE2, 0xCF, 0xAA, 0x06]
    );
    // SetMultiRequest: deviceIDs = 1 (packed), GMTTime = 2.
    let set = time::SetMultiRequest {
        device_i_ds: vec![5, 300],
        gmt_time: 1,
    };
    assert_eq!(
        set.encode_to_vec(),
        vec![tag(1, LEN), 3, 0x05, 0xAC, 0x02, tag(2, VARINT), 0x01]
    );
    // TimeConfig: timeZone = 1 (int32, negative → 10-byte varint), syncWithServer = 2.
    let cfg = time::TimeConfig {
        time_zone: -18_000,
        sync_with_server: true,
    };
    let mut want = vec![
        tag(1, VARINT),
        0xB0,
        0xF3,
        0xFE,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0x01,
    ];
    want.extend([tag(2, VARINT), 0x01]);
    assert_eq!(cfg.encode_to_vec(), want);
}

#[test]
fn time_config_writes_and_enum() {
    use gsdk_proto::time;
    // SetConfigRequest: deviceID = 1, config = 2 (TimeConfig { timeZone = 1 }): +3600 s.
    let set = time::SetConfigRequest {
        device_id: 7,
        config: Some(time::TimeConfig {
            time_zone: 3_600,
            sync_with_server: false,
        }),
    };
    assert_eq!(
        set.encode_to_vec(),
        vec![
            tag(1, VARINT),
            0x07,
            tag(2, LEN),
            3,
            tag(1, VARINT),
            0x90,
            0x1C
        ]
    );
    // SetConfigMultiRequest: deviceIDs = 1 (packed), config = 2.
    let multi = time::SetConfigMultiRequest {
        device_i_ds: vec![5, 300],
        config: Some(time::TimeConfig {
            time_zone: 0,
            sync_with_server: true,
        }),
    };
    assert_eq!(
        multi.encode_to_vec(),
        vec![
            tag(1, LEN),
            3,
            0x05,
            0xAC,
            0x02,
            tag(2, LEN),
            2,
            tag(2, VARINT),
            0x01
        ]
    );
    // The Multi response's deviceErrors is field 1, like every other Multi response.
    let (errs, inner) = sample_multi();
    let resp = time::SetConfigMultiResponse {
        device_errors: errs.device_errors.clone(),
    };
    assert_eq!(resp.encode_to_vec(), inner);
    let resp = time::SetDstConfigMultiResponse {
        device_errors: errs.device_errors,
    };
    assert_eq!(resp.encode_to_vec(), inner);
    // gsdk.time.Enum: the DST offset bounds and the schedule count.
    assert_eq!(time::Enum::MinDstOffset as i32, -7_200);
    assert_eq!(time::Enum::MaxDstOffset as i32, 7_200);
    assert_eq!(time::Enum::MaxDstSchedules as i32, 2);
}

#[test]
fn month_ordinal_weekday_values() {
    use gsdk_proto::time::{Month, Ordinal, Weekday};
    assert_eq!(Month::January as i32, 0);
    assert_eq!(Month::March as i32, 2);
    assert_eq!(Month::October as i32, 9);
    assert_eq!(Month::December as i32, 11);
    assert_eq!(Ordinal::First as i32, 0);
    assert_eq!(Ordinal::Second as i32, 1);
    assert_eq!(Ordinal::Fifth as i32, 4);
    assert_eq!(Ordinal::Tenth as i32, 9);
    assert_eq!(Ordinal::Last as i32, -1);
    assert_eq!(Weekday::Sunday as i32, 0);
    assert_eq!(Weekday::Monday as i32, 1);
    assert_eq!(Weekday::Saturday as i32, 6);
}

#[test]
fn dst_config_bytes() {
    use gsdk_proto::time::{
        DstConfig, DstSchedule, GetDstConfigResponse, Month, Ordinal, SetDstConfigMultiRequest,
        WeekTime, Weekday,
    };
    // Last Sunday of March 2026, 01:00:00 → last Sunday of October 2026, 01:00:00, +1 h.
    let start = WeekTime {
        year: 2026,
        month: Month::March as i32,
        ordinal: Ordinal::Last as i32,
        weekday: Weekday::Sunday as i32,
        hour: 1,
        minute: 0,
        second: 0,
    };
    #[rustfmt::skip]
    let start_bytes: Vec<u8> = vec![
        tag(1, VARINT), 0xEA, 0x0F,                          // year = 2026 (0x7EA)
        tag(2, VARINT), 0x02,                                // month = MARCH (2)
        tag(3, VARINT), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,        // ordinal = LAST (-1): an int32
            0xFF, 0xFF, 0xFF, 0xFF, 0x01,                    //   enum, ten varint bytes
        // weekday = SUNDAY (0) and minute/second 0 are defaults: not on the wire
        tag(5, VARINT), 0x01,                                // hour = 1
    ];
    assert_eq!(start.encode_to_vec(), start_bytes);
    let end = WeekTime {
        year: 2026,
        month: Month::October as i32,
        ordinal: Ordinal::Second as i32,
        weekday: Weekday::Saturday as i32,
        hour: 23,
        minute: 30,
        second: 15,
    };
    #[rustfmt::skip]
    let end_bytes: Vec<u8> = vec![
        tag(1, VARINT), 0xEA, 0x0F,
        tag(2, VARINT), 0x09,                                // month = OCTOBER (9)
        tag(3, VARINT), 0x01,                                // ordinal = SECOND (1)
        tag(4, VARINT), 0x06,                                // weekday = SATURDAY (6)
        tag(5, VARINT), 0x17,                                // hour = 23
        tag(6, VARINT), 0x1E,                                // minute = 30
        tag(7, VARINT), 0x0F,                                // second = 15
    ];
    assert_eq!(end.encode_to_vec(), end_bytes);
    let schedule = DstSchedule {
        start_time: Some(start),
        end_time: Some(end),
        time_offset: -1_800,
    };
    let mut schedule_bytes = vec![tag(1, LEN), start_bytes.len() as u8];
    schedule_bytes.extend(&start_bytes);
    schedule_bytes.extend([tag(2, LEN), end_bytes.len() as u8]);
    schedule_bytes.extend(&end_bytes);
    // timeOffset = 3 (int32): -1800 takes ten varint bytes.
    schedule_bytes.extend([
        tag(3, VARINT),
        0xF8,
        0xF1,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0xFF,
        0x01,
    ]);
    assert_eq!(schedule.encode_to_vec(), schedule_bytes);
    // DSTConfig.schedules = 1 (repeated message), inside GetDSTConfigResponse.config = 1.
    let config = DstConfig {
        schedules: vec![schedule],
    };
    let mut config_bytes = vec![tag(1, LEN), schedule_bytes.len() as u8];
    config_bytes.extend(&schedule_bytes);
    assert_eq!(config.encode_to_vec(), config_bytes);
    let mut resp_bytes = vec![tag(1, LEN), config_bytes.len() as u8];
    resp_bytes.extend(&config_bytes);
    let resp = GetDstConfigResponse {
        config: Some(config.clone()),
    };
    assert_eq!(resp.encode_to_vec(), resp_bytes);
    assert_eq!(
        GetDstConfigResponse::decode(resp_bytes.as_slice()),
        Ok(resp)
    );
    // SetDSTConfigMultiRequest: deviceIDs = 1 (packed), config = 2.
    let multi = SetDstConfigMultiRequest {
        device_i_ds: vec![7],
        config: Some(config),
    };
    let mut multi_bytes = vec![tag(1, LEN), 1, 0x07, tag(2, LEN), config_bytes.len() as u8];
    multi_bytes.extend(&config_bytes);
    assert_eq!(multi.encode_to_vec(), multi_bytes);
}

#[test]
fn user_get_partial_request_bytes() {
    let req = user::GetPartialRequest {
        device_id: 1,
        user_i_ds: vec!["7".into(), "42".into()],
        info_mask: (user::InfoMask::UserMaskHdr as u32) | (user::InfoMask::UserMaskName as u32),
    };
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        tag(1, VARINT), 0x01,             // deviceID
        tag(2, LEN), 0x01, b'7',          // userIDs[0]
        tag(2, LEN), 0x02, b'4', b'2',    // userIDs[1]
        tag(3, VARINT), 0x05,             // infoMask = HDR (0x1) | NAME (0x4)
    ];
    assert_eq!(req.encode_to_vec(), expected);
    assert_eq!(
        user::GetListRequest { device_id: 1 }.encode_to_vec(),
        [tag(1, VARINT), 0x01]
    );
}

#[test]
fn user_info_mask_values() {
    use user::InfoMask as M;
    let values = [
        (M::UserMaskIdOnly, 0x0000),
        (M::UserMaskHdr, 0x0001),
        (M::UserMaskSetting, 0x0002),
        (M::UserMaskName, 0x0004),
        (M::UserMaskPhoto, 0x0008),
        (M::UserMaskPin, 0x0010),
        (M::UserMaskCard, 0x0020),
        (M::UserMaskFinger, 0x0040),
        (M::UserMaskFace, 0x0080),
        (M::UserMaskAccessGroup, 0x0100),
        (M::UserMaskJob, 0x0200),
        (M::UserMaskPhrase, 0x0400),
    ];
    for (mask, value) in values {
        assert_eq!(mask as i32, value, "{mask:?}");
    }
}

#[test]
fn user_list_and_info_bytes() {
    let hdr = user::UserHdr {
        id: "1001".into(),
        user_flag: 1,
        num_of_card: 2,
        num_of_finger: 3,
        num_of_face: 4,
        auth_group_id: 5,
        update_mask: 6,
    };
    #[rustfmt::skip]
    let hdr_bytes: Vec<u8> = vec![
        tag(1, LEN), 0x04, b'1', b'0', b'0', b'1', // ID
        tag(2, VARINT), 0x01,                      // userFlag
        tag(3, VARINT), 0x02,                      // numOfCard
        tag(4, VARINT), 0x03,                      // numOfFinger
        tag(5, VARINT), 0x04,                      // numOfFace
        tag(6, VARINT), 0x05,                      // authGroupID
        tag(7, VARINT), 0x06,                      // updateMask
    ];
    assert_eq!(hdr.encode_to_vec(), hdr_bytes);
    let list = user::GetListResponse {
        hdrs: vec![hdr.clone()],
    };
    let mut list_bytes = vec![tag(1, LEN), hdr_bytes.len() as u8];
    list_bytes.extend(&hdr_bytes);
    assert_eq!(list.encode_to_vec(), list_bytes);

    let info = user::UserInfo {
        hdr: Some(user::UserHdr {
            id: "9".into(),
            ..Default::default()
        }),
        name: "김민준".into(),
        job_codes: vec![],
    };
    #[rustfmt::skip]
    let info_bytes: Vec<u8> = vec![
        tag(1, LEN), 0x03, tag(1, LEN), 0x01, b'9',              // hdr { ID = "9" }
        tag(3, LEN), 0x09, 0xEA, 0xB9, 0x80, 0xEB, 0xAF, 0xBC, 0xEC, 0xA4, 0x80, // name (UTF-8)
    ];
    assert_eq!(info.encode_to_vec(), info_bytes);
    // A real gateway's reply may carry fields we do not declare (here 9 PIN, 10 photo): skipped.
    let mut with_secrets = info_bytes.clone();
    with_secrets.extend([tag(9, LEN), 0x02, b'1', b'2', tag(10, LEN), 0x01, 0xFF]);
    let decoded = user::UserInfo::decode(with_secrets.as_slice()).expect("decodes");
    assert_eq!(decoded, info);
    let resp = user::GetPartialResponse { users: vec![info] };
    assert_eq!(resp.encode_to_vec()[0], tag(1, LEN));
}
