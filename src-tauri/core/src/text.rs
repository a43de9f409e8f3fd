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

/// Cleaned text of a single line; `max` characters at most (longer input is refused by callers).
pub fn clean_line(s: &str) -> String {
    clean(s)
}

/// Normalised form of an enterprise name for duplicate warnings: NFKC (full-width → half-width
/// brackets and letters), no white space at all, upper-case Latin.
pub fn name_key(s: &str) -> String {
    clean(s)
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '〔' | '［' | '【' | '〖' => '(',
            '〕' | '］' | '】' | '〗' => ')',
            c => c,
        })
        .flat_map(|c| c.to_uppercase())
        .collect()
}

/// True when a spreadsheet program could take this text as a formula or a command.
pub fn is_formula_like(s: &str) -> bool {
    matches!(s.chars().next(), Some('=' | '+' | '-' | '@' | '\t' | '\r'))
}

/// Characters that must never reach a file name.
pub fn safe_file_name(s: &str) -> String {
    let cleaned: String = clean(s)
        .chars()
        .map(|c| if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c })
        .collect();
    let t = cleaned.trim_matches(|c| c == '.' || c == ' ').to_string();
    let t: String = t.chars().take(80).collect();
    if t.is_empty() { "file".into() } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_bracket_and_space_variants_match() {
        assert_eq!(name_key("南京某某（江苏）科技有限公司 "), name_key("南京某某(江苏)科技有限公司"));
        assert_eq!(name_key("南京某某　科技有限公司"), name_key("南京某某科技有限公司"));
        assert_ne!(name_key("南京某某科技有限公司"), name_key("南京某甲科技有限公司"));
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
