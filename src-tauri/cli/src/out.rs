//! Output conventions shared by every subcommand: `--format json` prints one JSON document on
//! stdout; text is for people. Errors: exit 1 (refused), 3 (database); clap's usage errors exit 2.

use huiqi_core::{Error, Lang};
use serde::Serialize;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum, Debug)]
pub enum Format {
    Text,
    Json,
}

pub struct Out {
    pub format: Format,
    pub lang: Lang,
}

impl Out {
    /// Streamed to stdout (a 100,000-row import report is tens of MB: never held as one string).
    /// A closed pipe (`huiqi … | head`) ends the output quietly.
    pub fn json<T: Serialize>(&self, v: &T) {
        use std::io::Write;
        let mut w = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let _ = serde_json::to_writer_pretty(&mut w, v)
            .and_then(|_| w.write_all(b"\n").map_err(serde_json::Error::io))
            .and_then(|_| w.flush().map_err(serde_json::Error::io));
    }
    /// Print `v` as JSON, or call `text` for people.
    pub fn emit<T: Serialize>(&self, v: &T, text: impl FnOnce(&T)) {
        match self.format {
            Format::Json => self.json(v),
            Format::Text => text(v),
        }
    }
    pub fn zh(&self) -> bool {
        self.lang == Lang::Zh
    }
    pub fn pick<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }
    pub fn fail(&self, e: &Error) -> i32 {
        let p = e.payload(self.lang);
        match self.format {
            Format::Json => println!("{}", serde_json::json!({ "error": p })),
            Format::Text => {
                eprintln!("{}: {}", self.pick("错误", "error"), p.message);
                if let Some(d) = &p.details {
                    if let Some(fields) = d.get("fields").and_then(|f| f.as_array()) {
                        for f in fields {
                            let msg = if self.zh() { &f["message_zh"] } else { &f["message_en"] };
                            eprintln!("  - {}: {}", f["field"].as_str().unwrap_or(""), msg.as_str().unwrap_or(""));
                        }
                    }
                }
                if p.code == "over_budget" {
                    eprintln!(
                        "{}",
                        self.pick(
                            "  确认超预算批准，请在命令后加 --over-budget 再运行一次（会记入操作记录）。",
                            "  To approve over budget, run it again with --over-budget (recorded)."
                        )
                    );
                }
                eprintln!("  ({})", p.code);
            }
        }
        e.exit_code()
    }
}

/// Pad a cell to a display width (CJK characters count as two columns).
pub fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if (c as u32) > 0x2E80 { 2 } else { 1 }).sum();
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}
