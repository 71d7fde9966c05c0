//! Report output: human tables (comfy-table) or JSON. Pure apart from the final write.

use std::io::{IsTerminal, Write};

use comfy_table::{presets, Cell, CellAlignment, Color, ContentArrangement, Table};
use serde::Serialize;

use crate::cli::{ColorChoice, OutputFormat};
use crate::error::{Error, Result};

/// How reports are styled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour only when asked, or on a terminal without `NO_COLOR`.
    pub fn detect(choice: ColorChoice) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        Style { color }
    }

    pub fn plain() -> Style {
        Style { color: false }
    }

    /// A table with rtctl's fixed look: deterministic width, no terminal probing.
    pub fn table(&self, header: &[&str]) -> Table {
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .force_no_tty();
        if self.color {
            t.enforce_styling();
        }
        t.set_header(header.iter().map(Cell::new));
        t
    }

    /// A right-aligned cell (numbers).
    pub fn num(&self, s: impl ToString) -> Cell {
        Cell::new(s.to_string()).set_alignment(CellAlignment::Right)
    }

    /// A cell coloured as a warning when colour is on.
    pub fn warn(&self, s: impl ToString) -> Cell {
        let c = Cell::new(s.to_string());
        if self.color {
            c.fg(Color::Yellow)
        } else {
            c
        }
    }

    /// A cell coloured as good when colour is on.
    pub fn good(&self, s: impl ToString) -> Cell {
        let c = Cell::new(s.to_string());
        if self.color {
            c.fg(Color::Green)
        } else {
            c
        }
    }

    /// Wrap a line in the "good" colour.
    pub fn good_line(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[32m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Wrap a line in the warning colour.
    pub fn warn_line(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[33m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

/// A report prints itself as text, and serializes for `--output json`.
pub trait Report: Serialize {
    fn human(&self, style: &Style) -> String;
}

/// Write a report in the chosen format.
pub fn emit<R: Report>(
    report: &R,
    format: OutputFormat,
    style: &Style,
    out: &mut dyn Write,
) -> Result<()> {
    let text = match format {
        OutputFormat::Table => report.human(style),
        OutputFormat::Json => {
            let mut s = serde_json::to_string_pretty(report)
                .map_err(|e| Error::Internal(format!("serializing the report: {e}")))?;
            s.push('\n');
            s
        }
    };
    out.write_all(text.as_bytes()).map_err(Error::stdout)?;
    out.flush().map_err(Error::stdout)
}

/// A horizontal bar of `value / max` scaled to `width` cells (eighth-block resolution).
pub fn bar(value: f64, max: f64, width: usize) -> String {
    if max <= 0.0 || width == 0 || value <= 0.0 {
        return String::new();
    }
    let eighths = ((value / max).clamp(0.0, 1.0) * width as f64 * 8.0).round() as usize;
    let full = eighths / 8;
    let rest = eighths % 8;
    let mut s = "█".repeat(full);
    if rest > 0 {
        s.push(['▏', '▎', '▍', '▌', '▋', '▊', '▉'][rest - 1]);
    }
    s
}

/// Format a float with `d` decimals, dropping a trailing `.0…`.
pub fn fmt_f(v: f64, d: usize) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "n/a".into()
        } else {
            "∞".into()
        };
    }
    let s = format!("{v:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A share as a percentage with one decimal: `0.256` → `25.6%`.
pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Thousands separators for counts: 1200000 -> 1,200,000.
pub fn fmt_int(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_and_clamp() {
        assert_eq!(bar(10.0, 10.0, 4), "████");
        assert_eq!(bar(5.0, 10.0, 4), "██");
        assert_eq!(bar(1.0, 16.0, 2), "▏");
        assert_eq!(bar(0.0, 10.0, 4), "");
        assert_eq!(bar(20.0, 10.0, 4), "████");
    }

    #[test]
    fn numbers_format() {
        assert_eq!(fmt_int(1_200_000), "1,200,000");
        assert_eq!(fmt_int(999), "999");
        assert_eq!(fmt_f(16.330, 2), "16.33");
        assert_eq!(fmt_f(400.0, 1), "400");
        assert_eq!(fmt_f(f64::INFINITY, 1), "∞");
    }

    #[test]
    fn tables_have_no_colour_unless_asked() {
        let s = Style::plain();
        let mut t = s.table(&["a"]);
        t.add_row(vec![s.warn("x")]);
        assert!(!t.to_string().contains('\x1b'));
        let c = Style { color: true };
        let mut t = c.table(&["a"]);
        t.add_row(vec![c.warn("x")]);
        assert!(t.to_string().contains('\x1b'));
    }
}
