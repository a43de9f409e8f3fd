//! PDF serialization of laid-out pages: content streams, Type0/CIDFontType0 fonts with a
//! per-document CFF subset, ToUnicode maps, a classic xref table.
//!
//! Written directly rather than through printpdf's `PdfDocument::save`: that path re-subsets every
//! font on each save, draws random document IDs and font tags, and writes a creation date — all
//! three are in the way of the 2×-Typst speed goal and of byte-for-byte reproducible output.
//!
//! Object numbers: 1 catalog, 2 page tree, 3 info, 4 shared resources, then 5 objects per used
//! font, then 2 per page (page, content stream).

use std::fmt::Write as _;
use std::io::Write as _;

use sha2::{Digest, Sha256};

use super::font::SubsetBuilder;
use super::{Color, Face, Fonts, Item, LayoutError, Page, TextRun, PAGE_H, PAGE_W};

/// Append `v` with at most 3 decimals, no trailing zeros ("12", "12.5", "-0.214").
fn num(out: &mut Vec<u8>, v: f32) {
    let m = (v as f64 * 1000.0).round() as i64;
    if m < 0 {
        out.push(b'-');
    }
    let m = m.unsigned_abs();
    let _ = write!(out, "{}", m / 1000);
    let frac = m % 1000;
    if frac != 0 {
        let mut s = format!(".{frac:03}");
        while s.ends_with('0') {
            s.pop();
        }
        out.extend_from_slice(s.as_bytes());
    }
}

fn hex4(out: &mut Vec<u8>, v: u16) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.extend_from_slice(&[
        HEX[(v >> 12) as usize],
        HEX[((v >> 8) & 0xf) as usize],
        HEX[((v >> 4) & 0xf) as usize],
        HEX[(v & 0xf) as usize],
    ]);
}

fn color_op(out: &mut Vec<u8>, c: Color) {
    out.extend_from_slice(match c {
        Color::Black => b"0 g\n",
        // #C8102E
        Color::Red => b"0.784 0.063 0.18 rg\n",
        Color::Watermark => b"0.85 g\n",
    });
}

fn stroke_color_op(out: &mut Vec<u8>, c: Color) {
    out.extend_from_slice(match c {
        Color::Black => b"0 G\n",
        Color::Red => b"0.784 0.063 0.18 RG\n",
        Color::Watermark => b"0.85 G\n",
    });
}

/// Emit one text run. Glyphs are grouped by face; every glyph whose layout advance differs from
/// its natural advance gets a TJ adjustment (grid squeeze, justification, condensing).
fn text_run(
    out: &mut Vec<u8>,
    run: &TextRun,
    builders: &mut [SubsetBuilder; 3],
) -> Result<(), LayoutError> {
    if run.glyphs.is_empty() {
        return Ok(());
    }
    color_op(out, run.color);
    out.extend_from_slice(b"BT\n");
    if run.hscale != 1.0 {
        num(out, run.hscale * 100.0);
        out.extend_from_slice(b" Tz\n");
    }
    if run.rotate45 {
        out.extend_from_slice(b"0.7071 0.7071 -0.7071 0.7071 ");
    } else {
        out.extend_from_slice(b"1 0 0 1 ");
    }
    num(out, run.x);
    out.push(b' ');
    num(out, run.y);
    out.extend_from_slice(b" Tm\n");
    let h = run.hscale;
    let mut i = 0;
    let n = run.glyphs.len();
    while i < n {
        let face = run.glyphs[i].face;
        out.push(b'/');
        out.push(b'F');
        out.push(b'1' + face as u8);
        out.push(b' ');
        num(out, run.size);
        out.extend_from_slice(b" Tf\n[<");
        let mut in_hex = true;
        while i < n && run.glyphs[i].face == face {
            let g = &run.glyphs[i];
            if !in_hex {
                out.push(b'<');
                in_hex = true;
            }
            let code = builders[face as usize]
                .code(g.gid, g.ch)
                .map_err(LayoutError::Pdf)?;
            hex4(out, code);
            // Adjustment in thousandths of the (scaled) text space: positive moves left.
            let adj = (g.natural * h - g.adv) * 1000.0 / (run.size * h);
            if i + 1 < n && adj.abs() >= 0.0005 {
                out.extend_from_slice(b"> ");
                num(out, adj);
                out.push(b' ');
                in_hex = false;
            }
            i += 1;
        }
        if in_hex {
            out.push(b'>');
        }
        out.extend_from_slice(b"] TJ\n");
    }
    out.extend_from_slice(b"ET\n");
    if run.hscale != 1.0 {
        // Tz is text state, which persists past ET: reset it.
        out.extend_from_slice(b"100 Tz\n");
    }
    Ok(())
}

fn content_stream(page: &Page, builders: &mut [SubsetBuilder; 3]) -> Result<Vec<u8>, LayoutError> {
    let mut out = Vec::with_capacity(8192);
    for item in &page.items {
        match item {
            Item::Text(run) => text_run(&mut out, run, builders)?,
            Item::Rule {
                x0,
                x1,
                y,
                width,
                color,
            } => {
                out.extend_from_slice(b"q\n");
                stroke_color_op(&mut out, *color);
                num(&mut out, *width);
                out.extend_from_slice(b" w 0 J\n");
                for (x, op) in [(x0, &b" m\n"[..]), (x1, &b" l\n"[..])] {
                    num(&mut out, *x);
                    out.push(b' ');
                    num(&mut out, *y);
                    out.extend_from_slice(op);
                }
                out.extend_from_slice(b"S\nQ\n");
            }
        }
    }
    Ok(out)
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
        Packing::Text => zlib_rs::DeflateConfig {
            window_bits,
            mem_level: 8,
            ..zlib_rs::DeflateConfig::new(6)
        },
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

/// ToUnicode CMap for codes 1..=n (code k ↦ `glyphs[k-1].1`).
fn to_unicode(glyphs: &[(u16, char)]) -> Vec<u8> {
    let mut s = String::with_capacity(200 + glyphs.len() * 20);
    s.push_str(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for (chunk_no, chunk) in glyphs.chunks(100).enumerate() {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (j, &(_, ch)) in chunk.iter().enumerate() {
            let code = chunk_no * 100 + j + 1;
            let _ = write!(s, "<{code:04X}> <");
            let mut buf = [0u16; 2];
            for u in ch.encode_utf16(&mut buf) {
                let _ = write!(s, "{u:04X}");
            }
            s.push_str(">\n");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
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
    (0..6)
        .map(|i| (b'A' + ((h >> (i * 10)) % 26) as u8) as char)
        .collect()
}

/// PDF text string in UTF-16BE with BOM, hex form.
fn text_string(s: &str) -> String {
    let mut out = String::from("<FEFF");
    for u in s.encode_utf16() {
        let _ = write!(out, "{u:04X}");
    }
    out.push('>');
    out
}

struct Writer {
    buf: Vec<u8>,
    offsets: Vec<usize>, // index = object number
}

impl Writer {
    fn begin(&mut self, id: usize) {
        if self.offsets.len() <= id {
            self.offsets.resize(id + 1, 0);
        }
        self.offsets[id] = self.buf.len();
        let _ = write!(self.buf, "{id} 0 obj\n");
    }
    fn obj(&mut self, id: usize, body: &str) {
        self.begin(id);
        self.buf.extend_from_slice(body.as_bytes());
        self.buf.extend_from_slice(b"\nendobj\n");
    }
    fn stream(&mut self, id: usize, dict_extra: &str, data: &[u8]) {
        self.begin(id);
        let _ = write!(
            self.buf,
            "<< /Length {} /Filter /FlateDecode{dict_extra} >>\nstream\n",
            data.len()
        );
        self.buf.extend_from_slice(data);
        self.buf.extend_from_slice(b"\nendstream\nendobj\n");
    }
}

pub(super) fn write_pdf(
    pages: &[Page],
    fonts: &Fonts,
    title: &str,
) -> Result<Vec<u8>, LayoutError> {
    let mut builders = [
        SubsetBuilder::new(),
        SubsetBuilder::new(),
        SubsetBuilder::new(),
    ];
    let mut contents = Vec::with_capacity(pages.len());
    let mut id_hash = Sha256::new();
    for p in pages {
        let c = content_stream(p, &mut builders)?;
        id_hash.update(&c);
        contents.push(deflate(&c, Packing::Text)?);
    }

    let used: Vec<Face> = Face::ALL
        .into_iter()
        .filter(|&f| !builders[f as usize].is_empty())
        .collect();
    let font_base = 5;
    let page_base = font_base + 5 * used.len();
    let n_objects = page_base + 2 * pages.len();

    let est: usize = contents.iter().map(|c| c.len()).sum::<usize>() + 64 * 1024;
    let mut w = Writer {
        buf: Vec::with_capacity(est),
        offsets: vec![0; n_objects],
    };
    w.buf.extend_from_slice(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");

    w.obj(1, "<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>");
    let mut kids = String::new();
    for i in 0..pages.len() {
        let _ = write!(kids, "{} 0 R ", page_base + 2 * i);
    }
    w.obj(
        2,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.trim_end(),
            pages.len()
        ),
    );
    w.obj(
        3,
        &format!(
            "<< /Title {} /Producer (Huiqi Ledger) /Creator (Huiqi Ledger) >>",
            text_string(title)
        ),
    );
    let mut font_res = String::new();
    for (k, &f) in used.iter().enumerate() {
        let _ = write!(font_res, "/F{} {} 0 R ", f as usize + 1, font_base + 5 * k);
    }
    w.obj(
        4,
        &format!("<< /Font << {}>> /ProcSet [/PDF /Text] >>", font_res),
    );

    for (k, &f) in used.iter().enumerate() {
        let face = fonts
            .face(f)
            .ok_or_else(|| LayoutError::Pdf("font used but not loaded".into()))?;
        let b = &builders[f as usize];
        let tag = subset_tag(&face.ps_name, &b.glyphs);
        id_hash.update(tag.as_bytes());
        let name = format!("{tag}+{}", face.ps_name);
        let cff = b
            .build_cff(face, &name)
            .map_err(|e| LayoutError::Font(format!("{}: {e}", face.ps_name)))?;
        let id = font_base + 5 * k;
        let mut widths = String::with_capacity(b.glyphs.len() * 5);
        for &(gid, _) in &b.glyphs {
            let _ = write!(widths, "{} ", face.pdf_width(gid));
        }
        w.obj(
            id,
            &format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H /DescendantFonts [{} 0 R] /ToUnicode {} 0 R >>",
                id + 1,
                id + 4
            ),
        );
        w.obj(
            id + 1,
            &format!(
                "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /{name} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {} 0 R /DW 1000 /W [1 [{}]] >>",
                id + 2,
                widths.trim_end()
            ),
        );
        let bb = face.bbox.map(|v| face.to_pdf_units(v));
        w.obj(
            id + 2,
            &format!(
                "<< /Type /FontDescriptor /FontName /{name} /Flags {} /FontBBox [{} {} {} {}] /ItalicAngle 0 \
                 /Ascent {} /Descent {} /CapHeight {} /StemV {} /FontFile3 {} 0 R >>",
                4 | 2, // symbolic, serif
                bb[0],
                bb[1],
                bb[2],
                bb[3],
                face.to_pdf_units(face.ascent),
                face.to_pdf_units(face.descent),
                face.to_pdf_units(face.cap_height),
                if face.weight >= 600 { 140 } else { 80 },
                id + 3
            ),
        );
        w.stream(
            id + 3,
            " /Subtype /CIDFontType0C",
            &deflate(&cff, Packing::Font)?,
        );
        w.stream(id + 4, "", &deflate(&to_unicode(&b.glyphs), Packing::Text)?);
    }

    let mut media = Vec::new();
    media.extend_from_slice(b"[0 0 ");
    num(&mut media, PAGE_W);
    media.push(b' ');
    num(&mut media, PAGE_H);
    media.push(b']');
    let media = String::from_utf8_lossy(&media).into_owned();
    for (i, c) in contents.iter().enumerate() {
        let id = page_base + 2 * i;
        w.obj(id, &format!("<< /Type /Page /Parent 2 0 R /MediaBox {media} /Resources 4 0 R /Contents {} 0 R >>", id + 1));
        w.stream(id + 1, "", c);
    }

    // Cross-reference table and trailer; the ID is a hash of the content.
    let xref = w.buf.len();
    let _ = write!(w.buf, "xref\n0 {}\n0000000000 65535 f \n", n_objects);
    for id in 1..n_objects {
        let _ = write!(w.buf, "{:010} 00000 n \n", w.offsets[id]);
    }
    let digest = id_hash.finalize();
    let id_hex: String = digest[..16].iter().map(|b| format!("{b:02X}")).collect();
    let _ = write!(
        w.buf,
        "trailer\n<< /Size {n_objects} /Root 1 0 R /Info 3 0 R /ID [<{id_hex}> <{id_hex}>] >>\nstartxref\n{xref}\n%%EOF\n"
    );
    Ok(w.buf)
}
