//! Tests of the notice renderer. The PDF checks run the poppler-utils and qpdf command-line tools
//! (`pdftotext`, `pdffonts`, `pdfinfo`, `pdftoppm`, `qpdf`) on a file in a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::*;

fn fang_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/fonts/FandolFang-Regular.otf")
}

/// Fonts with FandolFang, loaded once for all tests.
fn fonts() -> &'static Fonts {
    static F: OnceLock<Fonts> = OnceLock::new();
    F.get_or_init(|| {
        let f = Fonts::load(Some(&fang_path())).expect("fonts load");
        assert!(f.has_fang(), "FandolFang not found at {}", fang_path().display());
        f
    })
}

fn sample() -> NoticeDoc {
    NoticeDoc {
        authority: "南京市江宁区科学技术局文件".into(),
        doc_number: Some("江宁科〔2026〕12号".into()),
        title: "关于拨付2025年度高新技术企业培育奖励资金的通知".into(),
        recipient: "南京惠企智能科技有限公司".into(),
        paragraphs: vec![
            Paragraph::new(
                "根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条，\
                 你单位符合奖励条件。",
            ),
            Paragraph::new("现拨付奖励资金1,234,567.89 元（人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分）。"),
            Paragraph::new("特此通知。"),
        ],
        signer: "南京市江宁区科学技术局".into(),
        date: "2026年3月5日".into(),
        footer: Some("江宁科〔2026〕12号 · 校验码 1a2b3c4d5e6f".into()),
        watermark: None,
        letter: false,
        imprint: None,
        layout: LAYOUT_VERSION,
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers around the command-line tools

fn tool(name: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(name).args(args).output().unwrap_or_else(|e| panic!("cannot run {name} ({e}); install poppler-utils and qpdf"));
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Write `pdf` to a temporary file; the directory lives as long as the returned guard.
fn temp_pdf(pdf: &[u8]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notice.pdf");
    std::fs::write(&p, pdf).unwrap();
    (dir, p.to_string_lossy().into_owned())
}

fn pdftotext(path: &str) -> String {
    let (ok, out, err) = tool("pdftotext", &["-enc", "UTF-8", path, "-"]);
    assert!(ok, "pdftotext failed: {err}");
    assert!(err.trim().is_empty(), "pdftotext complained: {err}");
    out
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

fn pdfinfo_field(path: &str, field: &str) -> String {
    let (ok, out, err) = tool("pdfinfo", &[path]);
    assert!(ok, "pdfinfo failed: {err}");
    out.lines()
        .find_map(|l| l.strip_prefix(field).map(|v| v.trim_start_matches(':').trim().to_string()))
        .unwrap_or_else(|| panic!("pdfinfo has no {field}:\n{out}"))
}

/// (name, type, emb, sub, uni) per pdffonts row.
fn pdffonts(path: &str) -> Vec<(String, String, String, String, String)> {
    let (ok, out, err) = tool("pdffonts", &[path]);
    assert!(ok, "pdffonts failed: {err}");
    out.lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            // name type… encoding emb sub uni object ID: the last 6 tokens are fixed.
            let t: Vec<&str> = l.split_whitespace().collect();
            let n = t.len();
            assert!(n >= 8, "unexpected pdffonts row: {l}");
            (t[0].to_string(), t[1..n - 6].join(" "), t[n - 5].to_string(), t[n - 4].to_string(), t[n - 3].to_string())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. text extraction (ToUnicode)

#[test]
fn notice_pdftotext_finds_all_text() {
    let pdf = render(&sample(), fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    let text = pdftotext(&path);
    let flat = squash(&text);
    for needle in [
        "南京市江宁区科学技术局文件",
        "江宁科〔2026〕12号",
        "关于拨付2025年度高新技术企业培育奖励资金的通知",
        "南京惠企智能科技有限公司：",
        "根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条",
        "1,234,567.89元",
        "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分",
        "特此通知。",
        "南京市江宁区科学技术局",
        "2026年3月5日",
        "校验码1a2b3c4d5e6f",
    ] {
        assert!(flat.contains(needle), "pdftotext output lacks {needle:?}:\n{text}");
    }
    // The page number keeps its spaces, and the amount its space before 元.
    assert!(text.contains("— 1 —"), "no page number in:\n{text}");
    assert!(text.contains("1,234,567.89 元"), "amount not extracted as typed:\n{text}");
}

// 2. fonts: embedded subsets only

#[test]
fn notice_pdffonts_embedded_subsets_only() {
    let pdf = render(&sample(), fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    let rows = pdffonts(&path);
    assert!(rows.len() >= 2, "expected the body and head fonts: {rows:?}");
    let base14 = ["Times", "Helvetica", "Courier", "Symbol", "ZapfDingbats"];
    for (name, ty, emb, sub, uni) in &rows {
        let (tag, rest) = name.split_once('+').unwrap_or_else(|| panic!("{name} has no subset tag"));
        assert!(tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()), "bad subset tag in {name}");
        assert!(!base14.iter().any(|b| rest.starts_with(b)), "Base-14 font {name}");
        assert_eq!((emb.as_str(), sub.as_str(), uni.as_str()), ("yes", "yes", "yes"), "{name}");
        assert_eq!(ty, "CID Type 0C", "{name}");
    }
    let names: Vec<&str> = rows.iter().map(|r| r.0.split_once('+').unwrap().1).collect();
    assert!(names.contains(&"FandolFang-Regular"), "body not in 仿宋: {names:?}");
    assert!(names.iter().any(|n| n.starts_with("NotoSerifCJK") && n.ends_with("Bold")), "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("NotoSerifCJK") && n.ends_with("Regular")), "{names:?}");
}

// 3. page size

#[test]
fn notice_pdfinfo_a4() {
    let pdf = render(&sample(), fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    let size = pdfinfo_field(&path, "Page size");
    let nums: Vec<f64> = size.split_whitespace().filter_map(|t| t.parse().ok()).collect();
    assert!(nums.len() >= 2, "{size}");
    assert!((nums[0] - 595.276).abs() < 0.5 && (nums[1] - 841.89).abs() < 0.5, "page size {size}");
    assert_eq!(pdfinfo_field(&path, "Pages"), "1");
    assert_eq!(pdfinfo_field(&path, "Title"), "关于拨付2025年度高新技术企业培育奖励资金的通知");
}

// 4. structure

#[test]
fn notice_qpdf_check_clean() {
    let mut doc = sample();
    doc.watermark = Some("样稿".into());
    for pdf in [render(&sample(), fonts()).unwrap(), render(&doc, fonts()).unwrap(), render_many(&[sample(), doc.clone()], fonts()).unwrap()] {
        let (_d, path) = temp_pdf(&pdf);
        let (ok, out, err) = tool("qpdf", &["--check", &path]);
        assert!(ok, "qpdf --check failed:\n{out}\n{err}");
        let all = format!("{out}{err}").to_lowercase();
        assert!(!all.contains("warning") && !all.contains("error:"), "qpdf --check:\n{out}\n{err}");
        assert!(out.contains("No syntax or stream encoding errors"), "{out}");
    }
}

/// Poppler renders every page without complaining (a broken font program shows up here).
#[test]
fn notice_pdftoppm_renders_without_errors() {
    let mut doc = sample();
    doc.watermark = Some("样稿".into());
    let pdf = render(&doc, fonts()).unwrap();
    let (d, path) = temp_pdf(&pdf);
    let prefix = d.path().join("page").to_string_lossy().into_owned();
    let (ok, _, err) = tool("pdftoppm", &["-r", "30", "-png", &path, &prefix]);
    assert!(ok && err.trim().is_empty(), "pdftoppm: {err}");
}

// 5. determinism

#[test]
fn notice_rendering_is_deterministic() {
    let a = render(&sample(), fonts()).unwrap();
    let b = render(&sample(), fonts()).unwrap();
    assert!(a == b, "two renderings differ");
    // A second, independently loaded Fonts gives the same bytes too.
    let other = Fonts::load(Some(&fang_path())).unwrap();
    assert!(render(&sample(), &other).unwrap() == a);
    // and a different notice gives a different document ID
    let mut d = sample();
    d.date = "2026年3月6日".into();
    let c = render(&d, fonts()).unwrap();
    // The trailer's /ID (written `/ID [` by hand before, `/ID[` by printpdf's serializer).
    let id = |p: &[u8]| {
        let s = String::from_utf8_lossy(p);
        let at = s[s.rfind("trailer").expect("no trailer")..].find("/ID").map(|i| s.rfind("trailer").unwrap() + i).expect("no /ID in the trailer");
        s[at..].split(']').next().unwrap().to_string()
    };
    assert_ne!(id(&a), id(&c));
    assert!(!String::from_utf8_lossy(&a).contains("CreationDate"));
}

/// What printpdf is given and what it writes: Info without dates or empty fields, /Lang, and an
/// /ID that is a hash (two equal 32-hex-digit strings), read back with qpdf's JSON.
#[test]
fn notice_pdf_info_lang_and_id() {
    let pdf = render(&sample(), fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    let (ok, out, err) = tool("qpdf", &["--json=2", "--json-key=qpdf", &path]);
    assert!(ok, "qpdf --json failed: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let objects = &v["qpdf"][1];
    let trailer = &objects["trailer"]["value"];
    let deref = |r: &serde_json::Value| &objects[format!("obj:{}", r.as_str().unwrap())]["value"];
    let ids: Vec<&str> = trailer["/ID"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().trim_start_matches("u:")).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1]);
    assert!(ids[0].len() == 32 && ids[0].chars().all(|c| c.is_ascii_hexdigit()), "{ids:?}");
    let info = deref(&trailer["/Info"]).as_object().unwrap();
    let mut keys: Vec<&str> = info.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["/Creator", "/Producer", "/Title"], "{info:?}");
    assert_eq!(info["/Producer"], "u:Huiqi Ledger");
    let catalog = deref(&trailer["/Root"]);
    assert_eq!(catalog["/Lang"], "u:zh-CN");
    assert_eq!(pdfinfo_field(&path, "Producer"), "Huiqi Ledger");
    assert_eq!(pdfinfo_field(&path, "PDF version"), "1.4"); // /Lang is a PDF 1.4 key
}

// 6. pagination

fn doc_with_pages(pages: usize) -> NoticeDoc {
    let mut d = sample();
    let filler = "为贯彻落实市委市政府决策部署，进一步支持科技型中小企业发展，现将有关事项通知如下。";
    let mut i = 0;
    while page_count(&d, fonts()).unwrap() < pages {
        d.paragraphs.insert(d.paragraphs.len() - 1, Paragraph::new(format!("{}、{filler}", i + 1)));
        i += 1;
    }
    assert_eq!(page_count(&d, fonts()).unwrap(), pages);
    d
}

#[test]
fn notice_three_pages_numbered() {
    let d = doc_with_pages(3);
    let pdf = render(&d, fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    assert_eq!(pdfinfo_field(&path, "Pages"), "3");
    let text = pdftotext(&path);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    for (i, p) in pages.iter().take(3).enumerate() {
        assert!(p.contains(&format!("— {} —", i + 1)), "page {} lacks its number:\n{p}", i + 1);
    }
    // the closing block is on the last page, with at least one body line before it
    assert!(squash(pages[2]).contains("2026年3月5日"));
    assert!(squash(pages[2]).contains("特此通知。"));
}

#[test]
fn notice_render_many_one_page_each() {
    let docs: Vec<NoticeDoc> = (0..5)
        .map(|i| {
            let mut d = sample();
            d.recipient = format!("第{i}号测试企业有限公司");
            d
        })
        .collect();
    let pdf = render_many(&docs, fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    assert_eq!(pdfinfo_field(&path, "Pages"), "5");
    let text = pdftotext(&path);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert_eq!(pages.len(), 5);
    for (i, p) in pages.iter().enumerate() {
        assert!(p.contains("— 1 —"), "page numbers restart per notice: {p}");
        assert!(squash(p).contains(&format!("第{i}号测试企业有限公司：")));
    }
    // one set of fonts for the whole file
    assert_eq!(pdffonts(&path).len(), 3);
    // a notice taking two pages is numbered 1, 2 inside the combined file
    let two = render_many(&[sample(), doc_with_pages(2), sample()], fonts()).unwrap();
    let (_d2, p2) = temp_pdf(&two);
    let t: Vec<String> = pdftotext(&p2).split('\u{c}').map(|s| s.to_string()).collect();
    assert_eq!(pdfinfo_field(&p2, "Pages"), "4");
    for (i, n) in [1, 1, 2, 1].iter().enumerate() {
        assert!(t[i].contains(&format!("— {n} —")), "page {i}: {}", t[i]);
    }
}

// 7. line breaking on real glyphs

#[test]
fn notice_lines_fit_the_text_block_and_respect_kinsoku() {
    let mut d = doc_with_pages(3);
    d.paragraphs.push(Paragraph::new(
        "金额1,234,567.89元，代码91320115MA1XYZW12X、GR202332006846；“引号”（括号）《书名》〔2026〕【方括】……——。\
         ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    ));
    d.paragraphs.push(Paragraph { text: "加粗段落，不缩进。".repeat(8), indent: false, bold: true });
    let pages = layout(&d, fonts()).unwrap();
    let mut body_lines = 0;
    for page in &pages {
        for item in &page.items {
            let Item::Text(run) = item else { continue };
            if run.rotate45 || run.glyphs.is_empty() {
                continue;
            }
            let w = width(&run.glyphs);
            assert!(run.x >= MARGIN_LEFT - 0.01, "line starts left of the text block at {}", run.x);
            assert!(run.x + w <= MARGIN_LEFT + BLOCK_W + 0.01, "line overflows: {} > {}", run.x + w, MARGIN_LEFT + BLOCK_W);
            let text: String = run.glyphs.iter().map(|g| g.ch).collect();
            if run.size == BODY_PT && run.color == Color::Black && run.y > PAGE_H - MARGIN_TOP - BLOCK_H {
                body_lines += 1;
                assert!(!linebreak::no_line_start(run.glyphs[0].ch), "line starts with closing punctuation: {text}");
                let last = run.glyphs[run.glyphs.len() - 1].ch;
                assert!(!linebreak::no_line_end(last), "line ends with opening punctuation: {text}");
                // Lines on the grid: at most 28 full-width characters.
                assert!(run.glyphs.len() <= CHARS_PER_LINE || run.glyphs.iter().any(|g| g.ch.is_ascii()), "{text}");
                // the Latin runs are never split when they fit on a line
                for token in ["1,234,567.89", "91320115MA1XYZW12X", "GR202332006846"] {
                    let first = token.chars().next().unwrap();
                    if let Some(pos) = text.find(first) {
                        let tail = &text[pos..];
                        if token.starts_with(tail) && tail != token {
                            panic!("{token} split at a line end: {text}");
                        }
                    }
                }
            }
        }
    }
    assert!(body_lines > 22, "expected a multi-page body, got {body_lines} lines");
}

#[test]
fn notice_full_lines_hold_28_characters() {
    let mut d = sample();
    d.paragraphs = vec![Paragraph { text: "永".repeat(28 * 3), indent: false, bold: false }];
    let pages = layout(&d, fonts()).unwrap();
    let lines: Vec<usize> = pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(r) if r.glyphs.first().is_some_and(|g| g.ch == '永') => Some(r.glyphs.len()),
            _ => None,
        })
        .collect();
    assert_eq!(lines, vec![28, 28, 28]);
    // with the indent, the first line holds 26
    d.paragraphs[0].indent = true;
    let pages = layout(&d, fonts()).unwrap();
    let first = pages[0].items.iter().find_map(|i| match i {
        Item::Text(r) if r.glyphs.first().is_some_and(|g| g.ch == '永') => Some((r.x, r.glyphs.len())),
        _ => None,
    });
    let (x, n) = first.unwrap();
    assert_eq!(n, 26);
    assert!((x - (MARGIN_LEFT + 2.0 * PITCH_X)).abs() < 0.01);
}

#[test]
fn notice_head_and_closing_positions() {
    let pages = layout(&sample(), fonts()).unwrap();
    let runs: Vec<&TextRun> = pages[0].items.iter().filter_map(|i| if let Item::Text(r) = i { Some(r) } else { None }).collect();
    let find = |s: &str| *runs.iter().find(|r| r.glyphs.iter().map(|g| g.ch).collect::<String>() == s).unwrap_or_else(|| panic!("no run {s}"));
    let centre = MARGIN_LEFT + BLOCK_W / 2.0;
    let auth = find("南京市江宁区科学技术局文件");
    assert_eq!(auth.color, Color::Red);
    assert!((auth.x + width(&auth.glyphs) / 2.0 - centre).abs() < 0.05, "authority not centred");
    assert!(width(&auth.glyphs) <= BLOCK_W + 0.01);
    let num = find("江宁科〔2026〕12号");
    assert!((num.x + width(&num.glyphs) / 2.0 - centre).abs() < 0.05, "number not centred");
    assert!(num.y < auth.y);
    let rule_y = pages[0].items.iter().find_map(|i| if let Item::Rule { y, x0, x1, color, .. } = i { Some((*y, *x0, *x1, *color)) } else { None }).unwrap();
    assert_eq!(rule_y.3, Color::Red);
    assert!((rule_y.2 - rule_y.1 - BLOCK_W).abs() < 0.01, "rule not as wide as the text block");
    assert!(rule_y.0 < num.y && num.y - rule_y.0 < 10.0 * MM, "rule not just below the number");
    let date = find("2026年3月5日");
    let right = date.x + width(&date.glyphs);
    assert!((MARGIN_LEFT + BLOCK_W - right - 4.0 * PITCH_X).abs() < 0.05, "date not 4 characters from the right");
    let signer = runs.iter().rfind(|r| r.glyphs.iter().map(|g| g.ch).collect::<String>() == "南京市江宁区科学技术局").unwrap();
    assert!((signer.x + width(&signer.glyphs) / 2.0 - (date.x + width(&date.glyphs) / 2.0)).abs() < 0.05, "signer not centred on the date");
    assert!((signer.y - date.y - PITCH_Y).abs() < 0.01, "signer right above the date");
    let pno = find("— 1 —");
    assert!(
        (pno.x + width(&pno.glyphs) - (MARGIN_LEFT + BLOCK_W - PAGE_NO_PT)).abs() < 0.05,
        "page 1 (odd): right, one character in from the text block's edge"
    );
    assert!(pno.y < PAGE_H - MARGIN_TOP - BLOCK_H, "page number inside the text block");
    let footer = runs.iter().find(|r| r.size == FOOTER_PT).unwrap();
    assert!(footer.y < pno.y - PAGE_NO_PT, "footer overlaps the page number");
}

// 8. glyph coverage

#[test]
fn notice_missing_glyph_is_refused() {
    let f = fonts();
    assert!(!f.covers('\u{20000}'));
    assert!(!f.covers('😀'));
    assert!(f.covers('喆') && f.covers('〔') && f.covers('A'));
    for (ch, field) in [('\u{20000}', "body"), ('😀', "body")] {
        let mut d = sample();
        d.paragraphs[1].text.push(ch);
        let want = LayoutError::MissingGlyph { ch, field };
        assert_eq!(check_glyphs(&d, f), Err(want.clone()));
        assert_eq!(render(&d, f), Err(want));
    }
    let mut d = sample();
    d.title.push('😀');
    d.paragraphs[0].text.push('\u{20000}');
    assert_eq!(check_glyphs(&d, f), Err(LayoutError::MissingGlyph { ch: '😀', field: "title" }));
    let mut d = sample();
    d.footer = Some("校验码 \u{200B}".into());
    assert_eq!(check_glyphs(&d, f), Err(LayoutError::MissingGlyph { ch: '\u{200B}', field: "footer" }));
    let msg = LayoutError::MissingGlyph { ch: '😀', field: "body" }.to_string();
    assert!(msg.contains("U+1F600") && msg.contains("body"), "{msg}");
    assert_eq!(check_glyphs(&sample(), f), Ok(()));
}

#[test]
fn notice_ten_thousand_characters_flow_onto_pages() {
    let mut d = sample();
    let text: String = "科技创新驱动发展，企业培育成效显著。".chars().cycle().take(10_000).collect();
    d.paragraphs = vec![Paragraph::new(text)];
    let n = page_count(&d, fonts()).unwrap();
    // 10,000 characters ≈ 16 full pages of 22 × 28
    assert!((16..=20).contains(&n), "{n} pages");
    let pdf = render(&d, fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    assert_eq!(pdfinfo_field(&path, "Pages"), n.to_string());
    let text = pdftotext(&path);
    assert!(text.contains(&format!("— {n} —")));
}

#[test]
fn notice_fallback_per_character() {
    // 喆 is not in FandolFang: it comes from Noto Serif; Latin text also comes from Noto Serif.
    let f = fonts();
    assert!(f.face(Face::Fang).unwrap().glyph('喆').is_none(), "test assumes FandolFang lacks 喆");
    let g = f.shape("张喆A", &BODY, "body").unwrap();
    assert_eq!(g.iter().map(|g| g.face).collect::<Vec<_>>(), [Face::Fang, Face::Serif, Face::Serif]);
    let mut d = sample();
    d.paragraphs[0].text.push_str("联系人：张喆。");
    let pdf = render(&d, f).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    assert!(squash(&pdftotext(&path)).contains("联系人：张喆。"));
}

#[test]
fn notice_without_fang_uses_noto() {
    let f = Fonts::load(Some(Path::new("/nonexistent/FandolFang-Regular.otf"))).unwrap();
    assert!(!f.has_fang());
    let pdf = render(&sample(), &f).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    let rows = pdffonts(&path);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|r| r.0.contains("NotoSerifCJK")));
    assert!(squash(&pdftotext(&path)).contains("人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"));
    // a file that is not a font is an error, not a silent fallback
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.otf");
    std::fs::write(&bad, b"not a font").unwrap();
    assert!(matches!(Fonts::load(Some(&bad)), Err(LayoutError::Font(_))));
}

#[test]
fn notice_whitespace_and_recipient_colon() {
    let mut d = sample();
    d.recipient = "各有关企业:".into();
    d.paragraphs = vec![Paragraph::new("第一行\t第二行\r\n第三行")];
    let pages = layout(&d, fonts()).unwrap();
    let texts: Vec<String> =
        pages[0].items.iter().filter_map(|i| if let Item::Text(r) = i { Some(r.glyphs.iter().map(|g| g.ch).collect()) } else { None }).collect();
    assert!(texts.contains(&"各有关企业：".to_string()), "{texts:?}");
    assert!(texts.contains(&"第一行 第二行  第三行".to_string()), "{texts:?}");
    // an empty recipient gives no lone colon
    d.recipient = String::new();
    let pages = layout(&d, fonts()).unwrap();
    assert!(!pages[0].items.iter().any(|i| matches!(i, Item::Text(r) if r.glyphs.len() == 1 && r.glyphs[0].ch == '：')));
}

#[test]
fn notice_preview_watermark_and_no_number() {
    let mut d = sample();
    d.doc_number = None;
    d.watermark = Some("样稿".into());
    let pdf = render(&d, fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    let text = squash(&pdftotext(&path));
    assert!(text.contains("样") && text.contains("稿"));
    assert!(!text.contains("江宁科〔2026〕12号") || text.contains("校验码"), "number only in the footer");
    let pages = layout(&d, fonts()).unwrap();
    assert!(matches!(&pages[0].items[0], Item::Text(r) if r.rotate45 && r.color == Color::Watermark), "watermark drawn first");
}

// 9. size, and the sample for looking at

#[test]
fn notice_one_page_is_small() {
    let pdf = render(&sample(), fonts()).unwrap();
    println!("one-page notice (FandolFang body): {} bytes", pdf.len());
    let noto_only = Fonts::load(None).unwrap();
    let pdf2 = render(&sample(), &noto_only).unwrap();
    println!("one-page notice (Noto Serif body): {} bytes", pdf2.len());
    // The full fonts are 2–7 MB each: anything near that means subsetting is broken.
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    assert!(pdf2.len() < 100_000, "{} bytes", pdf2.len());
}

/// Writes `$TMPDIR/huiqi-notice-sample/{notice, notice-preview, notice-3pages, notice-joint}.pdf` and
/// PNGs of them (when pdftoppm is present) for a human to look at.
#[test]
fn notice_sample_generator() {
    let dir = std::env::temp_dir().join("huiqi-notice-sample");
    std::fs::create_dir_all(&dir).unwrap();
    let mut preview = sample();
    preview.doc_number = None;
    preview.watermark = Some("样稿".into());
    let mut joint = sample();
    joint.authority = "南京市江宁区科学技术局\n南京市江宁区财政局".into();
    joint.paragraphs.insert(0, Paragraph { text: "一、奖励依据".into(), indent: true, bold: true });
    joint.paragraphs.pop();
    joint.title = "关于拨付2025年度高新技术企业\n培育奖励资金的通知".into();
    let mut imprint = sample();
    imprint.imprint = Some(Imprint {
        cc: "区财政局，区审计局".into(), printer: "南京市江宁区科学技术局办公室".into(), printed_on: "2026年3月5日".into()
    });
    let mut letter = imprint.clone();
    letter.letter = true;
    letter.authority = "南京市江宁区科学技术局".into();
    letter.doc_number = Some("江宁科函〔2026〕3号".into());
    for (name, doc) in [
        ("notice-imprint", imprint),
        ("notice-letter", letter),
        ("notice", sample()),
        ("notice-preview", preview),
        ("notice-3pages", doc_with_pages(3)),
        ("notice-joint", joint),
    ] {
        let pdf = render(&doc, fonts()).unwrap();
        let p = dir.join(format!("{name}.pdf"));
        std::fs::write(&p, &pdf).unwrap();
        let _ = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(&p).arg(dir.join(name)).status();
        println!("wrote {} ({} bytes)", p.display(), pdf.len());
    }
}

// ---------------------------------------------------------------------------------------------
// Robustness

#[test]
fn notice_fonts_are_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Fonts>();
    // Rendering from several threads at once gives the same bytes.
    let one = render(&sample(), fonts()).unwrap();
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..4).map(|_| s.spawn(|| render(&sample(), fonts()).unwrap())).collect();
        for h in hs {
            assert!(h.join().unwrap() == one);
        }
    });
}

#[test]
fn notice_long_authority_wraps_and_long_title_is_refused() {
    let mut d = sample();
    d.authority = "南京市江宁区科学技术局南京市江宁区财政局南京市江宁区发展和改革委员会文件".into();
    let pages = layout(&d, fonts()).unwrap();
    let heads: Vec<&TextRun> = pages[0].items.iter().filter_map(|i| if let Item::Text(r) = i { (r.color == Color::Red).then_some(r) } else { None }).collect();
    assert!(heads.len() >= 2, "long authority should wrap");
    for h in &heads {
        assert!(h.hscale >= MIN_AUTHORITY_SCALE - 1e-3 && width(&h.glyphs) <= BLOCK_W + 0.01);
    }
    let mut d = sample();
    d.title = "关于".repeat(200);
    assert_eq!(layout(&d, fonts()).err(), Some(LayoutError::TooLong { field: "title" }));
    assert!(matches!(render(&d, fonts()), Err(LayoutError::TooLong { .. })));
}

/// The per-document font handed to printpdf: printpdf parses it, embeds exactly the CFF subset,
/// keys it by code = CID, and reads the layout's widths (its /W) and the codes' characters back.
#[test]
fn notice_subset_font_is_what_printpdf_embeds() {
    let f = fonts();
    for (face_id, text) in
        [(Face::Fang, "南京惠企智能科技有限公司：特此通知。"), (Face::Serif, "1,234,567.89 A喆— 1 —"), (Face::SerifBold, "南京市江宁区科学技术局文件")]
    {
        let face = f.face(face_id).unwrap();
        let mut b = font::SubsetBuilder::new();
        let mut want = Vec::new();
        for ch in text.chars() {
            let gid = face.glyph(ch).unwrap();
            want.push((ch, b.code(gid, ch).unwrap(), face.pdf_width(gid)));
        }
        let name = format!("ABCDEF+{}", face.ps_name);
        let otf = b.build_otf(face, &name).unwrap();
        let n = b.glyphs.len() as u16 + 1;

        // Our own reader: a well-formed OpenType/CFF font.
        let back = font::FontFace::parse(font::FontBytes::Owned(otf.clone()), "x").unwrap();
        assert_eq!(back.ps_name, name.replace('+', "")); // it keeps [A-Za-z0-9_-] only
        for &(ch, code, w) in &want {
            assert_eq!(back.glyph(ch), Some(code), "{ch}");
            assert_eq!(back.pdf_width(code), w, "{ch}");
        }

        // printpdf's reader and the pieces it writes into the PDF.
        let mut warnings = Vec::new();
        let parsed = printpdf::ParsedFont::from_bytes(&otf, 0, &mut warnings).unwrap_or_else(|| panic!("printpdf cannot parse the subset: {warnings:?}"));
        assert_eq!(parsed.font_name.as_deref(), Some(name.as_str()));
        assert_eq!(parsed.num_glyphs, n);
        for &(ch, code, w) in &want {
            assert_eq!(parsed.lookup_glyph_index(ch as u32), Some(code), "{ch}");
            // printpdf's /W entry: the advance it reads for the glyph, in 1/1000 em.
            let adv = parsed.get_or_decode_glyph(code).unwrap().horz_advance;
            assert_eq!(adv, w, "width of {ch}");
        }
        assert_eq!(printpdf::extract_cid_keyed_cff(&otf, 0), Some(b.build_cff(face, &name).unwrap()), "the embedded program is the CFF subset");
        let cids = printpdf::cff_charset_gid_to_cid_map(&otf, 0).unwrap();
        assert!((0..n).all(|g| cids.get(&g) == Some(&g)), "code = CID = glyph id");
    }
}

#[test]
fn notice_truncated_or_corrupt_font_is_an_error_not_a_panic() {
    let bytes = std::fs::read(fang_path()).unwrap();
    for n in [0, 3, 12, 100, 1000, 50_000, bytes.len() / 2] {
        let r = font::FontFace::parse(font::FontBytes::Owned(bytes[..n].to_vec()), "x");
        assert!(r.is_err(), "truncated to {n} bytes must not parse");
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("half.otf");
    std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(Fonts::load(Some(&p)), Err(LayoutError::Font(_))));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]

    /// Arbitrary charstring bytes never panic the desubroutinizer.
    #[test]
    fn notice_flatten_never_panics(cs in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let face = fonts().face(Face::Serif).unwrap();
        let _ = face.flatten_bytes(&cs, 0);
        let _ = face.flatten_bytes(&cs, 10);
    }

    /// Lines fit (or hold a single over-wide character) and only spaces are dropped.
    #[test]
    fn notice_breaker_properties(
        text in proptest::collection::vec(proptest::sample::select(vec!['永', '，', '。', '（', '）', '“', '”', 'A', '1', '.', ',', ' ', '—', '《', '》']), 0..120),
        width in 1.0f32..12.0,
        indent in 0.0f32..3.0,
    ) {
        let widths: Vec<f32> = text.iter().map(|&c| if linebreak::is_cjk_like(c) { 1.0 } else { 0.55 }).collect();
        let first = (width - indent).max(0.5);
        let lines = linebreak::break_lines(&text, &widths, first, width);
        let mut kept = Vec::new();
        let mut prev = 0;
        for (i, r) in lines.iter().enumerate() {
            let max = if i == 0 { first } else { width };
            let w: f32 = widths[r.clone()].iter().sum();
            proptest::prop_assert!(w <= max + 1e-3 || r.len() == 1, "line {i} {:?} is {w} > {max}", &text[r.clone()]);
            proptest::prop_assert!(text[prev..r.start].iter().all(|c| c.is_whitespace()));
            kept.extend_from_slice(&text[r.clone()]);
            prev = r.end;
        }
        proptest::prop_assert!(text[prev..].iter().all(|c| c.is_whitespace()));
        let strip = |v: &[char]| v.iter().filter(|c| !c.is_whitespace()).collect::<String>();
        proptest::prop_assert_eq!(strip(&kept), strip(&text));
    }
}

#[test]
fn notice_title_line_breaks_are_kept() {
    let mut d = sample();
    d.title = "关于拨付2025年度高新技术企业\n培育奖励资金的通知".into();
    let pages = layout(&d, fonts()).unwrap();
    let titles: Vec<String> = pages[0]
        .items
        .iter()
        .filter_map(|i| match i {
            Item::Text(r) if r.size == TITLE_PT => Some(r.glyphs.iter().map(|g| g.ch).collect()),
            _ => None,
        })
        .collect();
    assert_eq!(titles, ["关于拨付2025年度高新技术企业", "培育奖励资金的通知"]);
    let pdf = render(&d, fonts()).unwrap();
    let (_d, path) = temp_pdf(&pdf);
    assert_eq!(pdfinfo_field(&path, "Title"), "关于拨付2025年度高新技术企业培育奖励资金的通知");
}

// ---------------------------------------------------------------------------------------------
// GB/T 9704 §7.4 版记, §7.5 page numbers, §10.1 信函格式

fn runs_of(page: &Page) -> Vec<&TextRun> {
    page.items.iter().filter_map(|i| if let Item::Text(r) = i { Some(r) } else { None }).collect()
}

fn text_of(r: &TextRun) -> String {
    r.glyphs.iter().map(|g| g.ch).collect()
}

fn rules_of(page: &Page) -> Vec<(f32, f32, f32, f32, Color)> {
    page.items.iter().filter_map(|i| if let Item::Rule { x0, x1, y, width, color } = i { Some((*x0, *x1, *y, *width, *color)) } else { None }).collect()
}

#[test]
fn notice_page_numbers_odd_right_even_left() {
    let mut d = doc_with_pages(3);
    d.layout = LAYOUT_VERSION;
    let pages = layout(&d, fonts()).unwrap();
    assert_eq!(pages.len(), 3);
    for (i, p) in pages.iter().enumerate() {
        let want = format!("— {} —", i + 1);
        let r = *runs_of(p).iter().find(|r| text_of(r) == want).unwrap();
        if i % 2 == 0 {
            assert!((r.x + width(&r.glyphs) - (MARGIN_LEFT + BLOCK_W - PAGE_NO_PT)).abs() < 0.05, "page {} right", i + 1);
        } else {
            assert!((r.x - (MARGIN_LEFT + PAGE_NO_PT)).abs() < 0.05, "page {} left", i + 1);
        }
        assert!(r.y < PAGE_H - MARGIN_TOP - BLOCK_H, "below the text block");
    }
    // A document made before keeps its centred numbers.
    let mut old = doc_with_pages(2);
    old.layout = 0;
    let pages = layout(&old, fonts()).unwrap();
    let r = *runs_of(&pages[1]).iter().find(|r| text_of(r) == "— 2 —").unwrap();
    assert!((r.x + width(&r.glyphs) / 2.0 - PAGE_W / 2.0).abs() < 0.05);
}

#[test]
fn notice_imprint_sits_at_the_foot_of_the_last_page() {
    let mut d = sample();
    d.imprint = Some(Imprint {
        cc: "区财政局，区审计局".into(), printer: "南京市江宁区科学技术局办公室".into(), printed_on: "2026年3月5日".into()
    });
    let pages = layout(&d, fonts()).unwrap();
    let last = pages.last().unwrap();
    let runs = runs_of(last);
    let cc = *runs.iter().find(|r| text_of(r).starts_with("抄送：")).expect("抄送 line");
    assert_eq!(text_of(cc), "抄送：区财政局，区审计局。");
    assert!((cc.x - (MARGIN_LEFT + IMPRINT_PT)).abs() < 0.05, "左空一字");
    let printer = *runs.iter().find(|r| text_of(r) == "南京市江宁区科学技术局办公室").unwrap();
    let date = *runs.iter().find(|r| text_of(r) == "2026年3月5日印发").unwrap();
    assert!((printer.x - (MARGIN_LEFT + IMPRINT_PT)).abs() < 0.05);
    assert!((date.x + width(&date.glyphs) - (MARGIN_LEFT + BLOCK_W - IMPRINT_PT)).abs() < 0.05, "右空一字");
    assert!((printer.y - date.y).abs() < 0.01 && cc.y > printer.y, "印发 line last, 抄送 above it");
    assert_eq!(cc.size, IMPRINT_PT);
    // Rules: thick above, thin between, thick on the lower edge of the text block.
    let rules: Vec<_> = rules_of(last).into_iter().filter(|r| r.4 == Color::Black).collect();
    assert_eq!(rules.len(), 3);
    let bottom = PAGE_H - MARGIN_TOP - BLOCK_H;
    assert!((rules[2].2 - bottom).abs() < 0.01 && rules[2].3 > rules[1].3);
    assert!(rules[0].2 > cc.y && rules[1].2 < cc.y && rules[1].2 > printer.y);
    assert!(rules.iter().all(|r| (r.1 - r.0 - BLOCK_W).abs() < 0.01));
    // Nothing of the body below the first rule.
    let body_lowest = runs.iter().filter(|r| r.size == BODY_PT).map(|r| r.y).fold(f32::MAX, f32::min);
    assert!(body_lowest > rules[0].2);
    // A body that fills the last page pushes the 版记 onto a page of its own.
    let mut long = doc_with_pages(1);
    long.layout = LAYOUT_VERSION;
    while layout(&long, fonts()).unwrap().len() == 1 {
        long.paragraphs.push(Paragraph::new("测试正文，用于填满页面。"));
    }
    long.paragraphs.pop();
    let n = layout(&long, fonts()).unwrap().len();
    long.imprint = d.imprint.clone();
    assert_eq!(layout(&long, fonts()).unwrap().len(), n + 1);
}

#[test]
fn notice_letter_format() {
    let mut d = sample();
    d.letter = true;
    d.authority = "南京市江宁区科学技术局".into();
    d.doc_number = Some("江宁科函〔2026〕3号".into());
    d.imprint =
        Some(Imprint { cc: "区市场监管局".into(), printer: "南京市江宁区科学技术局办公室".into(), printed_on: "2026年3月5日".into() });
    d.paragraphs.extend((0..30).map(|i| Paragraph::new(format!("第{i}段：请及时做好重新认定的准备工作，按期提交申报材料。"))));
    let pages = layout(&d, fonts()).unwrap();
    assert!(pages.len() >= 2);
    let first = &pages[0];
    let runs = runs_of(first);
    let auth = *runs.iter().find(|r| text_of(r) == "南京市江宁区科学技术局" && r.color == Color::Red).unwrap();
    // Top edge of the authority 30 mm from the top of the page.
    let top = PAGE_H - auth.y - EM_ASCENT * AUTHORITY_PT;
    assert!((top - 30.0 * MM).abs() < 0.05, "{top}");
    // Red double rules, 170 mm, centred: thick over thin under the authority, thin over thick
    // 20 mm above the bottom edge.
    let red: Vec<_> = rules_of(first).into_iter().filter(|r| r.4 == Color::Red).collect();
    assert_eq!(red.len(), 4);
    for r in &red {
        assert!((r.1 - r.0 - 170.0 * MM).abs() < 0.01 && ((r.0 + r.1) / 2.0 - PAGE_W / 2.0).abs() < 0.01);
    }
    assert!(red[0].2 > red[1].2 && red[0].3 > red[1].3, "upper: thick over thin");
    assert!(red[2].2 > red[3].2 && red[2].3 < red[3].3, "lower: thin over thick");
    assert!((red[3].2 - 20.0 * MM).abs() < 1.0 * MM);
    assert!(red[1].2 < auth.y && auth.y - red[0].2 < 6.0 * MM + EM_ASCENT * AUTHORITY_PT);
    // The number flush right under the first rule.
    let num = *runs.iter().find(|r| text_of(r) == "江宁科函〔2026〕3号").unwrap();
    assert!((num.x + width(&num.glyphs) - (MARGIN_LEFT + BLOCK_W)).abs() < 0.05);
    assert!(num.y < red[1].2 && red[1].2 - num.y < 12.0 * MM);
    // No page number on page 1; page 2 has one (left).
    assert!(!runs.iter().any(|r| text_of(r).starts_with("— ")));
    let p2 = *runs_of(&pages[1]).iter().find(|r| text_of(r) == "— 2 —").unwrap();
    assert!((p2.x - (MARGIN_LEFT + PAGE_NO_PT)).abs() < 0.05);
    // The 版记 of a letter: 抄送 only, no 印发机关 and 印发日期.
    let last = runs_of(pages.last().unwrap());
    assert!(last.iter().any(|r| text_of(r) == "抄送：区市场监管局。"));
    assert!(!last.iter().any(|r| text_of(r).ends_with("印发")));
    // No 文件 and no red single rule across the text block.
    assert!(!runs.iter().any(|r| text_of(r).contains("文件")));
}

#[test]
fn notice_footer_is_small_and_outside_the_text_block() {
    let pages = layout(&sample(), fonts()).unwrap();
    let footer = *runs_of(&pages[0]).iter().find(|r| text_of(r).contains("校验码")).unwrap();
    assert!(footer.size <= 7.5);
    assert!(footer.y < PAGE_H - MARGIN_TOP - BLOCK_H - PAGE_NO_GAP - PAGE_NO_PT, "below the page number, outside the 版心");
}
