//! The Rust peer of bench/sigma: rsigma-eval over the same detection rules and
//! the same JSON-lines events as our engine.
//!
//! Usage:
//!
//!     rsigma-bench eval|e2e --events EVENTS.jsonl [--pairs OUT.tsv] RULE_PATH...
//!
//! RULE_PATH is a Sigma YAML file or a folder (searched recursively for .yml and
//! .yaml). Only detection rules are loaded (the named rules inside correlation
//! files included); correlations are left out, as in the pySigma peer.
//!
//! Each line of EVENTS.jsonl is one flat JSON object keyed by OTLP attribute
//! names (`event.name`, `audit.data.row_count`, ...), the event id in
//! `log.record.uid`. rsigma looks a field up as a literal top-level key first,
//! and only then as a dotted path into nested objects, so flat dotted keys are
//! fed as they are.
//!
//! Modes:
//! - `eval`: decode every line into memory first (not timed), then time only the
//!   evaluation of all events.
//! - `e2e`: time reading the file line by line, decoding each line and
//!   evaluating it, never holding more than one event.
//!
//! Prints one JSON line: mode, events, rules, matches, per-rule match counts,
//! wall and CPU seconds (getrusage RUSAGE_SELF, user + system) of the timed
//! part, and the peak RSS of the process (VmHWM, else ru_maxrss; KiB). With `--pairs`, the
//! sorted (event id, rule id) pairs of every match are written to OUT, one
//! `event_id<TAB>rule_id` line each (kept in memory until the end, so leave it
//! off when measuring memory).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use rsigma_eval::{Engine, JsonEvent};
use rsigma_parser::{SigmaCollection, parse_sigma_directory, parse_sigma_file};
use serde_json::{Value, json};

const ID_FIELD: &str = "log.record.uid";

struct Args {
    mode: String,
    events: PathBuf,
    pairs: Option<PathBuf>,
    rules: Vec<PathBuf>,
}

fn usage() -> String {
    "usage: rsigma-bench eval|e2e --events EVENTS.jsonl [--pairs OUT.tsv] RULE_PATH...".into()
}

fn parse_args() -> Result<Args, String> {
    let mut argv = std::env::args().skip(1);
    let mode = argv.next().ok_or_else(usage)?;
    if mode != "eval" && mode != "e2e" {
        return Err(usage());
    }
    let (mut events, mut pairs, mut rules) = (None, None, Vec::new());
    while let Some(arg) = argv.next() {
        match arg.as_str() {
            "--events" => events = Some(PathBuf::from(argv.next().ok_or_else(usage)?)),
            "--pairs" => pairs = Some(PathBuf::from(argv.next().ok_or_else(usage)?)),
            _ if arg.starts_with("--") => return Err(format!("unknown flag {arg}\n{}", usage())),
            _ => rules.push(PathBuf::from(arg)),
        }
    }
    let events = events.ok_or_else(usage)?;
    if rules.is_empty() {
        return Err(usage());
    }
    Ok(Args { mode, events, pairs, rules })
}

fn load_rules(paths: &[PathBuf]) -> Result<(Engine, Vec<String>), String> {
    let mut collection = SigmaCollection::new();
    for path in paths {
        let part = if path.is_dir() { parse_sigma_directory(path) } else { parse_sigma_file(path) }
            .map_err(|e| format!("{}: {e}", path.display()))?;
        collection.rules.extend(part.rules);
        collection.filters.extend(part.filters);
        collection.errors.extend(part.errors);
    }
    let mut engine = Engine::new();
    engine.add_collection(&collection).map_err(|e| format!("compiling rules: {e}"))?;
    Ok((engine, collection.errors))
}

/// CPU seconds (user + system) and ru_maxrss (KiB) of this process so far.
fn usage_now() -> (f64, i64) {
    // SAFETY: getrusage only writes into the zeroed struct we pass it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_maxrss)
}

/// The peak RSS of this process image (KiB): VmHWM from /proc/self/status where
/// there is one. ru_maxrss is not used for that on Linux because it also counts the
/// pre-exec peak of the forked parent (Node's child_process forks, so a large
/// parent inflates it); it is reported alongside.
fn peak_rss_kib() -> Option<i64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()
}

/// Per-rule counts and, when asked for, the (event id, rule) pairs of the matches.
struct Tally {
    /// Index of each rule key (its id, or its title when it has none) in `counts`.
    index: HashMap<String, usize>,
    keys: Vec<String>,
    counts: Vec<u64>,
    pairs: Option<Vec<(String, u32)>>,
    matches: u64,
}

impl Tally {
    fn new(engine: &Engine, keep_pairs: bool) -> Self {
        let mut tally = Tally { index: HashMap::new(), keys: Vec::new(), counts: Vec::new(), pairs: keep_pairs.then(Vec::new), matches: 0 };
        for rule in engine.rules() {
            tally.slot(rule.id.as_deref().unwrap_or(&rule.title));
        }
        tally
    }

    fn slot(&mut self, key: &str) -> usize {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        self.keys.push(key.to_string());
        self.counts.push(0);
        self.index.insert(key.to_string(), self.keys.len() - 1);
        self.keys.len() - 1
    }

    #[inline]
    fn record(&mut self, event: &Value, results: &[rsigma_eval::EvaluationResult]) {
        for result in results {
            let header = &result.header;
            let i = self.slot(header.rule_id.as_deref().unwrap_or(&header.rule_title));
            self.counts[i] += 1;
            self.matches += 1;
            if let Some(pairs) = self.pairs.as_mut() {
                let id = match event.get(ID_FIELD) {
                    Some(Value::String(s)) => s.clone(),
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                pairs.push((id, i as u32));
            }
        }
    }
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let load_started = Instant::now();
    let (engine, errors) = load_rules(&args.rules)?;
    let load_seconds = load_started.elapsed().as_secs_f64();
    let mut tally = Tally::new(&engine, args.pairs.is_some());
    let open = |path: &Path| File::open(path).map_err(|e| format!("{}: {e}", path.display()));

    let mut events = 0u64;
    let (wall, cpu);
    let mut decode_seconds = None;
    if args.mode == "eval" {
        let decode_started = Instant::now();
        let mut decoded: Vec<Value> = Vec::new();
        for line in BufReader::new(open(&args.events)?).lines() {
            let line = line.map_err(|e| e.to_string())?;
            if line.trim().is_empty() {
                continue;
            }
            decoded.push(serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", decoded.len() + 1))?);
        }
        decode_seconds = Some(decode_started.elapsed().as_secs_f64());
        let (cpu_started, _) = usage_now();
        let started = Instant::now();
        for value in &decoded {
            let results = engine.evaluate(&JsonEvent::borrow(value));
            if !results.is_empty() {
                tally.record(value, &results);
            }
        }
        wall = started.elapsed().as_secs_f64();
        cpu = usage_now().0 - cpu_started;
        events = decoded.len() as u64;
        drop(decoded);
    } else {
        let (cpu_started, _) = usage_now();
        let started = Instant::now();
        let mut reader = BufReader::with_capacity(1 << 16, open(&args.events)?);
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                break;
            }
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(&line).map_err(|e| format!("line {}: {e}", events + 1))?;
            events += 1;
            let results = engine.evaluate(&JsonEvent::borrow(&value));
            if !results.is_empty() {
                tally.record(&value, &results);
            }
        }
        wall = started.elapsed().as_secs_f64();
        cpu = usage_now().0 - cpu_started;
    }
    let (_, ru_maxrss_kib) = usage_now();
    let (peak_rss_kib, peak_rss_source) = match peak_rss_kib() {
        Some(kib) => (kib, "VmHWM"),
        None => (ru_maxrss_kib, "ru_maxrss"),
    };

    if let (Some(path), Some(mut pairs)) = (args.pairs.as_ref(), tally.pairs.take()) {
        let keys = &tally.keys;
        pairs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| keys[a.1 as usize].cmp(&keys[b.1 as usize])));
        let mut out = BufWriter::new(File::create(path).map_err(|e| format!("{}: {e}", path.display()))?);
        for (event, rule) in &pairs {
            writeln!(out, "{event}\t{}", keys[*rule as usize]).map_err(|e| e.to_string())?;
        }
        out.flush().map_err(|e| e.to_string())?;
    }

    let per_rule: serde_json::Map<String, Value> = tally.keys.iter().zip(&tally.counts).map(|(k, c)| (k.clone(), json!(c))).collect();
    let report = json!({
        "mode": args.mode,
        "events": events,
        "rules": engine.rule_count(),
        "rule_errors": errors,
        "matches": tally.matches,
        "per_rule": per_rule,
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_kib": peak_rss_kib,
        "peak_rss_source": peak_rss_source,
        "ru_maxrss_kib": ru_maxrss_kib,
        "load_seconds": load_seconds,
        "decode_seconds": decode_seconds,
        "rsigma_eval": "0.23.0",
    });
    println!("{report}");
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("rsigma-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
