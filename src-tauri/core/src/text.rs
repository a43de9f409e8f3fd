//! Text hygiene shared by every domain: invisible and direction-changing characters, name
//! normalisation for duplicate detection, and the guard that keeps formula-like text inert.

use unicode_normalization::UnicodeNormalization;

/// Zero-width and bidi controls, NUL and other C0/C1 controls (tab, LF and CR excepted).
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{feff}' | '\u{061c}')
}

/// Remove invisible/bidi characters, turn ideographic spaces and line breaks into plain spaces, trim.
/// This is what is stored for any free text a user or a file gives us.
pub fn clean(s: &str) -> String {
    // Most cells have nothing to remove or replace: every such character starts with one of these
    // bytes (C0 controls and DEL; U+0080–U+00A0; U+061C; U+200B–U+2069; U+3000; U+FEFF). A cell
    // free of them only needs trimming. (Full-width forms also start with 0xEF and CJK punctuation
    // with 0xE3: those take the careful path below, with the same result.)
    if !s.bytes().any(|b| b < 0x20 || matches!(b, 0x7f | 0xc2 | 0xd8 | 0xe2 | 0xe3 | 0xef)) {
        return s.trim().to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_invisible(c) {
            continue;
        }
        match c {
            '\u{3000}' | '\u{a0}' | '\t' | '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.trim().to_string()
}

/// True when [`clean`] would give the empty string (without building it).
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// Cleaned text of a single line; `max` characters at most (longer input is refused by callers).
pub fn clean_line(s: &str) -> String {
    clean(s)
}

/// Normalised form of an enterprise name for duplicate warnings: NFKC (full-width → half-width
/// brackets and letters), no white space at all, upper-case Latin.
pub fn name_key(s: &str) -> String {
    let c = clean(s);
    // Most names are Chinese characters and ASCII only: NFKC leaves them as they are, and their
    // upper case is ASCII's.
    if is_plain_nfkc(&c) {
        return c.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_uppercase()).collect();
    }
    name_key_general(&c)
}

fn name_key_general(c: &str) -> String {
    let nf: std::borrow::Cow<'_, str> = if unicode_normalization::is_nfkc_quick(c.chars()) == unicode_normalization::IsNormalized::Yes {
        c.into()
    } else {
        c.nfkc().collect::<String>().into()
    };
    nf.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〔' | '［' | '【' | '〖' => '(',
            '〕' | '］' | '】' | '〗' => ')',
            c => c,
        })
        .flat_map(|c| c.to_uppercase())
        .collect()
}

/// True when every character is ASCII or a CJK unified ideograph of the basic block
/// (U+4E00–U+9FFF). None of them has a decomposition and none composes with another, so NFKC
/// leaves such text as it is: the quick path of [`name_key`] and of the search index's text.
pub fn is_plain_nfkc(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// True when a spreadsheet program could take this text as a formula or a command.
pub fn is_formula_like(s: &str) -> bool {
    matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// Characters that must never reach a file name.
pub fn safe_file_name(s: &str) -> String {
    let cleaned: String =
        clean(s).chars().map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c }).collect();
    let t = cleaned.trim_matches(|c| c == '.' || c == ' ').to_string();
    let t: String = t.chars().take(80).collect();
    if t.is_empty() {
        "file".into()
    } else {
        t
    }
}

/// Text that goes inside “…”: its own double quotes become single ones (“‘双向孵化’奖励”), as
/// Chinese usage nests them.
pub fn nested(s: &str) -> String {
    s.replace('“', "‘").replace('”', "’")
}

/// Full-width digits and punctuation to ASCII; invisible characters removed; trimmed.
pub fn halfwidth(s: &str) -> String {
    clean(s)
        .chars()
        .map(|c| match c {
            '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '．' | '，' | '／' | '－' | '：' | '＋' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '−' | '—' | '–' => '-',
            '\u{3000}' => ' ',
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn quotes_inside_quotes_become_single() {
        assert_eq!(format!("“{}”", nested("“双向孵化”奖励")), "“‘双向孵化’奖励”");
        assert_eq!(nested("房租补贴"), "房租补贴");
    }

    #[test]
    fn names_with_bracket_and_space_variants_match() {
        assert_eq!(name_key("南京某某（江苏）科技有限公司 "), name_key("南京某某(江苏)科技有限公司"));
        assert_eq!(name_key("南京某某　科技有限公司"), name_key("南京某某科技有限公司"));
        assert_ne!(name_key("南京某某科技有限公司"), name_key("南京某甲科技有限公司"));
        // Full-width letters and brackets go through NFKC; names already normal skip it, same result.
        assert_eq!(name_key("ａｂｃ科技（南京）有限公司"), "ABC科技(南京)有限公司");
        assert_eq!(name_key("abc科技(南京)有限公司"), "ABC科技(南京)有限公司");
        assert_eq!(name_key("【南京】ǅ"), "(南京)DŽ");
    }

    /// Every character the quick path of [`name_key`] and the search text accepts: NFKC keeps
    /// it, and its upper case is ASCII's.
    #[test]
    fn plain_characters_are_their_own_nfkc() {
        for c in (0u32..0x80).chain(0x4e00..=0x9fff).filter_map(char::from_u32) {
            let s = c.to_string();
            assert!(is_plain_nfkc(&s));
            assert_eq!(s.nfkc().collect::<String>(), s, "U+{:04X}", c as u32);
            assert_eq!(c.to_uppercase().collect::<String>(), c.to_ascii_uppercase().to_string(), "U+{:04X}", c as u32);
        }
        for s in ["（", "Ａ", "\u{3000}", "é", "\u{301}", "\u{f900}", "\u{3400}", "①", "가"] {
            assert!(!is_plain_nfkc(s), "{s:?}");
        }
    }

    proptest::proptest! {
        /// The quick path of `name_key` gives what NFKC and the full upper case give.
        #[test]
        fn name_key_quick_path_is_the_general_one(s in names()) {
            proptest::prop_assert_eq!(name_key(&s), name_key_general(&clean(&s)));
        }

        /// Text of plain characters only, in any mixture, is its own NFKC.
        #[test]
        fn plain_text_is_its_own_nfkc(s in "[\\x00-\\x7f\u{4e00}-\u{9fff}]{0,24}") {
            proptest::prop_assert!(is_plain_nfkc(&s));
            proptest::prop_assert_eq!(s.nfkc().collect::<String>(), s);
        }
    }

    /// Names mixing plain characters with those that need the careful path: full-width forms,
    /// combining marks, compatibility ideographs, letters whose upper case is longer.
    pub(crate) fn names() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pool: Vec<char> =
            "aZz09 -()\t\u{b}中国科技龥\u{4e00}\u{9fff}（）【】〔〕ＡＢｃ１\u{3000}\u{a0}é\u{301}\u{308}ǅßﬁ①\u{f900}\u{2f00}\u{3400}가\u{200b}"
                .chars()
                .collect();
        proptest::collection::vec(proptest::sample::select(pool), 0..16).prop_map(|v| v.into_iter().collect())
    }

    #[test]
    fn the_quick_path_of_clean_gives_what_the_careful_one_gives() {
        // The careful path, written out: what `clean` must give for any input.
        fn careful(s: &str) -> String {
            s.chars()
                .filter(|c| !is_invisible(*c))
                .map(|c| if matches!(c, '\u{3000}' | '\u{a0}' | '\t' | '\r' | '\n') { ' ' } else { c })
                .collect::<String>()
                .trim()
                .to_string()
        }
        for s in [
            "南京某某科技有限公司",
            "  plain ascii ",
            "（全角括号）",
            "a\u{3000}b",
            "x\u{a0}y",
            "\u{85}nel",
            "tab\there",
            "\u{feff}bom",
            "\u{061c}arabic mark",
            "zw\u{200b}sp",
            "\u{2066}iso\u{2069}",
            "\u{7f}del",
            "\u{2028}line sep",
            "",
            "   ",
            "　",
            "é café",
        ] {
            assert_eq!(clean(s), careful(s), "{s:?}");
            assert_eq!(is_blank(s), careful(s).is_empty(), "{s:?}");
        }
    }

    #[test]
    fn clean_strips_bidi_zero_width_and_nul() {
        assert_eq!(clean("\u{202e}南京\u{200b}公司\u{0}"), "南京公司");
        assert_eq!(clean("  a\u{3000}b "), "a b");
        assert_eq!(clean("\u{2066}x\u{2069}"), "x");
    }

    #[test]
    fn formula_like() {
        for s in ["=HYPERLINK(\"x\")", "@SUM(1)", "+1+1", "-2", "\t=1", "\r=1"] {
            assert!(is_formula_like(s), "{s:?}");
        }
        assert!(!is_formula_like("南京"));
        assert!(!is_formula_like("'; DROP TABLE enterprise; --"));
    }

    #[test]
    fn file_names() {
        assert_eq!(safe_file_name("../a/b:c\u{202e}"), "_a_b_c");
        assert_eq!(safe_file_name(""), "file");
    }
}
