//! 统一社会信用代码 (GB 32100-2015): normalisation and checks.

use serde::Serialize;
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

pub const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// Why a code was refused. The codes are the import's error codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UsccProblem {
    Empty,
    /// An all-digit value that went through a numeric cell (scientific notation or ≤ 17 digits).
    LostDigits {
        digits: usize,
    },
    /// A 15-digit old business registration number.
    OldRegistrationNumber,
    WrongLength {
        len: usize,
    },
    BadCharacter {
        position: usize,
        ch: String,
    },
    Checksum {
        expected: String,
        found: String,
    },
}

impl UsccProblem {
    /// `uscc_format` or `uscc_checksum`.
    pub fn code(&self) -> &'static str {
        match self {
            UsccProblem::Checksum { .. } => "uscc_checksum",
            _ => "uscc_format",
        }
    }
    pub fn message_zh(&self) -> String {
        match self {
            UsccProblem::Empty => "统一社会信用代码为空，请填写18位代码。".into(),
            UsccProblem::LostDigits { digits } => {
                format!("统一社会信用代码像是被当作数字保存过，末尾数字已丢失（只剩{digits}位）。请在表格中把该列设为“文本”后重新填写完整的18位代码。")
            }
            UsccProblem::OldRegistrationNumber => "这是15位的旧工商注册号，不是统一社会信用代码。请填写18位统一社会信用代码。".into(),
            UsccProblem::WrongLength { len } => format!("统一社会信用代码应为18位，这里是{len}位。请核对。"),
            UsccProblem::BadCharacter { position, ch } => {
                format!("统一社会信用代码第{position}位“{ch}”不是允许的字符（只能是数字和除 I、O、S、V、Z 以外的大写字母）。请核对。")
            }
            UsccProblem::Checksum { expected, found } => format!("统一社会信用代码校验位错误：第18位应为“{expected}”，填写的是“{found}”。请核对代码是否抄错。"),
        }
    }
    pub fn message_en(&self) -> String {
        match self {
            UsccProblem::Empty => "The USCC is empty: enter the 18-character code.".into(),
            UsccProblem::LostDigits { digits } => format!(
                "The USCC looks like it went through a numeric cell and lost its last digits (only {digits} left). Format the column as text and enter the full 18-character code."
            ),
            UsccProblem::OldRegistrationNumber => "This is a 15-digit old registration number, not a USCC. Enter the 18-character USCC.".into(),
            UsccProblem::WrongLength { len } => format!("A USCC has 18 characters; this one has {len}."),
            UsccProblem::BadCharacter { position, ch } => format!(
                "Character {position} ('{ch}') is not allowed in a USCC (digits and capital letters except I, O, S, V, Z)."
            ),
            UsccProblem::Checksum { expected, found } => format!(
                "Wrong check character: the 18th character should be '{expected}', not '{found}'. Check the code for a typo."
            ),
        }
    }
    pub fn to_error(&self) -> crate::error::Error {
        crate::error::Error::invalid(self.code(), self.message_zh(), self.message_en())
    }
}

/// A valid code, normalised; `org_code_warning` when the inner GB 11714 check fails (kept, flagged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Uscc {
    pub code: String,
    pub org_code_warning: bool,
}

/// Trim, remove inner white space, full-width → half-width (NFKC), upper-case.
pub fn normalize(raw: &str) -> String {
    // The common case, a code already written in ASCII letters and digits: no NFKC pass needed.
    if raw.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return raw.to_ascii_uppercase();
    }
    // A spreadsheet's ways of keeping a code as text: '9132…, ="9132…" (CSV).
    let t = raw.trim();
    let t = t.strip_prefix("=\"").and_then(|x| x.strip_suffix('"')).unwrap_or(t);
    let t = t.strip_prefix(['\'', '’']).unwrap_or(t);
    // Spaces, and hyphens typed to group the digits (9132 0114-3974…), are no part of the code.
    t.nfkc().filter(|c| !c.is_whitespace() && !crate::text::is_invisible(*c) && !matches!(c, '-' | '‐' | '—')).flat_map(|c| c.to_uppercase()).collect()
}

fn value(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The 18th character for the first 17.
pub fn check_char(first17: &str) -> Option<char> {
    let b = first17.as_bytes();
    if b.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (i, &c) in b.iter().enumerate() {
        sum += value(c)? * WEIGHTS[i];
    }
    let v = (31 - sum % 31) % 31;
    Some(CHARSET[v as usize] as char)
}

/// GB 11714 organisation code check (characters 9–17 of a USCC): true when it holds.
pub fn org_code_ok(org9: &str) -> bool {
    let b = org9.as_bytes();
    if b.len() != 9 {
        return false;
    }
    let mut sum = 0u32;
    for (i, &c) in b[..8].iter().enumerate() {
        let v = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            b'A'..=b'Z' => (c - b'A') as u32 + 10,
            _ => return false,
        };
        sum += v * ORG_WEIGHTS[i];
    }
    let c = 11 - sum % 11;
    let expected = match c {
        10 => b'X',
        11 => b'0',
        n => b'0' + n as u8,
    };
    b[8] == expected
}

/// The shape of a code, right or wrong: 18 ASCII letters and digits, spaces aside. A cell of
/// this shape is an enterprise's data, not a header or a note.
pub fn looks_like_code(s: &str) -> bool {
    if s.len() > 80 {
        return false;
    }
    let n = normalize(s);
    n.len() == 18 && n.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub fn parse(raw: &str) -> Result<Uscc, UsccProblem> {
    let s = normalize(raw);
    if s.is_empty() {
        return Err(UsccProblem::Empty);
    }
    // A number that went through a spreadsheet cell: 9.13201E+17, 9.1320114282331E17, or fewer digits.
    let sci = s.contains('E') && s.contains('+') || (s.contains('.') && s.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'E' || c == '+'));
    if sci {
        let digits = s.chars().take_while(|c| *c != 'E').filter(|c| c.is_ascii_digit()).count();
        return Err(UsccProblem::LostDigits { digits });
    }
    let len = s.chars().count();
    if len == 15 && s.chars().all(|c| c.is_ascii_digit()) {
        return Err(UsccProblem::OldRegistrationNumber);
    }
    if (16..=17).contains(&len) && s.chars().all(|c| c.is_ascii_digit()) {
        return Err(UsccProblem::LostDigits { digits: len });
    }
    if len != 18 {
        return Err(UsccProblem::WrongLength { len });
    }
    for (i, c) in s.chars().enumerate() {
        if !c.is_ascii() || value(c as u8).is_none() {
            return Err(UsccProblem::BadCharacter { position: i + 1, ch: c.to_string() });
        }
    }
    let expected = check_char(&s[..17]).expect("17 valid characters");
    let found = s.as_bytes()[17] as char;
    if expected != found {
        // Written out from a numeric cell: a spreadsheet keeps 15 significant digits and pads
        // the rest with zeros (914403001922038216 → 914403001922038000).
        if s.ends_with("000") && s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(UsccProblem::LostDigits { digits: 15 });
        }
        return Err(UsccProblem::Checksum { expected: expected.to_string(), found: found.to_string() });
    }
    let org_code_warning = !org_code_ok(&s[8..17]);
    Ok(Uscc { code: s, org_code_warning })
}

/// Build a valid code from 17 characters (demo data and tests).
pub fn complete(first17: &str) -> Option<String> {
    check_char(first17).map(|c| format!("{first17}{c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_takes_full_width_spaces_and_lower_case() {
        assert_eq!(normalize("91320114282331851x"), "91320114282331851X");
        assert_eq!(normalize("９１３２０１１４ 282331851ｘ"), "91320114282331851X");
        assert_eq!(normalize("\u{200b}91320114282331851X"), "91320114282331851X");
        // How spreadsheets and people keep a code as text, or group its digits.
        for raw in ["'91320114282331851X", "=\"91320114282331851X\"", "91320114-282331851x", "9132 0114－2823 3185 1X"] {
            assert_eq!(normalize(raw), "91320114282331851X", "{raw}");
        }
    }

    #[test]
    fn public_valid_codes() {
        for c in ["914403001922038216", "91440300708461136T", "91110108551385082Q"] {
            let u = parse(c).unwrap_or_else(|e| panic!("{c}: {e:?}"));
            assert_eq!(u.code, c);
        }
        assert!(!parse("914403001922038216").unwrap().org_code_warning, "19220382-1 is a valid org code");
    }

    #[test]
    fn normalisation() {
        assert_eq!(parse("  ９１４４０３００１９２２０３８２１６ ").unwrap().code, "914403001922038216");
        assert_eq!(parse("91440300 7084 6113 6t").unwrap().code, "91440300708461136T");
        assert_eq!(parse("91110108551385082q\u{200b}").unwrap().code, "91110108551385082Q");
    }

    #[test]
    fn the_shape_of_a_code() {
        assert!(looks_like_code("91320114282331851X") && looks_like_code("9132 0114 2823 3185 1x") && looks_like_code("914403001922038000"));
        assert!(!looks_like_code("9132011428233185") && !looks_like_code("统一社会信用代码") && !looks_like_code("91320114282331851X0"));
    }

    #[test]
    fn every_problem_branch() {
        assert_eq!(parse("   ").unwrap_err(), UsccProblem::Empty);
        assert_eq!(parse("9.14403E+17").unwrap_err(), UsccProblem::LostDigits { digits: 6 });
        assert_eq!(parse("91440300192203800").unwrap_err(), UsccProblem::LostDigits { digits: 17 });
        // Written out of a numeric cell as 18 digits: the last three are zeros.
        assert_eq!(parse("914403001922038000").unwrap_err(), UsccProblem::LostDigits { digits: 15 });
        assert_eq!(parse("320100000123456").unwrap_err(), UsccProblem::OldRegistrationNumber);
        assert_eq!(parse("9144030019220382").unwrap_err().code(), "uscc_format");
        assert_eq!(parse("91440300192203821").unwrap_err(), UsccProblem::LostDigits { digits: 17 });
        assert_eq!(parse("9144030019220382167").unwrap_err(), UsccProblem::WrongLength { len: 19 });
        assert_eq!(parse("91440300I92203821X").unwrap_err(), UsccProblem::BadCharacter { position: 9, ch: "I".into() });
        assert_eq!(parse("91440300192203821中").unwrap_err().code(), "uscc_format");
        let e = parse("914403001922038217").unwrap_err();
        assert_eq!(e, UsccProblem::Checksum { expected: "6".into(), found: "7".into() });
        assert_eq!(e.code(), "uscc_checksum");
        assert!(e.message_zh().contains("应为“6”"));
    }

    #[test]
    fn org_code_warning_is_a_flag_not_an_error() {
        // Change the org code's check digit (position 17) and recompute the USCC check character.
        let bad = complete("91440300192203822").unwrap();
        let u = parse(&bad).unwrap();
        assert!(u.org_code_warning);
    }

    #[test]
    fn complete_gives_valid_codes() {
        let c = complete("91320102MA1XYZ12").map(|_| ());
        assert!(c.is_none(), "16 chars is not enough");
        let c = complete("91320102MA1XYW123").unwrap();
        assert!(parse(&c).is_ok());
    }
}
