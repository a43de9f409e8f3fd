//! A look at an .xls workbook stream before calamine opens it.
//!
//! calamine reads every sheet of an .xls whole when the file is opened: it sets room aside for
//! the size a sheet declares, builds each sheet as a dense block from its first cell to its last
//! (once for values, once for formulas), and gives every cell that refers to the shared string
//! table its own copy of the string. A file of a few kilobytes can ask for gigabytes that way.
//! This pass walks the BIFF records as calamine does (the workbook globals up to their EOF, then
//! each sheet from the offset its BOUNDSHEET record gives) and adds up what it would build.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::Path;

use super::limits::{MAX_CELLS, MAX_FILE_BYTES, MAX_TEXT_BYTES, MAX_WHOLE_CELLS};
use crate::error::Result;

#[derive(Debug, Default, PartialEq)]
pub struct Totals {
    /// Cells of the dense blocks calamine builds, values and formulas, all sheets.
    pub cells: u64,
    /// Bytes of cell and formula text once copied out (a character of the file's UTF-16 can take
    /// 3 in UTF-8).
    pub text_bytes: u64,
}

#[derive(Debug, PartialEq)]
pub enum Over {
    Cells(u64),
    Text(u64),
    /// A sheet declares a size calamine would set room aside for beyond any real sheet.
    Dimensions(u64),
}

/// Check the .xls at `path`. A file that is no compound file, or has no workbook stream, is left
/// to calamine to refuse (with its own words).
/// What it gives back: the number cells shown in 万 (see [`wan_cells`]).
pub fn check(path: &Path, max_rows: u32) -> Result<HashMap<String, HashSet<(u32, u32)>>> {
    let Ok(mut cf) = cfb::open(path) else { return Ok(HashMap::new()) };
    // calamine looks for "Workbook", then "Book".
    let name = ["/Workbook", "/Book"].into_iter().find(|n| cf.is_stream(n));
    let Some(name) = name else { return Ok(HashMap::new()) };
    let mut bytes = Vec::new();
    let Ok(stream) = cf.open_stream(name) else { return Ok(HashMap::new()) };
    // The stream is part of the file (≤ 50 MB): a directory claiming more is not believed.
    if stream.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).is_err() {
        return Ok(HashMap::new());
    }
    match scan(&bytes) {
        Ok(_) => Ok(wan_cells(&bytes, max_rows)),
        Err(Over::Cells(n)) => Err(super::limits::too_many_whole_cells(path, n)),
        Err(Over::Dimensions(n)) => Err(super::limits::too_many_cells(path, format!("工作表声明约 {n} 个单元格"))),
        Err(Over::Text(n)) => Err(super::limits::too_much_text(path, n)),
    }
}

fn u16_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u16::from_le_bytes(d.get(i..i + 2)?.try_into().ok()?) as u64)
}

fn u32_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes(d.get(i..i + 4)?.try_into().ok()?) as u64)
}

/// The records of a BIFF stream from `at`: (type, data, the CONTINUE records' data after it).
fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, &[u8], Vec<&[u8]>)> {
    let one = move |at: &mut usize| -> Option<(u16, &[u8])> {
        let typ = u16_at(stream, *at)? as u16;
        let len = u16_at(stream, *at + 2)? as usize;
        let data = stream.get(*at + 4..*at + 4 + len)?;
        *at += 4 + len;
        Some((typ, data))
    };
    std::iter::from_fn(move || {
        let (typ, data) = one(&mut at)?;
        let mut cont = Vec::new();
        while u16_at(stream, at) == Some(0x003C) {
            match one(&mut at) {
                Some((_, d)) => cont.push(d),
                None => break,
            }
        }
        Some((typ, data, cont))
    })
}

/// The records of the sheet whose BOF is at `pos`, up to its EOF: a substream inside it (a
/// chart's BOF … EOF) is passed over, as calamine does.
fn sheet_records(stream: &[u8], pos: usize) -> impl Iterator<Item = (u16, &[u8])> {
    let mut all = records(stream, pos);
    let (mut seen_bof, mut depth) = (false, 0usize);
    std::iter::from_fn(move || loop {
        let (typ, data, _) = all.next()?;
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => return None,
            _ => return Some((typ, data)),
        }
    })
}

/// The UTF-8 length (at most) of each string of a shared string table: the SST record's data and
/// those of the CONTINUE records after it, read to the end as calamine does (the declared count
/// is not believed). A string's characters may run on into the next part, which then starts with
/// the flags byte again; its formatting runs and extra data may too.
pub fn sst_lengths(parts: &[&[u8]]) -> Vec<u64> {
    let mut out = Vec::new();
    let (mut part, mut pos) = (0usize, 8usize);
    // One byte, moving to the next part when this one is used up.
    let byte = |part: &mut usize, pos: &mut usize| -> Option<u8> {
        while *pos >= parts.get(*part)?.len() {
            *part += 1;
            *pos = 0;
        }
        let b = parts[*part][*pos];
        *pos += 1;
        Some(b)
    };
    while let (Some(lo), Some(hi)) = (byte(&mut part, &mut pos), byte(&mut part, &mut pos)) {
        let cch = u16::from_le_bytes([lo, hi]) as u64;
        let Some(mut flags) = byte(&mut part, &mut pos) else { break };
        let mut skip = 0u64;
        if flags & 0x08 != 0 {
            let (Some(a), Some(b)) = (byte(&mut part, &mut pos), byte(&mut part, &mut pos)) else { break };
            skip += 4 * u16::from_le_bytes([a, b]) as u64;
        }
        if flags & 0x04 != 0 {
            let mut n = [0u8; 4];
            for x in &mut n {
                *x = byte(&mut part, &mut pos).unwrap_or(0);
            }
            skip += u32::from_le_bytes(n) as u64;
        }
        // Counted whole even when the data ends first: calamine may make up the rest.
        out.push(cch * 3);
        // The characters, part by part (a character split by the end of a part is passed over).
        let mut left = cch;
        while left > 0 {
            let Some(p) = parts.get(part) else { break };
            let width = if flags & 0x01 != 0 { 2 } else { 1 };
            let here = ((p.len().saturating_sub(pos)) as u64 / width).min(left);
            pos += (here * width) as usize;
            left -= here;
            if left > 0 {
                part += 1;
                match parts.get(part).and_then(|p| p.first()) {
                    Some(f) => {
                        flags = *f;
                        pos = 1;
                    }
                    None => break,
                }
            }
        }
        // Formatting runs and extra data, wherever they fall.
        for _ in 0..skip {
            if byte(&mut part, &mut pos).is_none() {
                break;
            }
        }
    }
    out
}

/// The smallest block holding every cell position seen.
#[derive(Default)]
struct Block(Option<(u64, u64, u64, u64)>);

impl Block {
    fn add(&mut self, row: u64, col: u64) {
        self.add_span(row, col, col);
    }
    fn add_span(&mut self, row: u64, c0: u64, c1: u64) {
        self.0 = Some(match self.0 {
            None => (row, row, c0.min(c1), c0.max(c1)),
            Some((r0, r1, a, b)) => (r0.min(row), r1.max(row), a.min(c0).min(c1), b.max(c0).max(c1)),
        });
    }
    fn cells(&self) -> u64 {
        self.0.map_or(0, |(r0, r1, c0, c1)| (r1 - r0 + 1) * (c1 - c0 + 1))
    }
}

/// The room calamine sets aside for a DIMENSIONS record, worked out as it does (in u32, so a
/// last row before the first wraps round).
fn declared_cells(data: &[u8]) -> u64 {
    let (rf, rl, cf, cl) = match data.len() {
        10 => (u16_at(data, 0), u16_at(data, 2), u16_at(data, 4), u16_at(data, 6)),
        14 | 16 => (u32_at(data, 0), u32_at(data, 4), u16_at(data, 8), u16_at(data, 10)),
        _ => return 0,
    };
    let (rf, rl, mut cf, cl) = (rf.unwrap_or(0) as u32, rl.unwrap_or(0) as u32, cf.unwrap_or(0) as u32, cl.unwrap_or(0) as u32);
    if 0xFF < cf || cl < cf {
        cf = 0;
    }
    let (start, end) = if 1 <= rl && 1 <= cl { ((rf, cf), (rl - 1, cl - 1)) } else { ((rf, cf), (rf, cf)) };
    let rows = end.0.wrapping_sub(start.0).wrapping_add(1) as u64;
    let cols = end.1.wrapping_sub(start.1).wrapping_add(1) as u64;
    rows.saturating_mul(cols)
}

/// Walk a workbook stream and add up what calamine would build.
pub fn scan(stream: &[u8]) -> std::result::Result<Totals, Over> {
    let mut t = Totals::default();
    // The globals, up to their EOF: the sheets' offsets, the shared strings (the last table wins,
    // as in calamine), the longest defined name (a formula can spell one out many times).
    let mut sheets: Vec<usize> = Vec::new();
    let mut sst: Vec<u64> = Vec::new();
    let mut longest_name = 0u64;
    for (typ, data, cont) in records(stream, 0) {
        match typ {
            0x0085 => sheets.push(u32_at(data, 0).unwrap_or(u64::MAX) as usize),
            0x00FC => {
                let mut parts = vec![data];
                parts.extend(cont);
                sst = sst_lengths(&parts);
            }
            0x0018 => longest_name = longest_name.max(data.get(3).copied().unwrap_or(0) as u64 * 3),
            0x000A => break,
            _ => {}
        }
    }
    // A formula's text, from its tokens: a reference spells out a sheet name, a name token the
    // defined name (5 bytes for up to 255 characters).
    let per_token_byte = 16u64.max(longest_name / 5 + 4);
    let check = |t: &Totals| -> std::result::Result<(), Over> {
        if t.cells > MAX_WHOLE_CELLS {
            return Err(Over::Cells(t.cells));
        }
        if t.text_bytes > MAX_TEXT_BYTES {
            return Err(Over::Text(t.text_bytes));
        }
        Ok(())
    };
    for pos in sheets {
        if pos >= stream.len() {
            continue;
        }
        let (mut values, mut formulas) = (Block::default(), Block::default());
        let mut text = 0u64;
        let mut formula_at = (0u64, 0u64);
        let cell = |d: &[u8]| (u16_at(d, 0).unwrap_or(0), u16_at(d, 2).unwrap_or(0));
        for (typ, data) in sheet_records(stream, pos) {
            match typ {
                0x0200 => {
                    let n = declared_cells(data);
                    if n > MAX_CELLS {
                        return Err(Over::Dimensions(n));
                    }
                }
                // NUMBER, BOOLERR, RK
                0x0203 | 0x0205 | 0x027E => {
                    let (r, c) = cell(data);
                    values.add(r, c);
                }
                // LABEL, RSTRING: text in the cell.
                0x0204 | 0x00D6 => {
                    let (r, c) = cell(data);
                    values.add(r, c);
                    text = text.saturating_add(u16_at(data, 6).unwrap_or(0) * 3);
                }
                // LABELSST: a copy of a shared string (no cell when the index names none).
                0x00FD => {
                    if let Some(len) = u32_at(data, 6).and_then(|i| sst.get(i as usize)) {
                        let (r, c) = cell(data);
                        values.add(r, c);
                        text = text.saturating_add(*len);
                    }
                }
                // MULRK: numbers from the first column to the last (its last two bytes).
                0x00BD if data.len() >= 6 => {
                    let (r, c0) = cell(data);
                    let c1 = u16_at(data, data.len() - 2).unwrap_or(c0);
                    values.add_span(r, c0, c1);
                }
                // FORMULA: a formula cell, and a value cell with its result.
                0x0006 => {
                    let (r, c) = cell(data);
                    formula_at = (r, c);
                    formulas.add(r, c);
                    values.add(r, c);
                    text = text.saturating_add((data.len().saturating_sub(20) as u64).saturating_mul(per_token_byte));
                }
                // STRING: a formula's text result, in the formula's cell.
                0x0207 => {
                    values.add(formula_at.0, formula_at.1);
                    text = text.saturating_add(u16_at(data, 0).unwrap_or(0) * 3);
                }
                _ => {}
            }
        }
        t.cells = t.cells.saturating_add(values.cells()).saturating_add(formulas.cells());
        t.text_bytes = t.text_bytes.saturating_add(text);
        check(&t)?;
    }
    Ok(t)
}

/// The number cells of each sheet (by name) whose number format prints the value as stored with
/// 万 after it (`0"万元"`): their amounts are in 万 (see `read::Book::amounts_in`). Only the first
/// rows of a sheet are looked at, as for xlsx (a park's table is small).
pub fn wan_cells(stream: &[u8], max_rows: u32) -> HashMap<String, HashSet<(u32, u32)>> {
    // The globals: sheets (offset and name), number formats, and each XF's format.
    let mut sheets: Vec<(usize, String)> = Vec::new();
    let mut wan_formats: HashSet<u64> = HashSet::new();
    let mut xf_format: Vec<u64> = Vec::new();
    for (typ, data, _) in records(stream, 0) {
        match typ {
            0x0085 => {
                let name = short_string(data.get(6..).unwrap_or(&[]));
                sheets.push((u32_at(data, 0).unwrap_or(u64::MAX) as usize, name));
            }
            0x041E => {
                let code = unicode_string(data.get(2..).unwrap_or(&[]));
                if super::normalize::shows_wan(&code) {
                    wan_formats.insert(u16_at(data, 0).unwrap_or(0));
                }
            }
            0x00E0 => xf_format.push(u16_at(data, 2).unwrap_or(0)),
            0x000A => break,
            _ => {}
        }
    }
    let mut out = HashMap::new();
    if wan_formats.is_empty() {
        return out;
    }
    let wan_xf = |xf: Option<u64>| xf.and_then(|x| xf_format.get(x as usize)).is_some_and(|f| wan_formats.contains(f));
    for (pos, name) in sheets {
        if pos >= stream.len() {
            continue;
        }
        let mut cells: HashSet<(u32, u32)> = HashSet::new();
        for (typ, data) in sheet_records(stream, pos) {
            let (r, c) = (u16_at(data, 0).unwrap_or(0) as u32, u16_at(data, 2).unwrap_or(0) as u32);
            match typ {
                // NUMBER, RK, FORMULA: one cell, its XF after row and column.
                0x0203 | 0x027E | 0x0006 if r < max_rows && wan_xf(u16_at(data, 4)) => {
                    cells.insert((r, c));
                }
                // MULRK: (XF, RK) pairs from the first column on.
                0x00BD if r < max_rows && data.len() >= 6 => {
                    for (k, pair) in data[4..data.len() - 2].chunks_exact(6).enumerate() {
                        if wan_xf(u16_at(pair, 0)) {
                            cells.insert((r, c + k as u32));
                        }
                    }
                }
                _ => {}
            }
        }
        if !cells.is_empty() {
            out.insert(name, cells);
        }
    }
    out
}

/// A BIFF8 ShortXLUnicodeString (a sheet name): length byte, flags byte, characters.
fn short_string(d: &[u8]) -> String {
    let (Some(&n), Some(&flags)) = (d.first(), d.get(1)) else { return String::new() };
    chars(d.get(2..).unwrap_or(&[]), n as usize, flags & 1 != 0)
}

/// A BIFF8 XLUnicodeString (a number format): 2-byte length, flags byte, characters.
fn unicode_string(d: &[u8]) -> String {
    let (Some(n), Some(&flags)) = (u16_at(d, 0), d.get(2)) else { return String::new() };
    chars(d.get(3..).unwrap_or(&[]), n as usize, flags & 1 != 0)
}

fn chars(d: &[u8], n: usize, wide: bool) -> String {
    if wide {
        let units: Vec<u16> = d.chunks_exact(2).take(n).map(|p| u16::from_le_bytes([p[0], p[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        d.iter().take(n).map(|&b| b as char).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    fn bof() -> Vec<u8> {
        rec(0x0809, &[0x00, 0x06, 0x10, 0x00, 0xBB, 0x0D, 0xCC, 0x07, 0, 0, 0, 0, 0x06, 0, 0, 0])
    }

    /// A workbook stream: globals (BOF, a BOUNDSHEET per sheet, `globals`, EOF), then each
    /// sheet's records between BOF and EOF. `sheet_of` names, for each BOUNDSHEET, the sheet it
    /// points at (several may point at one).
    fn workbook(globals: &[Vec<u8>], sheets: &[Vec<Vec<u8>>], sheet_of: &[usize]) -> Vec<u8> {
        let bs = |pos: u32| rec(0x0085, &[&pos.to_le_bytes()[..], &[0, 0, 1, 0, b'S']].concat());
        let head = bof().len() + bs(0).len() * sheet_of.len() + globals.iter().map(Vec::len).sum::<usize>() + 4;
        let bodies: Vec<Vec<u8>> = sheets.iter().map(|recs| [bof(), recs.concat(), rec(0x000A, &[])].concat()).collect();
        let mut offsets = vec![head];
        for b in &bodies {
            offsets.push(offsets.last().unwrap() + b.len());
        }
        let mut out = bof();
        for &i in sheet_of {
            out.extend(bs(offsets[i] as u32));
        }
        out.extend(globals.concat());
        out.extend(rec(0x000A, &[]));
        out.extend(bodies.concat());
        out
    }

    /// An SST of `strings` (8-bit characters) as records of at most `part` bytes.
    fn sst(strings: &[&str], part: usize) -> Vec<Vec<u8>> {
        let mut parts: Vec<Vec<u8>> = vec![];
        let mut cur = (strings.len() as u32).to_le_bytes().to_vec();
        cur.extend((strings.len() as u32).to_le_bytes());
        for s in strings {
            if cur.len() + 3 > part {
                parts.push(std::mem::take(&mut cur));
            }
            cur.extend((s.len() as u16).to_le_bytes());
            cur.push(0);
            for b in s.bytes() {
                if cur.len() >= part {
                    parts.push(std::mem::take(&mut cur));
                    cur.push(0); // the flags byte again
                }
                cur.push(b);
            }
        }
        parts.push(cur);
        parts.iter().enumerate().map(|(i, p)| rec(if i == 0 { 0x00FC } else { 0x003C }, p)).collect()
    }

    fn label_sst(row: u16, col: u16, idx: u32) -> Vec<u8> {
        rec(0x00FD, &[&row.to_le_bytes()[..], &col.to_le_bytes(), &[0, 0], &idx.to_le_bytes()].concat())
    }

    fn number(row: u16, col: u16) -> Vec<u8> {
        rec(0x0203, &[&row.to_le_bytes()[..], &col.to_le_bytes(), &[0; 10]].concat())
    }

    fn dims(first: u32, last: u32, cols: u16) -> Vec<u8> {
        rec(0x0200, &[&first.to_le_bytes()[..], &last.to_le_bytes(), &0u16.to_le_bytes(), &cols.to_le_bytes(), &[0, 0]].concat())
    }

    #[test]
    fn shared_strings_are_measured_across_continue_records() {
        let long = "x".repeat(20_000);
        let recs = sst(&["企业名称", &long, "ab"], 8224);
        assert!(recs.len() >= 3, "the long string runs over CONTINUE records");
        let data: Vec<&[u8]> = recs.iter().map(|r| &r[4..]).collect();
        assert_eq!(sst_lengths(&data), vec![12 * 3, 20_000 * 3, 2 * 3]);
        // The declared count is not believed: every string is measured.
        let mut lying = data[0].to_vec();
        lying[4..8].copy_from_slice(&1u32.to_le_bytes());
        let mut parts = vec![lying.as_slice()];
        parts.extend(&data[1..]);
        assert_eq!(sst_lengths(&parts).len(), 3);
    }

    #[test]
    fn one_long_shared_string_in_many_cells_is_too_much_text() {
        let long = "x".repeat(32_000);
        let cells = |n: u16| (0..n).map(|r| label_sst(r, 0, 0)).collect::<Vec<_>>();
        let t = scan(&workbook(&sst(&[&long], 8224), &[cells(1_000)], &[0])).unwrap();
        // 1,000 copies of 96,000 bytes at most: 96 MB, under the limit.
        assert_eq!(t, Totals { cells: 1_000, text_bytes: 96_000_000 });
        assert!(matches!(scan(&workbook(&sst(&[&long], 8224), &[cells(2_000)], &[0])).unwrap_err(), Over::Text(_)));
        // Several BOUNDSHEET records pointing at one sheet: calamine builds it each time.
        assert!(matches!(scan(&workbook(&sst(&[&long], 8224), &[cells(1_000)], &[0, 0])).unwrap_err(), Over::Text(_)));
    }

    #[test]
    fn a_sheet_is_a_dense_block_from_its_first_cell_to_its_last() {
        // Two cells in opposite corners: 65,536 × 256 cells once calamine fills the block.
        assert_eq!(scan(&workbook(&[], &[vec![number(0, 0), number(65_535, 255)]], &[0])).unwrap_err(), Over::Cells(65_536 * 256));
        assert_eq!(scan(&workbook(&[], &[vec![number(10, 2), number(19, 5)]], &[0])).unwrap(), Totals { cells: 40, text_bytes: 0 });
    }

    #[test]
    fn declared_dimensions_are_worked_out_as_calamine_does() {
        assert!(scan(&workbook(&[], &[vec![dims(0, 1_000, 20)]], &[0])).is_ok());
        // Beyond any real sheet, and a last row before the first (calamine's u32 wraps round).
        assert!(matches!(scan(&workbook(&[], &[vec![dims(0, u32::MAX, 256)]], &[0])).unwrap_err(), Over::Dimensions(_)));
        assert!(matches!(scan(&workbook(&[], &[vec![dims(2, 1, 10)]], &[0])).unwrap_err(), Over::Dimensions(_)));
    }

    /// Number cells whose XF's format prints 万 after the stored value are found, by sheet name,
    /// in NUMBER and MULRK records; a scaled format (0!.0000"万") and other cells are not.
    #[test]
    fn cells_formatted_to_show_wan_are_found_by_sheet() {
        let format = |ifmt: u16, code: &str| {
            let units: Vec<u8> = code.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            rec(0x041E, &[&ifmt.to_le_bytes()[..], &(code.encode_utf16().count() as u16).to_le_bytes(), &[1], &units].concat())
        };
        let xf = |ifmt: u16| rec(0x00E0, &[&0u16.to_le_bytes()[..], &ifmt.to_le_bytes(), &[0; 16]].concat());
        let number = |r: u16, c: u16, ixfe: u16| rec(0x0203, &[&r.to_le_bytes()[..], &c.to_le_bytes(), &ixfe.to_le_bytes(), &[0; 8]].concat());
        // MULRK on row 2 from column 1: XF 1 (万), XF 0, XF 1; then the last column.
        let mulrk = rec(
            0x00BD,
            &[
                &2u16.to_le_bytes()[..],
                &1u16.to_le_bytes(),
                &1u16.to_le_bytes(),
                &[0; 4],
                &0u16.to_le_bytes(),
                &[0; 4],
                &1u16.to_le_bytes(),
                &[0; 4],
                &3u16.to_le_bytes(),
            ]
            .concat(),
        );
        let globals = [format(164, "0\"万元\""), format(165, "0!.0000\"万\""), xf(0), xf(164), xf(165)];
        let wb = workbook(&globals, &[vec![number(1, 0, 1), number(1, 1, 2), number(1, 2, 0), mulrk]], &[0]);
        let got = wan_cells(&wb, 1000);
        let mut cells: Vec<(u32, u32)> = got["S"].iter().copied().collect();
        cells.sort();
        assert_eq!(cells, [(1, 0), (2, 1), (2, 3)]);
        assert!(wan_cells(&wb, 2)["S"].iter().all(|(r, _)| *r < 2), "only the first rows");
    }

    #[test]
    fn a_broken_stream_is_left_to_calamine() {
        assert_eq!(scan(&[0xFC, 0x00, 0xFF, 0xFF, 1, 2]).unwrap(), Totals::default());
        assert_eq!(sst_lengths(&[&[9, 0, 0, 0, 9, 0, 0, 0, 0xFF]]), Vec::<u64>::new());
        // A BOUNDSHEET pointing past the end.
        let mut wb = bof();
        wb.extend(rec(0x0085, &[0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 1, 0, b'S']));
        wb.extend(rec(0x000A, &[]));
        assert_eq!(scan(&wb).unwrap(), Totals::default());
    }
}
