//! `sync-status-badge.svg`: a two-part "sync | 87.5%" badge for READMEs, sized from Verdana's
//! real glyph widths so it looks like every other badge next to it.

use serde::Serialize;

use super::engine;
use super::escape::http_url;
use super::view::percent;
use super::ReportError;

/// Verdana Regular advance widths for ASCII 0x20..=0x7E, in thousandths of an em (the font's
/// published metrics). At 11 px a glyph is `width × 11 / 1000` px wide.
const VERDANA_WIDTHS: [u16; 95] = [
    351, 393, 458, 818, 635, 1076, 726, 268, 454, 454, 635, 818, 363, 454, 363, 454, // ' '../
    635, 635, 635, 635, 635, 635, 635, 635, 635, 635, // 0..9
    454, 454, 818, 818, 818, 545, 1000, // :;<=>?@
    683, 685, 698, 770, 632, 574, 775, 751, 420, 454, 692, 556, 842, // A..M
    748, 787, 603, 787, 695, 683, 616, 731, 683, 988, 685, 615, 685, // N..Z
    454, 454, 454, 818, 635, 635, // [\]^_`
    600, 623, 520, 623, 595, 351, 623, 632, 274, 344, 591, 274, 972, // a..m
    632, 606, 623, 623, 426, 520, 394, 632, 591, 818, 591, 591, 525, // n..z
    634, 454, 634, 818, // {|}~
];

/// Width used for characters outside the table: a full em, so text never overflows its box.
const FALLBACK_WIDTH: u16 = 1000;

const FONT_SIZE_PX: f64 = 11.0;
/// Space left and right of each text.
const PADDING_PX: f64 = 6.0;

/// Width of `text` in Verdana 11 px, in pixels.
pub fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| {
            let w = match c {
                ' '..='~' => VERDANA_WIDTHS[c as usize - 0x20],
                _ => FALLBACK_WIDTH,
            };
            f64::from(w) * FONT_SIZE_PX / 1000.0
        })
        .sum()
}

/// The badge's colour band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BadgeColor {
    /// ≥ 90 %: `#1a7f37` with white text.
    Green,
    /// 70 % to < 90 %: `#d4a72c` with near-black text (white on yellow is unreadable).
    Yellow,
    /// < 70 %: `#cf222e` with white text.
    Red,
}

impl BadgeColor {
    pub fn fill(self) -> &'static str {
        match self {
            BadgeColor::Green => "#1a7f37",
            BadgeColor::Yellow => "#d4a72c",
            BadgeColor::Red => "#cf222e",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            BadgeColor::Yellow => "#1f2328",
            _ => "#ffffff",
        }
    }
}

/// The colour for a sync percentage, judged on the one-decimal value the badge shows (so a
/// badge reading "90%" is never yellow). NaN counts as 0.
pub fn badge_color(percentage: f64) -> BadgeColor {
    let shown = display_value(percentage);
    if shown >= 90.0 {
        BadgeColor::Green
    } else if shown >= 70.0 {
        BadgeColor::Yellow
    } else {
        BadgeColor::Red
    }
}

fn display_value(percentage: f64) -> f64 {
    let p = if percentage.is_nan() {
        0.0
    } else {
        percentage.clamp(0.0, 100.0)
    };
    (p * 10.0).round() / 10.0
}

#[derive(Serialize)]
struct Part {
    text: String,
    x: f64,
    width: u32,
    text_width: f64,
}

#[derive(Serialize)]
struct BadgeCtx {
    width: u32,
    label: Part,
    message: Part,
    fill: &'static str,
    text_color: &'static str,
    title: String,
    link: Option<String>,
}

fn part(text: &str, left: u32) -> Part {
    let tw = (text_width(text) * 10.0).round() / 10.0;
    let width = (tw + 2.0 * PADDING_PX).ceil() as u32;
    Part {
        text: text.to_string(),
        x: f64::from(left) + f64::from(width) / 2.0,
        width,
        text_width: tw,
    }
}

/// `sync-status-badge.svg` for a sync percentage; `link` (http/https only) makes it clickable
/// where SVG links work.
pub fn badge_svg(percentage: f64, link: Option<&str>) -> Result<String, ReportError> {
    let color = badge_color(percentage);
    let value = format!("{}%", percent(display_value(percentage)));
    let label = part("sync", 0);
    let message = part(&value, label.width);
    let ctx = BadgeCtx {
        width: label.width + message.width,
        title: format!("sync: {value}"),
        fill: color.fill(),
        text_color: color.text(),
        link: link.and_then(http_url),
        label,
        message,
    };
    engine::render(engine::BADGE, &ctx).map_err(|source| ReportError {
        report: "sync-status-badge.svg",
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_boundaries() {
        assert_eq!(badge_color(69.9), BadgeColor::Red);
        assert_eq!(badge_color(70.0), BadgeColor::Yellow);
        assert_eq!(badge_color(89.9), BadgeColor::Yellow);
        assert_eq!(badge_color(90.0), BadgeColor::Green);
        assert_eq!(badge_color(0.0), BadgeColor::Red);
        assert_eq!(badge_color(100.0), BadgeColor::Green);
        assert_eq!(badge_color(f64::NAN), BadgeColor::Red);
        // Judged on what the badge shows: 89.96 reads "90%", so it is green.
        assert_eq!(badge_color(89.96), BadgeColor::Green);
        assert_eq!(badge_color(69.94), BadgeColor::Red);
    }

    #[test]
    fn badge_svg_uses_the_band_colour_at_each_boundary() {
        for (p, color, shown) in [
            (69.9, BadgeColor::Red, "69.9%"),
            (70.0, BadgeColor::Yellow, "70%"),
            (89.9, BadgeColor::Yellow, "89.9%"),
            (90.0, BadgeColor::Green, "90%"),
        ] {
            let svg = badge_svg(p, None).unwrap();
            assert!(
                svg.contains(&format!("fill=\"{}\"", color.fill())),
                "{p}: {svg}"
            );
            assert!(svg.contains(&format!(">{shown}</text>")), "{p}: {svg}");
            assert!(
                svg.contains(&format!("aria-label=\"sync: {shown}\"")),
                "{p}"
            );
            assert!(
                svg.contains(&format!("<title>sync: {shown}</title>")),
                "{p}"
            );
        }
    }

    #[test]
    fn widths_follow_verdana() {
        // Digits are tabular in Verdana: 635/1000 em, just under 7 px at 11 px.
        assert!((text_width("0") - 6.985).abs() < 1e-9);
        assert_eq!(text_width("1"), text_width("8"));
        // "sync": s 520 + y 591 + n 632 + c 520 = 2263 thousandths → 24.893 px.
        assert!((text_width("sync") - 24.893).abs() < 1e-9);
        assert!(text_width("100%") > text_width("90%"));
        assert!(text_width("W") > text_width("i") * 3.0);
        assert_eq!(text_width("é"), 11.0);
    }

    #[test]
    fn badge_width_grows_with_the_message() {
        let w = |p: f64| {
            let svg = badge_svg(p, None).unwrap();
            let start = svg.find("width=\"").unwrap() + 7;
            let end = start + svg[start..].find('"').unwrap();
            svg[start..end].parse::<f64>().unwrap()
        };
        assert!(w(100.0) > w(90.0));
        assert!(w(87.5) > w(90.0));
        // label 25 + 12 → 37, "87.5%": 3×6.985 + 3.993 + 11.836 = 36.784 → 37 + 12 → 49.
        assert_eq!(w(87.5), 37.0 + 49.0);
        assert_eq!(w(100.0), 37.0 + 45.0);
    }

    fn luminance(hex: &str) -> f64 {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        let ch = |shift: u32| {
            let c = f64::from((v >> shift) & 0xff) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(16) + 0.7152 * ch(8) + 0.0722 * ch(0)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (x, y) = (luminance(a), luminance(b));
        (x.max(y) + 0.05) / (x.min(y) + 0.05)
    }

    #[test]
    fn badge_text_meets_wcag_aa_contrast() {
        for c in [BadgeColor::Green, BadgeColor::Yellow, BadgeColor::Red] {
            let ratio = contrast(c.fill(), c.text());
            assert!(ratio >= 4.5, "{c:?}: {ratio:.2}");
        }
        assert!(contrast("#555555", "#ffffff") >= 4.5);
    }

    #[test]
    fn link_only_for_web_urls() {
        let svg = badge_svg(
            95.0,
            Some("https://example.test/audit/speed-dashboard.html"),
        )
        .unwrap();
        assert!(
            svg.contains("<a href=\"https:&#x2f;&#x2f;example.test"),
            "{svg}"
        );
        let svg = badge_svg(95.0, Some("javascript:alert(1)")).unwrap();
        assert!(!svg.contains("<a "), "{svg}");
    }
}
