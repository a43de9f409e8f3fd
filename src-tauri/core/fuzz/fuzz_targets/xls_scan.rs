//! The .xls look-ahead on any bytes as a workbook stream: never panics, never loops, and what it
//! counts stays within what the bytes can name.
#![no_main]

use huiqi_core::import::xls;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xls::scan(data);
    let _ = xls::wan_cells(data, 20_000);
    // The shared string table alone, cut into parts where the input says (CONTINUE records).
    let parts: Vec<&[u8]> = data.split(|b| *b == 0xFE).collect();
    let lens = xls::sst_lengths(&parts);
    // Each string takes at least its 3 header bytes.
    assert!(lens.len() <= data.len() / 3 + 1);
});
