//! `/timecards`: worked time per user and day for a range of days, computed by the relay from
//! its archive (`timecards.get`) by the timecard policy; the policy in words, an editor for
//! admins (`timecards.setPolicy`, checked here first with the same validation the relay runs),
//! a totals table per user and CSV exports.
//!
//! Each day is in the time zone of the site where its first punch was made (the relay's rule,
//! see `docs/protocol.md`): its times are shown in that zone with the offset in force at each
//! instant (DST-correct), and the zone is named on the row, so a row reads the same for
//! everyone wherever their browser is.

use leptos::prelude::*;
use leptos_router::hooks::query_signal;
use tna_types::protocol::TimecardsResult;
use tna_types::timecard::{
    PunchMapping, PunchType, RepeatRule, TimecardDay, TimecardFlag, TimecardPolicy, UserTotals,
};
use tna_types::{FieldError, TnaKey};

use crate::api::{ApiError, use_api};
use crate::components::may;
use crate::components::{
    DayRangeFields, DeviceLabel, ErrorBanner, FieldErrorText, Loaded, RelayResource, UserName,
    error_title, field_error_text, ok_data, relay_resource, use_apply_query, use_user_names,
};
use crate::download;
use crate::logs;
use crate::strings::timecards as s;
use tna_types::time;

/// Punches shown behind one day (a day with more is a day to look at in Logs).
const DAY_PUNCHES: u32 = 200;

/// The keys of the policy form: KEY_1 ..= KEY_16.
const KEYS: usize = tna_types::limits::MAX_TNA_KEYS;

/// The columns of the days CSV.
pub const CSV_HEADER: &[&str] = &[
    "user_id",
    "user_name",
    "day",
    "zone",
    "first_in_utc",
    "first_in_local",
    "last_out_utc",
    "last_out_local",
    "worked_minutes",
    "break_minutes",
    "meal_minutes",
    "flags",
    "devices",
];

/// The columns of the totals CSV.
pub const TOTALS_CSV_HEADER: &[&str] = &[
    "user_id",
    "user_name",
    "days",
    "worked_minutes",
    "break_minutes",
    "meal_minutes",
    "flagged_days",
];

/// `7:05` (hours not wrapped at a day: a week's total reads `41:30`).
pub fn hours_minutes(seconds: u64) -> String {
    let minutes = seconds / 60;
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// Minutes after midnight as `HH:MM`.
pub fn minutes_hm(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// How many dates after `day_number` the local date of `ts` at `offset` (seconds east of UTC)
/// is (1 for a night shift's OUT after midnight, or any punch before a day start later than
/// midnight).
pub fn days_after(ts: u32, offset: i32, day_number: i32) -> i64 {
    time::local_day(i64::from(ts), offset) - i64::from(day_number)
}

/// A time of day typed as `HH:MM` (or `HH:MM:SS`, seconds ignored) → minutes after midnight.
/// Hours past 23 are left for [`TimecardPolicy::validate`] to name.
pub fn parse_hhmm(text: &str) -> Option<u16> {
    let mut parts = text.trim().split(':');
    let h = parts.next()?;
    let m = parts.next()?;
    let digits = |p: &str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    if !digits(h) || !digits(m) || parts.next().is_some_and(|sec| !digits(sec)) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (m < 60).then_some(h * 60 + m)
}

/// Monday and Sunday (day numbers) of the ISO week holding `day`.
pub fn week_of(day: i64) -> (i64, i64) {
    // 1970-01-01 (day 0) was a Thursday, three days after a Monday.
    let monday = day - (day + 3).rem_euclid(7);
    (monday, monday + 6)
}

/// Today in the browser's time zone, as a day number.
fn today_local() -> i64 {
    let d = js_sys::Date::new_0();
    logs::days_from_civil(
        i64::from(d.get_full_year()),
        d.get_month() + 1,
        d.get_date(),
    )
}

/// The wire name of a flag (`missingOut`), for `data-flags` and the CSV.
pub fn flag_key(flag: TimecardFlag) -> &'static str {
    match flag {
        TimecardFlag::MissingOut => "missingOut",
        TimecardFlag::MissingIn => "missingIn",
        TimecardFlag::RepeatedIn => "repeatedIn",
        TimecardFlag::RepeatedOut => "repeatedOut",
        TimecardFlag::UnpairedBreak => "unpairedBreak",
        TimecardFlag::UnpairedMeal => "unpairedMeal",
        TimecardFlag::UnmappedKeys => "unmappedKeys",
    }
}

/// The wire name of a punch type (`checkIn`), for the policy form's option values.
pub fn punch_key(punch: PunchType) -> &'static str {
    match punch {
        PunchType::CheckIn => "checkIn",
        PunchType::CheckOut => "checkOut",
        PunchType::BreakStart => "breakStart",
        PunchType::BreakEnd => "breakEnd",
        PunchType::MealStart => "mealStart",
        PunchType::MealEnd => "mealEnd",
    }
}

fn parse_punch(v: &str) -> Option<PunchType> {
    PunchType::ALL.into_iter().find(|p| punch_key(*p) == v)
}

fn rule_key(rule: RepeatRule) -> &'static str {
    match rule {
        RepeatRule::First => "first",
        RepeatRule::Last => "last",
    }
}

fn parse_rule(v: &str) -> RepeatRule {
    if v == "first" {
        RepeatRule::First
    } else {
        RepeatRule::Last
    }
}

/// The policy form as typed: one punch type (or none) per key, and the text of the two typed
/// fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyDraft {
    /// `keys[i]` is what KEY_(i+1) means.
    pub keys: [Option<PunchType>; KEYS],
    /// `HH:MM`.
    pub day_start: String,
    /// Which IN of a run counts.
    pub repeated_in: RepeatRule,
    /// Which OUT of a run counts.
    pub repeated_out: RepeatRule,
}

impl PolicyDraft {
    /// The form filled with `policy` (a key mapped twice shows its first mapping, the one that
    /// applies).
    pub fn from_policy(policy: &TimecardPolicy) -> Self {
        let mut keys = [None; KEYS];
        for key in TnaKey::all() {
            keys[key.index()] = policy.punch_type(key);
        }
        Self {
            keys,
            day_start: minutes_hm(policy.day_start_minutes),
            repeated_in: policy.repeated_in,
            repeated_out: policy.repeated_out,
        }
    }

    /// The policy the form describes, checked by [`TimecardPolicy::validate`] (the relay's own
    /// check); the errors name the policy's fields (`dayStartMinutes`).
    pub fn to_policy(&self) -> Result<TimecardPolicy, Vec<FieldError>> {
        let mut errors = Vec::new();
        let day_start = parse_hhmm(&self.day_start);
        if day_start.is_none() {
            errors.push(FieldError::sentence("dayStartMinutes", s::BAD_DAY_START()));
        }
        let Some(day_start_minutes) = day_start else {
            return Err(errors);
        };
        let policy = TimecardPolicy {
            punch_types: TnaKey::all()
                .zip(self.keys)
                .filter_map(|(key, punch)| punch.map(|punch| PunchMapping { key, punch }))
                .collect(),
            day_start_minutes,
            repeated_in: self.repeated_in,
            repeated_out: self.repeated_out,
        };
        policy.validate().map(|()| policy)
    }
}

/// Appends the CSV of `days` (header first) to `out`. Each time is given twice: the UTC
/// instant (`…Z`) and the local time of the day's zone with the offset in force then
/// (`2026-03-08T22:00:00-05:00`); minutes are whole minutes (rounded down); flags and devices are
/// `;`-separated. `name` gives the directory's name of a user ID (empty when none).
pub fn push_days_csv(out: &mut String, days: &[TimecardDay], name: impl Fn(&str) -> String) {
    logs::push_csv_line(out, CSV_HEADER);
    for d in days {
        let utc = |t: Option<u32>| {
            t.map(|t| format!("{}Z", time::format_at(i64::from(t), 0, 'T')))
                .unwrap_or_default()
        };
        let local = |t: Option<u32>, offset: Option<i32>| match (t, offset) {
            (Some(t), Some(o)) => {
                format!(
                    "{}{}",
                    time::format_at(i64::from(t), o, 'T'),
                    time::format_offset(o)
                )
            }
            _ => String::new(),
        };
        let flags: Vec<&str> = d.flags.iter().map(|f| flag_key(*f)).collect();
        let devices: Vec<String> = d.devices.iter().map(u32::to_string).collect();
        let fields = [
            d.user_id.clone(),
            name(&d.user_id),
            d.day.clone(),
            d.zone.clone().unwrap_or_else(|| "UTC".into()),
            utc(d.first_in),
            local(d.first_in, d.first_in_offset),
            utc(d.last_out),
            local(d.last_out, d.last_out_offset),
            (d.worked_seconds / 60).to_string(),
            (d.break_seconds / 60).to_string(),
            (d.meal_seconds / 60).to_string(),
            flags.join(";"),
            devices.join(";"),
        ];
        logs::push_csv_line(out, &fields);
    }
}

/// Appends the CSV of `totals` (header first) to `out`; `name` as in [`push_days_csv`].
pub fn push_totals_csv(out: &mut String, totals: &[UserTotals], name: impl Fn(&str) -> String) {
    logs::push_csv_line(out, TOTALS_CSV_HEADER);
    for t in totals {
        let fields = [
            t.user_id.clone(),
            name(&t.user_id),
            t.days.to_string(),
            (t.worked_seconds / 60).to_string(),
            (t.break_seconds / 60).to_string(),
            (t.meal_seconds / 60).to_string(),
            t.flagged_days.to_string(),
        ];
        logs::push_csv_line(out, &fields);
    }
}

/// The range the timecards are read for: the URL's (`?from=…&to=…&user=…`, so a view is a link
/// someone can send), this week by default.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Range {
    from: String,
    to: String,
    user: String,
}

impl Range {
    /// Why the range cannot be read, in words; `None` when it can.
    fn problem(&self) -> Option<&'static str> {
        match (logs::parse_date(&self.from), logs::parse_date(&self.to)) {
            (Some(a), Some(b)) if a <= b => None,
            (Some(_), Some(_)) => Some(s::TO_BEFORE_FROM()),
            _ => Some(s::BAD_DATE()),
        }
    }
}

/// The timecards page.
#[component]
pub fn TimecardsPage() -> impl IntoView {
    let api = use_api();
    let admin = may("timecards.setPolicy");
    let (monday, sunday) = week_of(today_local());
    let (q_from, _) = query_signal::<String>("from");
    let (q_to, _) = query_signal::<String>("to");
    let (q_user, _) = query_signal::<String>("user");
    let apply_query = use_apply_query();
    let range = Memo::new(move |_| Range {
        from: q_from.get().unwrap_or_else(|| logs::format_date(monday)),
        to: q_to.get().unwrap_or_else(|| logs::format_date(sunday)),
        user: q_user.get().unwrap_or_default(),
    });
    // The form's fields; they follow the URL (Back, a followed link) and go into it on Load.
    // Filled from the URL at once (a user may type before any effect runs), then only when
    // the URL changes, so typing is never overwritten.
    let start = range.get_untracked();
    let from = RwSignal::new(start.from);
    let to = RwSignal::new(start.to);
    let user = RwSignal::new(start.user);
    Effect::new(move |prev: Option<Range>| {
        let r = range.get();
        if prev.is_some_and(|p| p != r) {
            from.set(r.from.clone());
            to.set(r.to.clone());
            user.set(r.user.clone());
        }
        r
    });
    let form_error = RwSignal::new(None::<&'static str>);
    let range_error = move || form_error.get().or_else(|| range.with(Range::problem));

    // Saving the policy computes the timecards again (its `version()`).
    let save_policy =
        Action::new_local(move |p: &TimecardPolicy| api.set_timecard_policy(p.clone()));
    let cards = relay_resource(move || {
        save_policy.version().track();
        let r = range.get();
        async move {
            if r.problem().is_some() {
                return Ok(None);
            }
            let user = r.user.trim().to_string();
            let user = (!user.is_empty()).then_some(user);
            api.get_timecards(r.from.clone(), r.to.clone(), user)
                .await
                .map(|result| Some((r, result)))
        }
    });
    let cards_busy = RwSignal::new(false);
    let load = move || {
        let wanted = Range {
            from: from.get_untracked(),
            to: to.get_untracked(),
            user: user.get_untracked().trim().to_string(),
        };
        form_error.set(wanted.problem());
        if wanted.problem().is_some() {
            return;
        }
        if range.get_untracked() == wanted {
            cards.refetch();
        } else {
            apply_query(&[
                ("from", wanted.from),
                ("to", wanted.to),
                ("user", wanted.user),
            ]);
        }
    };

    let policy = relay_resource(move || api.get_timecard_policy());
    // The days come with the policy they were computed by: show that one (another admin may
    // have changed it since the page read it).
    Effect::new(move |_| {
        let newer = cards.with(|d| match d {
            Some(Ok(Some((_, r)))) => Some(r.policy.clone()),
            _ => None,
        });
        if let Some(p) = newer
            && policy.with_untracked(|d| !matches!(d, Some(Ok(cur)) if *cur == p))
        {
            policy.set(Some(Ok(p)));
        }
    });

    // Without an archive the days' banner says so; the policy box would only say it again.
    let no_archive = Memo::new(move |_| {
        policy.with(|d| {
            matches!(d, Some(Err(e)) if e.kind() == Some(tna_types::protocol::ErrorCode::Unsupported))
        })
    });
    let editing = RwSignal::new(None::<PolicyDraft>);
    let saved = RwSignal::new(false);
    // A stored policy is shown at once and closes the form.
    Effect::new(move |_| {
        if let Some(Ok(stored)) = save_policy.value().get() {
            policy.set(Some(Ok(stored)));
            saved.set(true);
            editing.set(None);
        }
    });
    let csv_error = RwSignal::new(false);
    // The rows on screen asked for their users' names already.
    let names = use_user_names();
    let known_name = move |id: &str| names.and_then(|n| n.known(id)).unwrap_or_default();
    let export = move |totals: bool| {
        csv_error.set(false);
        let file = cards.with_untracked(|d| {
            let Some(Ok(Some((range, r)))) = d else {
                return None;
            };
            let mut out = String::new();
            if totals {
                push_totals_csv(&mut out, &r.totals, known_name);
            } else {
                push_days_csv(&mut out, &r.days, known_name);
            }
            let name = if totals {
                s::totals_file_name(&range.from, &range.to)
            } else {
                s::file_name(&range.from, &range.to)
            };
            Some((name, out))
        });
        let Some((name, text)) = file else { return };
        if download::offer_csv(&name, &text).is_err() {
            csv_error.set(true);
        }
    };
    // An answer for another range than the URL's (a read that finished after a newer one was
    // asked for) is never left on screen: the URL's range is read again.
    Effect::new(move |_| {
        let wanted = range.get();
        let stale = cards.with(|d| matches!(d, Some(Ok(Some((r, _)))) if *r != wanted));
        if stale {
            cards.refetch();
        }
    });
    let has_days = Memo::new(move |_| {
        cards.with(|d| matches!(d, Some(Ok(Some((_, r)))) if !r.days.is_empty()))
    });

    view! {
        <section class="page timecards-page" data-testid="timecards-page">
            <div class="page-head">
                <h1>{s::TITLE()}</h1>
            </div>
            <p class="muted">{s::INTRO()}</p>
            <form
                class="filters tc-range"
                data-testid="tc-range"
                on:submit=move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    load();
                }
            >
                <fieldset class="filters">
                    <legend class="visually-hidden">{s::RANGE()}</legend>
                    <DayRangeFields from to testid="tc" required=true />
                    <label class="field">
                        <span>{s::USER()}</span>
                        <input
                            class="input"
                            type="search"
                            data-testid="tc-user"
                            placeholder=s::USER_PLACEHOLDER()
                            prop:value=move || user.get()
                            on:input=move |ev| user.set(event_target_value(&ev))
                        />
                    </label>
                    <button
                        type="submit"
                        class="btn btn-primary"
                        data-testid="tc-load"
                        disabled=move || cards_busy.get()
                    >
                        {s::LOAD()}
                    </button>
                </fieldset>
            </form>
            {move || {
                range_error()
                    .map(|m| view! { <p class="error-text" role="alert" data-testid="tc-range-error">{m}</p> })
            }}

            {move || {
                (!no_archive.get())
                    .then(|| {
                        view! {
                        <section class="card tc-policy" data-testid="tc-policy" aria-labelledby="tc-policy-title">
                            <div class="page-head">
                                <h2 id="tc-policy-title">{s::POLICY_TITLE()}</h2>
                                {move || {
                                    let current = policy.with(|d| match d {
                                        Some(Ok(p)) => Some(p.clone()),
                                        _ => None,
                                    });
                                    (admin && editing.with(Option::is_none))
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="btn btn-secondary"
                                                    data-testid="tc-policy-edit"
                                                    disabled=current.is_none()
                                                    on:click=move |_| {
                                                        if let Some(p) = &current {
                                                            saved.set(false);
                                                            editing.set(Some(PolicyDraft::from_policy(p)));
                                                        }
                                                    }
                                                >
                                                    {s::EDIT_POLICY()}
                                                </button>
                                            }
                                        })
                                }}
                            </div>
                            {move || {
                                saved
                                    .get()
                                    .then(|| view! { <p class="notice" role="status" data-testid="tc-policy-saved">{s::SAVED()}</p> })
                            }}
                            <Loaded
                                resource=policy
                                failed=s::POLICY_FAILED()
                                loading=s::POLICY_LOADING()
                                title_of=error_title
                            >
                                {move || ok_data(policy).map(|p| policy_words(&p))}
                            </Loaded>
                            {move || {
                                editing
                                    .with(Option::is_some)
                                    .then(|| view! { <PolicyForm editing policy save=save_policy /> })
                            }}
                        </section>
                        }
                    })
            }}

            <Loaded
                resource=cards
                failed=s::LOAD_FAILED()
                loading=s::LOADING()
                title_of=error_title
                set_pending=cards_busy
            >
                {move || {
                    ok_data(cards)
                        .flatten()
                        .map(|(range, r)| view! { <TimecardTables result=r from=range.from to=range.to /> })
                }}
            </Loaded>
            <div class="toolbar tc-exports">
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="tc-csv"
                    disabled=move || !has_days.get() || cards_busy.get()
                    on:click=move |_| export(false)
                >
                    {s::CSV()}
                </button>
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="tc-totals-csv"
                    disabled=move || !has_days.get() || cards_busy.get()
                    on:click=move |_| export(true)
                >
                    {s::CSV_TOTALS()}
                </button>
            </div>
            {move || csv_error.get().then(|| view! { <p class="warning">{s::CSV_FAILED()}</p> })}
        </section>
    }
}

/// The policy in sentences.
fn policy_words(p: &TimecardPolicy) -> impl IntoView + use<> {
    let mapped: Vec<(u8, PunchType)> = TnaKey::all()
        .filter_map(|k| p.punch_type(k).map(|t| (k.number(), t)))
        .collect();
    let keys = if mapped.is_empty() {
        view! { <p class="tc-policy-keys">{s::POLICY_NO_KEYS()}</p> }.into_any()
    } else {
        let all_mapped = mapped.len() == KEYS;
        view! {
            <ul class="tc-policy-keys" data-testid="tc-policy-keys">
                {mapped
                    .into_iter()
                    .map(|(n, t)| {
                        view! {
                            <li data-key=n.to_string() data-punch=punch_key(t)>{s::key_means(n, t)}</li>
                        }
                    })
                    .collect_view()}
            </ul>
            {(!all_mapped).then(|| view! { <p class="muted">{s::POLICY_OTHER_KEYS()}</p> })}
        }
            .into_any()
    };
    let day_start = minutes_hm(p.day_start_minutes);
    view! {
        <dl class="facts tc-policy-facts">
            <div class="fact">
                <dt>{s::POLICY_KEYS()}</dt>
                <dd>{keys}</dd>
            </div>
            <div class="fact">
                <dt>{s::POLICY_DAY_START()}</dt>
                <dd data-testid="tc-policy-day-start" data-minutes=p.day_start_minutes.to_string()>
                    {s::day_starts(&day_start)}
                </dd>
            </div>
            <div class="fact">
                <dt>{s::POLICY_REPEATS()}</dt>
                <dd>
                    <span class="tc-line" data-testid="tc-policy-repeated-in" data-rule=rule_key(p.repeated_in)>
                        {s::repeated_in(p.repeated_in)}
                    </span>
                    <span class="tc-line" data-testid="tc-policy-repeated-out" data-rule=rule_key(p.repeated_out)>
                        {s::repeated_out(p.repeated_out)}
                    </span>
                </dd>
            </div>
            <div class="fact">
                <dt>{s::POLICY_ZONE()}</dt>
                <dd data-testid="tc-policy-zone">{s::ZONE_RULE()}</dd>
            </div>
        </dl>
    }
}

/// The admin's policy editor; saves with `timecards.setPolicy` after the same validation the
/// relay runs, then shows the stored policy and computes the timecards again.
#[component]
fn PolicyForm(
    editing: RwSignal<Option<PolicyDraft>>,
    policy: RelayResource<TimecardPolicy>,
    /// `timecards.setPolicy`; the page shows what it stored and closes the form.
    save: Action<TimecardPolicy, Result<TimecardPolicy, ApiError>>,
) -> impl IntoView {
    // The form's own draft: `editing` only says whether the form is open.
    let start = editing
        .get_untracked()
        .or_else(|| {
            policy.with_untracked(|d| match d {
                Some(Ok(p)) => Some(PolicyDraft::from_policy(p)),
                _ => None,
            })
        })
        .unwrap_or_else(|| PolicyDraft::from_policy(&TimecardPolicy::default()));
    let draft = RwSignal::new(start.clone());
    let local_errors = Memo::new(move |_| draft.with(|d| d.to_policy().err().unwrap_or_default()));
    let server_errors = RwSignal::new(Vec::<FieldError>::new());
    let errors = Memo::new(move |_| {
        let mut all = local_errors.get();
        all.extend(server_errors.get());
        all
    });
    // Errors no input shows (a key mapped twice can only come from the relay).
    let other_errors = Memo::new(move |_| {
        errors.with(|es| {
            es.iter()
                .filter(|e| e.field != "dayStartMinutes")
                .map(field_error_text)
                .collect::<Vec<_>>()
        })
    });
    let tried = RwSignal::new(false);
    let saving = save.pending();
    // The last refusal: its message, and its field errors next to their fields until the next
    // edit.
    let save_error = Memo::new(move |_| {
        save.value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    });
    Effect::new(move |_| {
        if let Some(ApiError::Rpc(rpc)) = save_error.get() {
            server_errors.set(rpc.field_errors());
        }
    });
    let edit = move |f: &dyn Fn(&mut PolicyDraft)| {
        server_errors.set(Vec::new());
        draft.update(|d| f(d));
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Ok(new_policy) = draft.with_untracked(PolicyDraft::to_policy) else {
            return; // the errors are shown next to their fields
        };
        save.dispatch(new_policy);
    };

    let key_selects = (0..KEYS)
        .map(|i| {
            let n = i as u8 + 1;
            let current = start.keys[i];
            view! {
                <label class="field">
                    <span>{s::key_label(n)}</span>
                    <select
                        class="input"
                        data-testid="tc-policy-key"
                        data-key=n.to_string()
                        on:change=move |ev| {
                            let v = parse_punch(&event_target_value(&ev));
                            edit(&|d| d.keys[i] = v);
                        }
                    >
                        <option value="" selected=current.is_none()>{s::PUNCH_NONE()}</option>
                        {PunchType::ALL
                            .into_iter()
                            .map(|p| {
                                view! {
                                    <option value=punch_key(p) selected=current == Some(p)>
                                        {s::punch_name(p)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </label>
            }
        })
        .collect_view();
    let rule_options = |current: RepeatRule| {
        [RepeatRule::First, RepeatRule::Last]
            .into_iter()
            .map(|r| {
                view! { <option value=rule_key(r) selected=r == current>{s::rule_option(r)}</option> }
            })
            .collect_view()
    };

    view! {
        <form class="tc-policy-form" data-testid="tc-policy-form" on:submit=save novalidate=true>
            <h3>{s::EDIT_TITLE()}</h3>
            <p class="muted">{s::EDIT_INTRO()}</p>
            <fieldset class="tc-keys">
                <legend>{s::KEYS_LEGEND()}</legend>
                <div class="tc-keys-grid">{key_selects}</div>
            </fieldset>
            <div class="form-grid">
                <label class="field">
                    <span>{s::DAY_START_LABEL()}</span>
                    <input
                        class="input"
                        type="time"
                        data-testid="tc-policy-day-start-input"
                        prop:value=move || draft.with(|d| d.day_start.clone())
                        on:input=move |ev| {
                            let v = event_target_value(&ev);
                            edit(&|d| d.day_start = v.clone());
                        }
                    />
                    <FieldErrorText errors field="dayStartMinutes" />
                </label>
                <label class="field">
                    <span>{s::REPEATED_IN_LABEL()}</span>
                    <select
                        class="input"
                        data-testid="tc-policy-repeated-in-input"
                        on:change=move |ev| {
                            let v = parse_rule(&event_target_value(&ev));
                            edit(&|d| d.repeated_in = v);
                        }
                    >
                        {rule_options(start.repeated_in)}
                    </select>
                </label>
                <label class="field">
                    <span>{s::REPEATED_OUT_LABEL()}</span>
                    <select
                        class="input"
                        data-testid="tc-policy-repeated-out-input"
                        on:change=move |ev| {
                            let v = parse_rule(&event_target_value(&ev));
                            edit(&|d| d.repeated_out = v);
                        }
                    >
                        {rule_options(start.repeated_out)}
                    </select>
                </label>
            </div>
            {move || {
                other_errors
                    .get()
                    .into_iter()
                    .map(|m| view! { <p class="field-error" role="alert" data-testid="field-error">{m}</p> })
                    .collect_view()
            }}
            {move || {
                (tried.get() && local_errors.with(|e| !e.is_empty()))
                    .then(|| view! { <p class="error-text" role="alert">{s::FIX_ERRORS()}</p> })
            }}
            {move || {
                save_error
                    .get()
                    .map(|e| {
                        let title = error_title(&e, s::SAVE_FAILED());
                        view! { <ErrorBanner title=title error=e /> }
                    })
            }}
            <div class="toolbar editor-actions">
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="tc-policy-cancel"
                    on:click=move |_| editing.set(None)
                >
                    {s::CANCEL()}
                </button>
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="tc-policy-save"
                    disabled=move || saving.get()
                >
                    {move || if saving.get() { s::SAVING() } else { s::SAVE() }}
                </button>
            </div>
        </form>
    }
}

/// The days table and the totals table of one result.
#[component]
fn TimecardTables(result: TimecardsResult, from: String, to: String) -> impl IntoView {
    let users = result.totals.len();
    // Device names for the punches behind a day (a device without one shows its ID).
    let api = use_api();
    let devices = relay_resource(move || api.list_devices());
    let device_names = Memo::new(move |_| {
        ok_data(devices)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|d| Some((d.device_id, d.name?)))
            .collect::<std::collections::HashMap<u32, String>>()
    });
    let policy = StoredValue::new(result.policy.clone());
    if result.days.is_empty() {
        return view! {
            <p class="summary muted" data-testid="tc-summary" data-days="0" data-events=result.events.to_string()>
                {s::summary(0, 0, result.events)}
            </p>
            <p class="empty-state" data-testid="tc-empty">{s::EMPTY()}</p>
        }
        .into_any();
    }
    view! {
        <p
            class="summary muted"
            data-testid="tc-summary"
            data-days=result.days.len().to_string()
            data-events=result.events.to_string()
        >
            {s::summary(result.days.len(), users, result.events)}
        </p>
        <h2>{s::DAYS_TITLE()}</h2>
        <div class="table-wrap">
            <table class="data-table tc-table" data-testid="tc-table">
                <caption class="visually-hidden">{s::caption(&from, &to)}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_USER()}</th>
                        <th scope="col">{s::COL_DAY()}</th>
                        <th scope="col">{s::COL_ZONE()}</th>
                        <th scope="col">{s::COL_FIRST_IN()}</th>
                        <th scope="col">{s::COL_LAST_OUT()}</th>
                        <th scope="col">{s::COL_BREAK()}</th>
                        <th scope="col">{s::COL_MEAL()}</th>
                        <th scope="col">{s::COL_WORKED()}</th>
                        <th scope="col">{s::COL_FLAGS()}</th>
                        <th scope="col">{s::COL_DEVICES()}</th>
                    </tr>
                </thead>
                <tbody>
                    {result
                        .days
                        .into_iter()
                        .map(|d| view! { <DayRow d device_names policy /> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        <h2>{s::TOTALS_TITLE()}</h2>
        <div class="table-wrap">
            <table class="data-table tc-totals" data-testid="tc-totals">
                <caption class="visually-hidden">{s::TOTALS_CAPTION()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{s::COL_USER()}</th>
                        <th scope="col">{s::COL_DAYS()}</th>
                        <th scope="col">{s::COL_WORKED()}</th>
                        <th scope="col">{s::COL_BREAK()}</th>
                        <th scope="col">{s::COL_MEAL()}</th>
                        <th scope="col">{s::COL_FLAGGED()}</th>
                    </tr>
                </thead>
                <tbody>
                    {result.totals.into_iter().map(total_row).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A time cell: `HH:MM` in the day's zone at that instant, `(+1 day)` when on a later date
/// than the day; the title gives the full local time with its offset, and UTC.
fn time_cell(ts: Option<u32>, offset: Option<i32>, day_number: i32) -> impl IntoView + use<> {
    match ts {
        None => view! { <span>{s::NONE()}</span> }.into_any(),
        Some(t) => {
            let offset = offset.unwrap_or(0);
            let at = i64::from(t);
            let text = s::time_on(
                &time::format_hm(at, offset),
                days_after(t, offset, day_number),
            );
            let title = s::time_title(
                &time::format_at(at, offset, ' '),
                &time::format_offset(offset),
                &time::format_at(at, 0, ' '),
            );
            view! {
                <span title=title data-ts=t.to_string() data-offset=offset.to_string()>{text}</span>
            }
            .into_any()
        }
    }
}

/// One day of one user, with a button that opens the punches behind it.
#[component]
fn DayRow(
    d: TimecardDay,
    device_names: Memo<std::collections::HashMap<u32, String>>,
    policy: StoredValue<TimecardPolicy>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let punches = d.clone();
    view! {
        {day_row(d, open)}
        <Show when=move || open.get()>
            <tr class="tc-punches-row" data-testid="tc-punches-row">
                <td colspan="10">
                    <DayPunches d=punches.clone() device_names policy />
                </td>
            </tr>
        </Show>
    }
}

/// The punches behind a day: the user's archived events from the day's start (the policy's
/// day start, in the day's zone) to the next day's, with device, key and local time.
#[component]
fn DayPunches(
    d: TimecardDay,
    device_names: Memo<std::collections::HashMap<u32, String>>,
    policy: StoredValue<TimecardPolicy>,
) -> impl IntoView {
    let api = use_api();
    let offset = d.first_in_offset.or(d.last_out_offset).unwrap_or(0);
    let start_minutes = policy.with_value(|p| i64::from(p.day_start_minutes));
    let day_start =
        i64::from(d.day_number) * time::SECONDS_PER_DAY + start_minutes * 60 - i64::from(offset);
    let secs = |t: i64| u32::try_from(t.max(0)).unwrap_or(u32::MAX);
    let query = tna_types::archive::LogQuery {
        from: Some(secs(day_start)),
        // A night shift's OUT may come the next morning: one more day, then cut at the next
        // day's start.
        to: Some(secs(day_start + time::SECONDS_PER_DAY)),
        user_id: Some(d.user_id.clone()),
        device_ids: None,
        after: None,
        limit: DAY_PUNCHES,
    };
    let rows = LocalResource::new(move || api.archive_logs(query.clone()));
    let meaning = move |key: Option<TnaKey>| {
        key.and_then(|k| {
            policy.with_value(|p| {
                p.punch_types
                    .iter()
                    .find(|m| m.key == k)
                    .map(|m| s::punch_name(m.punch))
            })
        })
    };
    view! {
        <Suspense fallback=|| view! { <p class="muted">{s::PUNCHES_LOADING()}</p> }>
            {move || {
                rows.get()
                    .map(|r| match r {
                        Err(e) => view! { <ErrorBanner title=s::PUNCHES_FAILED() error=e /> }.into_any(),
                        Ok(page) => view! {
                            <ol class="tc-punches" data-testid="tc-punches">
                                {page
                                    .rows
                                    .into_iter()
                                    .map(|r| {
                                        let l = r.log;
                                        let device = device_names
                                            .with(|n| n.get(&l.device_id).cloned())
                                            .unwrap_or_else(|| l.device_id.to_string());
                                        let key = l
                                            .tna_key
                                            .map(|k| format!("KEY_{}", k.number()))
                                            .unwrap_or_else(|| s::NONE().to_string());
                                        let what = meaning(l.tna_key).unwrap_or(s::UNMAPPED());
                                        view! {
                                            <li
                                                data-testid="tc-punch"
                                                data-ts=l.timestamp.to_string()
                                                data-device-id=l.device_id.to_string()
                                                data-key=l.tna_key.map(|k| k.number().to_string())
                                            >
                                                <span class="mono">
                                                    {time::format_hm(i64::from(l.timestamp), offset)}
                                                </span>
                                                " " <span class="tc-punch-what">{what}</span>
                                                " " <span class="muted">{key}</span>
                                                " · " <span>{device}</span>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ol>
                        }
                            .into_any(),
                    })
            }}
        </Suspense>
    }
}

fn day_row(d: TimecardDay, open: RwSignal<bool>) -> impl IntoView + use<> {
    let flags_attr = d
        .flags
        .iter()
        .map(|f| flag_key(*f))
        .collect::<Vec<_>>()
        .join(",");
    let flagged = !d.flags.is_empty();
    let devices = d.devices.clone();
    view! {
        <tr
            data-testid="tc-row"
            data-user=d.user_id.clone()
            data-day=d.day.clone()
            data-worked-seconds=d.worked_seconds.to_string()
            data-break-seconds=d.break_seconds.to_string()
            data-meal-seconds=d.meal_seconds.to_string()
            data-flags=flags_attr
            class={ if flagged { "row-flagged" } else { "" } }
        >
            <td data-label=s::COL_USER() data-testid="tc-day-user">
                <button
                    type="button"
                    class="btn-link tc-open"
                    data-testid="tc-day-open"
                    aria-expanded=move || open.get().to_string()
                    title=s::PUNCHES_OPEN()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    {move || if open.get() { "▾" } else { "▸" }}
                </button>
                " "
                <UserName user_id=d.user_id.clone() />
            </td>
            <td data-label=s::COL_DAY() class="mono">{d.day.clone()}</td>
            <td data-label=s::COL_ZONE() data-testid="tc-zone" data-zone=d.zone.clone()>
                {s::zone_name(d.zone.as_deref())}
            </td>
            <td data-label=s::COL_FIRST_IN() class="mono">{time_cell(d.first_in, d.first_in_offset, d.day_number)}</td>
            <td data-label=s::COL_LAST_OUT() class="mono">{time_cell(d.last_out, d.last_out_offset, d.day_number)}</td>
            <td data-label=s::COL_BREAK() class="mono">{hours_minutes(d.break_seconds)}</td>
            <td data-label=s::COL_MEAL() class="mono">{hours_minutes(d.meal_seconds)}</td>
            <td data-label=s::COL_WORKED() class="mono tc-worked">{hours_minutes(d.worked_seconds)}</td>
            <td data-label=s::COL_FLAGS()>
                {if flagged {
                    view! {
                        <ul class="tc-flags">
                            {d
                                .flags
                                .iter()
                                .map(|f| {
                                    view! {
                                        <li class="tc-flag" data-flag=flag_key(*f) title=s::flag_help(*f)>
                                            {s::flag_name(*f)}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                        .into_any()
                } else {
                    view! { <span>{s::NONE()}</span> }.into_any()
                }}
            </td>
            <td data-label=s::COL_DEVICES() data-testid="tc-devices">
                <ul class="tc-devices">
                    {devices
                        .into_iter()
                        .map(|id| view! { <li><DeviceLabel device_id=id /></li> })
                        .collect_view()}
                </ul>
            </td>
        </tr>
    }
}

fn total_row(t: UserTotals) -> impl IntoView {
    view! {
        <tr
            data-testid="tc-total"
            data-user=t.user_id.clone()
            data-worked-seconds=t.worked_seconds.to_string()
            data-days=t.days.to_string()
            data-flagged-days=t.flagged_days.to_string()
            class={ if t.flagged_days > 0 { "row-flagged" } else { "" } }
        >
            <td data-label=s::COL_USER() data-testid="tc-total-user">
                <UserName user_id=t.user_id.clone() />
            </td>
            <td data-label=s::COL_DAYS() class="mono">{t.days}</td>
            <td data-label=s::COL_WORKED() class="mono tc-worked">{hours_minutes(t.worked_seconds)}</td>
            <td data-label=s::COL_BREAK() class="mono">{hours_minutes(t.break_seconds)}</td>
            <td data-label=s::COL_MEAL() class="mono">{hours_minutes(t.meal_seconds)}</td>
            <td data-label=s::COL_FLAGGED() class="mono">{t.flagged_days}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times() {
        assert_eq!(hours_minutes(0), "0:00");
        assert_eq!(hours_minutes(8 * 3600 + 5 * 60 + 59), "8:05");
        assert_eq!(hours_minutes(41 * 3600 + 30 * 60), "41:30");
        assert_eq!(minutes_hm(300), "05:00");
        // 2026-01-05T23:30:00Z is 08:30 the next day at UTC+9.
        let ts = 1_767_655_800;
        assert_eq!(time::format_hm(i64::from(ts), 540 * 60), "08:30");
        assert_eq!(time::format_hm(i64::from(ts), 0), "23:30");
        let day = i32::try_from(logs::parse_date("2026-01-05").unwrap()).unwrap();
        assert_eq!(days_after(ts, 0, day), 0);
        assert_eq!(days_after(ts, 540 * 60, day), 1);
    }

    #[test]
    fn day_starts_parse() {
        assert_eq!(parse_hhmm("05:00"), Some(300));
        assert_eq!(parse_hhmm("23:59:00"), Some(1439));
        assert_eq!(
            parse_hhmm("24:00"),
            Some(1440),
            "left for validate to reject"
        );
        assert_eq!(parse_hhmm("5"), None);
        assert_eq!(parse_hhmm("05:60"), None);
        assert_eq!(parse_hhmm(""), None);
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        let monday = logs::parse_date("2026-01-05").unwrap();
        for d in 0..7 {
            assert_eq!(week_of(monday + d), (monday, monday + 6));
        }
        assert_eq!(week_of(monday - 1).0, monday - 7);
        assert_eq!(week_of(0), (-3, 3), "1970-01-01 was a Thursday");
    }

    #[test]
    fn the_draft_round_trips_and_validates_like_the_relay() {
        let p = TimecardPolicy {
            day_start_minutes: 300,
            repeated_in: RepeatRule::First,
            ..TimecardPolicy::default()
        };
        let draft = PolicyDraft::from_policy(&p);
        assert_eq!(draft.day_start, "05:00");
        assert_eq!(draft.to_policy(), Ok(p));

        let mut bad = draft.clone();
        bad.day_start = "24:30".into();
        let fields: Vec<String> = bad
            .to_policy()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["dayStartMinutes"],
            "the relay's own rule: before 24:00"
        );

        let mut unreadable = draft;
        unreadable.day_start = "nine".into();
        let errors = unreadable.to_policy().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "dayStartMinutes");
    }

    #[test]
    fn csv_has_the_agreed_columns() {
        // A night shift in New York across the spring-forward change: IN at 22:00 EST (-05:00),
        // OUT at 06:00 EDT (-04:00) on the next date; each time as UTC and as local time with
        // the offset in force then.
        let day = TimecardDay {
            user_id: "=1007".into(),
            day: "2026-03-07".into(),
            day_number: 20_519,
            first_in: Some(1_772_938_800),
            last_out: Some(1_772_964_000),
            zone: Some("America/New_York".into()),
            first_in_offset: Some(-5 * 3600),
            last_out_offset: Some(-4 * 3600),
            worked_seconds: 7 * 3600 + 59,
            break_seconds: 0,
            meal_seconds: 60,
            intervals: Vec::new(),
            flags: vec![TimecardFlag::UnmappedKeys],
            punches: 3,
            unmapped: 1,
            devices: vec![1, 2],
        };
        let mut no_zone = day.clone();
        no_zone.zone = None;
        no_zone.last_out = None;
        no_zone.last_out_offset = None;
        no_zone.first_in_offset = Some(0);
        let mut out = String::new();
        push_days_csv(&mut out, &[day, no_zone], |_| "Ana Müller".to_string());
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "user_id,user_name,day,zone,first_in_utc,first_in_local,last_out_utc,last_out_local,\
             worked_minutes,break_minutes,meal_minutes,flags,devices"
        );
        assert_eq!(
            lines[1],
            "'=1007,Ana Müller,2026-03-07,America/New_York,2026-03-08T03:00:00Z,2026-03-07T22:00:00-05:00,\
             2026-03-08T10:00:00Z,2026-03-08T06:00:00-04:00,420,0,1,unmappedKeys,1;2"
        );
        assert_eq!(
            lines[2],
            "'=1007,Ana Müller,2026-03-07,UTC,2026-03-08T03:00:00Z,2026-03-08T03:00:00+00:00,,,420,0,1,\
             unmappedKeys,1;2"
        );
    }

    #[test]
    fn flag_and_punch_keys_are_the_wire_names() {
        for p in PunchType::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), punch_key(p));
            assert_eq!(parse_punch(punch_key(p)), Some(p));
        }
        for f in [
            TimecardFlag::MissingOut,
            TimecardFlag::MissingIn,
            TimecardFlag::RepeatedIn,
            TimecardFlag::RepeatedOut,
            TimecardFlag::UnpairedBreak,
            TimecardFlag::UnpairedMeal,
            TimecardFlag::UnmappedKeys,
        ] {
            assert_eq!(serde_json::to_value(f).unwrap(), flag_key(f));
        }
    }
}
