//! The User service's directory part over real gRPC: GetList (headers) and GetPartial with
//! USER_MASK_NAME, as the relay's user directory will call them.

mod common;

use common::{channel, serve, small, within};
use gateway_sim::Gateway;
use gateway_sim::workforce::Person;
use gsdk_proto::device::GetCapabilityInfoRequest;
use gsdk_proto::device::device_client::DeviceClient;
use gsdk_proto::user::user_client::UserClient;
use gsdk_proto::user::{GetListRequest, GetPartialRequest, InfoMask, UserInfo};
use tonic::Code;
use tonic::transport::Channel;

const HDR_NAME: u32 = InfoMask::UserMaskHdr as u32 | InfoMask::UserMaskName as u32;

/// The people who call `device` home, in the device's (string) order.
fn residents(gw: &Gateway, device: u32) -> Vec<Person> {
    let mut out: Vec<Person> = gw
        .plan()
        .people()
        .iter()
        .filter(|p| p.home_devices.contains(&device))
        .cloned()
        .collect();
    out.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    out
}

/// Every user of a device: GetList, then GetPartial in pages of `page` IDs.
async fn read_names(c: &mut UserClient<Channel>, device: u32, page: usize) -> Vec<UserInfo> {
    let hdrs = within(c.get_list(GetListRequest { device_id: device }))
        .await
        .unwrap()
        .into_inner()
        .hdrs;
    let ids: Vec<String> = hdrs.into_iter().map(|h| h.id).collect();
    let mut out = Vec::new();
    for chunk in ids.chunks(page) {
        let users = within(c.get_partial(GetPartialRequest {
            device_id: device,
            user_i_ds: chunk.to_vec(),
            info_mask: HDR_NAME,
        }))
        .await
        .unwrap()
        .into_inner()
        .users;
        out.extend(users);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_and_names_are_the_workforce() {
    let running = serve(small(21)).await;
    let gw = running.gateway.clone();
    let ch = channel(&running).await;
    let mut users = UserClient::new(ch.clone());
    let mut caps = DeviceClient::new(ch);
    let mut named_devices = 0;
    let mut all_names = Vec::new();
    for device in gw.device_ids() {
        let people = residents(&gw, device);
        let info = within(users.get_list(GetListRequest { device_id: device }))
            .await
            .unwrap()
            .into_inner();
        if gw.tna_supported(device) == Some(false) {
            assert!(info.hdrs.is_empty(), "an I/O module holds no users");
            continue;
        }
        if people.is_empty() {
            continue; // nobody's home: a few visitors only
        }
        let ids: Vec<&str> = info.hdrs.iter().map(|h| h.id.as_str()).collect();
        let want: Vec<&str> = people.iter().map(|p| p.user_id.as_str()).collect();
        assert_eq!(
            ids, want,
            "device {device}: its users are the people who call it home"
        );
        let cap = within(caps.get_capability_info(GetCapabilityInfoRequest { device_id: device }))
            .await
            .unwrap()
            .into_inner()
            .cap_info
            .unwrap();
        for h in &info.hdrs {
            assert_eq!(h.num_of_card, i32::from(cap.card_supported));
            assert_eq!(h.num_of_face, i32::from(cap.face_supported));
            assert_eq!(h.num_of_finger, if cap.finger_supported { 2 } else { 0 });
        }

        // Names in pages of 7 IDs: every user once, in order, with the plan's name where the
        // device keeps names, and none where it does not.
        let got = read_names(&mut users, device, 7).await;
        assert_eq!(got.len(), people.len());
        for (u, p) in got.iter().zip(&people) {
            let hdr = u.hdr.as_ref().expect("hdr asked for");
            assert_eq!(hdr.id, p.user_id);
            assert_eq!(hdr.num_of_card, i32::from(cap.card_supported));
            let want = if cap.user_name_supported {
                p.name.clone().unwrap_or_default()
            } else {
                String::new()
            };
            assert_eq!(u.name, want, "user {}", p.user_id);
            assert!(u.name.len() <= 192, "MAX_NAME_LENGTH");
            assert!(u.job_codes.is_empty(), "not asked for");
        }
        if cap.user_name_supported {
            named_devices += 1;
            all_names.extend(got.into_iter().map(|u| u.name));
        }
    }
    assert!(named_devices > 0);
    let hangul = |s: &str| s.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    assert!(
        all_names.iter().any(|n| hangul(n)),
        "Korean names: {all_names:?}"
    );
    assert!(
        all_names.iter().any(String::is_empty),
        "people without a name"
    );
    assert!(all_names.iter().any(|n| n.is_ascii() && !n.is_empty()));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_masks_and_errors() {
    let running = serve(small(22)).await;
    let gw = running.gateway.clone();
    let mut c = UserClient::new(channel(&running).await);
    let device = common::find_home(&gw, |tna, job| tna && job);
    let people = residents(&gw, device);
    let id = people[0].user_id.clone();
    let partial = |ids: Vec<String>, mask: u32| GetPartialRequest {
        device_id: device,
        user_i_ds: ids,
        info_mask: mask,
    };

    // ID only: the header carries the ID and nothing else; no name.
    let only = within(c.get_partial(partial(vec![id.clone()], 0)))
        .await
        .unwrap()
        .into_inner()
        .users;
    assert_eq!(only.len(), 1);
    let hdr = only[0].hdr.clone().unwrap();
    assert_eq!((hdr.id.as_str(), hdr.num_of_card), (id.as_str(), 0));
    assert!(only[0].name.is_empty());
    // Job codes with USER_MASK_JOB; request order kept, repeats answered as asked.
    let ids = vec![people[1].user_id.clone(), id.clone(), id.clone()];
    let job = within(c.get_partial(partial(ids.clone(), InfoMask::UserMaskJob as u32)))
        .await
        .unwrap()
        .into_inner()
        .users;
    let got: Vec<_> = job.iter().map(|u| u.hdr.clone().unwrap().id).collect();
    assert_eq!(got, ids);
    assert_eq!(job[1].job_codes, people[0].job_codes);
    // Masks for credentials add nothing: there is nothing to send.
    let secret = InfoMask::UserMaskPin as u32
        | InfoMask::UserMaskCard as u32
        | InfoMask::UserMaskFinger as u32
        | InfoMask::UserMaskFace as u32
        | InfoMask::UserMaskPhoto as u32;
    let bare = within(c.get_partial(partial(vec![id.clone()], secret)))
        .await
        .unwrap()
        .into_inner()
        .users;
    assert_eq!(bare, only);
    // No IDs: nothing.
    let none = within(c.get_partial(partial(vec![], HDR_NAME)))
        .await
        .unwrap()
        .into_inner()
        .users;
    assert!(none.is_empty());

    // A user the device does not hold: NOT_FOUND for the whole call.
    let err = within(c.get_partial(partial(vec![id.clone(), "424242".into()], HDR_NAME)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert!(err.message().contains("424242"), "{}", err.message());
    // An unknown device: NOT_FOUND; a disconnected one: UNAVAILABLE (both calls).
    let unknown = 1;
    let err = within(c.get_list(GetListRequest { device_id: unknown }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    gw.set_offline(device, true);
    let err = within(c.get_list(GetListRequest { device_id: device }))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    let err = within(c.get_partial(partial(vec![id.clone()], HDR_NAME)))
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unavailable);
    gw.set_offline(device, false);
    let back = within(c.get_list(GetListRequest { device_id: device }))
        .await
        .unwrap()
        .into_inner()
        .hdrs;
    assert_eq!(back.len(), people.len());
    running.shutdown().await;
}
