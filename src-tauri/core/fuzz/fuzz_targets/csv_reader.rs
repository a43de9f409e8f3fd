//! The CSV reader end to end: encoding detection, the record-shape guard, delimiter guess,
//! quoting, row numbering. Any input must give rows or a refusal, never a panic.
#![no_main]

use std::io::Write;

use huiqi_core::import::read;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // decode_text alone (the GBK / UTF-16 / BOM paths).
    let (text, _) = read::decode_text(data);
    assert!(text.len() <= data.len() * 3 + 3);
    // Through a file, as imports read them (the reader takes paths: sniffing looks at bytes).
    let dir = std::env::temp_dir().join(format!("huiqi-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let p = dir.join("input.csv");
    std::fs::File::create(&p).and_then(|mut f| f.write_all(data)).unwrap();
    let Ok(mut book) = read::open(&p) else { return };
    let sheets = book.sheet_names();
    let mut last = 0u32;
    let _ = book.for_each_row(&sheets[0], |n, cells| {
        assert!(n > last, "row numbers increase");
        last = n;
        for c in cells {
            if let read::Cell::Text(s) = c {
                assert!(s.chars().count() <= read::MAX_CELL_CHARS);
            }
            let _ = c.display();
        }
        Ok(true)
    });
});
