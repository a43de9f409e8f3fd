//! `huiqi bench`: measured, not timed tests. Figures are medians/percentiles over many runs.

use std::path::PathBuf;
use std::time::Instant;

use clap::Subcommand;
use huiqi_core::bench;
use huiqi_core::demo::{self, Rng};
use huiqi_core::enterprise::{self, EnterpriseQuery, EnterpriseStatus};
use huiqi_core::store::Db;
use huiqi_core::{Error, Result};
use serde_json::json;

use crate::out::Out;

#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// Registry search: N generated enterprises, Q mixed queries; p50/p95/max in core and via the CLI.
    Search {
        #[arg(long, default_value_t = 100_000)]
        n: usize,
        #[arg(long, default_value_t = 1_000)]
        queries: usize,
        /// Also time this many `huiqi enterprise list` processes.
        #[arg(long, default_value_t = 50)]
        cli_runs: usize,
        /// Keep the generated database here (default: a temporary folder).
        #[arg(long)]
        keep: Option<PathBuf>,
    },
    /// Write ROWS-row enterprise rosters into DIR (import benchmark input): a realistic one as
    /// parks send them (random order, date cells, unknown columns, long text, 万元, rejected
    /// rows), and our tidy one as xlsx and as GBK csv.
    GenImport {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        dir: PathBuf,
    },
    /// Read an xlsx with calamine only (the bare-read baseline of the import benchmark).
    ReadBare { file: PathBuf },
    /// Export the whole registry of DB to FILE and time it.
    Export { file: PathBuf },
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if v.is_empty() {
        return 0.0;
    }
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i]
}

fn queries(n: usize, db: &Db) -> Result<Vec<EnterpriseQuery>> {
    let sample = enterprise::search(db, &EnterpriseQuery { limit: 2000, ..Default::default() })?.rows;
    let mut rng = Rng::new(7);
    let parks: Vec<String> = demo::PARKS.iter().map(|p| p.0.to_string()).collect();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let e = rng.pick(&sample).clone();
        let chars: Vec<char> = e.name.chars().collect();
        let q = match i % 8 {
            0 => {
                let s = 2 + rng.below(chars.len().saturating_sub(4).max(1) as u64) as usize;
                EnterpriseQuery { q: Some(chars[s..(s + 2).min(chars.len())].iter().collect()), ..Default::default() }
            }
            1 | 2 => {
                let s = 2 + rng.below(chars.len().saturating_sub(5).max(1) as u64) as usize;
                EnterpriseQuery { q: Some(chars[s..(s + 4).min(chars.len())].iter().collect()), ..Default::default() }
            }
            3 => EnterpriseQuery { q: Some(e.uscc[..6 + rng.below(8) as usize].to_string()), ..Default::default() },
            4 => EnterpriseQuery { q: Some(e.contact_name.clone()), ..Default::default() },
            5 => EnterpriseQuery { q: Some(chars[2..4].iter().collect()), park: Some(rng.pick(&parks).clone()), ..Default::default() },
            6 => EnterpriseQuery { sector: Some(e.sector.clone()), status: Some(EnterpriseStatus::Active), ..Default::default() },
            _ => EnterpriseQuery { q: Some(e.name.clone()), ..Default::default() },
        };
        out.push(EnterpriseQuery { limit: 200, ..q });
    }
    Ok(out)
}

pub fn run(cmd: Cmd, out: &Out) -> Result<()> {
    match cmd {
        Cmd::Search { n, queries: nq, cli_runs, keep } => {
            let tmp = tempfile_dir()?;
            let path = keep.unwrap_or_else(|| tmp.join("bench.db"));
            let _ = std::fs::remove_file(&path);
            let mut db = Db::open_rw(&path)?;
            let fill_s = bench::fill(&mut db, n)?;
            let qs = queries(nq, &db)?;
            // Warm the cache once, as a user who opened the registry has.
            for q in qs.iter().take(50) {
                enterprise::search(&db, q)?;
            }
            let mut ms = Vec::with_capacity(qs.len());
            let mut by_kind: Vec<Vec<f64>> = vec![Vec::new(); 8];
            let mut hits = 0i64;
            for (i, q) in qs.iter().enumerate() {
                let t = Instant::now();
                let p = enterprise::search(&db, q)?;
                let e = t.elapsed().as_secs_f64() * 1000.0;
                ms.push(e);
                by_kind[i % 8].push(e);
                hits += p.total;
            }
            const KINDS: [&str; 8] =
                ["name_2chars", "name_4chars", "name_4chars", "uscc_prefix", "contact", "2chars_in_park", "sector_status_filter", "full_name"];
            let mut kinds = serde_json::Map::new();
            for (i, v) in by_kind.iter_mut().enumerate() {
                if i == 2 {
                    continue;
                }
                kinds.insert(KINDS[i].into(), json!({"p50": pct(v, 0.5), "p95": pct(v, 0.95), "max": pct(v, 1.0)}));
            }
            // Opening the registry: the first page of the full list, sorted by name.
            let mut open_ms = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                enterprise::search(&db, &EnterpriseQuery { limit: 200, sort: Some(enterprise::SortKey::Name), ..Default::default() })?;
                open_ms.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            let (p50, p95, max) = (pct(&mut ms, 0.5), pct(&mut ms, 0.95), pct(&mut ms, 1.0));
            drop(db);
            let mut cli_ms = Vec::new();
            let exe = std::env::current_exe().map_err(|e| Error::io("huiqi", e))?;
            for q in qs.iter().filter(|q| q.q.is_some()).take(cli_runs) {
                let t = Instant::now();
                let st = std::process::Command::new(&exe)
                    .args(["--db", &path.display().to_string(), "--format", "json", "enterprise", "list", "--limit", "200", "--query", q.q.as_deref().unwrap()])
                    .stdout(std::process::Stdio::null())
                    .status()
                    .map_err(|e| Error::io(&exe, e))?;
                if st.success() {
                    cli_ms.push(t.elapsed().as_secs_f64() * 1000.0);
                }
            }
            let v = json!({
                "enterprises": n, "fill_seconds": fill_s, "queries": nq, "mean_hits": hits as f64 / nq as f64,
                "core_ms": {"p50": p50, "p95": p95, "max": max},
                "core_ms_by_query": kinds,
                "open_first_page_ms": {"p50": pct(&mut open_ms, 0.5), "max": pct(&mut open_ms, 1.0)},
                "cli_ms": {"runs": cli_ms.len(), "p50": pct(&mut cli_ms, 0.5), "p95": pct(&mut cli_ms, 0.95), "max": pct(&mut cli_ms, 1.0)},
            });
            out.emit(&v, |v| println!("{}", serde_json::to_string_pretty(v).unwrap()));
            Ok(())
        }
        Cmd::GenImport { rows, dir } => {
            let t = Instant::now();
            let real = bench::gen_import_realistic(rows, &dir)?;
            let (x, c) = bench::gen_import(rows, &dir)?;
            let v = json!({"realistic_xlsx": real, "xlsx": x, "csv_gbk": c, "rows": rows, "seconds": t.elapsed().as_secs_f64()});
            out.emit(&v, |v| println!("{}", serde_json::to_string_pretty(v).unwrap()));
            Ok(())
        }
        Cmd::ReadBare { file } => {
            let t = Instant::now();
            let cells = bench::read_bare(&file)?;
            let v = json!({"file": file.display().to_string(), "cells": cells, "seconds": t.elapsed().as_secs_f64()});
            out.emit(&v, |v| println!("{}", serde_json::to_string_pretty(v).unwrap()));
            Ok(())
        }
        Cmd::Export { file } => {
            let _ = file;
            Err(Error::invalid("usage", "请使用 huiqi enterprise export。", "Use huiqi enterprise export."))
        }
    }
}

fn tempfile_dir() -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!("huiqi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&d).map_err(|e| Error::io(&d, e))?;
    Ok(d)
}
