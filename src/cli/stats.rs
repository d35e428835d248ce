//! `--stats`: where the time of a run went, stage by stage, and how much memory it took.

use std::time::Duration;

use vanban::StageTimes;

/// Stage times summed over a run, plus the CLI's own emit and write time.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) stages: StageTimes,
    /// Serializing records to JSON.
    pub(crate) emit: Duration,
    /// Writing them out.
    pub(crate) write: Duration,
}

impl Stats {
    fn rows(&self) -> Vec<(&'static str, Duration)> {
        let mut rows = self.stages.stages().to_vec();
        rows.push(("emit", self.emit));
        rows.push(("write", self.write));
        rows
    }

    /// A table for stderr. Stage times are summed over all worker threads, so a stage's MB/s is
    /// what one core does; the wall-clock rate is in the summary.
    pub(crate) fn render(&self, files: usize, bytes: u64, wall: Duration) -> String {
        let rows = self.rows();
        let total: f64 = rows.iter().map(|(_, d)| d.as_secs_f64()).sum();
        let mb = bytes as f64 / 1e6;
        let mut out = String::from("stage        seconds   share     MB/s (per core)\n");
        for (name, d) in &rows {
            let s = d.as_secs_f64();
            let share = if total > 0.0 { 100.0 * s / total } else { 0.0 };
            let rate = if s > 0.0 { mb / s } else { 0.0 };
            out.push_str(&format!("{name:<10} {s:>9.3} {share:>6.1}% {rate:>12.1}\n"));
        }
        let wall_s = wall.as_secs_f64().max(1e-9);
        out.push_str(&format!(
            "total      {total:>9.3}         {:>12.1}\nwall       {wall_s:>9.3}   {:.1} MB/s, {:.1} docs/s",
            if total > 0.0 { mb / total } else { 0.0 },
            mb / wall_s,
            files as f64 / wall_s
        ));
        if let Some(peak) = peak_rss_bytes() {
            out.push_str(&format!(", peak RSS {:.1} MiB", peak as f64 / (1024.0 * 1024.0)));
        }
        out.push('\n');
        out
    }

    /// The same figures as one JSON object.
    pub(crate) fn to_json(&self, files: usize, bytes: u64, wall: Duration) -> serde_json::Value {
        let mb = bytes as f64 / 1e6;
        let stages: serde_json::Map<String, serde_json::Value> = self
            .rows()
            .into_iter()
            .map(|(name, d)| {
                let s = d.as_secs_f64();
                let rate = if s > 0.0 { mb / s } else { 0.0 };
                (name.to_owned(), serde_json::json!({"seconds": s, "mb_per_second_per_core": rate}))
            })
            .collect();
        let wall_s = wall.as_secs_f64().max(1e-9);
        serde_json::json!({
            "files": files,
            "input_bytes": bytes,
            "wall_seconds": wall_s,
            "mb_per_second": mb / wall_s,
            "docs_per_second": files as f64 / wall_s,
            "peak_rss_bytes": peak_rss_bytes(),
            "stages": stages,
        })
    }
}

/// The process's peak resident set size, where the system tells it (Linux `VmHWM`).
fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}
