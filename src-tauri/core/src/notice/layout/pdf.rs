//! The PDF of laid-out pages, produced by printpdf 0.12.
//!
//! ```text
//! pages ──page_ops──▶ printpdf Ops (Tm, Tf, TJ of glyph codes, rule) ─┐
//! glyphs met ──SubsetBuilder──▶ one small OpenType/CFF font per face ──┴─▶ printpdf::PdfDocument
//!   ──to_lopdf_document (subset_fonts: false)──▶ deterministic Info + /ID, deflate ──▶ bytes
//! ```
//!
//! * Text: every run is `Op::SetTextMatrix` + per face `Op::SetFont` and `Op::ShowText` of
//!   [`TextItem::GlyphIds`]: each [`Codepoint`] carries the glyph's code in the document's
//!   subset, the character it stands for (printpdf's `/ToUnicode`) and the layout's adjustment
//!   (grid squeeze, justification, condensing), so the glyphs and advances layout computed are
//!   what ends up in the file. `SetHorizontalScaling` condenses the authority; the watermark is
//!   a rotated text matrix; the red rule is `Op::DrawLine`.
//! * Fonts: printpdf's own subsetting (allsorts, on every save, ≈3 ms per CJK font) is off
//!   (`subset_fonts: false`). Instead `font.rs` builds, per document and face, an OpenType/CFF
//!   font holding only the glyphs used (cached desubroutinized charstrings; code = CID = glyph
//!   id, widths = the layout's), which printpdf parses (`ParsedFont::from_bytes`) and embeds as
//!   given: a Type0 font, CIDFontType0 with the bare CFF as `/FontFile3 /CIDFontType0C`, `/W`
//!   from the font's `hmtx`, `/ToUnicode` from the codepoints, `/BaseFont` = the font's
//!   PostScript name (`ABCDEF+FandolFang-Regular`, tag derived from the glyph set).
//! * Serialization: `PdfDocument::save` is `to_lopdf_document` + `compress` + `save_to`. We call
//!   the same steps with two changes in between, because `save` writes a random trailer `/ID`
//!   and 1970 `/CreationDate` and `/ModDate`, and deflates every stream at level 9 (measured:
//!   +1.35 ms per one-page notice, i.e. twice the time, for 3.5% fewer bytes): (1) the Info
//!   dictionary keeps Title, Creator and Producer only, the catalog gets `/Lang (zh-CN)` (and
//!   the header says PDF 1.4, which /Lang needs, instead of 1.3), and the `/ID` is a SHA-256 of
//!   the content, so the same notice always gives the same bytes; (2) streams are deflated here
//!   (zlib-rs: level 6 with a window fitted to the data for content streams and CMaps,
//!   Huffman-only for the font programs). Everything else — objects, dictionaries, content
//!   operators, cross-reference table — is printpdf's (and lopdf's, its writer).

use printpdf::{
    Codepoint, Color, FontId, Greyscale, Line, LineCapStyle, LinePoint, Op, ParsedFont, PdfDocument, PdfFont, PdfFontHandle, PdfPage, PdfParseErrorSeverity,
    PdfSaveOptions, Point, Pt, Rgb, TextItem, TextMatrix,
};
use sha2::{Digest, Sha256};

use super::font::SubsetBuilder;
use super::{Color as Ink, Face, Fonts, Item, LayoutError, Page, TextRun, PAGE_H, PAGE_W};

/// Round to 3 decimals: positions and adjustments are written with at most 3 decimals
/// (1/1000 pt), like any PDF producer; more digits only make the file larger.
fn r3(v: f32) -> f32 {
    ((v as f64 * 1000.0).round() / 1000.0) as f32
}

fn color(c: Ink) -> Color {
    match c {
        Ink::Black => Color::Greyscale(Greyscale::new(0.0, None)),
        // #C8102E
        Ink::Red => Color::Rgb(Rgb::new(0.784, 0.063, 0.18, None)),
        Ink::Watermark => Color::Greyscale(Greyscale::new(0.85, None)),
    }
}

/// The printpdf resource name of a face (`/F1`…`/F3`, as before).
fn font_id(f: Face) -> FontId {
    FontId(format!("F{}", f as usize + 1))
}

/// One text run: glyphs grouped by face; every glyph whose layout advance differs from its
/// natural advance gets a TJ adjustment (in thousandths of the scaled text space; positive
/// moves left), except after the last glyph of the run.
fn text_run(ops: &mut Vec<Op>, run: &TextRun, builders: &mut [SubsetBuilder; 3]) -> Result<(), LayoutError> {
    if run.glyphs.is_empty() {
        return Ok(());
    }
    ops.push(Op::SetFillColor { col: color(run.color) });
    ops.push(Op::StartTextSection);
    if run.hscale != 1.0 {
        ops.push(Op::SetHorizontalScaling { percent: r3(run.hscale * 100.0) });
    }
    let (x, y) = (r3(run.x), r3(run.y));
    // cos 45° to four places, as written into the PDF (short and deterministic).
    #[allow(clippy::approx_constant)]
    let m = if run.rotate45 { [0.7071, 0.7071, -0.7071, 0.7071, x, y] } else { [1.0, 0.0, 0.0, 1.0, x, y] };
    ops.push(Op::SetTextMatrix { matrix: TextMatrix::Raw(m) });
    let h = run.hscale;
    let n = run.glyphs.len();
    let mut i = 0;
    while i < n {
        let face = run.glyphs[i].face;
        let mut cps = Vec::with_capacity(n - i);
        while i < n && run.glyphs[i].face == face {
            let g = &run.glyphs[i];
            let code = builders[face as usize].code(g.gid, g.ch).map_err(LayoutError::Pdf)?;
            let adj = (g.natural * h - g.adv) * 1000.0 / (run.size * h);
            let offset = if i + 1 < n && adj.abs() >= 0.0005 { r3(adj) } else { 0.0 };
            cps.push(Codepoint::with_cid(code, offset, g.ch.to_string()));
            i += 1;
        }
        // SetFont between SetTextMatrix and ShowText also keeps printpdf's glyph-run merger
        // (which re-derives positions from /W) out of the way: the TJ is written as given.
        ops.push(Op::SetFont { font: PdfFontHandle::External(font_id(face)), size: Pt(run.size) });
        ops.push(Op::ShowText { items: vec![TextItem::GlyphIds(cps)] });
    }
    ops.push(Op::EndTextSection);
    if run.hscale != 1.0 {
        // Tz is text state, which persists past ET: reset it.
        ops.push(Op::SetHorizontalScaling { percent: 100.0 });
    }
    Ok(())
}

fn page_ops(page: &Page, builders: &mut [SubsetBuilder; 3]) -> Result<Vec<Op>, LayoutError> {
    let mut ops = Vec::with_capacity(8 * page.items.len());
    for item in &page.items {
        match item {
            Item::Text(run) => text_run(&mut ops, run, builders)?,
            Item::Rule { x0, x1, y, width, color: c } => {
                let pt = |x: f32| LinePoint { p: Point { x: Pt(r3(x)), y: Pt(r3(*y)) }, bezier: false };
                ops.extend([
                    Op::SaveGraphicsState,
                    Op::SetOutlineColor { col: color(*c) },
                    Op::SetOutlineThickness { pt: Pt(*width) },
                    Op::SetLineCapStyle { cap: LineCapStyle::Butt },
                    Op::DrawLine { line: Line { points: vec![pt(*x0), pt(*x1)], is_closed: false } },
                    Op::RestoreGraphicsState,
                ]);
            }
        }
    }
    Ok(ops)
}

/// How a stream is compressed.
#[derive(Clone, Copy)]
enum Packing {
    /// Content streams and CMaps: repetitive text, LZ77 pays (level 6).
    Text,
    /// CFF font programs: charstrings barely repeat across glyphs, almost all of zlib's gain is
    /// the Huffman coding. Huffman-only is ~3× faster than level 6 for ~4% more bytes.
    Font,
}

fn deflate(data: &[u8], packing: Packing) -> Result<Vec<u8>, LayoutError> {
    // A window no larger than the data: zlib's state (window, hash chains) is allocated and
    // zeroed per call, which dominates for the small streams.
    let window_bits = (usize::BITS - data.len().max(256).leading_zeros()).clamp(9, 15) as i32;
    let config = match packing {
        Packing::Text => zlib_rs::DeflateConfig { window_bits, mem_level: 8, ..zlib_rs::DeflateConfig::new(6) },
        Packing::Font => zlib_rs::DeflateConfig {
            strategy: zlib_rs::Strategy::HuffmanOnly,
            // 32K-symbol blocks: fewer Huffman trees to build.
            mem_level: 9,
            ..zlib_rs::DeflateConfig::new(6)
        },
    };
    let mut out = vec![0u8; zlib_rs::compress_bound(data.len())];
    let (packed, rc) = zlib_rs::compress_slice(&mut out, data, config);
    if rc != zlib_rs::ReturnCode::Ok {
        return Err(LayoutError::Pdf(format!("deflate failed: {rc:?}")));
    }
    let n = packed.len();
    out.truncate(n);
    Ok(out)
}

/// Six capital letters derived from the face and its glyph set (the `ABCDEF+` subset tag).
fn subset_tag(name: &str, glyphs: &[(u16, char)]) -> String {
    // FNV-1a 64
    let mut h: u64 = 0xcbf29ce484222325;
    let mut feed = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    };
    name.bytes().for_each(&mut feed);
    for &(g, c) in glyphs {
        g.to_be_bytes().into_iter().for_each(&mut feed);
        (c as u32).to_be_bytes().into_iter().for_each(&mut feed);
    }
    (0..6).map(|i| (b'A' + ((h >> (i * 10)) % 26) as u8) as char).collect()
}

pub(super) fn write_pdf(pages: &[Page], fonts: &Fonts, title: &str) -> Result<Vec<u8>, LayoutError> {
    // Page operations; glyph codes are assigned (per face, in order of first use) on the way.
    let mut builders = [SubsetBuilder::new(), SubsetBuilder::new(), SubsetBuilder::new()];
    let mut pdf_pages = Vec::with_capacity(pages.len());
    for p in pages {
        let ops = page_ops(p, &mut builders)?;
        let mut page = PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops);
        // The page size of the layout (A4 in points), not a millimetre round trip.
        for r in [&mut page.media_box, &mut page.trim_box, &mut page.crop_box] {
            r.width = Pt(PAGE_W);
            r.height = Pt(PAGE_H);
        }
        pdf_pages.push(page);
    }

    // The /ID: a hash of the page contents, the CMaps and the fonts' names (subset tags are
    // hashes of the glyph sets), like the subset tags a function of the content only.
    let mut id_hash = Sha256::new();
    let mut doc = PdfDocument::new(title);
    doc.metadata.info.creator = "Huiqi Ledger".into();
    doc.metadata.info.producer = "Huiqi Ledger".into();
    for f in Face::ALL {
        let b = &builders[f as usize];
        if b.is_empty() {
            continue;
        }
        let face = fonts.face(f).ok_or_else(|| LayoutError::Pdf("font used but not loaded".into()))?;
        let name = format!("{}+{}", subset_tag(&face.ps_name, &b.glyphs), face.ps_name);
        id_hash.update(name.as_bytes());
        let otf = b.build_otf(face, &name).map_err(|e| LayoutError::Font(format!("{}: {e}", face.ps_name)))?;
        let mut font_warnings = Vec::new();
        let parsed = ParsedFont::from_bytes(&otf, 0, &mut font_warnings)
            .ok_or_else(|| LayoutError::Font(format!("{name}: printpdf cannot parse the subset: {font_warnings:?}")))?;
        doc.resources.fonts.map.insert(font_id(f), PdfFont::new(parsed));
    }
    doc.pages = pdf_pages;

    let opts = PdfSaveOptions { subset_fonts: false, ..PdfSaveOptions::default() };
    let mut warnings = Vec::new();
    let mut lo = doc.to_lopdf_document(&opts, &mut warnings);
    if let Some(w) = warnings.iter().find(|w| w.severity == PdfParseErrorSeverity::Error) {
        return Err(LayoutError::Pdf(w.msg.clone()));
    }

    // printpdf declares PDF 1.3; /Lang (below) is a PDF 1.4 key.
    lo.version = "1.4".into();
    // Info: no dates (printpdf writes 1970 ones), no empty fields.
    let info = lo.trailer.get(b"Info").and_then(|o| o.as_reference()).map_err(|e| LayoutError::Pdf(format!("no Info dictionary: {e}")))?;
    let lang = {
        let d = lo.get_dictionary_mut(info).map_err(|e| LayoutError::Pdf(e.to_string()))?;
        for key in ["CreationDate", "ModDate", "Trapped", "GTS_PDFXVersion", "Author", "Subject", "Identifier", "Keywords"] {
            d.remove(key.as_bytes());
        }
        // A string object of printpdf's for the catalog's /Lang (lopdf is reached through
        // printpdf only, it is not a dependency of this crate).
        let mut lang = d.get(b"Producer").map_err(|e| LayoutError::Pdf(e.to_string()))?.clone();
        *lang.as_str_mut().map_err(|e| LayoutError::Pdf(e.to_string()))? = b"zh-CN".to_vec();
        lang
    };
    let root = lo.trailer.get(b"Root").and_then(|o| o.as_reference()).map_err(|e| LayoutError::Pdf(format!("no catalog: {e}")))?;
    lo.get_dictionary_mut(root).map_err(|e| LayoutError::Pdf(e.to_string()))?.set("Lang", lang);

    // Deflate every stream; hash the content streams and CMaps (in object order) for the /ID.
    for obj in lo.objects.values_mut() {
        let Ok(stream) = obj.as_stream_mut() else {
            continue;
        };
        if stream.dict.has(b"Filter") {
            continue;
        }
        let is_font = stream.dict.get(b"Subtype").and_then(|s| s.as_name()).is_ok_and(|s| s == b"CIDFontType0C");
        let packing = if is_font {
            Packing::Font
        } else {
            id_hash.update(&stream.content);
            Packing::Text
        };
        let packed = deflate(&stream.content, packing)?;
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(packed);
    }
    // The /ID pair (printpdf: two random 32-character strings): the first 128 bits of the hash,
    // as 32 hex digits.
    let digest = id_hash.finalize();
    let id_hex: Vec<u8> = digest[..16].iter().flat_map(|b| format!("{b:02X}").into_bytes()).collect();
    let ids = lo.trailer.get_mut(b"ID").and_then(|o| o.as_array_mut()).map_err(|e| LayoutError::Pdf(format!("no /ID: {e}")))?;
    for id in ids.iter_mut() {
        *id.as_str_mut().map_err(|e| LayoutError::Pdf(e.to_string()))? = id_hex.clone();
    }

    let est: usize = lo.objects.values().filter_map(|o| o.as_stream().ok()).map(|s| s.content.len() + 256).sum::<usize>() + 4096 + 400 * pages.len();
    let mut out = Vec::with_capacity(est);
    lo.save_to(&mut out).map_err(|e| LayoutError::Pdf(format!("cannot write the PDF: {e}")))?;
    Ok(out)
}
