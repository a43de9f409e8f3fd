//! The .ods look-ahead on any bytes as content.xml: never panics, never loops; a merged region it
//! reports starts before it ends.
#![no_main]

use huiqi_core::import::ods;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(scan) = ods::scan_xml(data) {
        for regions in scan.merges.values() {
            for d in regions {
                assert!(d.start.0 <= d.end.0 && d.start.1 <= d.end.1);
            }
        }
    }
});
