//! Chinese line breaking (a small subset of UAX #14 plus the GB/T 15834 / JIS X 4051 style
//! 禁则 rules), as a pure function over characters and their widths.
//!
//! Rules:
//! - a line may break between any two CJK characters;
//! - never before closing punctuation (`，。、；：？！）」』》〕】”` …) and never after opening
//!   punctuation (`（「『《〔【“` …);
//! - runs of Latin letters, digits and ASCII punctuation (`1,234,567.89`, `91320115MA1XYZW12X`)
//!   are kept together, unless a run is longer than a line: then it is cut where the line is full;
//! - a break is allowed after a space; spaces at a break are dropped (they hang, never counted);
//! - `——` and `……` are not split;
//! - a figure stays with its unit (`135,270.00元`, `12个月`, `2026年`), and 平方米 stays whole.
//!
//! When the character that would start the next line is closing punctuation (or the last one of
//! this line is opening punctuation), the breaker *pushes back* (推出): it moves characters to the
//! next line until the break is legal, leaving this line short; the renderer then justifies it.
//! Pushing back was chosen over squeezing punctuation (挤进) because it never changes the width of
//! a glyph, keeps every line on the 28-character grid, and cannot make a line overflow.

use std::ops::Range;

/// Closing punctuation and other characters that must not start a line (行首禁则).
pub(crate) fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '，' | '。'
            | '、'
            | '；'
            | '：'
            | '？'
            | '！'
            | '）'
            | '」'
            | '』'
            | '》'
            | '〕'
            | '】'
            | '〗'
            | '〙'
            | '〛'
            | '”'
            | '’'
            | '〉'
            | '］'
            | '｝'
            | '｠'
            | '．'
            | '·'
            | '・'
            | '〃'
            | '々'
            | '～'
            | '％'
            | '‰'
            | '℃'
            | '°'
            | '′'
            | '″'
            | '〞'
            | '〟'
            | '﹐'
            | '﹑'
            | '﹒'
            | '﹔'
            | '﹕'
            | '﹖'
            | '﹗'
            | '﹚'
            | '﹜'
            | '﹞'
            | '!'
            | ')'
            | ','
            | '.'
            | ':'
            | ';'
            | '?'
            | ']'
            | '}'
            | '%'
    )
}

/// Opening punctuation and prefixes that must not end a line (行尾禁则).
pub(crate) fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '（' | '「'
            | '『'
            | '《'
            | '〔'
            | '【'
            | '〖'
            | '〘'
            | '〚'
            | '“'
            | '‘'
            | '〈'
            | '［'
            | '｛'
            | '｟'
            | '〝'
            | '﹙'
            | '﹛'
            | '﹝'
            | '('
            | '['
            | '{'
            | '￥'
            | '＄'
            | '$'
            | '£'
            | '€'
            | '¥'
    )
}

/// Characters that behave like ideographs for breaking: CJK ideographs, kana, CJK punctuation,
/// full-width forms and the general punctuation used in Chinese text (“ ” — …).
pub(crate) fn is_cjk_like(c: char) -> bool {
    matches!(c as u32,
        0x2000..=0x206F   // general punctuation
        | 0x2E80..=0x2FFF // radicals
        | 0x3000..=0x303F // CJK symbols and punctuation
        | 0x3040..=0x31FF // kana, bopomofo
        | 0x3200..=0x4DBF // enclosed CJK, compatibility, Ext. A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F // vertical forms, small forms
        | 0xFF00..=0xFFEF // full-width forms
        | 0x20000..=0x3FFFF) // supplementary ideographic planes
        || c == '·'
}

/// A "word" character: Latin letters, digits, ASCII punctuation and anything that is neither
/// white space nor CJK-like. Adjacent word characters are not separated.
pub(crate) fn is_word(c: char) -> bool {
    !c.is_whitespace() && !is_cjk_like(c)
}

/// Whether a line may break between `a` and `b` (`b` starting the next line).
pub(crate) fn can_break(a: char, b: char) -> bool {
    if b.is_whitespace() {
        return false; // break after the spaces, not before them
    }
    if no_line_start(b) {
        return false;
    }
    if a.is_whitespace() {
        return true;
    }
    if no_line_end(a) {
        return false;
    }
    if is_word(a) && is_word(b) {
        return false;
    }
    // An amount stays with its unit: "135,270.00元", "250.50平方米", "12个月", "2026年".
    if a.is_ascii_digit()
        && matches!(b, '元' | '角' | '分' | '平' | '个' | '年' | '月' | '日' | '号' | '㎡' | '万' | '天' | '条' | '版' | '%' | '％' | '项' | '家' | '次')
    {
        return false;
    }
    // A date stays whole (2026年3月5日) and an ordinal with its number (第2条).
    if matches!(a, '年' | '月' | '第') && b.is_ascii_digit() {
        return false;
    }
    // Units of more than one character stay whole: 平方米.
    if matches!((a, b), ('平', '方') | ('方', '米')) {
        return false;
    }
    // keep —— and …… together
    !(a == b && (a == '—' || a == '…' || a == '⸺'))
}

/// Break `chars` (with `widths[i]` the advance of `chars[i]`) into lines no wider than `width`
/// (`first_width` for the first line, e.g. after a first-line indent). Returns the character
/// range of every line, without the spaces dropped at the breaks. An empty input gives one
/// empty line.
pub(crate) fn break_lines(chars: &[char], widths: &[f32], first_width: f32, width: f32) -> Vec<Range<usize>> {
    const EPS: f32 = 1e-3;
    let n = chars.len().min(widths.len());
    let mut lines = Vec::new();
    let mut start = 0;
    if n == 0 {
        return std::iter::once(0..0).collect();
    }
    while start < n {
        let avail = if lines.is_empty() { first_width } else { width };
        // Greedy: take characters while they fit; spaces may hang past the edge.
        let mut w = 0.0;
        let mut e = start;
        while e < n {
            if w + widths[e] > avail + EPS && !chars[e].is_whitespace() {
                break;
            }
            w += widths[e];
            e += 1;
        }
        let end = if e >= n {
            n
        } else {
            // Last legal break at or before `e` (push-back); a break at `start` would be empty.
            match (start + 1..=e).rev().find(|&bp| can_break(chars[bp - 1], chars[bp])) {
                Some(bp) => bp,
                // No legal break in the line: an unbreakable run longer than the line (or a line
                // of nothing but prohibited punctuation). Cut where the line is full.
                None => e.max(start + 1),
            }
        };
        let mut trimmed = end;
        while trimmed > start && chars[trimmed - 1].is_whitespace() {
            trimmed -= 1;
        }
        lines.push(start..trimmed);
        start = end;
        // Spaces that would start the next line were the break: drop them (not at paragraph start).
        while start < n && chars[start].is_whitespace() {
            start += 1;
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Widths for tests: CJK-like characters 1.0, everything else 0.5.
    fn widths(s: &[char]) -> Vec<f32> {
        s.iter().map(|&c| if is_cjk_like(c) { 1.0 } else { 0.5 }).collect()
    }

    fn lines(text: &str, first: f32, width: f32) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let w = widths(&chars);
        break_lines(&chars, &w, first, width).into_iter().map(|r| chars[r].iter().collect()).collect()
    }

    fn line_widths_ok(text: &str, first: f32, width: f32) {
        let chars: Vec<char> = text.chars().collect();
        let w = widths(&chars);
        for (i, r) in break_lines(&chars, &w, first, width).into_iter().enumerate() {
            let lw: f32 = w[r].iter().sum();
            let max = if i == 0 { first } else { width };
            assert!(lw <= max + 1e-3, "line {i} of {text:?} is {lw} wide, max {max}");
        }
    }

    #[test]
    fn notice_break_between_cjk() {
        assert_eq!(lines("一二三四五六七", 3.0, 3.0), ["一二三", "四五六", "七"]);
        assert_eq!(lines("一二三四五六七", 1.0, 3.0), ["一", "二三四", "五六七"]);
    }

    #[test]
    fn notice_no_closing_punctuation_at_line_start() {
        // "，" would start line 2: "三" is pushed to the next line with it.
        assert_eq!(lines("一二三，四五六", 3.0, 3.0), ["一二", "三，四", "五六"]);
        // two closing marks in a row: both stay with the character before them
        assert_eq!(lines("一二三。”四五", 3.0, 3.0), ["一二", "三。”", "四五"]);
        for s in ["南京市江宁区科学技术局，关于组织申报。二〇二六年度（高新）技术企业：培育！", "一二三》四五六〕七八九】十"]
        {
            let chars: Vec<char> = s.chars().collect();
            let w = widths(&chars);
            for width in [2.0, 3.0, 4.0, 5.0, 7.0] {
                for r in break_lines(&chars, &w, width, width) {
                    assert!(!no_line_start(chars[r.start]), "{s:?} at {width}: line starts with {}", chars[r.start]);
                }
            }
        }
    }

    #[test]
    fn notice_no_opening_punctuation_at_line_end() {
        assert_eq!(lines("一二（三四五", 3.0, 3.0), ["一二", "（三四", "五"]);
        let s = "根据《关于深入推进引领性国家创新型城市建设的若干政策意见》（宁委发〔2022〕1号）第二条";
        let chars: Vec<char> = s.chars().collect();
        let w = widths(&chars);
        for width in 2..20 {
            let width = width as f32;
            for r in break_lines(&chars, &w, width, width) {
                let last = chars[r.end - 1];
                assert!(!no_line_end(last), "width {width}: line ends with {last}");
            }
        }
    }

    #[test]
    fn notice_latin_runs_kept_together() {
        // "1,234,567.89" is 12 × 0.5 = 6 wide: it moves to the next line whole.
        assert_eq!(lines("金额为1,234,567.89元", 7.0, 7.0), ["金额为", "1,234,567.89元"]);
        assert_eq!(lines("统一社会信用代码91320115MA1XYZW12X的企业", 10.0, 10.0), ["统一社会信用代码", "91320115MA1XYZW12X的", "企业"]);
        assert_eq!(lines("证书GR202332006846号", 6.0, 8.0), ["证书", "GR202332006846号"]);
    }

    #[test]
    fn notice_dates_and_figures_keep_together() {
        // 2026年3月5日 is 4 × 0.5 + 1 + 0.5 + 1 + 0.5 + 1 = 6 wide: it moves whole.
        assert_eq!(lines("自2026年3月5日起", 6.5, 6.5), ["自", "2026年3月5日", "起"]);
        // 角 and 分 stay with their figure, 第 with its number.
        assert_eq!(lines("一二三45分", 4.0, 4.0), ["一二三", "45分"]);
        assert_eq!(lines("一二三第2条", 4.0, 4.0), ["一二三", "第2条"]);
    }

    #[test]
    fn notice_overlong_run_is_cut() {
        let s = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let l = lines(s, 5.0, 5.0);
        assert!(l.iter().all(|x| x.len() <= 10), "{l:?}");
        assert_eq!(l.concat(), s);
        assert_eq!(l[0], "ABCDEFGHIJ");
    }

    #[test]
    fn notice_spaces_break_and_are_dropped() {
        assert_eq!(lines("hello world again", 3.0, 3.0), ["hello", "world", "again"]);
        assert_eq!(lines("hello world again", 6.0, 6.0), ["hello world", "again"]);
        assert_eq!(lines("1,234,567.89 元整", 6.5, 6.5), ["1,234,567.89", "元整"]);
    }

    #[test]
    fn notice_dashes_and_ellipses_not_split() {
        assert_eq!(lines("一二——三四", 3.0, 3.0), ["一二", "——三", "四"]);
        assert_eq!(lines("一二……三四", 3.0, 3.0), ["一二", "……三", "四"]);
    }

    #[test]
    fn notice_lines_never_exceed_width() {
        let texts = [
            "为贯彻落实市委市政府决策部署，进一步支持科技型中小企业发展，现将有关事项通知如下：",
            "奖励金额1,234,567.89元（人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分），证书编号GR202332006846。",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z 0123456789012345678901234567890123456789",
            "“一”“二”（三）《四》〔五〕【六】……——。。。，，，",
        ];
        for t in texts {
            for width in [1.0, 1.5, 2.0, 3.5, 5.0, 14.0, 28.0] {
                line_widths_ok(t, width, width);
                line_widths_ok(t, (width - 2.0_f32).max(1.0), width);
            }
        }
    }

    #[test]
    fn notice_every_character_kept_in_order() {
        let t = "奖励金额1,234,567.89元（人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分），证书 编号GR202332006846。";
        let chars: Vec<char> = t.chars().collect();
        let w = widths(&chars);
        let mut joined = String::new();
        let mut prev_end = 0;
        for r in break_lines(&chars, &w, 4.0, 6.0) {
            // only spaces may be skipped between lines
            assert!(chars[prev_end..r.start].iter().all(|c| c.is_whitespace()));
            joined.extend(&chars[r.clone()]);
            prev_end = r.end;
        }
        assert_eq!(joined.replace(' ', ""), t.replace(' ', ""));
    }

    #[test]
    fn notice_empty_paragraph_is_one_line() {
        assert_eq!(break_lines(&[], &[], 3.0, 3.0), vec![0..0]);
    }
}
