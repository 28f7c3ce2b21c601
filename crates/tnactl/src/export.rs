//! `export`: the devices' current state as a desired-state file. Devices holding the same
//! (T&A config with schedule names, `useJobCode`, and with `--job-codes` the users' job codes)
//! share one section selecting them by ID, so `plan` on the export says nothing to do.
//! `get config -o toml` prints the same, one section per device.

use std::collections::BTreeMap;
use std::fmt::Write;

use tna_types::protocol::{DeviceParams, GetJobCodesParams, method};
use tna_types::{Device, TnaConfig, UserJobCodes};

use crate::client::{Client, ClientError};
use crate::desired::{VERSION, mode_name};
use crate::plan::{READ_WINDOW, unreachable};

/// What a section of the export says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    /// The config with schedules by name (`""` = none).
    tna: Option<(TnaConfig, Vec<String>)>,
    use_job_code: Option<bool>,
    job_codes: Vec<UserJobCodes>,
}

/// A device left out of the export and why.
pub type Skipped = (u32, String);

fn quote(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Reads the devices and writes the file; also the devices left out.
pub fn export(
    client: &mut Client,
    devices: &[Device],
    header: &str,
    job_codes: bool,
    group: bool,
) -> Result<(String, Vec<Skipped>), ClientError> {
    let mut skipped = Vec::new();
    let live: Vec<&Device> = devices
        .iter()
        .filter(|d| match unreachable(d) {
            Some(why) => {
                skipped.push((d.device_id, why));
                false
            }
            None => true,
        })
        .collect();
    let mut shapes: BTreeMap<u32, Shape> = live
        .iter()
        .map(|d| {
            (
                d.device_id,
                Shape {
                    tna: None,
                    use_job_code: None,
                    job_codes: Vec::new(),
                },
            )
        })
        .collect();
    let tna: Vec<DeviceParams> = live
        .iter()
        .filter(|d| d.tna_supported)
        .map(|d| DeviceParams {
            device_id: d.device_id,
        })
        .collect();
    let configs = client.call_many::<method::TnaGetConfig>(&tna, READ_WINDOW, |_, _| {})?;
    let schedules = client.call_many::<method::SchedulesList>(&tna, READ_WINDOW, |_, _| {})?;
    for ((p, c), s) in tna.iter().zip(configs).zip(schedules) {
        match (c, s) {
            (Ok(c), Ok(s)) => {
                let names = c
                    .config
                    .schedules
                    .iter()
                    .map(|&id| {
                        if id == 0 {
                            Some(String::new())
                        } else {
                            s.schedules
                                .iter()
                                .find(|x| x.id == id)
                                .map(|x| x.name.clone())
                        }
                    })
                    .collect::<Option<Vec<String>>>();
                match names {
                    Some(names) => {
                        if let Some(shape) = shapes.get_mut(&p.device_id) {
                            shape.tna = Some((c.config, names));
                        }
                    }
                    None => skipped.push((
                        p.device_id,
                        "its config names a schedule the device does not list".into(),
                    )),
                }
            }
            (Err(e), _) | (_, Err(e)) => skipped.push((p.device_id, e.message)),
        }
    }
    let jc: Vec<DeviceParams> = live
        .iter()
        .filter(|d| d.job_code_supported)
        .map(|d| DeviceParams {
            device_id: d.device_id,
        })
        .collect();
    let uses = client.call_many::<method::SystemGetJobCodeUse>(&jc, READ_WINDOW, |_, _| {})?;
    for (p, u) in jc.iter().zip(uses) {
        match u {
            Ok(u) => {
                if let Some(shape) = shapes.get_mut(&p.device_id) {
                    shape.use_job_code = Some(u.enabled);
                }
            }
            Err(e) => skipped.push((p.device_id, e.message)),
        }
    }
    if job_codes {
        let params: Vec<GetJobCodesParams> = jc
            .iter()
            .map(|p| GetJobCodesParams {
                device_id: p.device_id,
                user_ids: Vec::new(),
            })
            .collect();
        let got = client.call_many::<method::JobCodesGet>(&params, READ_WINDOW, |_, _| {})?;
        for (p, g) in params.iter().zip(got) {
            match g {
                Ok(g) => {
                    if let Some(shape) = shapes.get_mut(&p.device_id) {
                        shape.job_codes = g
                            .users
                            .into_iter()
                            .filter(|u| !u.job_codes.is_empty())
                            .collect();
                    }
                }
                Err(e) => skipped.push((p.device_id, e.message)),
            }
        }
    }
    // A device that could not be read fully is left out (a partial section would still be
    // right, but says less than the device holds).
    for (id, _) in &skipped {
        shapes.remove(id);
    }
    let mut groups: Vec<(Shape, Vec<u32>)> = Vec::new();
    for d in devices {
        let Some(shape) = shapes.remove(&d.device_id) else {
            continue;
        };
        if shape.tna.is_none() && shape.use_job_code.is_none() && shape.job_codes.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(s, _)| group && *s == shape) {
            Some((_, ids)) => ids.push(d.device_id),
            None => groups.push((shape, vec![d.device_id])),
        }
    }
    Ok((render(header, &groups, devices), skipped))
}

fn render(header: &str, groups: &[(Shape, Vec<u32>)], devices: &[Device]) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    let _ = writeln!(out, "version = {VERSION}");
    for (n, (shape, ids)) in groups.iter().enumerate() {
        let types: Vec<&str> = {
            let mut t: Vec<&str> = devices
                .iter()
                .filter(|d| ids.contains(&d.device_id))
                .map(|d| d.device_type.as_str())
                .collect();
            t.sort_unstable();
            t.dedup();
            t
        };
        let _ = writeln!(out);
        let _ = writeln!(out, "[[section]]");
        let _ = writeln!(
            out,
            "title = {}",
            quote(&format!(
                "group {} ({} devices: {})",
                n + 1,
                ids.len(),
                types.join(", ")
            ))
        );
        let id_list = ids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "select = {{ ids = [{id_list}] }}");
        if let Some(on) = shape.use_job_code {
            let _ = writeln!(out, "use_job_code = {on}");
        }
        if let Some((c, names)) = &shape.tna {
            let _ = writeln!(out, "[section.tna]");
            let _ = writeln!(out, "mode = {}", quote(&mode_name(c.mode)));
            let _ = writeln!(out, "fixed_key = {}", c.key.map_or(0, |k| k.number()));
            let _ = writeln!(out, "required = {}", c.is_required);
            for (i, (label, schedule)) in c.labels.iter().zip(names).enumerate() {
                let _ = writeln!(
                    out,
                    "keys.{} = {{ label = {}, schedule = {} }}",
                    i + 1,
                    quote(label),
                    quote(schedule)
                );
            }
        }
        for u in &shape.job_codes {
            let _ = writeln!(out, "[[section.job_codes]]");
            let _ = writeln!(out, "user = {}", quote(&u.user_id));
            let codes = u
                .job_codes
                .iter()
                .map(|c| format!("{{ code = {}, label = {} }}", c.code, quote(&c.label)))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(out, "codes = [{codes}]");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desired::{parse, resolve};
    use crate::plan::{Held, State, judge};
    use tna_types::{Schedule, TnaMode};

    #[test]
    fn an_export_parses_and_plans_nothing() {
        let mut c = TnaConfig {
            mode: TnaMode::BySchedule,
            ..TnaConfig::default()
        };
        c.labels[0] = "출근 \"quoted\"".into();
        c.schedules[0] = 2;
        let names: Vec<String> = c
            .schedules
            .iter()
            .map(|&s| {
                if s == 2 {
                    "Office hours".into()
                } else {
                    String::new()
                }
            })
            .collect();
        let shape = Shape {
            tna: Some((c.clone(), names)),
            use_job_code: Some(true),
            job_codes: vec![UserJobCodes {
                user_id: "1001".into(),
                job_codes: vec![tna_types::JobCode {
                    code: 301,
                    label: "Assembly".into(),
                }],
            }],
        };
        let device = crate::desired::tests::device(7, "HQ", "BIOSTATION_A2", None, &[]);
        let text = render(
            "site HQ\nexported",
            &[(shape.clone(), vec![7])],
            std::slice::from_ref(&device),
        );
        let file = parse("export.toml", &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let targets = resolve(&file, std::slice::from_ref(&device));
        let mut held = BTreeMap::new();
        held.insert(
            7,
            Held {
                config: Some(Ok(c)),
                schedules: Some(Ok(vec![Schedule {
                    id: 2,
                    name: "Office hours".into(),
                }])),
                use_job_code: Some(Ok(true)),
                job_codes: Some(Ok(shape.job_codes.clone())),
                zone: None,
            },
        );
        let plan = judge(&targets, &held, 1).expect("no broken rule");
        assert_eq!(plan.devices[0].state, State::Same, "{text}");
    }
}
