//! OpenType/CFF reading and per-document CFF subsetting, for printpdf to embed.
//!
//! Why not printpdf's subsetter: printpdf 0.12 re-parses and re-subsets every font on each `save()`
//! through allsorts (≈3 ms per CJK font, the dominant cost of a one-page notice), so the PDF is
//! saved with `subset_fonts: false` and given fonts that are already subsets. Here a font is
//! parsed once ([`FontFace::parse`]: table directory, cmap, advances, CFF INDEX offsets); a
//! document's subset is then only a concatenation of the charstrings it uses
//! ([`SubsetBuilder::build_cff`]), desubroutinized so that no subroutine INDEX has to be carried,
//! wrapped in the few OpenType tables printpdf needs to parse it ([`SubsetBuilder::build_otf`]).
//!
//! The subset is a CID-keyed CFF whose charset is the identity on 1..n: the content-stream code,
//! the CID and the subset glyph id are the same number, and `/W` and `/ToUnicode` are keyed by it.
//! printpdf embeds such a font as a bare CFF (`/FontFile3 /Subtype /CIDFontType0C`), which every
//! viewer family (Acrobat, pdf.js, PDFium, poppler) resolves the same way.
//!
//! All reads are bounds-checked: a malformed font gives an error, never a panic.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Bytes of a font: compiled in (`'static`) or read at run time.
pub(crate) enum FontBytes {
    Static(&'static [u8]),
    Owned(Vec<u8>),
}

impl FontBytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            FontBytes::Static(b) => b,
            FontBytes::Owned(v) => v,
        }
    }
}

type R<T> = Result<T, String>;

fn u8_at(d: &[u8], off: usize) -> R<u8> {
    d.get(off).copied().ok_or_else(|| format!("read past end at {off}"))
}
fn u16_at(d: &[u8], off: usize) -> R<u16> {
    match d.get(off..off + 2) {
        Some(b) => Ok(u16::from_be_bytes([b[0], b[1]])),
        None => Err(format!("read past end at {off}")),
    }
}
fn i16_at(d: &[u8], off: usize) -> R<i16> {
    u16_at(d, off).map(|v| v as i16)
}
fn u32_at(d: &[u8], off: usize) -> R<u32> {
    match d.get(off..off + 4) {
        Some(b) => Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]])),
        None => Err(format!("read past end at {off}")),
    }
}
/// Big-endian unsigned integer of 1..=4 bytes (CFF offsets).
fn offset_at(d: &[u8], off: usize, size: u8) -> R<u32> {
    let b = d.get(off..off + size as usize).ok_or_else(|| format!("read past end at {off}"))?;
    Ok(b.iter().fold(0u32, |acc, &x| (acc << 8) | x as u32))
}

/// A parsed font face: what layout needs (cmap, advances, metrics) and what subsetting needs
/// (the CFF structures), all as offsets into the original bytes.
pub(crate) struct FontFace {
    bytes: FontBytes,
    /// PostScript name (name ID 6), used as the PDF BaseFont after the subset tag.
    pub ps_name: String,
    pub units_per_em: u16,
    /// head.xMin, yMin, xMax, yMax (font units)
    pub bbox: [i16; 4],
    /// Typographic ascender/descender (OS/2, or hhea when OS/2 is absent), font units.
    pub ascent: i16,
    pub descent: i16,
    pub cap_height: i16,
    pub weight: u16,
    /// Glyph id for each BMP code point (0 = none).
    bmp: Box<[u16]>,
    /// Glyph ids for code points above the BMP.
    astral: HashMap<u32, u16>,
    /// Advance width of each glyph, font units.
    advances: Vec<u16>,
    cff: Cff,
    /// Desubroutinized charstrings, computed on first use and kept: a glyph is flattened once
    /// per process, not once per document.
    flat: Vec<OnceLock<Box<[u8]>>>,
}

/// A CFF INDEX: `offsets[i]..offsets[i+1]` are absolute positions in the CFF table of item `i`.
struct Index {
    offsets: Vec<u32>,
}

impl Index {
    fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    fn get<'a>(&self, cff: &'a [u8], i: usize) -> Option<&'a [u8]> {
        let (a, b) = (*self.offsets.get(i)?, *self.offsets.get(i + 1)?);
        cff.get(a as usize..b as usize)
    }
}

/// Parse an INDEX at `off` in `cff`; returns it and the offset just after it.
fn parse_index(cff: &[u8], off: usize) -> R<(Index, usize)> {
    let count = u16_at(cff, off)? as usize;
    if count == 0 {
        return Ok((Index { offsets: Vec::new() }, off + 2));
    }
    let off_size = u8_at(cff, off + 2)?;
    if !(1..=4).contains(&off_size) {
        return Err(format!("bad INDEX offSize {off_size}"));
    }
    let offsets_start = off + 3;
    // The data starts after the offset array; offsets are 1-based from the byte before the data.
    let base = offsets_start + (count + 1) * off_size as usize - 1;
    let mut offsets = Vec::with_capacity(count + 1);
    for i in 0..=count {
        let o = base + offset_at(cff, offsets_start + i * off_size as usize, off_size)? as usize;
        if o > cff.len() || o > u32::MAX as usize {
            return Err("INDEX data out of range".into());
        }
        offsets.push(o as u32);
    }
    let end = *offsets.last().unwrap_or(&(base as u32)) as usize;
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err("INDEX offsets not increasing".into());
    }
    Ok((Index { offsets }, end))
}

/// One DICT entry: operator (escaped operators are `1200 + b1`), its operands, and the raw bytes
/// of the whole entry (operands and operator) for verbatim copying.
struct DictEntry {
    op: u16,
    operands: Vec<f64>,
    raw: std::ops::Range<usize>,
}

fn parse_dict(d: &[u8]) -> R<Vec<DictEntry>> {
    let mut out = Vec::new();
    let mut operands = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < d.len() {
        let b0 = d[i];
        match b0 {
            0..=21 => {
                let op = if b0 == 12 {
                    i += 1;
                    1200 + u8_at(d, i)? as u16
                } else {
                    b0 as u16
                };
                i += 1;
                out.push(DictEntry { op, operands: std::mem::take(&mut operands), raw: start..i });
                start = i;
            }
            28 => {
                operands.push(i16_at(d, i + 1)? as f64);
                i += 3;
            }
            29 => {
                operands.push(u32_at(d, i + 1)? as i32 as f64);
                i += 5;
            }
            30 => {
                // Real number: nibbles until 0xf. Decoded only approximately (we never need the
                // value of a real, only to skip it).
                let mut s = String::new();
                i += 1;
                'real: loop {
                    let b = u8_at(d, i)?;
                    i += 1;
                    for nib in [b >> 4, b & 0xf] {
                        match nib {
                            0..=9 => s.push((b'0' + nib) as char),
                            0xa => s.push('.'),
                            0xb => s.push('E'),
                            0xc => s.push_str("E-"),
                            0xe => s.push('-'),
                            0xf => break 'real,
                            _ => {}
                        }
                    }
                }
                operands.push(s.parse().unwrap_or(0.0));
            }
            32..=246 => {
                operands.push(b0 as f64 - 139.0);
                i += 1;
            }
            247..=250 => {
                operands.push(((b0 as f64 - 247.0) * 256.0) + u8_at(d, i + 1)? as f64 + 108.0);
                i += 2;
            }
            251..=254 => {
                operands.push(-((b0 as f64 - 251.0) * 256.0) - u8_at(d, i + 1)? as f64 - 108.0);
                i += 2;
            }
            _ => return Err(format!("bad DICT byte {b0}")),
        }
    }
    Ok(out)
}

fn dict_get(d: &[DictEntry], op: u16) -> Option<&DictEntry> {
    d.iter().find(|e| e.op == op)
}

const OP_CHARSET: u16 = 15;
const OP_CHARSTRINGS: u16 = 17;
const OP_PRIVATE: u16 = 18;
const OP_SUBRS: u16 = 19;
const OP_FONTBBOX: u16 = 5;
const OP_ROS: u16 = 1230;
const OP_FONTMATRIX: u16 = 1207;
const OP_CIDCOUNT: u16 = 1234;
const OP_FDARRAY: u16 = 1236;
const OP_FDSELECT: u16 = 1237;

/// A Font DICT of the source: its Private DICT (without `Subrs`, ready to copy), the raw
/// FontMatrix entry if any, and its local subroutines.
struct FdInfo {
    private: Vec<u8>,
    font_matrix: Option<Vec<u8>>,
    subrs: Index,
}

struct Cff {
    /// End of the `CFF ` table in the font bytes (all offsets here are absolute).
    end: usize,
    charstrings: Index,
    gsubrs: Index,
    /// FD index of every glyph (all 0 for a name-keyed font).
    fd_select: Vec<u8>,
    fds: Vec<FdInfo>,
    /// Raw FontBBox / FontMatrix entries of the Top DICT, copied into subsets.
    top_bbox: Option<Vec<u8>>,
    top_matrix: Option<Vec<u8>>,
}

fn parse_private(cff: &[u8], entry: &DictEntry) -> R<(Vec<u8>, Index)> {
    let (size, off) = match entry.operands[..] {
        [s, o] if s >= 0.0 && o >= 0.0 => (s as usize, o as usize),
        _ => return Err("bad Private operator".into()),
    };
    let pd = off.checked_add(size).and_then(|end| cff.get(off..end)).ok_or("Private DICT out of range")?;
    let entries = parse_dict(pd)?;
    let mut copy = Vec::with_capacity(pd.len());
    let mut subrs = Index { offsets: Vec::new() };
    for e in &entries {
        if e.op == OP_SUBRS {
            // Subrs is an offset relative to the Private DICT; the subset is desubroutinized, so
            // the entry is dropped.
            let rel = e.operands.first().copied().unwrap_or(-1.0);
            if rel > 0.0 {
                let at = off.checked_add(rel as usize).ok_or("Subrs offset out of range")?;
                subrs = parse_index(cff, at)?.0;
            }
        } else {
            copy.extend_from_slice(&pd[e.raw.clone()]);
        }
    }
    Ok((copy, subrs))
}

fn parse_cff(font: &[u8], start: usize, end: usize) -> R<Cff> {
    let cff = &font[..end]; // offsets below are absolute in `font`, we slice per access
    let hdr_size = u8_at(cff, start + 2)? as usize;
    let (_names, after_names) = parse_index(cff, start + hdr_size)?;
    let (top_index, after_top) = parse_index(cff, after_names)?;
    let (_strings, after_strings) = parse_index(cff, after_top)?;
    let (gsubrs, _) = parse_index(cff, after_strings)?;
    let top_raw = top_index.get(cff, 0).ok_or("no Top DICT")?;
    let top = parse_dict(top_raw)?;
    let rel = |e: &DictEntry| -> R<usize> {
        match e.operands.first() {
            Some(&v) if v >= 0.0 => start.checked_add(v as usize).ok_or_else(|| "offset out of range".into()),
            _ => Err("bad offset operand".into()),
        }
    };
    let cs_off = rel(dict_get(&top, OP_CHARSTRINGS).ok_or("no CharStrings")?)?;
    let (charstrings, _) = parse_index(cff, cs_off)?;
    let n = charstrings.len();
    if n == 0 {
        return Err("no glyphs".into());
    }
    let mut fds = Vec::new();
    let mut fd_select = vec![0u8; n];
    if dict_get(&top, OP_ROS).is_some() {
        // CID-keyed: FDArray + FDSelect.
        let (fd_index, _) = parse_index(cff, rel(dict_get(&top, OP_FDARRAY).ok_or("no FDArray")?)?)?;
        for i in 0..fd_index.len() {
            let fd = parse_dict(fd_index.get(cff, i).ok_or("bad FDArray")?)?;
            let pe = dict_get(&fd, OP_PRIVATE).ok_or("FD without Private")?;
            let mut pe_abs = DictEntry { op: pe.op, operands: pe.operands.clone(), raw: 0..0 };
            if let Some(o) = pe_abs.operands.get_mut(1) {
                *o += start as f64;
            }
            let (private, subrs) = parse_private(cff, &pe_abs)?;
            let fd_raw = fd_index.get(cff, i).unwrap_or(&[]);
            let font_matrix = dict_get(&fd, OP_FONTMATRIX).map(|e| fd_raw[e.raw.clone()].to_vec());
            fds.push(FdInfo { private, font_matrix, subrs });
        }
        let sel = rel(dict_get(&top, OP_FDSELECT).ok_or("no FDSelect")?)?;
        match u8_at(cff, sel)? {
            0 => {
                for (g, slot) in fd_select.iter_mut().enumerate() {
                    *slot = u8_at(cff, sel + 1 + g)?;
                }
            }
            3 => {
                let nranges = u16_at(cff, sel + 1)? as usize;
                for r in 0..nranges {
                    let first = u16_at(cff, sel + 3 + r * 3)? as usize;
                    let fd = u8_at(cff, sel + 5 + r * 3)?;
                    let next = u16_at(cff, sel + 6 + r * 3)? as usize;
                    for slot in fd_select.iter_mut().take(next.min(n)).skip(first) {
                        *slot = fd;
                    }
                }
            }
            f => return Err(format!("unsupported FDSelect format {f}")),
        }
        if fd_select.iter().any(|&f| f as usize >= fds.len()) {
            return Err("FDSelect refers to a missing FD".into());
        }
    } else {
        // Name-keyed: one Private DICT in the Top DICT; written out as a CID-keyed font with one FD.
        let pe = dict_get(&top, OP_PRIVATE).ok_or("no Private DICT")?;
        let mut pe_abs = DictEntry { op: pe.op, operands: pe.operands.clone(), raw: 0..0 };
        if let Some(o) = pe_abs.operands.get_mut(1) {
            *o += start as f64;
        }
        let (private, subrs) = parse_private(cff, &pe_abs)?;
        fds.push(FdInfo { private, font_matrix: None, subrs });
    }
    let raw = |op| dict_get(&top, op).map(|e| top_raw[e.raw.clone()].to_vec());
    Ok(Cff { end, charstrings, gsubrs, fd_select, fds, top_bbox: raw(OP_FONTBBOX), top_matrix: raw(OP_FONTMATRIX) })
}

/// Read the best Unicode cmap subtable into `bmp` / `astral`.
fn parse_cmap(d: &[u8], off: usize, bmp: &mut [u16], astral: &mut HashMap<u32, u16>) -> R<()> {
    let n = u16_at(d, off + 2)? as usize;
    // Preference: full-repertoire format 12 first, then BMP format 4.
    let mut best: Option<(u8, usize)> = None;
    for i in 0..n {
        let rec = off + 4 + i * 8;
        let (pid, eid) = (u16_at(d, rec)?, u16_at(d, rec + 2)?);
        let sub = off + u32_at(d, rec + 4)? as usize;
        let format = u16_at(d, sub)?;
        let rank = match (pid, eid, format) {
            (3, 10, 12) | (0, 4, 12) | (0, 6, 12) => 3,
            (3, 1, 4) | (0, 3, 4) => 2,
            (0, _, 4) => 1,
            _ => 0,
        };
        if rank > 0 && best.is_none_or(|(r, _)| rank > r) {
            best = Some((rank, sub));
        }
    }
    let (_, sub) = best.ok_or("no Unicode cmap")?;
    match u16_at(d, sub)? {
        12 => {
            let groups = u32_at(d, sub + 12)? as usize;
            for g in 0..groups {
                let rec = sub + 16 + g * 12;
                let (s, e, gid) = (u32_at(d, rec)?, u32_at(d, rec + 4)?, u32_at(d, rec + 8)?);
                if e < s || e > 0x10FFFF || e - s > 0x10000 {
                    continue;
                }
                for c in s..=e {
                    let g = gid + (c - s);
                    if g > u16::MAX as u32 {
                        break;
                    }
                    if c < 0x10000 {
                        bmp[c as usize] = g as u16;
                    } else {
                        astral.insert(c, g as u16);
                    }
                }
            }
        }
        4 => {
            let segx2 = u16_at(d, sub + 6)? as usize;
            let ends = sub + 14;
            let starts = ends + segx2 + 2;
            let deltas = starts + segx2;
            let ranges = deltas + segx2;
            for s in 0..segx2 / 2 {
                let end = u16_at(d, ends + s * 2)? as u32;
                let start = u16_at(d, starts + s * 2)? as u32;
                let delta = u16_at(d, deltas + s * 2)?;
                let ro = u16_at(d, ranges + s * 2)? as usize;
                if start > end {
                    continue;
                }
                for c in start..=end.min(0xFFFF) {
                    let g = if ro == 0 {
                        (c as u16).wrapping_add(delta)
                    } else {
                        let addr = ranges + s * 2 + ro + (c - start) as usize * 2;
                        match u16_at(d, addr)? {
                            0 => 0,
                            g => g.wrapping_add(delta),
                        }
                    };
                    if c != 0xFFFF {
                        bmp[c as usize] = g;
                    }
                }
            }
        }
        f => return Err(format!("unsupported cmap format {f}")),
    }
    Ok(())
}

fn parse_ps_name(d: &[u8], off: usize) -> Option<String> {
    let count = u16_at(d, off + 2).ok()? as usize;
    let strings = off + u16_at(d, off + 4).ok()? as usize;
    for i in 0..count {
        let rec = off + 6 + i * 12;
        let (pid, name_id) = (u16_at(d, rec).ok()?, u16_at(d, rec + 6).ok()?);
        if name_id != 6 {
            continue;
        }
        let len = u16_at(d, rec + 8).ok()? as usize;
        let o = strings + u16_at(d, rec + 10).ok()? as usize;
        let raw = d.get(o..o + len)?;
        let s: String = if pid == 3 || pid == 0 {
            let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        } else {
            raw.iter().map(|&b| b as char).collect()
        };
        // A PDF name must stay a plain token.
        let s: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
        if !s.is_empty() {
            return Some(s);
        }
    }
    None
}

impl FontFace {
    /// Parse an OpenType font with CFF outlines (`OTTO`). TrueType outlines are not supported
    /// (the shipped fonts are all CFF).
    pub fn parse(bytes: FontBytes, fallback_name: &str) -> Result<FontFace, String> {
        let d = bytes.as_slice();
        if d.get(..4) != Some(b"OTTO") {
            return Err("not an OpenType/CFF font (OTTO)".into());
        }
        let num_tables = u16_at(d, 4)? as usize;
        let mut tables: HashMap<[u8; 4], (usize, usize)> = HashMap::new();
        for i in 0..num_tables {
            let rec = 12 + i * 16;
            let tag: [u8; 4] = d.get(rec..rec + 4).ok_or("truncated table directory")?.try_into().unwrap_or([0; 4]);
            let off = u32_at(d, rec + 8)? as usize;
            let len = u32_at(d, rec + 12)? as usize;
            if off.checked_add(len).is_none_or(|e| e > d.len()) {
                return Err(format!("table {} out of range", String::from_utf8_lossy(&tag)));
            }
            tables.insert(tag, (off, len));
        }
        let table = |t: &[u8; 4]| tables.get(t).copied().ok_or_else(|| format!("missing table {}", String::from_utf8_lossy(t)));
        let (head, _) = table(b"head")?;
        let units_per_em = u16_at(d, head + 18)?;
        if units_per_em == 0 {
            return Err("unitsPerEm is 0".into());
        }
        let bbox = [i16_at(d, head + 36)?, i16_at(d, head + 38)?, i16_at(d, head + 40)?, i16_at(d, head + 42)?];
        let (hhea, _) = table(b"hhea")?;
        let num_hmetrics = u16_at(d, hhea + 34)? as usize;
        let (maxp, _) = table(b"maxp")?;
        let num_glyphs = u16_at(d, maxp + 4)? as usize;
        let (hmtx, hmtx_len) = table(b"hmtx")?;
        if num_hmetrics == 0 || num_hmetrics * 4 > hmtx_len {
            return Err("bad hmtx".into());
        }
        let mut advances = Vec::with_capacity(num_glyphs);
        for g in 0..num_glyphs {
            advances.push(u16_at(d, hmtx + 4 * g.min(num_hmetrics - 1))?);
        }
        let (mut ascent, mut descent) = (i16_at(d, hhea + 4)?, i16_at(d, hhea + 6)?);
        let (mut cap_height, mut weight) = (ascent, 400);
        if let Ok((os2, len)) = table(b"OS/2") {
            weight = u16_at(d, os2 + 4)?;
            ascent = i16_at(d, os2 + 68)?;
            descent = i16_at(d, os2 + 70)?;
            if u16_at(d, os2)? >= 2 && len >= 90 {
                cap_height = i16_at(d, os2 + 88)?;
            }
        }
        let mut bmp = vec![0u16; 0x10000].into_boxed_slice();
        let mut astral = HashMap::new();
        parse_cmap(d, table(b"cmap")?.0, &mut bmp, &mut astral)?;
        let ps_name = tables.get(b"name").and_then(|&(o, _)| parse_ps_name(d, o)).unwrap_or_else(|| fallback_name.to_string());
        let (cff_off, cff_len) = table(b"CFF ")?;
        let cff = parse_cff(d, cff_off, cff_off + cff_len)?;
        // Never hand out a glyph id the CFF does not have.
        let n = cff.charstrings.len().min(num_glyphs);
        for g in bmp.iter_mut() {
            if *g as usize >= n {
                *g = 0;
            }
        }
        astral.retain(|_, g| (*g as usize) < n && *g != 0);
        let flat = (0..cff.charstrings.len()).map(|_| OnceLock::new()).collect();
        Ok(FontFace { bytes, ps_name, units_per_em, bbox, ascent, descent, cap_height, weight, bmp, astral, advances, cff, flat })
    }

    /// Glyph id for `c`, `None` when the font has no glyph (or maps it to .notdef).
    #[inline]
    pub fn glyph(&self, c: char) -> Option<u16> {
        let cp = c as u32;
        let g = if cp < 0x10000 { self.bmp[cp as usize] } else { self.astral.get(&cp).copied().unwrap_or(0) };
        (g != 0).then_some(g)
    }

    /// The glyph's advance in PDF glyph space (1/1000 em), rounded: the value written to `/W`,
    /// and the one layout measures with, so the two always agree.
    #[inline]
    pub fn pdf_width(&self, gid: u16) -> u16 {
        let adv = self.advances.get(gid as usize).copied().unwrap_or(0) as u32;
        ((adv * 1000 + self.units_per_em as u32 / 2) / self.units_per_em as u32) as u16
    }

    /// Scale a font-unit metric to 1/1000 em.
    pub fn to_pdf_units(&self, v: i16) -> i32 {
        (v as i32 * 1000) / self.units_per_em as i32
    }

    fn cff_bytes(&self) -> &[u8] {
        // Offsets in `Cff` are absolute positions in the font file.
        &self.bytes.as_slice()[..self.cff.end]
    }

    /// The charstring of `gid` with every subroutine call inlined (cached).
    pub fn flat_charstring(&self, gid: u16) -> R<&[u8]> {
        let cell = self.flat.get(gid as usize).ok_or("glyph id out of range")?;
        if let Some(v) = cell.get() {
            return Ok(v);
        }
        let v = self.flatten(gid)?.into_boxed_slice();
        Ok(cell.get_or_init(|| v))
    }

    /// Flatten arbitrary charstring bytes as if they were glyph outlines of FD `fd` (tests).
    #[cfg(test)]
    pub fn flatten_bytes(&self, cs: &[u8], fd: usize) -> R<Vec<u8>> {
        let mut st = Flatten { stack: Vec::new(), nstems: 0, out: Vec::new(), budget: 1 << 20 };
        st.run(self, self.cff_bytes(), cs, fd, 0)?;
        Ok(st.out)
    }

    fn flatten(&self, gid: u16) -> R<Vec<u8>> {
        let cff = self.cff_bytes();
        let cs = self.cff.charstrings.get(cff, gid as usize).ok_or("glyph id out of range")?;
        let fd = self.cff.fd_select.get(gid as usize).copied().unwrap_or(0) as usize;
        let mut st = Flatten { stack: Vec::with_capacity(48), nstems: 0, out: Vec::with_capacity(cs.len() * 2), budget: 1 << 20 };
        let ended = st.run(self, cff, cs, fd, 0)?;
        if !ended {
            return Err(format!("glyph {gid}: charstring without endchar"));
        }
        Ok(st.out)
    }
}

fn subr_bias(count: usize) -> i64 {
    if count < 1240 {
        107
    } else if count < 33900 {
        1131
    } else {
        32768
    }
}

/// Type 2 charstring desubroutinizer: copies operators and operands verbatim and replaces each
/// `callsubr`/`callgsubr` (and the subroutine number pushed just before it) by the subroutine's
/// body. Only enough of the stack is tracked to know the subroutine numbers and the number of
/// stem hints (which fixes the length of `hintmask` data).
struct Flatten {
    /// Operand values (`None` when computed by an arithmetic operator) and where each operand's
    /// bytes start in `out`.
    stack: Vec<(Option<f64>, usize)>,
    nstems: usize,
    out: Vec<u8>,
    /// Tokens left to process: a malformed font whose subroutines call each other many times
    /// must not make a glyph take forever (or its charstring grow without bound).
    budget: u32,
}

impl Flatten {
    /// Returns `true` when `endchar` was reached.
    fn run(&mut self, face: &FontFace, cff: &[u8], cs: &[u8], fd: usize, depth: u8) -> R<bool> {
        if depth > 10 {
            return Err("subroutines nested too deeply".into());
        }
        let mut i = 0;
        while i < cs.len() {
            self.budget = self.budget.checked_sub(1).ok_or("charstring too complex")?;
            if self.out.len() > 65535 {
                return Err("charstring too long".into());
            }
            let b0 = cs[i];
            let num_len = match b0 {
                28 => 3,
                32..=246 => 1,
                247..=254 => 2,
                255 => 5,
                _ => 0,
            };
            if num_len > 0 {
                let bytes = cs.get(i..i + num_len).ok_or("truncated number")?;
                let v = match b0 {
                    28 => i16::from_be_bytes([bytes[1], bytes[2]]) as f64,
                    32..=246 => b0 as f64 - 139.0,
                    247..=250 => (b0 as f64 - 247.0) * 256.0 + bytes[1] as f64 + 108.0,
                    251..=254 => -(b0 as f64 - 251.0) * 256.0 - bytes[1] as f64 - 108.0,
                    _ => i32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as f64 / 65536.0,
                };
                self.stack.push((Some(v), self.out.len()));
                self.out.extend_from_slice(bytes);
                i += num_len;
                continue;
            }
            match b0 {
                10 | 29 => {
                    // callsubr / callgsubr: the number must be a literal pushed just before.
                    let (v, pos) = self.stack.pop().ok_or("callsubr on empty stack")?;
                    let v = v.ok_or("computed subroutine number")?;
                    if pos > self.out.len() {
                        return Err("bad subroutine operand".into());
                    }
                    self.out.truncate(pos);
                    let (index, bias) = if b0 == 10 {
                        let subrs = &face.cff.fds.get(fd).ok_or("bad FD")?.subrs;
                        (subrs, subr_bias(subrs.len()))
                    } else {
                        (&face.cff.gsubrs, subr_bias(face.cff.gsubrs.len()))
                    };
                    let n = v as i64 + bias;
                    let body = usize::try_from(n).ok().and_then(|n| index.get(cff, n)).ok_or("subroutine out of range")?;
                    if self.run(face, cff, body, fd, depth + 1)? {
                        return Ok(true);
                    }
                    i += 1;
                }
                11 => return Ok(false), // return (not copied)
                14 => {
                    self.out.push(14);
                    self.stack.clear();
                    return Ok(true);
                }
                1 | 3 | 18 | 23 => {
                    // hstem, vstem, hstemhm, vstemhm (an odd count includes the width)
                    self.nstems += self.stack.len() / 2;
                    self.stack.clear();
                    self.out.push(b0);
                    i += 1;
                }
                19 | 20 => {
                    // hintmask / cntrmask: pending operands are an implicit vstem list.
                    self.nstems += self.stack.len() / 2;
                    self.stack.clear();
                    let mask = 1 + self.nstems.div_ceil(8);
                    self.out.extend_from_slice(cs.get(i..i + mask).ok_or("truncated hintmask")?);
                    i += mask;
                }
                12 => {
                    let op = *cs.get(i + 1).ok_or("truncated escape")?;
                    self.out.extend_from_slice(&[12, op]);
                    i += 2;
                    let computed = (None, usize::MAX);
                    let s = &mut self.stack;
                    let need = |s: &Vec<_>, k: usize| {
                        if s.len() < k {
                            Err("stack underflow")
                        } else {
                            Ok(())
                        }
                    };
                    match op {
                        3 | 4 | 10 | 11 | 12 | 15 | 24 => {
                            need(s, 2)?;
                            s.truncate(s.len() - 2);
                            s.push(computed);
                        }
                        5 | 9 | 14 | 26 | 21 | 29 => {
                            need(s, 1)?;
                            s.pop();
                            s.push(computed);
                        }
                        18 => {
                            need(s, 1)?;
                            s.pop();
                        }
                        20 => {
                            need(s, 2)?;
                            s.truncate(s.len() - 2);
                        }
                        22 => {
                            need(s, 4)?;
                            s.truncate(s.len() - 4);
                            s.push(computed);
                        }
                        23 | 27 => s.push(computed),
                        28 => {
                            need(s, 2)?;
                            let l = s.len();
                            s.swap(l - 1, l - 2);
                            for e in s[l - 2..].iter_mut() {
                                e.1 = usize::MAX;
                            }
                        }
                        30 => {
                            // roll: the rolled operands lose their identity.
                            need(s, 2)?;
                            s.truncate(s.len() - 2);
                            for e in s.iter_mut() {
                                *e = computed;
                            }
                        }
                        _ => s.clear(), // flex family and others clear the stack
                    }
                }
                _ => {
                    // Path construction and other stack-clearing operators.
                    self.out.push(b0);
                    self.stack.clear();
                    i += 1;
                }
            }
        }
        Ok(false)
    }
}

/// The glyphs a document uses from one font, in order of first use. Code (= CID = subset glyph
/// id) `k` is `glyphs[k - 1]`; code 0 is `.notdef`.
///
/// Keyed by (glyph, character) rather than glyph alone so that two characters drawn with the same
/// glyph (e.g. a CJK compatibility ideograph) each keep their own ToUnicode entry.
pub(crate) struct SubsetBuilder {
    map: HashMap<(u16, char), u16>,
    pub glyphs: Vec<(u16, char)>,
}

impl SubsetBuilder {
    pub fn new() -> Self {
        SubsetBuilder { map: HashMap::new(), glyphs: Vec::new() }
    }

    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// The content-stream code of (`gid`, `ch`), adding it to the subset on first use.
    pub fn code(&mut self, gid: u16, ch: char) -> R<u16> {
        if let Some(&c) = self.map.get(&(gid, ch)) {
            return Ok(c);
        }
        if self.glyphs.len() >= u16::MAX as usize - 1 {
            return Err("too many glyphs in one font".into());
        }
        self.glyphs.push((gid, ch));
        let c = self.glyphs.len() as u16;
        self.map.insert((gid, ch), c);
        Ok(c)
    }

    /// Write the subset as a bare CID-keyed CFF (for `/FontFile3 /Subtype /CIDFontType0C`).
    pub fn build_cff(&self, face: &FontFace, name: &str) -> R<Vec<u8>> {
        let src = &face.cff;
        // Glyph order: .notdef, then the codes in order.
        let order: Vec<u16> = std::iter::once(0).chain(self.glyphs.iter().map(|&(g, _)| g)).collect();
        let n = order.len();

        // FDs actually used, renumbered in order of first use.
        let mut fd_map: Vec<Option<u8>> = vec![None; src.fds.len()];
        let mut used_fds: Vec<usize> = Vec::new();
        let mut new_fd_of_glyph = Vec::with_capacity(n);
        for &g in &order {
            let fd = src.fd_select.get(g as usize).copied().unwrap_or(0) as usize;
            let nf = match fd_map[fd] {
                Some(x) => x,
                None => {
                    let x = used_fds.len() as u8;
                    fd_map[fd] = Some(x);
                    used_fds.push(fd);
                    x
                }
            };
            new_fd_of_glyph.push(nf);
        }

        let mut charstrings = Vec::with_capacity(n);
        for &g in &order {
            charstrings.push(face.flat_charstring(g)?);
        }

        // --- pieces whose content does not depend on offsets ---
        let name_index = write_index(&[name.as_bytes()]);
        let string_index = write_index(&[b"Adobe".as_slice(), b"Identity".as_slice()]);
        let gsubr_index = write_index(&[]);
        let charset: Vec<u8> = if n > 1 {
            // format 2: one range of CIDs 1..n-1 for glyphs 1..n-1 (identity)
            let mut v = vec![2];
            v.extend_from_slice(&1u16.to_be_bytes());
            v.extend_from_slice(&((n - 2) as u16).to_be_bytes());
            v
        } else {
            vec![0]
        };
        let mut fdselect = vec![3u8, 0, 0];
        let mut nranges = 0u16;
        for (g, &fd) in new_fd_of_glyph.iter().enumerate() {
            if g == 0 || new_fd_of_glyph[g - 1] != fd {
                fdselect.extend_from_slice(&(g as u16).to_be_bytes());
                fdselect.push(fd);
                nranges += 1;
            }
        }
        fdselect[1..3].copy_from_slice(&nranges.to_be_bytes());
        fdselect.extend_from_slice(&(n as u16).to_be_bytes());
        let charstrings_index = write_index(&charstrings);

        // --- Top DICT: all offsets use the fixed 5-byte form, so its size is known up front ---
        let top_len = {
            let mut t = Vec::new();
            write_top_dict(&mut t, src, n, [0; 4]);
            t.len()
        };
        let top_index_len = index_len(&[top_len]);
        let header_len = 4;
        let charset_off = header_len + name_index.len() + top_index_len + string_index.len() + gsubr_index.len();
        let fdselect_off = charset_off + charset.len();
        let charstrings_off = fdselect_off + fdselect.len();
        let fdarray_off = charstrings_off + charstrings_index.len();

        // FDArray: each Font DICT is FontMatrix (if any) + Private (size, offset), offsets fixed.
        let fd_dict_len = |fd: &FdInfo| fd.font_matrix.as_ref().map_or(0, |m| m.len()) + 5 + 5 + 1;
        let fd_lens: Vec<usize> = used_fds.iter().map(|&f| fd_dict_len(&src.fds[f])).collect();
        let fdarray_len = index_len(&fd_lens);
        let mut private_off = fdarray_off + fdarray_len;
        let mut fd_dicts = Vec::with_capacity(used_fds.len());
        for &f in &used_fds {
            let fd = &src.fds[f];
            let mut d = Vec::new();
            if let Some(m) = &fd.font_matrix {
                d.extend_from_slice(m);
            }
            push_fixed(&mut d, fd.private.len() as i32);
            push_fixed(&mut d, private_off as i32);
            d.push(OP_PRIVATE as u8);
            private_off += fd.private.len();
            fd_dicts.push(d);
        }
        let fd_refs: Vec<&[u8]> = fd_dicts.iter().map(|d| d.as_slice()).collect();
        let fdarray_index = write_index(&fd_refs);
        debug_assert_eq!(fdarray_index.len(), fdarray_len);

        let mut top = Vec::with_capacity(top_len);
        write_top_dict(&mut top, src, n, [charset_off, charstrings_off, fdarray_off, fdselect_off]);
        debug_assert_eq!(top.len(), top_len);

        let mut out = Vec::with_capacity(private_off);
        out.extend_from_slice(&[1, 0, 4, 4]); // major, minor, hdrSize, offSize
        out.extend_from_slice(&name_index);
        out.extend_from_slice(&write_index(&[top.as_slice()]));
        out.extend_from_slice(&string_index);
        out.extend_from_slice(&gsubr_index);
        debug_assert_eq!(out.len(), charset_off);
        out.extend_from_slice(&charset);
        out.extend_from_slice(&fdselect);
        out.extend_from_slice(&charstrings_index);
        out.extend_from_slice(&fdarray_index);
        for &f in &used_fds {
            out.extend_from_slice(&src.fds[f].private);
        }
        if out.len() != private_off {
            return Err("internal error: CFF layout mismatch".into());
        }
        Ok(out)
    }
}

impl SubsetBuilder {
    /// The subset as a small OpenType/CFF font (`OTTO`) that printpdf can parse
    /// (`ParsedFont::from_bytes`) and embed as given (`subset_fonts: false`): the CID-keyed CFF
    /// of [`SubsetBuilder::build_cff`] plus the tables printpdf reads — `cmap` (format 12,
    /// character ↦ code), `head`/`hhea`/`maxp`/`hmtx` (advances in 1/1000 em, exactly the `/W`
    /// values layout measures with: [`FontFace::pdf_width`]), `OS/2` (weight, ascent/descent)
    /// and `name` (the PostScript name `name`, subset tag included, which printpdf writes as
    /// `/BaseFont`). printpdf embeds only the bare `CFF ` table of it (`/FontFile3
    /// /CIDFontType0C`); the other tables only feed the PDF font dictionaries.
    ///
    /// It also carries an empty `glyf` and an all-zero `loca`, which no PDF ever sees: printpdf
    /// reads each glyph's `/W` width through azul-layout's `get_or_decode_glyph`, which takes
    /// the advance from `hmtx` but also decodes the glyph's outline — for a CFF-only font by
    /// re-parsing the whole `CFF ` table, once per glyph (≈0.9 ms of a 2.2 ms one-page notice).
    /// With a `glyf` table present it "decodes" an empty TrueType glyph instead. The widths are
    /// the `hmtx` advances either way (checked by the tests), so this only changes speed.
    pub fn build_otf(&self, face: &FontFace, name: &str) -> R<Vec<u8>> {
        let cff = self.build_cff(face, name)?;
        let n = self.glyphs.len() + 1; // .notdef + codes
        let widths: Vec<u16> = std::iter::once(face.pdf_width(0)).chain(self.glyphs.iter().map(|&(g, _)| face.pdf_width(g))).collect();
        let units = |v: i16| face.to_pdf_units(v).clamp(i16::MIN as i32, i16::MAX as i32) as i16;
        let bbox = face.bbox.map(units);
        let (ascent, descent) = (units(face.ascent), units(face.descent));
        let bold = face.weight >= 600;

        let mut head = Vec::with_capacity(54);
        head.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // version
        head.extend_from_slice(&0x0001_0000u32.to_be_bytes()); // fontRevision
        head.extend_from_slice(&0u32.to_be_bytes()); // checkSumAdjustment (set below)
        head.extend_from_slice(&0x5F0F_3CF5u32.to_be_bytes()); // magicNumber
        head.extend_from_slice(&3u16.to_be_bytes()); // flags: baseline y=0, lsb x=0
        head.extend_from_slice(&1000u16.to_be_bytes()); // unitsPerEm
        head.extend_from_slice(&[0; 16]); // created, modified: none (deterministic output)
        for v in bbox {
            head.extend_from_slice(&v.to_be_bytes());
        }
        head.extend_from_slice(&(bold as u16).to_be_bytes()); // macStyle
        head.extend_from_slice(&8u16.to_be_bytes()); // lowestRecPPEM
        head.extend_from_slice(&2i16.to_be_bytes()); // fontDirectionHint
        head.extend_from_slice(&[0; 4]); // indexToLocFormat, glyphDataFormat

        let mut hhea = Vec::with_capacity(36);
        hhea.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        hhea.extend_from_slice(&ascent.to_be_bytes());
        hhea.extend_from_slice(&descent.to_be_bytes());
        hhea.extend_from_slice(&0i16.to_be_bytes()); // lineGap
        hhea.extend_from_slice(&widths.iter().max().copied().unwrap_or(0).to_be_bytes());
        hhea.extend_from_slice(&[0; 6]); // min LSB, min RSB, xMaxExtent
        hhea.extend_from_slice(&1i16.to_be_bytes()); // caretSlopeRise
        hhea.extend_from_slice(&[0; 14]); // caretSlopeRun, caretOffset, reserved ×4, metricDataFormat
        hhea.extend_from_slice(&(n as u16).to_be_bytes()); // numberOfHMetrics

        let mut maxp = Vec::with_capacity(6);
        maxp.extend_from_slice(&0x0000_5000u32.to_be_bytes()); // version 0.5 (CFF outlines)
        maxp.extend_from_slice(&(n as u16).to_be_bytes());

        let mut hmtx = Vec::with_capacity(4 * n);
        for w in &widths {
            hmtx.extend_from_slice(&w.to_be_bytes());
            hmtx.extend_from_slice(&[0, 0]); // lsb (unused for CFF)
        }

        // cmap: (3, 10) format 12, character -> code, one group per run of consecutive pairs.
        let mut pairs: Vec<(u32, u32)> = self.glyphs.iter().enumerate().map(|(k, &(_, ch))| (ch as u32, k as u32 + 1)).collect();
        pairs.sort_unstable();
        pairs.dedup_by_key(|p| p.0); // a character maps to one glyph per face; keep the first
        let mut groups: Vec<[u32; 3]> = Vec::new();
        for (c, g) in pairs {
            match groups.last_mut() {
                Some(last) if last[1] + 1 == c && last[2] + (c - last[0]) == g => last[1] = c,
                _ => groups.push([c, c, g]),
            }
        }
        let mut cmap = Vec::with_capacity(28 + 12 * groups.len());
        cmap.extend_from_slice(&[0, 0, 0, 1]); // version, numTables
        cmap.extend_from_slice(&[0, 3, 0, 10]); // platform 3, encoding 10
        cmap.extend_from_slice(&12u32.to_be_bytes());
        cmap.extend_from_slice(&12u16.to_be_bytes()); // format
        cmap.extend_from_slice(&0u16.to_be_bytes());
        cmap.extend_from_slice(&((16 + 12 * groups.len()) as u32).to_be_bytes());
        cmap.extend_from_slice(&0u32.to_be_bytes()); // language
        cmap.extend_from_slice(&(groups.len() as u32).to_be_bytes());
        for g in &groups {
            for v in g {
                cmap.extend_from_slice(&v.to_be_bytes());
            }
        }

        // OS/2 version 4 (96 bytes): weight, typographic metrics, cap height; the rest zero.
        let mut os2 = vec![0u8; 96];
        let put = |t: &mut Vec<u8>, at: usize, v: u16| t[at..at + 2].copy_from_slice(&v.to_be_bytes());
        put(&mut os2, 0, 4);
        put(&mut os2, 2, 1000); // xAvgCharWidth
        put(&mut os2, 4, face.weight);
        put(&mut os2, 6, 5); // usWidthClass: medium
        put(&mut os2, 62, if bold { 0x20 } else { 0x40 }); // fsSelection: BOLD / REGULAR
        put(&mut os2, 68, ascent as u16);
        put(&mut os2, 70, descent as u16);
        put(&mut os2, 74, ascent.max(0) as u16); // usWinAscent
        put(&mut os2, 76, descent.unsigned_abs()); // usWinDescent
        put(&mut os2, 88, units(face.cap_height) as u16);

        // name: the PostScript name (ID 6), Windows Unicode BMP, US English.
        let utf16: Vec<u8> = name.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let mut name_t = Vec::with_capacity(18 + utf16.len());
        for v in [0u16, 1, 18, 3, 1, 0x0409, 6, utf16.len() as u16, 0] {
            name_t.extend_from_slice(&v.to_be_bytes());
        }
        name_t.extend_from_slice(&utf16);

        Ok(write_sfnt(&mut [
            (*b"CFF ", cff),
            (*b"OS/2", os2),
            (*b"cmap", cmap),
            (*b"head", head),
            (*b"hhea", hhea),
            (*b"hmtx", hmtx),
            (*b"maxp", maxp),
            (*b"name", name_t),
            (*b"glyf", Vec::new()),
            (*b"loca", vec![0; 2 * (n + 1)]),
        ]))
    }
}

fn table_checksum(t: &[u8]) -> u32 {
    t.chunks(4).fold(0u32, |acc, c| {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(b))
    })
}

/// An `OTTO` sfnt of `tables` (sorted by tag), 4-byte aligned, with table checksums and the
/// `head` checkSumAdjustment.
fn write_sfnt(tables: &mut [([u8; 4], Vec<u8>)]) -> Vec<u8> {
    tables.sort_by_key(|t| t.0);
    let n = tables.len() as u16;
    let pow2 = 1u16 << (15 - n.leading_zeros());
    let dir_len = 12 + 16 * tables.len();
    let total = dir_len + tables.iter().map(|t| (t.1.len() + 3) & !3).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"OTTO");
    for v in [n, pow2 * 16, pow2.trailing_zeros() as u16, n * 16 - pow2 * 16] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    let mut off = dir_len;
    let mut head_at = None;
    for (tag, data) in tables.iter() {
        if tag == b"head" {
            head_at = Some(off);
        }
        out.extend_from_slice(tag);
        out.extend_from_slice(&table_checksum(data).to_be_bytes());
        out.extend_from_slice(&(off as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        off += (data.len() + 3) & !3;
    }
    for (_, data) in tables.iter() {
        out.extend_from_slice(data);
        out.resize((out.len() + 3) & !3, 0);
    }
    if let Some(h) = head_at {
        let adj = 0xB1B0_AFBAu32.wrapping_sub(table_checksum(&out));
        out[h + 8..h + 12].copy_from_slice(&adj.to_be_bytes());
    }
    out
}

/// Top DICT of the subset: ROS Adobe-Identity-0, CIDCount, charset, CharStrings, FDArray,
/// FDSelect, plus the source's FontBBox and FontMatrix. `offs` = [charset, charstrings, fdarray, fdselect].
fn write_top_dict(t: &mut Vec<u8>, src: &Cff, n: usize, offs: [usize; 4]) {
    // ROS: SIDs 391 ("Adobe") and 392 ("Identity") are the first two custom strings.
    push_int(t, 391);
    push_int(t, 392);
    push_int(t, 0);
    t.extend_from_slice(&[12, 30]);
    if let Some(b) = &src.top_bbox {
        t.extend_from_slice(b);
    }
    if let Some(m) = &src.top_matrix {
        t.extend_from_slice(m);
    }
    push_int(t, n as i32);
    t.extend_from_slice(&[12, (OP_CIDCOUNT - 1200) as u8]);
    push_fixed(t, offs[0] as i32);
    t.push(OP_CHARSET as u8);
    push_fixed(t, offs[1] as i32);
    t.push(OP_CHARSTRINGS as u8);
    push_fixed(t, offs[2] as i32);
    t.extend_from_slice(&[12, 36]);
    push_fixed(t, offs[3] as i32);
    t.extend_from_slice(&[12, 37]);
}

fn push_int(t: &mut Vec<u8>, v: i32) {
    match v {
        -107..=107 => t.push((v + 139) as u8),
        108..=1131 => {
            let w = v - 108;
            t.extend_from_slice(&[((w >> 8) + 247) as u8, (w & 0xff) as u8]);
        }
        -1131..=-108 => {
            let w = -v - 108;
            t.extend_from_slice(&[((w >> 8) + 251) as u8, (w & 0xff) as u8]);
        }
        -32768..=32767 => {
            t.push(28);
            t.extend_from_slice(&(v as i16).to_be_bytes());
        }
        _ => push_fixed(t, v),
    }
}

/// 5-byte integer operand, used for offsets so that sizes do not depend on values.
fn push_fixed(t: &mut Vec<u8>, v: i32) {
    t.push(29);
    t.extend_from_slice(&v.to_be_bytes());
}

fn off_size_for(max: usize) -> u8 {
    match max {
        0..=0xFF => 1,
        0x100..=0xFFFF => 2,
        0x1_0000..=0xFF_FFFF => 3,
        _ => 4,
    }
}

fn index_len(item_lens: &[usize]) -> usize {
    if item_lens.is_empty() {
        return 2;
    }
    let data: usize = item_lens.iter().sum();
    let os = off_size_for(data + 1) as usize;
    3 + (item_lens.len() + 1) * os + data
}

fn write_index(items: &[&[u8]]) -> Vec<u8> {
    if items.is_empty() {
        return vec![0, 0];
    }
    let data: usize = items.iter().map(|i| i.len()).sum();
    let os = off_size_for(data + 1);
    let mut v = Vec::with_capacity(index_len(&items.iter().map(|i| i.len()).collect::<Vec<_>>()));
    v.extend_from_slice(&(items.len() as u16).to_be_bytes());
    v.push(os);
    let mut o = 1usize;
    let push_off = |v: &mut Vec<u8>, o: usize| v.extend_from_slice(&(o as u32).to_be_bytes()[4 - os as usize..]);
    push_off(&mut v, o);
    for it in items {
        o += it.len();
        push_off(&mut v, o);
    }
    for it in items {
        v.extend_from_slice(it);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notice_font_index_roundtrip() {
        let items: Vec<&[u8]> = vec![b"abc", b"", b"de"];
        let w = write_index(&items);
        let (idx, end) = parse_index(&w, 0).unwrap();
        assert_eq!(end, w.len());
        assert_eq!(idx.len(), 3);
        assert_eq!(idx.get(&w, 0).unwrap(), b"abc");
        assert_eq!(idx.get(&w, 1).unwrap(), b"");
        assert_eq!(idx.get(&w, 2).unwrap(), b"de");
        assert_eq!(index_len(&[3, 0, 2]), w.len());
    }

    #[test]
    fn notice_font_dict_int_encoding_roundtrip() {
        for v in [-40000, -32768, -1131, -108, -107, 0, 107, 108, 1131, 1132, 32767, 40000] {
            let mut t = Vec::new();
            push_int(&mut t, v);
            t.push(OP_CHARSET as u8);
            let d = parse_dict(&t).unwrap();
            assert_eq!(d[0].operands, vec![v as f64], "{v}");
        }
    }
}
