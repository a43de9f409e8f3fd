//! A look at an .xls workbook stream before calamine opens it.
//!
//! calamine reads every sheet of an .xls whole when the file is opened, and a cell that refers to
//! the shared string table gets its own copy of the string: a 32,000-character string named by
//! 60,000 cells of 14 bytes each is under 1 MB of file and 2 GB of memory. This pass walks the
//! BIFF records once (a record is a type, a length and its bytes), learns the length of each
//! shared string, and adds up the cells and the text calamine would build.

use std::io::Read;
use std::path::Path;

use super::read::{MAX_CELLS, MAX_FILE_BYTES, MAX_TEXT_BYTES};
use crate::error::Result;

/// The most rows and columns an .xls sheet can have (Excel 97–2003).
pub const MAX_XLS_ROWS: u64 = 65_536;
pub const MAX_XLS_COLS: u64 = 256;

#[derive(Debug, Default, PartialEq)]
pub struct Totals {
    pub cells: u64,
    /// Bytes of cell text once copied out (a character of the file's UTF-16 can take 3 in UTF-8).
    pub text_bytes: u64,
}

#[derive(Debug, PartialEq)]
pub enum Over {
    Cells(u64),
    Text(u64),
    /// A sheet declares more rows or columns than an .xls can hold.
    Dimensions(u64, u64),
}

/// Check the .xls at `path`. A file that is no compound file, or has no workbook stream, is left
/// to calamine to refuse (with its own words).
pub fn check(path: &Path) -> Result<()> {
    let Ok(mut cf) = cfb::open(path) else { return Ok(()) };
    let name = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"].into_iter().find(|n| cf.is_stream(n));
    let Some(name) = name else { return Ok(()) };
    let mut bytes = Vec::new();
    let Ok(stream) = cf.open_stream(name) else { return Ok(()) };
    // The stream is part of the file (≤ 50 MB): a directory claiming more is not believed.
    if stream.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).is_err() {
        return Ok(());
    }
    match scan(&bytes) {
        Ok(_) => Ok(()),
        Err(Over::Cells(n)) => Err(super::read::too_many_cells(path, format!("约 {n} 个单元格"))),
        Err(Over::Dimensions(r, c)) => Err(super::read::too_many_cells(path, format!("工作表声明 {r} 行 × {c} 列，超出 .xls 的范围"))),
        Err(Over::Text(n)) => Err(super::read::too_much_text(path, n)),
    }
}

fn u16_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u16::from_le_bytes(d.get(i..i + 2)?.try_into().ok()?) as u64)
}

fn u32_at(d: &[u8], i: usize) -> Option<u64> {
    Some(u32::from_le_bytes(d.get(i..i + 4)?.try_into().ok()?) as u64)
}

/// The records of a BIFF stream: (type, data).
fn records(stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let typ = u16_at(stream, at)? as u16;
        let len = u16_at(stream, at + 2)? as usize;
        let data = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, data))
    })
}

/// The UTF-8 length (at most) of each string of a shared string table: the SST record's data and
/// those of the CONTINUE records after it. A string's characters may run on into the next part,
/// which then starts with the flags byte again; its formatting runs and extra data may too.
pub fn sst_lengths(parts: &[&[u8]]) -> Vec<u64> {
    let mut out = Vec::new();
    let Some(first) = parts.first() else { return out };
    let unique = u32_at(first, 4).unwrap_or(0);
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
    while (out.len() as u64) < unique {
        let (Some(lo), Some(hi)) = (byte(&mut part, &mut pos), byte(&mut part, &mut pos)) else { break };
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
                match byte(&mut part, &mut pos) {
                    Some(b) => *x = b,
                    None => return out,
                }
            }
            skip += u32::from_le_bytes(n) as u64;
        }
        // The characters, part by part.
        let mut left = cch;
        while left > 0 {
            let Some(p) = parts.get(part) else { return out };
            if pos >= p.len() {
                part += 1;
                match parts.get(part).and_then(|p| p.first()) {
                    Some(f) => {
                        flags = *f;
                        pos = 1;
                    }
                    None => return out,
                }
                continue;
            }
            let width = if flags & 0x01 != 0 { 2 } else { 1 };
            let here = ((p.len() - pos) as u64 / width).min(left);
            if here == 0 {
                return out; // half a character: not a table we can read on
            }
            pos += (here * width) as usize;
            left -= here;
        }
        // Formatting runs and extra data, wherever they fall.
        for _ in 0..skip {
            if byte(&mut part, &mut pos).is_none() {
                break;
            }
        }
        out.push(cch * 3);
    }
    out
}

/// Walk a workbook stream and add up what calamine would build.
pub fn scan(stream: &[u8]) -> std::result::Result<Totals, Over> {
    let mut t = Totals::default();
    let mut sst: Vec<u64> = Vec::new();
    let mut recs = records(stream).peekable();
    while let Some((typ, data)) = recs.next() {
        match typ {
            // SST and the CONTINUE records that carry the rest of it.
            0x00FC => {
                let mut parts = vec![data];
                while let Some((0x003C, more)) = recs.peek() {
                    parts.push(more);
                    recs.next();
                }
                sst = sst_lengths(&parts);
            }
            // DIMENSIONS: calamine sets room aside for what a sheet declares.
            0x0200 => {
                let (rows, cols) = match data.len() {
                    10 => (u16_at(data, 2).unwrap_or(0).saturating_sub(u16_at(data, 0).unwrap_or(0)), u16_at(data, 6).unwrap_or(0).saturating_sub(u16_at(data, 4).unwrap_or(0))),
                    14 | 16 => (u32_at(data, 4).unwrap_or(0).saturating_sub(u32_at(data, 0).unwrap_or(0)), u16_at(data, 10).unwrap_or(0).saturating_sub(u16_at(data, 8).unwrap_or(0))),
                    _ => (0, 0),
                };
                if rows > MAX_XLS_ROWS || cols > MAX_XLS_COLS {
                    return Err(Over::Dimensions(rows, cols));
                }
            }
            // LABELSST: a copy of a shared string.
            0x00FD => {
                t.cells += 1;
                let idx = u32_at(data, 6).unwrap_or(u64::MAX);
                t.text_bytes = t.text_bytes.saturating_add(usize::try_from(idx).ok().and_then(|i| sst.get(i)).copied().unwrap_or(0));
            }
            // LABEL, RSTRING: text in the cell.
            0x0204 | 0x00D6 => {
                t.cells += 1;
                t.text_bytes = t.text_bytes.saturating_add(u16_at(data, 6).unwrap_or(0) * 3);
            }
            // STRING (a formula's text result)
            0x0207 => t.text_bytes = t.text_bytes.saturating_add(u16_at(data, 0).unwrap_or(0) * 3),
            // NUMBER, BOOLERR, RK, FORMULA
            0x0203 | 0x0205 | 0x027E | 0x0006 => t.cells += 1,
            // MULRK: several numbers in one record (6 bytes each, after row and first column).
            0x00BD => t.cells += (data.len().saturating_sub(6) / 6) as u64,
            _ => {}
        }
        if t.cells > MAX_CELLS {
            return Err(Over::Cells(t.cells));
        }
        if t.text_bytes > MAX_TEXT_BYTES {
            return Err(Over::Text(t.text_bytes));
        }
    }
    Ok(t)
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

    /// An SST of `strings` (8-bit characters), split into parts of at most `part` bytes.
    fn sst(strings: &[&str], part: usize) -> Vec<u8> {
        let mut body = Vec::new();
        // Where each continuation starts inside a string's characters, the flags byte repeats:
        // build the parts by hand.
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
        for (i, p) in parts.iter().enumerate() {
            body.extend(rec(if i == 0 { 0x00FC } else { 0x003C }, p));
        }
        body
    }

    fn label_sst(row: u16, col: u16, idx: u32) -> Vec<u8> {
        let mut d = row.to_le_bytes().to_vec();
        d.extend(col.to_le_bytes());
        d.extend(0u16.to_le_bytes());
        d.extend(idx.to_le_bytes());
        rec(0x00FD, &d)
    }

    #[test]
    fn shared_strings_are_measured_across_continue_records() {
        let long = "x".repeat(20_000);
        let parts = sst(&["企业名称", &long, "ab"], 8224);
        let mut data: Vec<&[u8]> = Vec::new();
        for (_, d) in records(&parts) {
            data.push(d);
        }
        assert!(data.len() >= 3, "the long string runs over CONTINUE records");
        assert_eq!(sst_lengths(&data), vec![12 * 3, 20_000 * 3, 2 * 3]);
    }

    #[test]
    fn one_long_shared_string_in_many_cells_is_too_much_text() {
        let long = "x".repeat(32_000);
        let mut stream = sst(&[&long], 8224);
        for r in 0..1_000u16 {
            stream.extend(label_sst(r, 0, 0));
        }
        // 1,000 copies of 96,000 bytes at most: 96 MB, under the limit.
        assert_eq!(scan(&stream).unwrap(), Totals { cells: 1_000, text_bytes: 96_000_000 });
        for r in 1_000..2_000u16 {
            stream.extend(label_sst(r, 0, 0));
        }
        assert!(matches!(scan(&stream).unwrap_err(), Over::Text(_)));
    }

    #[test]
    fn declared_dimensions_beyond_an_xls_are_refused() {
        let dims = |rows: u32, cols: u16| {
            let mut d = 0u32.to_le_bytes().to_vec();
            d.extend(rows.to_le_bytes());
            d.extend(0u16.to_le_bytes());
            d.extend(cols.to_le_bytes());
            d.extend(0u16.to_le_bytes());
            rec(0x0200, &d)
        };
        assert!(scan(&dims(65_536, 256)).is_ok());
        assert_eq!(scan(&dims(u32::MAX, 256)).unwrap_err(), Over::Dimensions(u32::MAX as u64, 256));
    }

    #[test]
    fn a_broken_stream_is_left_to_calamine() {
        assert_eq!(scan(&[0xFC, 0x00, 0xFF, 0xFF, 1, 2]).unwrap(), Totals::default());
        assert_eq!(sst_lengths(&[&[9, 0, 0, 0, 9, 0, 0, 0, 0xFF]]), Vec::<u64>::new());
    }
}
