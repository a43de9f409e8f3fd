//! GB/T 9704-2012 layout of official notices (公文) and their PDF.
//!
//! ```text
//! NoticeDoc ──shape──▶ glyphs (font fallback, MissingGlyph) ──break──▶ lines ──paginate──▶ pages
//!                                                             (linebreak.rs)
//! pages ──pdf.rs──▶ printpdf::PdfDocument: Ops per page + one OpenType/CFF subset per face
//!                   (font.rs) ──printpdf (subset_fonts: false)──▶ one PDF
//! ```
//!
//! Page geometry (GB/T 9704-2012 §5.2): A4, top margin 37 mm, left 28 mm, text block
//! 156 × 225 mm, 22 lines × 28 characters of 三号 (16 pt). Body characters sit on that grid: a
//! full-width glyph advances 156/28 mm (5.57 mm, slightly less than its 16 pt em — the grid
//! squeeze every GB/T 9704 template applies), Latin glyphs keep their own advance.
//!
//! Lines of body text are justified by spreading the slack over the gaps next to CJK characters
//! (at most `MAX_JUSTIFY` em per gap; a line left short by a long Latin run stays ragged), and
//! the line breaker pushes characters to the next line rather than start a line with closing
//! punctuation (see `linebreak.rs`).
//!
//! Head (版头, §7.2): the issuing authority (发文机关标志) in red, bold serif, centred, its top
//! edge 35 mm below the top of the text block (§7.2.3), condensed horizontally (down to 70%)
//! when wider than the text block, else wrapped into balanced lines (a line break in
//! `authority` also starts a line: joint documents); the document number (发文字号) two blank
//! lines below it (§7.2.4); a red rule as wide as the text block 4 mm below the number (§7.2.6).
//! Main part (主体, §7.3): the title (二号 bold serif, centred, wrapped into lines of similar
//! length or at its own line breaks) two blank lines below the rule (§7.3.1); one blank line;
//! the recipient flush left (§7.3.2); the body with a two-character first-line indent (§7.3.3);
//! one blank line; the signer centred over the date, the date ending four characters from the
//! right edge (§7.3.5.1, the sealed layout). The signer block is kept on the same page as the
//! last body line (never alone on a page). Page numbers "— n —" (四号, §7.5) are centred with
//! their dash line 7 mm below the text block; the optional footer is a small line below them.
//!
//! Fonts: the body is 仿宋 (FandolFang, loaded at run time) with Noto Serif CJK Regular for Latin
//! text and for any character FandolFang lacks; the authority, title and bold paragraphs are
//! Noto Serif CJK Bold with Regular as fallback. A character no font has refuses the notice
//! ([`LayoutError::MissingGlyph`]); nothing is ever drawn as an empty box.
//!
//! Output is deterministic: no dates, the document ID and the font subset tags are hashes of the
//! content, so the same notice always gives the same bytes (the register stores a SHA-256 of the
//! issued PDF and reprints it byte for byte).
//!
//! The PDF is produced by printpdf 0.12 (`pdf.rs`): each page is a `printpdf::PdfPage` of `Op`s
//! (text matrix, font, `ShowText` of the layout's glyph codes with its advances as TJ offsets,
//! the red rule as `DrawLine`), the fonts are `printpdf::ParsedFont`s, and printpdf builds every
//! PDF object (`PdfDocument::to_lopdf_document`). What printpdf is not left to do, and why:
//! subsetting — its `save()` re-parses and re-subsets every font through allsorts on each call
//! (≈3 ms per CJK font), so it saves with `subset_fonts: false` and is given, per document, a
//! small OpenType/CFF font holding only the glyphs used, built by `font.rs` from fonts parsed
//! once in [`Fonts`] (a concatenation of cached, desubroutinized charstrings); and the last step
//! of `save()` — its random `/ID`, 1970 dates and level-9 deflate are replaced by a content hash,
//! no dates, and fast deflate settings (see `pdf.rs`). A one-page notice takes ≈1.3 ms (Typst:
//! ≈6.5 ms; see `benches/notices.rs`).

mod font;
mod linebreak;
mod pdf;
#[cfg(test)]
mod tests;

use std::path::Path;

use font::{FontBytes, FontFace};

/// Noto Serif CJK SC Regular, GBK subset (SIL OFL 1.1: may be compiled in).
static NOTO_SERIF_REGULAR: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts/NotoSerifCJKsc-Regular-GBK-subset.otf"));
/// Noto Serif CJK SC Bold, GB2312 subset (SIL OFL 1.1: may be compiled in).
static NOTO_SERIF_BOLD: &[u8] = include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../assets/fonts/NotoSerifCJKsc-Bold-GB2312-subset.otf"));

/// Errors of layout and PDF generation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LayoutError {
    /// No shipped font has a glyph for `ch`; `field` names where it occurs ("title", "body", …).
    #[error("no font has a glyph for {ch:?} (U+{code:04X}) in the {field}", code = *ch as u32)]
    MissingGlyph { ch: char, field: &'static str },
    /// The head is so long (authority, title) that the first page has no room for the body.
    #[error("the {field} is too long: no room left for the body on the first page")]
    TooLong { field: &'static str },
    /// A font could not be read or parsed.
    #[error("font error: {0}")]
    Font(String),
    /// The PDF could not be produced.
    #[error("PDF error: {0}")]
    Pdf(String),
}

/// The fonts of a notice, parsed once and reused for every document (share one `Fonts` across
/// threads; it is `Send + Sync`).
pub struct Fonts {
    serif: FontFace,
    bold: FontFace,
    fang: Option<FontFace>,
}

/// For the notices benchmark, which compares this crate's font subsetting with another
/// subsetter's: the font program built for the characters of `text` in the body face (FandolFang
/// when loaded), as it is given to printpdf, and the glyph ids it holds.
#[doc(hidden)]
pub fn bench_subset(fonts: &Fonts, text: &str) -> Result<(Vec<u8>, Vec<u16>), LayoutError> {
    let face = fonts.fang.as_ref().unwrap_or(&fonts.serif);
    let mut b = font::SubsetBuilder::new();
    for ch in text.chars() {
        if let Some(g) = face.glyph(ch) {
            b.code(g, ch).map_err(LayoutError::Font)?;
        }
    }
    let otf = b.build_otf(face, "BENCH+Body").map_err(LayoutError::Font)?;
    Ok((otf, b.glyphs.iter().map(|&(g, _)| g).collect()))
}

/// The three faces a notice may use. The discriminant is the PDF resource number (/F1…/F3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Serif = 0,
    SerifBold = 1,
    Fang = 2,
}

impl Face {
    pub(crate) const ALL: [Face; 3] = [Face::Serif, Face::SerifBold, Face::Fang];
}

impl Fonts {
    /// Noto Serif Regular + Bold are compiled in; FandolFang is read from `fang` when given.
    /// A `fang` path that does not exist falls back to Noto Serif for the body (not an error);
    /// a file that exists but cannot be read or parsed is an error ([`LayoutError::Font`]).
    pub fn load(fang: Option<&Path>) -> Result<Fonts, LayoutError> {
        let serif = FontFace::parse(FontBytes::Static(NOTO_SERIF_REGULAR), "NotoSerifCJKsc-Regular")
            .map_err(|e| LayoutError::Font(format!("Noto Serif CJK Regular: {e}")))?;
        let bold =
            FontFace::parse(FontBytes::Static(NOTO_SERIF_BOLD), "NotoSerifCJKsc-Bold").map_err(|e| LayoutError::Font(format!("Noto Serif CJK Bold: {e}")))?;
        let fang = match fang {
            None => None,
            Some(p) => match std::fs::read(p) {
                Ok(bytes) => {
                    Some(FontFace::parse(FontBytes::Owned(bytes), "FandolFang-Regular").map_err(|e| LayoutError::Font(format!("{}: {e}", p.display())))?)
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(LayoutError::Font(format!("{}: {e}", p.display()))),
            },
        };
        Ok(Fonts { serif, bold, fang })
    }

    /// Does any shipped font have a glyph for `c`?
    pub fn covers(&self, c: char) -> bool {
        Face::ALL.iter().any(|&f| self.face(f).is_some_and(|ff| ff.glyph(c).is_some()))
    }

    /// Whether FandolFang (仿宋) was loaded; without it the body is set in Noto Serif.
    pub fn has_fang(&self) -> bool {
        self.fang.is_some()
    }

    pub(crate) fn face(&self, f: Face) -> Option<&FontFace> {
        match f {
            Face::Serif => Some(&self.serif),
            Face::SerifBold => Some(&self.bold),
            Face::Fang => self.fang.as_ref(),
        }
    }
}

/// One official notice.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct NoticeDoc {
    /// 发文机关标志, printed in red, e.g. "南京市江宁区科学技术局文件". A line break starts a
    /// new centred line (joint documents list one authority per line).
    pub authority: String,
    /// 发文字号, e.g. "江宁科〔2026〕12号" (None in a preview).
    pub doc_number: Option<String>,
    /// 标题, centred; wraps into lines of similar length, or at the line breaks it contains
    /// (to keep words whole: "回行时，要做到词意完整").
    pub title: String,
    /// 主送机关; a full-width colon "：" is added when missing. Empty: no recipient line.
    pub recipient: String,
    pub paragraphs: Vec<Paragraph>,
    /// 发文机关署名 (centred above the date).
    pub signer: String,
    /// 成文日期, printed as given, e.g. "2026年3月5日".
    pub date: String,
    /// A small line at the bottom of every page, e.g. "江宁科〔2026〕12号 · 校验码 1a2b3c4d5e6f".
    pub footer: Option<String>,
    /// Drawn large, light grey and diagonal on every page, e.g. "样稿" (previews).
    pub watermark: Option<String>,
    /// 信函格式 (GB/T 9704 §10.1), for letters (函): the authority 30 mm from the top without
    /// 文件, red double rules, the number flush right under the first, no page number on page 1.
    #[serde(default)]
    pub letter: bool,
    /// 版记 (§7.4) at the foot of the last page.
    #[serde(default)]
    pub imprint: Option<Imprint>,
    /// The layout rules the document was made with: 0 — before 版记 and odd/even page numbers
    /// (notices issued then render as they did), 1 — GB/T 9704 §7.4, §7.5 and §10.1 as below.
    #[serde(default)]
    pub layout: u8,
}

/// The layout rules of new documents (see [`NoticeDoc::layout`]).
pub const LAYOUT_VERSION: u8 = 1;

/// 版记 (GB/T 9704 §7.4): 抄送 when there is one; 印发机关 and 印发日期 (not in letters).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Imprint {
    /// 抄送机关, e.g. "区财政局，区审计局" (empty: no 抄送 line).
    pub cc: String,
    /// 印发机关, e.g. "南京市江宁区科学技术局办公室" (empty in letters).
    pub printer: String,
    /// 印发日期, e.g. "2026年3月5日" (printed with 印发 after it).
    pub printed_on: String,
}

/// A body paragraph.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Paragraph {
    pub text: String,
    /// Two-character first-line indent (default true).
    #[serde(default = "default_true")]
    pub indent: bool,
    #[serde(default)]
    pub bold: bool,
}

fn default_true() -> bool {
    true
}

impl Default for Paragraph {
    fn default() -> Self {
        Paragraph { text: String::new(), indent: true, bold: false }
    }
}

impl Paragraph {
    /// An indented, regular paragraph.
    pub fn new(text: impl Into<String>) -> Self {
        Paragraph { text: text.into(), ..Default::default() }
    }
}

// ---------------------------------------------------------------------------------------------
// Geometry (PDF points; distances are measured from the top of the page unless noted)

const MM: f32 = 72.0 / 25.4;
pub(crate) const PAGE_W: f32 = 210.0 * MM;
pub(crate) const PAGE_H: f32 = 297.0 * MM;
const MARGIN_LEFT: f32 = 28.0 * MM;
const MARGIN_TOP: f32 = 37.0 * MM;
const BLOCK_W: f32 = 156.0 * MM;
const BLOCK_H: f32 = 225.0 * MM;
const LINES_PER_PAGE: usize = 22;
const CHARS_PER_LINE: usize = 28;
/// Line pitch of the body grid (10.23 mm).
const PITCH_Y: f32 = BLOCK_H / LINES_PER_PAGE as f32;
/// Character pitch of the body grid (5.57 mm): the advance of a full-width body glyph.
const PITCH_X: f32 = BLOCK_W / CHARS_PER_LINE as f32;

const BODY_PT: f32 = 16.0; // 三号
const TITLE_PT: f32 = 22.0; // 二号
const PAGE_NO_PT: f32 = 14.0; // 四号
const FOOTER_PT: f32 = 7.5; // 六号: small, below the page number, outside the text block
const IMPRINT_PT: f32 = 14.0; // 四号 (版记)
/// Height of the authority's characters (GB/T 9704 leaves it to the issuer; ≈14 mm).
const AUTHORITY_PT: f32 = 40.0;
/// Narrowest horizontal scale of the authority before it wraps, and its line spacing.
const MIN_AUTHORITY_SCALE: f32 = 0.7;
const AUTHORITY_LEADING: f32 = 1.15;
/// Top edge of the authority below the top of the text block (§7.2.3).
const AUTHORITY_TOP: f32 = 35.0 * MM;
/// Blank lines between the authority and the document number (§7.2.4).
const BLANK_LINES_BEFORE_NUMBER: f32 = 2.0;
/// Red rule below the document number (§7.2.6), and its thickness.
const RULE_GAP: f32 = 4.0 * MM;
const RULE_WIDTH: f32 = 1.0;
/// Blank lines between the rule and the title (§7.3.1 "红色分隔线下空二行").
const BLANK_LINES_BEFORE_TITLE: f32 = 2.0;
/// The dash line of the page number is this far below the text block (§7.5).
const PAGE_NO_GAP: f32 = 7.0 * MM;
/// Baseline of the footer above the bottom edge of the page.
const FOOTER_BASELINE: f32 = 12.0 * MM;
/// 版记 rules (§7.4): first and last thick (0.35 mm), those between thin (0.25 mm).
const IMPRINT_THICK: f32 = 0.35 * MM;
const IMPRINT_THIN: f32 = 0.25 * MM;
/// 信函格式 (§10.1): the authority's top edge 30 mm from the top of the page; red double rules
/// 170 mm long, centred: 4 mm below the authority (thick over thin) and 20 mm above the bottom
/// edge (thin over thick); the number 7/8 of a 三号 character below the first.
const LETTER_AUTHORITY_TOP: f32 = 30.0 * MM;
const LETTER_RULE_LEN: f32 = 170.0 * MM;
const LETTER_RULE_GAP: f32 = 4.0 * MM;
const LETTER_BOTTOM_RULE: f32 = 20.0 * MM;
const DOUBLE_THICK: f32 = 1.0 * MM;
const DOUBLE_THIN: f32 = 0.35 * MM;
const DOUBLE_SPACE: f32 = 0.8 * MM;
/// Date: right indent in characters (§7.3.5.1 "成文日期一般右空四字").
const DATE_RIGHT_CHARS: f32 = 4.0;
/// Ascent of the ideographic em box (both fonts: 880/1000); the baseline is this far below the
/// top of a glyph's em box.
const EM_ASCENT: f32 = 0.88;
/// Largest extra space added between two glyphs to justify a line, as a fraction of the font
/// size. More would look spaced out (and text extractors would see word breaks): such a line
/// (a long Latin run was pushed to the next line) is left ragged instead.
const MAX_JUSTIFY: f32 = 0.09;

/// Baseline of a line of `size` pt centred in a grid line whose box starts at `top`.
fn baseline_in_box(top: f32, size: f32) -> f32 {
    top + (PITCH_Y - size) / 2.0 + EM_ASCENT * size
}

// ---------------------------------------------------------------------------------------------
// Shaped text

/// One positioned glyph: which face, its glyph id, the character it stands for (ToUnicode),
/// its natural advance (from /W) and the advance layout gives it (grid, justification).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Glyph {
    pub face: Face,
    pub gid: u16,
    pub ch: char,
    pub natural: f32,
    pub adv: f32,
}

#[derive(Debug, Clone, Copy)]
struct Style {
    /// Fallback chain for CJK and everything else.
    chain: [Face; 3],
    /// Fallback chain for Latin letters, digits and ASCII punctuation.
    latin: [Face; 3],
    size: f32,
    /// Advance of full-width glyphs (the body grid), `None` for natural advances.
    grid: Option<f32>,
}

const BODY: Style =
    Style { chain: [Face::Fang, Face::Serif, Face::SerifBold], latin: [Face::Serif, Face::Fang, Face::SerifBold], size: BODY_PT, grid: Some(PITCH_X) };
const BODY_BOLD: Style =
    Style { chain: [Face::SerifBold, Face::Serif, Face::Fang], latin: [Face::SerifBold, Face::Serif, Face::Fang], size: BODY_PT, grid: Some(PITCH_X) };
const HEAD: Style = Style { size: AUTHORITY_PT, grid: None, ..BODY_BOLD };
const TITLE: Style = Style { size: TITLE_PT, grid: None, ..BODY_BOLD };
const SMALL: Style =
    Style { chain: [Face::Serif, Face::Fang, Face::SerifBold], latin: [Face::Serif, Face::Fang, Face::SerifBold], size: PAGE_NO_PT, grid: None };
const FOOTER: Style = Style { size: FOOTER_PT, ..SMALL };
/// The footer of documents made before layout 1 (9 pt, 14 mm from the bottom).
const FOOTER_V0: Style = Style { size: 9.0, ..SMALL };
const FOOTER_BASELINE_V0: f32 = 14.0 * MM;
/// 版记: 四号 仿宋, on the character grid of its size.
const IMPRINT: Style = Style { size: IMPRINT_PT, grid: Some(IMPRINT_PT), ..BODY };

fn is_latin(c: char) -> bool {
    (c as u32) < 0x2000 && c != '·'
}

/// Tabs, CR and LF inside a field become spaces; nothing else is changed.
fn normalize(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().map(|c| if matches!(c, '\t' | '\r' | '\n') { ' ' } else { c })
}

impl Fonts {
    /// Map `text` to glyphs in `style`, with per-character font fallback.
    fn shape(&self, text: &str, style: &Style, field: &'static str) -> Result<Vec<Glyph>, LayoutError> {
        let mut out = Vec::with_capacity(text.len() / 2);
        for ch in normalize(text) {
            let chain = if is_latin(ch) { &style.latin } else { &style.chain };
            let found = chain.iter().find_map(|&f| {
                let face = self.face(f)?;
                Some((f, face, face.glyph(ch)?))
            });
            let Some((f, face, gid)) = found else {
                return Err(LayoutError::MissingGlyph { ch, field });
            };
            let w = face.pdf_width(gid);
            let natural = w as f32 * style.size / 1000.0;
            let adv = match style.grid {
                Some(g) if w == 1000 => g,
                _ => natural,
            };
            out.push(Glyph { face: f, gid, ch, natural, adv });
        }
        Ok(out)
    }
}

fn width(g: &[Glyph]) -> f32 {
    g.iter().map(|g| g.adv).sum()
}

/// Break shaped text into lines (see `linebreak`).
fn break_glyphs(glyphs: &[Glyph], first_width: f32, width: f32) -> Vec<Vec<Glyph>> {
    let chars: Vec<char> = glyphs.iter().map(|g| g.ch).collect();
    let widths: Vec<f32> = glyphs.iter().map(|g| g.adv).collect();
    linebreak::break_lines(&chars, &widths, first_width, width).into_iter().map(|r| glyphs[r].to_vec()).collect()
}

/// Spread `avail - width(line)` over the gaps next to CJK characters, if that stays within
/// [`MAX_JUSTIFY`].
fn justify(line: &mut [Glyph], avail: f32, size: f32) {
    let slack = avail - width(line);
    if slack <= 0.01 || line.len() < 2 {
        return;
    }
    let is_gap = |a: &Glyph, b: &Glyph| !(linebreak::is_word(a.ch) && linebreak::is_word(b.ch));
    let gaps = line.windows(2).filter(|w| is_gap(&w[0], &w[1])).count();
    if gaps == 0 || slack / gaps as f32 > MAX_JUSTIFY * size {
        return;
    }
    let extra = slack / gaps as f32;
    for i in 0..line.len() - 1 {
        if is_gap(&line[i], &line[i + 1]) {
            line[i].adv += extra;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Color {
    Black,
    Red,
    Watermark,
}

/// A run of glyphs drawn from (`x`, `y`) (PDF coordinates, baseline), optionally condensed
/// horizontally (`hscale` < 1) or rotated 45° (watermark).
#[derive(Debug, Clone)]
pub(crate) struct TextRun {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub hscale: f32,
    pub rotate45: bool,
    pub color: Color,
    pub glyphs: Vec<Glyph>,
}

#[derive(Debug, Clone)]
pub(crate) enum Item {
    Text(TextRun),
    /// Horizontal rule from x0 to x1 at y (PDF coordinates).
    Rule {
        x0: f32,
        x1: f32,
        y: f32,
        width: f32,
        color: Color,
    },
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Page {
    pub items: Vec<Item>,
}

fn text_at(x: f32, baseline_from_top: f32, style: &Style, color: Color, glyphs: Vec<Glyph>) -> Item {
    Item::Text(TextRun { x, y: PAGE_H - baseline_from_top, size: style.size, hscale: 1.0, rotate45: false, color, glyphs })
}

/// A row of the body grid: blank, or glyphs starting at `x`.
enum Row {
    Blank,
    Text { x: f32, glyphs: Vec<Glyph> },
}

/// Every field of a notice, shaped, in document order (the order `check_glyphs` reports in).
struct Shaped {
    /// Lines of the authority as given (split at line breaks; empty lines dropped).
    authority: Vec<Vec<Glyph>>,
    doc_number: Option<Vec<Glyph>>,
    /// Lines of the title as given (split at line breaks).
    title: Vec<Vec<Glyph>>,
    recipient: Vec<Glyph>,
    paragraphs: Vec<(Vec<Glyph>, bool)>,
    signer: Vec<Glyph>,
    date: Vec<Glyph>,
    footer: Option<Vec<Glyph>>,
    watermark: Option<Vec<Glyph>>,
    /// 版记: the 抄送 line ("抄送：…。") and the printer and date ("…印发"), when present.
    cc: Option<Vec<Glyph>>,
    printer: Option<(Vec<Glyph>, Vec<Glyph>)>,
}

/// The non-empty lines of `text` (split at line breaks), shaped.
fn lines_of(text: &str, fonts: &Fonts, style: &Style, field: &'static str) -> Result<Vec<Vec<Glyph>>, LayoutError> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| fonts.shape(l, style, field)).collect()
}

fn shape_doc(doc: &NoticeDoc, fonts: &Fonts) -> Result<Shaped, LayoutError> {
    let mut recipient = doc.recipient.trim_end().to_string();
    if !recipient.is_empty() && !recipient.ends_with('：') {
        if recipient.ends_with(':') {
            recipient.pop();
        }
        recipient.push('：');
    }
    // Shaped in document order, so that the first missing character reported is the first one
    // a reader would meet.
    let authority = lines_of(&doc.authority, fonts, &HEAD, "authority")?;
    let doc_number = doc.doc_number.as_deref().map(|n| fonts.shape(n.trim(), &BODY, "doc_number")).transpose()?;
    let title = lines_of(&doc.title, fonts, &TITLE, "title")?;
    let recipient = fonts.shape(&recipient, &BODY, "recipient")?;
    let mut paragraphs = Vec::with_capacity(doc.paragraphs.len());
    for p in &doc.paragraphs {
        let style = if p.bold { &BODY_BOLD } else { &BODY };
        paragraphs.push((fonts.shape(&p.text, style, "body")?, p.indent));
    }
    let signer = fonts.shape(doc.signer.trim(), &BODY, "signer")?;
    let date = fonts.shape(doc.date.trim(), &BODY, "date")?;
    let footer_style = if doc.layout == 0 { &FOOTER_V0 } else { &FOOTER };
    let footer = doc.footer.as_deref().map(|f| fonts.shape(f.trim(), footer_style, "footer")).transpose()?;
    let watermark = doc.watermark.as_deref().map(|w| fonts.shape(w.trim(), &HEAD, "watermark")).transpose()?;
    let (mut cc, mut printer) = (None, None);
    if let Some(im) = &doc.imprint {
        let list = im.cc.trim().trim_end_matches(['。', '.']);
        if !list.is_empty() {
            cc = Some(fonts.shape(&format!("抄送：{list}。"), &IMPRINT, "imprint")?);
        }
        // Letters carry no 印发机关 and 印发日期 (§10.1).
        let nothing_printed = im.printer.trim().is_empty() && im.printed_on.trim().is_empty();
        if !doc.letter && !nothing_printed {
            printer = Some((fonts.shape(im.printer.trim(), &IMPRINT, "imprint")?, fonts.shape(&format!("{}印发", im.printed_on.trim()), &IMPRINT, "imprint")?));
        }
    }
    Ok(Shaped { authority, doc_number, title, recipient, paragraphs, signer, date, footer, watermark, cc, printer })
}

/// Lay out one notice into pages: the head and title on the first page, the body and closing
/// rows on the grid, the 版记 at the foot of the last page, then each page's number and footer.
fn layout(doc: &NoticeDoc, fonts: &Fonts) -> Result<Vec<Page>, LayoutError> {
    let s = shape_doc(doc, fonts)?;
    let mut first = Page::default();
    let y = draw_head(doc, &s, &mut first);
    let y = draw_title(&s, &mut first, y);
    let (mut pages, page, line) = paginate(&s, first, y, body_rows(&s), closing_rows(&s))?;
    draw_imprint(&s, &mut pages, page, line)?;
    page_furniture(doc, &s, fonts, &mut pages)?;
    debug_assert!(!pages.is_empty());
    Ok(pages)
}

/// The head: the authority (red, centred, condensed or wrapped), the number, the red rule — or a
/// letter's double rules with the number flush right. Returns where the title starts.
fn draw_head(doc: &NoticeDoc, s: &Shaped, first: &mut Page) -> f32 {
    // Top edge of the authority: 35 mm into the text block, or 30 mm from the top of a letter.
    let mut y = if doc.letter { LETTER_AUTHORITY_TOP } else { MARGIN_TOP + AUTHORITY_TOP };
    // Each given line (joint documents: one authority per line) is centred, condensed to the
    // text block width; a line that would need more than MIN_AUTHORITY_SCALE is wrapped into
    // balanced lines instead.
    let authority_lines: Vec<Vec<Glyph>> = s.authority.iter().flat_map(|l| balanced_lines(l, BLOCK_W / MIN_AUTHORITY_SCALE)).collect();
    if !authority_lines.is_empty() {
        for line in authority_lines {
            let w = width(&line);
            let hscale = if w > BLOCK_W { BLOCK_W / w } else { 1.0 };
            let glyphs: Vec<Glyph> = line.iter().map(|g| Glyph { adv: g.adv * hscale, ..*g }).collect();
            let x = MARGIN_LEFT + (BLOCK_W - w * hscale) / 2.0;
            let baseline = y + EM_ASCENT * AUTHORITY_PT;
            first.items.push(Item::Text(TextRun { x, y: PAGE_H - baseline, size: AUTHORITY_PT, hscale, rotate45: false, color: Color::Red, glyphs }));
            y += AUTHORITY_LEADING * AUTHORITY_PT;
        }
        y -= (AUTHORITY_LEADING - 1.0) * AUTHORITY_PT;
    }
    let mut rule_y = y + RULE_GAP;
    if doc.letter {
        // Red double rule 4 mm below the authority, thick over thin, 170 mm long, centred; the
        // number flush right under it; the same rule, thin over thick, 20 mm above the bottom.
        let top = y + LETTER_RULE_GAP;
        let (thick_y, thin_y) = (top + DOUBLE_THICK / 2.0, top + DOUBLE_THICK + DOUBLE_SPACE + DOUBLE_THIN / 2.0);
        let bottom = PAGE_H - LETTER_BOTTOM_RULE;
        let (thin_b, thick_b) = (bottom - DOUBLE_THICK - DOUBLE_SPACE - DOUBLE_THIN / 2.0, bottom - DOUBLE_THICK / 2.0);
        for (yy, w) in [(thick_y, DOUBLE_THICK), (thin_y, DOUBLE_THIN), (thin_b, DOUBLE_THIN), (thick_b, DOUBLE_THICK)] {
            first.items.push(Item::Rule {
                x0: (PAGE_W - LETTER_RULE_LEN) / 2.0,
                x1: (PAGE_W + LETTER_RULE_LEN) / 2.0,
                y: PAGE_H - yy,
                width: w,
                color: Color::Red,
            });
        }
        y = top + DOUBLE_THICK + DOUBLE_SPACE + DOUBLE_THIN;
        if let Some(num) = &s.doc_number {
            let num_top = y + 7.0 / 8.0 * BODY_PT;
            let line = fit_one_line(num, BLOCK_W);
            first.items.push(text_at(MARGIN_LEFT + BLOCK_W - width(&line), num_top + EM_ASCENT * BODY_PT, &BODY, Color::Black, line));
            y = num_top + BODY_PT;
        }
        rule_y = y;
    } else if let Some(num) = &s.doc_number {
        y += BLANK_LINES_BEFORE_NUMBER * PITCH_Y;
        let baseline = baseline_in_box(y, BODY_PT);
        let line = fit_one_line(num, BLOCK_W);
        first.items.push(text_at(MARGIN_LEFT + (BLOCK_W - width(&line)) / 2.0, baseline, &BODY, Color::Black, line));
        rule_y = baseline + (1.0 - EM_ASCENT) * BODY_PT + RULE_GAP;
    }
    if !doc.letter {
        first.items.push(Item::Rule { x0: MARGIN_LEFT, x1: MARGIN_LEFT + BLOCK_W, y: PAGE_H - rule_y, width: RULE_WIDTH, color: Color::Red });
    }
    rule_y + BLANK_LINES_BEFORE_TITLE * PITCH_Y
}

/// The title: centred lines on the line pitch, a blank line under it. Returns where the body starts.
fn draw_title(s: &Shaped, first: &mut Page, mut y: f32) -> f32 {
    if !s.title.is_empty() {
        for line in s.title.iter().flat_map(|l| balanced_lines(l, BLOCK_W)) {
            let x = MARGIN_LEFT + (BLOCK_W - width(&line)) / 2.0;
            first.items.push(text_at(x, baseline_in_box(y, TITLE_PT), &TITLE, Color::Black, line));
            y += PITCH_Y;
        }
        y += PITCH_Y; // 标题下空一行
    }
    y
}

/// The recipient and the paragraphs as grid rows (lines justified but the last of a paragraph).
fn body_rows(s: &Shaped) -> Vec<Row> {
    let mut body: Vec<Row> = Vec::new();
    if !s.recipient.is_empty() {
        for line in break_glyphs(&s.recipient, BLOCK_W, BLOCK_W) {
            body.push(Row::Text { x: MARGIN_LEFT, glyphs: line });
        }
    }
    for (glyphs, indent) in &s.paragraphs {
        let ind = if *indent { 2.0 * PITCH_X } else { 0.0 };
        let lines = break_glyphs(glyphs, BLOCK_W - ind, BLOCK_W);
        let n = lines.len();
        for (i, mut line) in lines.into_iter().enumerate() {
            let x = MARGIN_LEFT + if i == 0 { ind } else { 0.0 };
            if i + 1 < n {
                justify(&mut line, MARGIN_LEFT + BLOCK_W - x, BODY_PT);
            }
            if line.is_empty() {
                body.push(Row::Blank);
            } else {
                body.push(Row::Text { x, glyphs: line });
            }
        }
    }
    body
}

/// The closing block: a blank line, the signer centred over the date, the date 4 characters from
/// the right.
fn closing_rows(s: &Shaped) -> Vec<Row> {
    let mut closing: Vec<Row> = Vec::new();
    if !s.signer.is_empty() || !s.date.is_empty() {
        closing.push(Row::Blank);
        let date_right = MARGIN_LEFT + BLOCK_W - DATE_RIGHT_CHARS * PITCH_X;
        let date_lines = break_glyphs(&s.date, date_right - MARGIN_LEFT, date_right - MARGIN_LEFT);
        let date_w = date_lines.iter().map(|l| width(l)).fold(0.0, f32::max);
        let centre = date_right - date_w / 2.0;
        for line in break_glyphs(&s.signer, BLOCK_W, BLOCK_W) {
            if line.is_empty() {
                continue;
            }
            let w = width(&line);
            let x = (centre - w / 2.0).min(MARGIN_LEFT + BLOCK_W - w).max(MARGIN_LEFT);
            closing.push(Row::Text { x, glyphs: line });
        }
        for line in date_lines {
            if !line.is_empty() {
                closing.push(Row::Text { x: date_right - width(&line), glyphs: line });
            }
        }
    }
    closing
}

/// The rows on pages: grid line `k` of a page has its box at MARGIN_TOP + k × PITCH_Y. The last
/// body line stays with the closing block. Returns the pages and the last page and line used.
fn paginate(s: &Shaped, first: Page, y: f32, body: Vec<Row>, closing: Vec<Row>) -> Result<(Vec<Page>, usize, usize), LayoutError> {
    let first_line = (((y - MARGIN_TOP) / PITCH_Y) - 0.01).ceil().max(0.0) as usize;
    // GB/T 9704 §7.3.3: the first page must show body text. A head (authority + title) so long
    // that it leaves no grid line on page 1 is refused rather than drawn over the page number.
    if first_line >= LINES_PER_PAGE {
        let field = if s.title.is_empty() { "authority" } else { "title" };
        return Err(LayoutError::TooLong { field });
    }
    let mut pages = vec![first];
    let mut line = first_line;
    let page_start = |p: usize| if p == 0 { first_line } else { 0 };
    let n_body = body.len();
    let place = |pages: &mut Vec<Page>, page: usize, line: usize, row: Row| {
        while pages.len() <= page {
            pages.push(Page::default());
        }
        if let Row::Text { x, glyphs } = row {
            let top = MARGIN_TOP + line as f32 * PITCH_Y;
            pages[page].items.push(text_at(x, baseline_in_box(top, BODY_PT), &BODY, Color::Black, glyphs));
        }
    };
    let mut page = 0;
    for (i, row) in body.into_iter().enumerate() {
        if line >= LINES_PER_PAGE {
            page += 1;
            line = 0;
        }
        // Keep the last body line with the closing block when the block would not fit after it.
        if i + 1 == n_body && !closing.is_empty() && line + 1 + closing.len() > LINES_PER_PAGE && line > page_start(page) && closing.len() < LINES_PER_PAGE {
            page += 1;
            line = 0;
        }
        place(&mut pages, page, line, row);
        line += 1;
    }
    if !closing.is_empty() && line + closing.len() > LINES_PER_PAGE && closing.len() <= LINES_PER_PAGE {
        page += 1;
        line = 0;
    }
    for (i, row) in closing.into_iter().enumerate() {
        if line >= LINES_PER_PAGE {
            page += 1;
            line = 0;
        }
        if i == 0 && line == 0 && matches!(row, Row::Blank) {
            continue; // no blank line at the top of a page
        }
        place(&mut pages, page, line, row);
        line += 1;
    }
    Ok((pages, page, line))
}

/// 版记 (§7.4): the last lines of the last page (a new page when they do not fit after the
/// text), thick rules first and last.
fn draw_imprint(s: &Shaped, pages: &mut Vec<Page>, mut page: usize, line: usize) -> Result<(), LayoutError> {
    let cc_lines = s.cc.as_ref().map(|cc| {
        let indent = IMPRINT_PT; // 左右各空一字
        let label = 3.0 * IMPRINT_PT; // continuation lines align after "抄送："
        break_glyphs(cc, BLOCK_W - 2.0 * indent, BLOCK_W - 2.0 * indent - label)
    });
    let n_cc = cc_lines.as_ref().map_or(0, |l| l.len());
    let n_imprint = n_cc + usize::from(s.printer.is_some());
    if n_imprint > 0 {
        if n_imprint > LINES_PER_PAGE {
            return Err(LayoutError::TooLong { field: "imprint" });
        }
        if line + n_imprint > LINES_PER_PAGE {
            page += 1;
        }
        while pages.len() <= page {
            pages.push(Page::default());
        }
        let first_row = LINES_PER_PAGE - n_imprint;
        let row_top = |k: usize| MARGIN_TOP + k as f32 * PITCH_Y;
        let baseline = |k: usize| baseline_in_box(row_top(k), IMPRINT_PT);
        let rule = |y_top: f32, w: f32| Item::Rule { x0: MARGIN_LEFT, x1: MARGIN_LEFT + BLOCK_W, y: PAGE_H - y_top, width: w, color: Color::Black };
        let items = &mut pages[page].items;
        items.push(rule(row_top(first_row), IMPRINT_THICK));
        for (i, l) in cc_lines.into_iter().flatten().enumerate() {
            let x = MARGIN_LEFT + IMPRINT_PT + if i == 0 { 0.0 } else { 3.0 * IMPRINT_PT };
            items.push(text_at(x, baseline(first_row + i), &IMPRINT, Color::Black, l));
        }
        if let Some((printer, date)) = &s.printer {
            let k = first_row + n_cc;
            if n_cc > 0 {
                items.push(rule(row_top(k), IMPRINT_THIN));
            }
            items.push(text_at(MARGIN_LEFT + IMPRINT_PT, baseline(k), &IMPRINT, Color::Black, printer.clone()));
            items.push(text_at(MARGIN_LEFT + BLOCK_W - IMPRINT_PT - width(date), baseline(k), &IMPRINT, Color::Black, date.clone()));
        }
        // The last rule lies on the lower edge of the text block.
        items.push(rule(MARGIN_TOP + BLOCK_H, IMPRINT_THICK));
    }
    Ok(())
}

/// Per page: the watermark (drawn first, under everything), the page number, the footer.
fn page_furniture(doc: &NoticeDoc, s: &Shaped, fonts: &Fonts, pages: &mut [Page]) -> Result<(), LayoutError> {
    for (i, p) in pages.iter_mut().enumerate() {
        let mut items = Vec::with_capacity(p.items.len() + 3);
        if let Some(wm) = &s.watermark {
            if !wm.is_empty() {
                items.push(watermark(wm));
            }
        }
        let mut number = fonts.shape(&format!("— {} —", i + 1), &SMALL, "page number")?;
        // Half-em spaces around the number: with the font's narrow space (0.26 em) text
        // extraction glues "—1—" together.
        for g in number.iter_mut().filter(|g| g.ch == ' ') {
            g.adv = 0.5 * PAGE_NO_PT;
        }
        let w = width(&number);
        // The dash sits at mid-em (0.38 em above the baseline): put it PAGE_NO_GAP below the block.
        let baseline = MARGIN_TOP + BLOCK_H + PAGE_NO_GAP + 0.38 * PAGE_NO_PT;
        // §7.5: odd pages right, even pages left, one character in from the text block's edge;
        // a letter's first page has none (§10.1). Documents made before: centred.
        let x = if doc.layout == 0 {
            Some((PAGE_W - w) / 2.0)
        } else if doc.letter && i == 0 {
            None
        } else if i % 2 == 0 {
            Some(MARGIN_LEFT + BLOCK_W - PAGE_NO_PT - w)
        } else {
            Some(MARGIN_LEFT + PAGE_NO_PT)
        };
        if let Some(x) = x {
            items.push(text_at(x, baseline, &SMALL, Color::Black, number));
        }
        if let Some(f) = &s.footer {
            if !f.is_empty() {
                let line = fit_one_line(f, BLOCK_W);
                let x = (PAGE_W - width(&line)) / 2.0;
                let (style, base) = if doc.layout == 0 { (&FOOTER_V0, FOOTER_BASELINE_V0) } else { (&FOOTER, FOOTER_BASELINE) };
                items.push(text_at(x, PAGE_H - base, style, Color::Black, line));
            }
        }
        items.append(&mut p.items);
        p.items = items;
    }
    Ok(())
}

/// Break centred text (the title) into as few lines as at full width, but with lines of similar
/// length ("排列对称，长短适宜", a trapezoid rather than a long line and a stub): the narrowest
/// width that gives the same number of lines, found by bisection.
fn balanced_lines(glyphs: &[Glyph], max: f32) -> Vec<Vec<Glyph>> {
    let lines = break_glyphs(glyphs, max, max);
    if lines.len() < 2 {
        return lines;
    }
    let n = lines.len();
    let (mut lo, mut hi) = (width(glyphs) / n as f32, max);
    for _ in 0..16 {
        let mid = (lo + hi) / 2.0;
        if break_glyphs(glyphs, mid, mid).len() > n {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    break_glyphs(glyphs, hi, hi)
}

/// A single line: condensed (smaller advances) when wider than `max`. Used for the document
/// number and the footer, which must stay on one line.
fn fit_one_line(glyphs: &[Glyph], max: f32) -> Vec<Glyph> {
    let w = width(glyphs);
    if w <= max {
        return glyphs.to_vec();
    }
    // Tighten every glyph equally (drawn with negative spacing, never overlapping by more than
    // the squeeze needed).
    let k = max / w;
    glyphs.iter().map(|g| Glyph { adv: g.adv * k, ..*g }).collect()
}

fn watermark(glyphs: &[Glyph]) -> Item {
    // Size so that the text spans at most ~70% of the page diagonal, 150 pt at most.
    let w1: f32 = glyphs.iter().map(|g| g.natural / AUTHORITY_PT).sum();
    let size = (0.7 * (PAGE_W.hypot(PAGE_H)) / w1.max(0.01)).min(150.0);
    let glyphs: Vec<Glyph> = glyphs.iter().map(|g| Glyph { natural: g.natural * size / AUTHORITY_PT, adv: g.natural * size / AUTHORITY_PT, ..*g }).collect();
    let w = width(&glyphs);
    // Centre of the text on the centre of the page, rotated 45° counter-clockwise.
    let (c, s) = (std::f32::consts::FRAC_1_SQRT_2, std::f32::consts::FRAC_1_SQRT_2);
    let (dx, dy) = (-w / 2.0, -0.38 * size);
    let x = PAGE_W / 2.0 + c * dx - s * dy;
    let y = PAGE_H / 2.0 + s * dx + c * dy;
    Item::Text(TextRun { x, y, size, hscale: 1.0, rotate45: true, color: Color::Watermark, glyphs })
}

// ---------------------------------------------------------------------------------------------
// Public entry points

/// Check that every character of `doc` can be drawn. Returns the first character no font has,
/// with the field it is in ("authority", "doc_number", "title", "recipient", "body", "signer",
/// "date", "footer", "watermark").
pub fn check_glyphs(doc: &NoticeDoc, fonts: &Fonts) -> Result<(), LayoutError> {
    shape_doc(doc, fonts).map(|_| ())
}

/// Render one notice as a PDF.
pub fn render(doc: &NoticeDoc, fonts: &Fonts) -> Result<Vec<u8>, LayoutError> {
    render_many(std::slice::from_ref(doc), fonts)
}

/// Render several notices into one PDF: each starts on a new page and has its own page numbers;
/// the fonts are embedded once for all of them.
pub fn render_many(docs: &[NoticeDoc], fonts: &Fonts) -> Result<Vec<u8>, LayoutError> {
    if docs.is_empty() {
        return Err(LayoutError::Pdf("no notice to render".into()));
    }
    let mut pages = Vec::with_capacity(docs.len());
    for d in docs {
        pages.extend(layout(d, fonts)?);
    }
    let title: String = docs[0].title.lines().map(str::trim).collect();
    pdf::write_pdf(&pages, fonts, &title)
}

/// Number of pages `doc` takes (layout only, no PDF).
pub fn page_count(doc: &NoticeDoc, fonts: &Fonts) -> Result<usize, LayoutError> {
    layout(doc, fonts).map(|p| p.len())
}
