//! The header mapper: split_header, match_field, is_ignored_header, find_header and map_columns
//! over rows made from the input (lines → rows, '|' → cells). Never panics; a found header row is
//! one of the rows given.
#![no_main]

use huiqi_core::import::read::Cell;
use huiqi_core::import::schema::{self, Kind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let rows: Vec<(u32, Vec<Cell>)> = s
        .split('\n')
        .take(60)
        .enumerate()
        .map(|(i, line)| (i as u32 + 1, line.split('|').take(64).map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text(c.to_string()) }).collect()))
        .collect();
    for (_, cells) in &rows {
        for c in cells {
            if let Cell::Text(t) = c {
                let _ = schema::split_header(t);
                let _ = schema::is_ignored_header(t);
                for k in Kind::ALL.iter() {
                    let _ = schema::match_field(*k, t);
                }
            }
        }
    }
    for kind in [None, Some(Kind::Enterprises), Some(Kind::RentApplications), Some(Kind::Certifications)] {
        if let Some(g) = schema::find_header(&rows, kind) {
            let header = rows.iter().find(|(n, _)| *n == g.header_row).expect("the header is one of the rows");
            let cols = schema::map_columns(g.kind, &header.1);
            assert!(cols.len() <= header.1.len());
        }
    }
});
