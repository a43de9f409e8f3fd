//! Cell normalisers: dates, amounts (fen), areas, year index, booleans, half-width, USCC.
//! Properties: never panic; a parsed USCC re-parses to itself and carries a correct check
//! character; a parsed date's ISO text parses back to the same date.
#![no_main]

use huiqi_core::import::normalize as n;
use huiqi_core::uscc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let s = s.as_ref();
    let _ = n::halfwidth(s);
    if let Some(d) = n::parse_date_text(s) {
        assert_eq!(n::parse_date_text(&n::iso(d)), Some(d), "{s:?}");
    }
    for unit in [n::MoneyUnit::Yuan, n::MoneyUnit::Wan] {
        let _ = n::parse_amount_text(s, unit);
    }
    let _ = n::parse_area_text(s);
    let _ = n::parse_year_index(s);
    let _ = n::parse_bool(s);
    if let Ok(u) = uscc::parse(s) {
        assert_eq!(u.code.len(), 18);
        assert_eq!(uscc::check_char(&u.code[..17]), u.code.chars().last(), "{s:?}");
        assert_eq!(uscc::parse(&u.code).ok().map(|x| x.code), Some(u.code.clone()));
    }
    let _ = uscc::normalize(s);
    if data.len() >= 8 {
        let v = f64::from_le_bytes(data[..8].try_into().unwrap());
        let _ = n::excel_serial_to_date(v);
        let _ = n::date_from_number(v);
        let _ = n::float_text(v);
        for unit in [n::MoneyUnit::Yuan, n::MoneyUnit::Wan] {
            let _ = n::parse_amount_number(v, unit);
        }
        let _ = n::parse_area_number(v);
    }
});
