//! `/devices/:id`: one device's header and its T&A configuration (view, edit, export, import:
//! see `config_editor.rs`).

use futures::future::join;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use tna_types::protocol::RpcError;
use tna_types::{ConnectionStatus, Device, ExportedFrom, Schedule, TnaConfig, product_name};

use crate::api::{ApiClient, ApiError, use_api};
use crate::components::{ErrorBanner, Loaded, StatusBadge, ok_data, relay_resource, yes_no};
mod config_editor;
mod job_codes;
mod name_editor;

use crate::strings::{app as app_s, device as s};
use config_editor::TnaSection;
use job_codes::JobCodesSection;
use name_editor::NameEditor;

/// What the page shows for one device.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceDetail {
    /// The device as `devices.list` reports it.
    pub device: Device,
    /// Its T&A config and schedules; `None` when the device has no T&A.
    pub tna: Option<TnaDetail>,
    /// Other connected devices with job-code support (targets for copying job codes).
    pub job_code_peers: Vec<u32>,
}

/// A T&A device's config and its schedule list, each read on its own (one may fail alone).
#[derive(Debug, Clone, PartialEq)]
pub struct TnaDetail {
    /// `tna.getConfig`.
    pub config: Result<TnaConfig, ApiError>,
    /// `schedules.list`.
    pub schedules: Result<Vec<Schedule>, ApiError>,
}

async fn load_detail(api: ApiClient, id: u32) -> Result<DeviceDetail, ApiError> {
    let devices = api.list_devices().await?;
    let job_code_peers = devices
        .iter()
        .filter(|d| {
            d.job_code_supported && d.device_id != id && d.status == ConnectionStatus::Connected
        })
        .map(|d| d.device_id)
        .collect();
    let device = devices
        .into_iter()
        .find(|d| d.device_id == id)
        .ok_or_else(|| ApiError::Rpc(RpcError::device_not_found(id)))?;
    let tna = if device.tna_supported {
        let (config, schedules) = join(api.get_config(id), api.list_schedules(id)).await;
        Some(TnaDetail { config, schedules })
    } else {
        None
    };
    Ok(DeviceDetail {
        device,
        tna,
        job_code_peers,
    })
}

/// The device page.
#[component]
pub fn DevicePage() -> impl IntoView {
    let api = use_api();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|v| v.parse::<u32>().ok()));
    // Read when the ID changes, and again after a reconnect.
    let detail = relay_resource(move || {
        let id = id.get();
        async move {
            match id {
                Some(id) => load_detail(api, id).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let busy = RwSignal::new(false);
    let retry = Callback::new(move |()| detail.refetch());
    let loaded = move || detail.with(|d| matches!(d, Some(Ok(Some(_)))));
    view! {
        <section class="page device-page" data-testid="device-detail">
            <p class="breadcrumb">
                <a href="/" data-testid="back-link">"← "{app_s::BACK_TO_DEVICES()}</a>
            </p>
            {move || match id.get() {
                None => view! {
                    <h1>{s::heading(0)}</h1>
                    <p class="error-banner" role="alert" data-testid="error-banner">{s::INVALID_ID()}</p>
                }
                    .into_any(),
                Some(id) => view! {
                    {move || (!loaded()).then(|| view! { <h1>{s::heading(id)}</h1> })}
                    <Loaded
                        resource=detail
                        failed=s::LOAD_FAILED()
                        loading=s::LOADING()
                        loading_testid="device-loading"
                        set_pending=busy
                    >
                        {move || {
                            ok_data(detail)
                                .flatten()
                                .map(|detail| view! { <DeviceDetailView detail retry busy /> })
                        }}
                    </Loaded>
                }
                    .into_any(),
            }}
        </section>
    }
}

/// The header and the T&A section of a loaded device.
#[component]
fn DeviceDetailView(
    detail: DeviceDetail,
    retry: Callback<()>,
    #[prop(into)] busy: Signal<bool>,
) -> impl IntoView {
    let d = detail.device;
    let job_codes = (d.job_code_supported && d.tna_supported).then(|| {
        view! { <JobCodesSection device_id=d.device_id peers=detail.job_code_peers.clone() /> }
    });
    let tna = match detail.tna {
        None => view! {
            <p class="card note-card" data-testid="tna-unsupported">{s::NO_TNA()}</p>
        }
        .into_any(),
        Some(TnaDetail {
            config: Err(error), ..
        }) => view! {
            <ErrorBanner title=s::CONFIG_FAILED() error=error on_retry=retry busy=busy />
        }
        .into_any(),
        Some(TnaDetail {
            config: Ok(config),
            schedules,
        }) => {
            let warning = schedules.as_ref().err().map(|e| {
                view! {
                    <p class="warning" role="status" data-testid="schedules-warning">
                        {s::SCHEDULES_FAILED()}": "{e.message()}
                    </p>
                }
            });
            view! {
                {warning}
                <TnaSection
                    about=ExportedFrom {
                        device_id: d.device_id,
                        name: d.name.clone(),
                        location: d.location.clone(),
                        product: product_name(&d.device_type),
                    }
                    config=config
                    schedules=schedules.ok()
                    has_keypad=d.has_keypad
                />
            }
            .into_any()
        }
    };
    view! {
        <header class="device-header" data-testid="device-header">
            <h1>
                <span data-testid="device-heading">
                    {d.name.clone().unwrap_or_else(|| s::heading(d.device_id))}
                </span>
                " "
                <StatusBadge status=d.status detail=d.status_detail.clone() />
            </h1>
            {d.name.is_some().then(|| view! { <p class="muted">{s::heading(d.device_id)}</p> })}
            <dl class="facts facts-inline">
                {d.location.clone().map(|l| view! {
                    <div class="fact">
                        <dt>{s::LOCATION()}</dt>
                        <dd data-testid="device-location">{l}</dd>
                    </div>
                })}
                <div class="fact">
                    <dt>{s::TYPE()}</dt>
                    <dd data-testid="device-type" title=d.device_type.clone()>
                        {product_name(&d.device_type)}
                    </dd>
                </div>
                <div class="fact">
                    <dt>{s::ADDRESS()}</dt>
                    <dd class="mono">{d.address.clone()}</dd>
                </div>
                {d.site.clone().map(|site| view! {
                    <div class="fact">
                        <dt>{s::SITE()}</dt>
                        <dd>{site}</dd>
                    </div>
                })}
                <div class="fact">
                    <dt>{s::JOB_CODES()}</dt>
                    <dd>{yes_no(d.job_code_supported)}</dd>
                </div>
                {(!d.tags.is_empty()).then(|| view! {
                    <div class="fact">
                        <dt>{s::TAGS_SHORT()}</dt>
                        <dd data-testid="device-tags">{d.tags.join(", ")}</dd>
                    </div>
                })}
            </dl>
            <NameEditor device=d.clone() on_saved=retry />
        </header>
        {tna}
        {job_codes}
    }
}
