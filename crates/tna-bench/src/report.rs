//! The results table: one row per figure, with its budget and whether it was met.

use std::path::Path;

use serde::Serialize;

/// One measured figure.
#[derive(Debug, Serialize)]
pub struct Figure {
    /// Which benchmark (`1. transfer size`, …).
    pub group: String,
    /// What was measured.
    pub name: String,
    /// The value.
    pub value: f64,
    /// Its unit.
    pub unit: String,
    /// The budget, as text (`≤ 150 kB`).
    pub budget: Option<String>,
    /// Whether the budget was met (`None`: no budget, or quick mode).
    pub met: Option<bool>,
    /// Why the figure was not measured (its value is then NaN, `null` in the JSON).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// All figures of one run.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Quick mode: figures prove the code runs, nothing more.
    pub quick: bool,
    /// The figures in order.
    pub figures: Vec<Figure>,
}

impl Report {
    pub fn new(quick: bool) -> Self {
        Self {
            quick,
            figures: Vec::new(),
        }
    }

    /// Adds a figure without a budget.
    pub fn add(&mut self, group: &str, name: &str, value: f64, unit: &str) {
        self.push(group, name, value, unit, None, None);
    }

    /// Adds a row for a figure that could not be measured here, saying why (`skipped: …`).
    pub fn skip(&mut self, group: &str, name: &str, why: &str) {
        self.push(group, name, f64::NAN, "", None, None);
        if let Some(f) = self.figures.last_mut() {
            f.skipped = Some(why.into());
        }
    }

    /// Adds a figure with a budget and whether it was met (not judged in quick mode).
    pub fn budget(
        &mut self,
        group: &str,
        name: &str,
        value: f64,
        unit: &str,
        budget: &str,
        met: bool,
    ) {
        let met = (!self.quick).then_some(met);
        self.push(group, name, value, unit, Some(budget.to_string()), met);
    }

    fn push(
        &mut self,
        group: &str,
        name: &str,
        value: f64,
        unit: &str,
        budget: Option<String>,
        met: Option<bool>,
    ) {
        self.figures.push(Figure {
            group: group.into(),
            name: name.into(),
            value,
            unit: unit.into(),
            budget,
            met,
            skipped: None,
        });
    }

    /// Prints the table.
    pub fn print(&self) {
        println!();
        if self.quick {
            println!(
                "(quick mode: tiny sizes, figures are not meaningful and budgets are not judged)"
            );
        }
        println!(
            "{:<22} {:<44} {:>14} {:<8} {:<14} met",
            "benchmark", "figure", "value", "unit", "budget"
        );
        println!("{}", "-".repeat(112));
        for f in &self.figures {
            if let Some(why) = &f.skipped {
                println!("{:<22} {:<44} {}", f.group, f.name, why);
                continue;
            }
            let value = if f.value.fract() == 0.0 || f.value.abs() >= 1000.0 {
                format!("{:.0}", f.value)
            } else {
                format!("{:.2}", f.value)
            };
            let met = match f.met {
                Some(true) => "yes",
                Some(false) => "NO",
                None => "",
            };
            println!(
                "{:<22} {:<44} {:>14} {:<8} {:<14} {}",
                f.group,
                f.name,
                value,
                f.unit,
                f.budget.as_deref().unwrap_or(""),
                met
            );
        }
    }

    /// Writes the figures as JSON.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(path, json)
    }
}

/// The median of some samples (0 for none).
pub fn median(samples: &mut [f64]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    let mid = samples.len() / 2;
    if samples.len().is_multiple_of(2) {
        (samples[mid - 1] + samples[mid]) / 2.0
    } else {
        samples[mid]
    }
}
