//! Notice PDF benchmark: 1,000 one-page notices (different enterprises and amounts) rendered
//! (a) as 1,000 separate PDFs and (b) as one 1,000-page PDF, against Typst as a peer when the
//! Python package `typst` is installed (`pip install typst`). The huiqi PDFs are written by
//! printpdf 0.12 (see `notice/layout/pdf.rs`).
//!
//! Run: `cargo bench -p huiqi-core --bench notices` (release profile). Environment:
//! `NOTICES_N` (default 1000), `NOTICES_ROUNDS` (default 3), `NOTICES_NO_TYPST=1` to skip Typst.
//! Each round uses different notices, so nothing can be served from a cache of a previous round
//! (Typst memoizes compilations).

use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use huiqi_core::money;
use huiqi_core::notice::layout::{bench_subset, page_count, render, render_many, Fonts, NoticeDoc, Paragraph};

const PLACES: [&str; 10] = ["江宁", "秣陵", "东山", "淳化", "湖熟", "禄口", "谷里", "横溪", "江宁滨江", "汤山"];
const TRADES: [&str; 10] = ["智能装备", "生物医药", "新材料", "软件信息", "集成电路", "节能环保", "航空航天", "精密制造", "数字文化", "现代农业"];
const FORMS: [&str; 5] = ["科技有限公司", "技术有限公司", "股份有限公司", "研究院有限公司", "实业有限公司"];

struct Letter {
    name: String,
    amount: String,
    capitals: String,
}

fn letters(n: usize, round: usize) -> Vec<Letter> {
    (0..n)
        .map(|i| {
            let k = i + round * 7919;
            let name = format!("南京{}{}{}{}", PLACES[k % 10], TRADES[(k / 10) % 10], ["", "创新", "高新", "未来"][(k / 100) % 4], FORMS[(k / 400) % 5]);
            let fen = 1_000_000 + (k as i64 * 7_654_321) % 987_654_321;
            Letter { name, amount: money::fmt_yuan(fen), capitals: money::capitals(fen).unwrap_or_default() }
        })
        .collect()
}

const SIGNER: &str = "南京市江宁区科学技术局";
const TITLE: &str = "关于拨付2025年度高新技术企业培育奖励资金的通知";
const P1: &str = "根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条，你单位符合奖励条件。";

fn notice(l: &Letter, i: usize) -> NoticeDoc {
    NoticeDoc {
        authority: "南京市江宁区科学技术局文件".into(),
        doc_number: Some(format!("江宁科〔2026〕{}号", i + 1)),
        title: TITLE.into(),
        recipient: l.name.clone(),
        paragraphs: vec![Paragraph::new(P1), Paragraph::new(format!("现拨付奖励资金{} 元（人民币{}）。", l.amount, l.capitals)), Paragraph::new("特此通知。")],
        signer: SIGNER.into(),
        date: "2026年3月5日".into(),
        footer: Some(format!("江宁科〔2026〕{}号 · 校验码 1a2b3c4d5e6f", i + 1)),
        watermark: None,
        // Today's layout (page numbers odd right / even left); no 版记, as in the Typst peer.
        letter: false,
        imprint: None,
        layout: huiqi_core::notice::layout::LAYOUT_VERSION,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The same letter in Typst: A4, the same margins, the same fonts (from assets/fonts only), head,
/// rule, title, recipient, body with 2-em indent on the 225/22 mm line pitch, signer and date,
/// "— n —" page numbers and the footer line.
const TYPST_TEMPLATE: &str = r##"
#let red = rgb("#C8102E")
#let pitch = 225mm / 22
#let notice(num, name, amount, capitals) = {
  counter(page).update(1)
  v(35mm, weak: false)
  align(center, text(font: "Noto Serif CJK SC", weight: "bold", size: 34pt, fill: red, top-edge: "ascender")[南京市江宁区科学技术局文件])
  v(2 * pitch - 10pt)
  align(center)[江宁科〔2026〕#(num)号]
  v(4mm - 10pt)
  line(length: 100%, stroke: 1pt + red)
  v(2 * pitch - 10pt)
  align(center, text(font: "Noto Serif CJK SC", weight: "bold", size: 22pt)[关于拨付2025年度高新技术企业培育奖励资金的通知])
  v(pitch - 10pt)
  par(first-line-indent: 0em)[#name：]
  par[根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条，你单位符合奖励条件。]
  par[现拨付奖励资金#amount 元（人民币#capitals）。]
  par[特此通知。]
  v(pitch - 10pt)
  align(right, box(inset: (right: 4em))[#align(center)[南京市江宁区科学技术局 \ 2026年3月5日]])
}
#set page(
  paper: "a4",
  margin: (top: 37mm, left: 28mm, right: 26mm, bottom: 35mm),
  footer-descent: 7mm,
  footer: context align(center, text(font: "Noto Serif CJK SC", size: 14pt)[— #counter(page).display() —]
    + linebreak() + text(size: 9pt)[江宁科〔2026〕号 · 校验码 1a2b3c4d5e6f]),
)
#set text(font: ((name: "Noto Serif CJK SC", covers: regex("[\u{0000}-\u{1FFF}]")), "FandolFang R", "Noto Serif CJK SC"), size: 16pt, lang: "zh", region: "cn")
#set par(first-line-indent: (amount: 2em, all: true), justify: true, leading: pitch - 16pt, spacing: pitch - 16pt)
"##;

/// Times Typst through its Python binding; prints one JSON object.
const TYPST_SCRIPT: &str = r#"
import json, sys, time, statistics
try:
    import typst
except Exception as e:
    print(json.dumps({"available": False, "reason": repr(e)}))
    sys.exit(0)
tpl_path, data_path, fonts, work = sys.argv[1:5]
tpl = open(tpl_path, encoding="utf-8").read()
rounds = json.load(open(data_path, encoding="utf-8"))  # [round][doc] = [num, name, amount, capitals]
def call(d):
    return '#notice("%s", "%s", "%s", "%s")\n' % tuple(d)
one = tpl + '\n#notice(sys.inputs.at("num"), sys.inputs.at("name"), sys.inputs.at("amount"), sys.inputs.at("capitals"))\n'
open(work + "/one.typ", "w", encoding="utf-8").write(one)
c = typst.Compiler(work + "/one.typ", font_paths=[fonts], ignore_system_fonts=True)
warm = c.compile(sys_inputs={"num": "0", "name": "预热企业", "amount": "1.00", "capitals": "壹元整"})
sep, size = [], 0
for docs in rounds[:-1]:
    t = time.perf_counter()
    for d in docs:
        pdf = c.compile(sys_inputs=dict(zip(["num", "name", "amount", "capitals"], d)))
        size += len(pdf)
    sep.append((time.perf_counter() - t) / len(docs))
n_sep = sum(len(d) for d in rounds[:-1])
comb, comb_size = [], 0
for k, docs in enumerate(rounds[-1:] + rounds[:1]):
    src = tpl + "\n#pagebreak()\n".join(call(d) for d in docs)
    path = work + "/all%d.typ" % k
    open(path, "w", encoding="utf-8").write(src)
    cc = typst.Compiler(path, font_paths=[fonts], ignore_system_fonts=True)
    t = time.perf_counter()
    pdf = cc.compile()
    comb.append(time.perf_counter() - t)
    comb_size = len(pdf)
    open(work + "/combined.pdf", "wb").write(pdf)
open(work + "/one.pdf", "wb").write(warm)
print(json.dumps({"available": True, "version": getattr(typst, "__version__", "?"),
    "separate_ms": [s * 1000 for s in sep], "separate_avg_bytes": size / n_sep,
    "combined_s": comb, "combined_bytes": comb_size, "pages": len(rounds[-1])}))
"#;

fn main() {
    let n: usize = std::env::var("NOTICES_N").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let rounds: usize = std::env::var("NOTICES_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts");
    let fang = assets.join("FandolFang-Regular.otf");

    let t = Instant::now();
    let fonts = Fonts::load(Some(&fang)).expect("fonts");
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    assert!(fonts.has_fang(), "FandolFang not found at {}", fang.display());

    let docs_of = |round: usize| -> Vec<NoticeDoc> { letters(n, round).iter().enumerate().map(|(i, l)| notice(l, i)).collect() };
    // Every benchmark notice must be one page.
    for d in docs_of(0).iter().take(50) {
        assert_eq!(page_count(d, &fonts).unwrap(), 1, "benchmark notice is not one page: {}", d.recipient);
    }

    // warm-up
    for d in docs_of(99).iter().take(20) {
        black_box(render(d, &fonts).unwrap());
    }

    println!("notices benchmark: {n} one-page notices, {rounds} rounds (median), font load {load_ms:.1} ms (once)");
    let mut sep = Vec::new();
    let mut sep_bytes = 0usize;
    for r in 0..rounds {
        let docs = docs_of(r);
        let t = Instant::now();
        for d in &docs {
            let pdf = render(d, &fonts).unwrap();
            sep_bytes += pdf.len();
            black_box(pdf);
        }
        sep.push(t.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
    let sep_avg = sep_bytes as f64 / (n * rounds) as f64;
    let out_dir = std::env::temp_dir().join("huiqi-notice-bench");
    let mut comb = Vec::new();
    let mut comb_bytes = 0;
    for r in 0..rounds {
        let docs = docs_of(100 + r);
        let t = Instant::now();
        let pdf = render_many(&docs, &fonts).unwrap();
        comb.push(t.elapsed().as_secs_f64());
        comb_bytes = pdf.len();
        if r == 0 {
            let _ = std::fs::create_dir_all(&out_dir);
            let _ = std::fs::write(out_dir.join("huiqi-combined.pdf"), &pdf);
        }
        black_box(pdf);
    }
    let _ = std::fs::create_dir_all(&out_dir);
    let _ = std::fs::write(out_dir.join("huiqi-one.pdf"), render(&docs_of(0)[0], &fonts).unwrap());

    // --- Typst ---
    let typst = if std::env::var_os("NOTICES_NO_TYPST").is_some() { None } else { run_typst(n, rounds, &assets, &out_dir) };

    println!();
    println!("| renderer | separate PDFs: ms per PDF (median) | avg PDF size | combined {n}-page PDF: s (median) | ms per page | combined size |");
    println!("|---|---|---|---|---|---|");
    let cmed = median(comb.clone());
    println!(
        "| huiqi (layout.rs → printpdf) | {:.2} (rounds: {}) | {:.1} KB | {:.2} | {:.2} | {:.2} MB |",
        median(sep.clone()),
        sep.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(", "),
        sep_avg / 1024.0,
        cmed,
        cmed * 1000.0 / n as f64,
        comb_bytes as f64 / 1_048_576.0
    );
    match typst {
        Some(Ok(v)) => {
            let sep_t: Vec<f64> = v["separate_ms"].as_array().unwrap().iter().filter_map(|x| x.as_f64()).collect();
            let comb_t: Vec<f64> = v["combined_s"].as_array().unwrap().iter().filter_map(|x| x.as_f64()).collect();
            let tc = median(comb_t.clone());
            println!(
                "| Typst (python typst {}) | {:.2} (rounds: {}) | {:.1} KB | {:.2} (runs: {}) | {:.2} | {:.2} MB |",
                v["version"].as_str().unwrap_or("?"),
                median(sep_t.clone()),
                sep_t.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(", "),
                v["separate_avg_bytes"].as_f64().unwrap_or(0.0) / 1024.0,
                tc,
                comb_t.iter().map(|v| format!("{v:.2}")).collect::<Vec<_>>().join(", "),
                tc * 1000.0 / n as f64,
                v["combined_bytes"].as_f64().unwrap_or(0.0) / 1_048_576.0
            );
            println!();
            println!("speed-up vs Typst: separate {:.1}×, combined {:.1}×", median(sep_t) / median(sep), tc / cmed);
        }
        Some(Err(why)) => println!("\nTypst: skipped ({why})"),
        None => println!("\nTypst: skipped (NOTICES_NO_TYPST)"),
    }
    println!("sample PDFs in {}", out_dir.display());
    subset_peer(&fonts, &fang, &docs_of(7));
}

/// The font subset of each notice's body text, built by this crate (a face parsed once, the used
/// charstrings concatenated: `notice/layout/font.rs`) and by Typst's `subsetter` crate (which
/// parses the font on every call; it has no other entry point). Same glyphs, same font file.
fn subset_peer(fonts: &Fonts, fang: &std::path::Path, docs: &[NoticeDoc]) {
    let data = std::fs::read(fang).expect("FandolFang");
    let texts: Vec<String> = docs
        .iter()
        .take(200)
        .map(|d| {
            let mut t = format!("{}{}{}{}", d.title, d.recipient, d.signer, d.date);
            for p in &d.paragraphs {
                t.push_str(&p.text);
            }
            t
        })
        .collect();
    let (mut ours, mut theirs, mut ours_bytes, mut theirs_bytes) = (Vec::new(), Vec::new(), 0usize, 0usize);
    for _ in 0..3 {
        let t = Instant::now();
        let mut gids = Vec::new();
        for text in &texts {
            let (otf, g) = bench_subset(fonts, text).expect("our subset");
            ours_bytes += otf.len();
            gids.push(g);
        }
        ours.push(t.elapsed().as_secs_f64() * 1000.0 / texts.len() as f64);
        let t = Instant::now();
        for g in &gids {
            let mut m = subsetter::GlyphRemapper::new();
            for &gid in g {
                m.remap(gid);
            }
            theirs_bytes += black_box(subsetter::subset(&data, 0, &m).expect("subsetter")).len();
        }
        theirs.push(t.elapsed().as_secs_f64() * 1000.0 / texts.len() as f64);
    }
    let per = |b: usize| b as f64 / (3 * texts.len()) as f64 / 1024.0;
    println!();
    println!("font subset of a notice's body ({} notices × 3 rounds, FandolFang {:.1} MB):", texts.len(), data.len() as f64 / 1_048_576.0);
    println!("| subsetter | ms per notice (median) | KB per subset |");
    println!("|---|---|---|");
    println!("| huiqi (layout/font.rs, OTF wrapper for printpdf) | {:.3} | {:.1} |", median(ours.clone()), per(ours_bytes));
    println!("| subsetter 0.2 (Typst's) | {:.3} | {:.1} |", median(theirs.clone()), per(theirs_bytes));
    println!("ratio (subsetter / huiqi): time {:.1}×", median(theirs) / median(ours));
}

fn run_typst(n: usize, rounds: usize, fonts: &std::path::Path, work: &std::path::Path) -> Option<Result<serde_json::Value, String>> {
    let tpl = work.join("notice-template.typ");
    let data = work.join("data.json");
    let script = work.join("typst_bench.py");
    std::fs::write(&tpl, TYPST_TEMPLATE).ok()?;
    std::fs::write(&script, TYPST_SCRIPT).ok()?;
    // rounds of separate documents, then one set for the combined document
    let sets: Vec<Vec<[String; 4]>> =
        (0..=rounds).map(|r| letters(n, 200 + r).into_iter().enumerate().map(|(i, l)| [(i + 1).to_string(), l.name, l.amount, l.capitals]).collect()).collect();
    std::fs::write(&data, serde_json::to_string(&sets).ok()?).ok()?;
    eprintln!("running Typst ({} × {n} separate documents + 2 × one {n}-page document)…", rounds);
    let out = match Command::new("python3").arg(&script).arg(&tpl).arg(&data).arg(fonts).arg(work).output() {
        Ok(o) => o,
        Err(e) => return Some(Err(format!("python3 not available: {e}"))),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = match serde_json::from_str(stdout.trim().lines().last().unwrap_or("")) {
        Ok(v) => v,
        Err(_) => return Some(Err(format!("typst script failed: {}", String::from_utf8_lossy(&out.stderr)))),
    };
    if v["available"].as_bool() != Some(true) {
        return Some(Err(format!("python package typst not installed: {}", v["reason"])));
    }
    Some(Ok(v))
}
