//! Rendering of `top`: `impl Widget for &State`. Reads the state, never changes it.
//!
//! Layout, top to bottom: a header line (namespace, Redis time, Redis status, gateway, sort,
//! pause, filter), a red banner while Redis is unreachable, the node table with a totals row,
//! the log line, then the share bars (actual vs predicted) with the selected node's sparklines
//! beside the alerts pane. `Enter` overlays a node's drill-down, `?` the help.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, Borders, Cell, Clear, Paragraph, Row as TRow, Sparkline, Table, Widget, Wrap,
};

use super::fmt::{self, cells, HEADER};
use super::state::{clock, NodeState, RedisStatus, Row, State};
use super::table::log_line;
use crate::output::{bar, fmt_int};

/// Table columns by priority: the first ones always fit in 80 columns, the rest appear as the
/// terminal widens. Index into `fmt::HEADER`, and a width.
const COLUMNS: [(usize, u16); 18] = [
    (0, 8),   // node
    (2, 14),  // state
    (3, 6),   // conns
    (4, 6),   // share
    (5, 6),   // pred
    (6, 5),   // sd
    (7, 6),   // % plan
    (9, 6),   // out/s
    (10, 11), // lag
    (1, 21),  // address
    (8, 6),   // in/s
    (11, 6),  // behind
    (12, 7),  // rec/min
    (13, 8),  // gaps/min
    (14, 9),  // mem
    (15, 9),  // mem/conn
    (16, 7),  // uptime
    (17, 8),  // version
];

const SPARK: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` values as a one-line sparkline (scaled to their own maximum).
pub fn spark_text(values: &[u64], width: usize) -> String {
    let v = &values[values.len().saturating_sub(width)..];
    let max = v.iter().copied().max().unwrap_or(0);
    v.iter()
        .map(|&x| {
            if max == 0 {
                SPARK[0]
            } else {
                SPARK[((x as f64 / max as f64) * 7.0).round() as usize]
            }
        })
        .collect()
}

fn state_style(s: NodeState) -> Style {
    match s {
        NodeState::Live => Style::default().fg(Color::Green),
        NodeState::Draining | NodeState::Unexpected => Style::default().fg(Color::Yellow),
        NodeState::Stale { .. } => Style::default().fg(Color::LightRed),
        NodeState::Gone { .. } | NodeState::Missing => {
            Style::default().fg(Color::Red).add_modifier(Modifier::BOLD)
        }
    }
}

impl Widget for &State {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let down = matches!(self.redis, RedisStatus::Down { .. });
        let visible = self.visible();
        let table_h = (visible.len() as u16 + 4)
            .min(area.height.saturating_sub(6))
            .max(4);
        let [header, banner, table, log, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(u16::from(down)),
            Constraint::Length(table_h),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(area);
        self.header(header, buf);
        if let RedisStatus::Down {
            since_ms,
            error,
            retry_in_ms,
        } = &self.redis
        {
            Paragraph::new(format!(
                " REDIS UNREACHABLE since {} — {error} — retrying in {:.1}s; figures below are from the last refresh",
                clock(*since_ms),
                *retry_in_ms as f64 / 1000.0
            ))
            .style(Style::default().fg(Color::White).bg(Color::Red).add_modifier(Modifier::BOLD))
            .render(banner, buf);
        }
        self.node_table(&visible, table, buf);
        Paragraph::new(format!(" {}", log_line(&self.totals))).render(log, buf);
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(bottom);
        self.shares_and_sparks(&visible, left, buf);
        self.alerts_pane(right, buf);
        if self.open.is_some() {
            self.drill_down(area, buf);
        }
        if self.help {
            help(area, buf);
        }
    }
}

impl State {
    fn header(&self, area: Rect, buf: &mut Buffer) {
        let redis = match &self.redis {
            RedisStatus::Connecting => {
                Span::styled("redis: connecting", Style::default().fg(Color::Yellow))
            }
            RedisStatus::Up { round_trips } => Span::styled(
                format!("redis up ({round_trips} rt)"),
                Style::default().fg(Color::Green),
            ),
            RedisStatus::Down { .. } => Span::styled(
                "redis DOWN",
                Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            ),
        };
        let mut spans = vec![
            Span::styled("rtctl top", Style::default().add_modifier(Modifier::BOLD)),
            Span::raw(format!(
                " · {} · {} UTC · ",
                self.namespace,
                clock(self.now_ms)
            )),
            redis,
        ];
        if self.paused {
            spans.push(Span::styled(
                " · PAUSED",
                Style::default()
                    .fg(Color::Yellow)
                    .add_modifier(Modifier::BOLD),
            ));
        }
        if self.filtering || !self.filter.is_empty() {
            spans.push(Span::raw(format!(
                " · filter /{}{}",
                self.filter,
                if self.filtering { "▏" } else { "" }
            )));
        }
        spans.push(Span::raw(format!(" · sort {}", self.sort.label())));
        spans.push(Span::styled(
            " · ? help",
            Style::default().fg(Color::DarkGray),
        ));
        if let Some(e) = &self.expectation {
            spans.push(Span::raw(format!(
                " · {} · plan {}/node",
                e.gateway,
                fmt_int(e.ceiling)
            )));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    fn node_table(&self, rows: &[&Row], area: Rect, buf: &mut Buffer) {
        // Columns that fit the width (one space between columns, two for borders).
        let mut cols: Vec<(usize, u16)> = Vec::new();
        let mut used = 2u16;
        for (i, w) in COLUMNS {
            if used + w + 1 > area.width && !cols.is_empty() {
                break;
            }
            used += w + 1;
            cols.push((i, w));
        }
        let spark_w = area.width.saturating_sub(used + 1);
        let with_spark = spark_w >= 10;
        let mut header: Vec<Cell> = cols.iter().map(|(i, _)| Cell::from(HEADER[*i])).collect();
        if with_spark {
            header.push(Cell::from("connections · out/s"));
        }
        // Rows that fit (borders, header and totals take 4 lines), scrolled to the selection.
        let fit = (area.height as usize).saturating_sub(4).max(1);
        let first = scroll(self.selected, rows.len(), fit);
        let mut body: Vec<TRow> = Vec::new();
        for (n, r) in rows.iter().enumerate().skip(first).take(fit) {
            let c = cells(r);
            let mut cells_: Vec<Cell> = cols
                .iter()
                .map(|(i, _)| {
                    let cell = Cell::from(c[*i].clone());
                    match i {
                        2 => cell.style(state_style(r.state)),
                        6 if r.sd_distance.is_some_and(|z| z.abs() > super::state::P99_Z) => {
                            cell.style(Style::default().fg(Color::Yellow))
                        }
                        7 if r.capacity_pct.is_some_and(|p| p > 100.0) => {
                            cell.style(Style::default().fg(Color::Red))
                        }
                        _ => cell,
                    }
                })
                .collect();
            if with_spark {
                let (conns, outs) = self.series(&r.id);
                let w = (spark_w as usize).saturating_sub(3) / 2;
                cells_.push(Cell::from(format!(
                    "{} {}",
                    spark_text(&conns, w),
                    spark_text(&outs, w)
                )));
            }
            let mut row = TRow::new(cells_);
            if n == self.selected {
                row = row.style(Style::default().add_modifier(Modifier::REVERSED));
            }
            body.push(row);
        }
        let t = &self.totals;
        let totals: Vec<Cell> = cols
            .iter()
            .map(|(i, _)| {
                Cell::from(match i {
                    0 => "total".to_string(),
                    2 => format!("{}/{} up", t.nodes_up, t.nodes),
                    3 => fmt::count(t.connections),
                    8 => fmt::rate(t.in_per_sec),
                    9 => fmt::rate(t.out_per_sec),
                    14 => fmt::bytes(t.memory_bytes),
                    _ => String::new(),
                })
            })
            .collect();
        body.push(TRow::new(totals).style(Style::default().add_modifier(Modifier::BOLD)));
        let mut widths: Vec<Constraint> =
            cols.iter().map(|(_, w)| Constraint::Length(*w)).collect();
        if with_spark {
            widths.push(Constraint::Min(10));
        }
        let title = if rows.is_empty() && self.rows.is_empty() {
            " nodes: none seen yet ".to_string()
        } else {
            let shown = if rows.len() > fit {
                format!(" · {}–{}", first + 1, (first + fit).min(rows.len()))
            } else {
                String::new()
            };
            format!(" nodes {}/{}{shown} ", rows.len(), self.rows.len())
        };
        Table::new(body, widths)
            .header(TRow::new(header).style(Style::default().add_modifier(Modifier::BOLD)))
            .block(Block::default().borders(Borders::ALL).title(title))
            .render(area, buf);
    }

    fn shares_and_sparks(&self, rows: &[&Row], area: Rect, buf: &mut Buffer) {
        if area.height < 3 {
            return;
        }
        let sel = self.selected_row();
        let spark_h = if area.height >= 12 && sel.is_some() {
            6
        } else {
            0
        };
        let [bars, sparks] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(spark_h)]).areas(area);
        // Share bars: actual (solid) over predicted (light), one pair per node.
        let block = Block::default()
            .borders(Borders::ALL)
            .title(" share: actual █ vs predicted ░ ");
        let inner = block.inner(bars);
        block.render(bars, buf);
        let label_w = rows
            .iter()
            .map(|r| r.id.chars().count())
            .max()
            .unwrap_or(2)
            .min(12);
        let bar_w = (inner.width as usize).saturating_sub(label_w + 8);
        let max = rows
            .iter()
            .flat_map(|r| [r.share.unwrap_or(0.0), r.predicted.unwrap_or(0.0)])
            .fold(0.0, f64::max);
        let per_node = if rows.iter().any(|r| r.predicted.is_some()) {
            2
        } else {
            1
        };
        let fit = (inner.height as usize / per_node).max(1);
        let first = scroll(self.selected, rows.len(), fit);
        let mut lines: Vec<Line> = Vec::new();
        for r in rows.iter().skip(first).take(fit) {
            let id: String = r.id.chars().take(label_w).collect();
            let a = r.share.unwrap_or(0.0);
            let style = if r.sd_distance.is_some_and(|z| z.abs() > super::state::P99_Z) {
                Style::default().fg(Color::Yellow)
            } else {
                Style::default().fg(Color::Cyan)
            };
            lines.push(Line::from(vec![
                Span::raw(format!("{id:<label_w$} ")),
                Span::styled(format!("{:<bar_w$}", bar(a, max, bar_w)), style),
                Span::raw(format!(" {:>5.1}%", a * 100.0)),
            ]));
            if let Some(p) = r.predicted {
                let pred: String = bar(p, max, bar_w).chars().map(|_| '░').collect();
                lines.push(Line::from(vec![
                    Span::raw(format!("{:<label_w$} ", "")),
                    Span::styled(
                        format!("{pred:<bar_w$}"),
                        Style::default().fg(Color::DarkGray),
                    ),
                    Span::raw(format!(" {:>5.1}%", p * 100.0)),
                ]));
            }
        }
        Paragraph::new(lines).render(inner, buf);
        if let (Some(r), true) = (sel, spark_h > 0) {
            let (conns, outs) = self.series(&r.id);
            let [a, b] =
                Layout::vertical([Constraint::Length(3), Constraint::Length(3)]).areas(sparks);
            spark(&format!(" {} connections ", r.id), &conns, a, buf);
            spark(&format!(" {} deliveries/s ", r.id), &outs, b, buf);
        }
    }

    fn alerts_pane(&self, area: Rect, buf: &mut Buffer) {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" alerts ({}) ", self.alerts.len()));
        let lines: Vec<Line> = if self.alerts.is_empty() {
            vec![Line::styled("no alerts", Style::default().fg(Color::Green))]
        } else {
            self.alerts
                .iter()
                .take(area.height as usize)
                .map(|a| {
                    Line::from(vec![
                        Span::styled(clock(a.at_ms), Style::default().fg(Color::DarkGray)),
                        Span::raw(" "),
                        Span::styled(
                            if a.node.is_empty() {
                                "fleet".to_string()
                            } else {
                                a.node.clone()
                            },
                            Style::default().add_modifier(Modifier::BOLD),
                        ),
                        Span::raw(" "),
                        Span::styled(a.message.clone(), Style::default().fg(Color::Yellow)),
                    ])
                })
                .collect()
        };
        Paragraph::new(lines)
            .wrap(Wrap { trim: true })
            .block(block)
            .render(area, buf);
    }

    fn drill_down(&self, area: Rect, buf: &mut Buffer) {
        let Some(id) = &self.open else { return };
        let popup = centered(area, 90, 90);
        Clear.render(popup, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" node {id} · Enter/Esc closes "));
        let inner = block.inner(popup);
        block.render(popup, buf);
        let row = self.rows.iter().find(|r| &r.id == id);
        let mut lines: Vec<Line> = Vec::new();
        if let Some(r) = row {
            let c = cells(r);
            for pair in HEADER.iter().zip(c.iter()).collect::<Vec<_>>().chunks(3) {
                lines.push(Line::from(
                    pair.iter()
                        .map(|(h, v)| format!("{h:>9}: {v:<22}"))
                        .collect::<String>(),
                ));
            }
            lines.push(Line::from(format!(
                "client IPs: {} · largest {}",
                fmt::opt(r.client_ips, fmt::count),
                fmt::opt(r.top_client_ip_share, fmt::pct)
            )));
        }
        let [figures, rest] = Layout::vertical([
            Constraint::Length(lines.len() as u16 + 1),
            Constraint::Min(0),
        ])
        .areas(inner);
        Paragraph::new(lines).render(figures, buf);
        let [sparks, lists] = Layout::vertical([
            Constraint::Length(6.min(rest.height / 2)),
            Constraint::Min(0),
        ])
        .areas(rest);
        let (conns, outs) = self.series(id);
        let [a, b] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
            .areas(sparks);
        spark(" connections ", &conns, a, buf);
        spark(" deliveries/s ", &outs, b, buf);
        let [d, ips, why] = Layout::horizontal([
            Constraint::Percentage(40),
            Constraint::Percentage(30),
            Constraint::Percentage(30),
        ])
        .areas(lists);
        match &self.detail {
            None => {
                Paragraph::new("waiting for the node's detail (written every few seconds)…")
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(" departments "),
                    )
                    .render(d, buf);
            }
            Some(det) => {
                let mut depts: Vec<(&String, &u64)> = det.departments.iter().collect();
                depts.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
                let list = |title: String, items: Vec<String>, r: Rect, buf: &mut Buffer| {
                    Paragraph::new(items.into_iter().map(Line::from).collect::<Vec<_>>())
                        .block(Block::default().borders(Borders::ALL).title(title))
                        .render(r, buf)
                };
                list(
                    format!(" departments ({}) ", det.departments.len()),
                    depts.iter().map(|(k, n)| format!("{n:>7} {k}")).collect(),
                    d,
                    buf,
                );
                list(
                    " top client IPs ".into(),
                    det.client_ips
                        .iter()
                        .map(|(ip, n)| format!("{n:>7} {ip}"))
                        .collect(),
                    ips,
                    buf,
                );
                let mut reasons: Vec<(&String, &u64)> = det.disconnects.iter().collect();
                reasons.sort_by(|a, b| b.1.cmp(a.1));
                list(
                    " disconnect reasons ".into(),
                    reasons.iter().map(|(k, n)| format!("{n:>7} {k}")).collect(),
                    why,
                    buf,
                );
            }
        }
    }
}

/// The first row to show so that `selected` is on screen, `fit` rows at a time.
fn scroll(selected: usize, rows: usize, fit: usize) -> usize {
    if rows <= fit {
        0
    } else {
        selected.saturating_sub(fit - 1).min(rows - fit)
    }
}

fn spark(title: &str, data: &[u64], area: Rect, buf: &mut Buffer) {
    let w = area.width.saturating_sub(2) as usize;
    let tail = &data[data.len().saturating_sub(w)..];
    Sparkline::default()
        .block(Block::default().borders(Borders::ALL).title(format!(
            "{title}{} ",
            tail.last().map_or(String::new(), |v| format!("· {}", fmt::count(*v)))
        )))
        .data(tail)
        .style(Style::default().fg(Color::Cyan))
        .render(area, buf);
}

fn centered(area: Rect, pct_x: u16, pct_y: u16) -> Rect {
    let w = area.width * pct_x / 100;
    let h = area.height * pct_y / 100;
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

fn help(area: Rect, buf: &mut Buffer) {
    let text = [
        "q Esc Ctrl-C  quit (Esc closes a node first)",
        "j k ↑ ↓       select a node",
        "Enter         open / close the selected node",
        "s             cycle the sort column",
        "p             pause / resume refreshing",
        "/             filter nodes (Enter or Esc ends typing)",
        "?             this help (any key closes)",
        "",
        "states: live · draining · stale (heartbeat late) · gone (no heartbeat)",
        "        missing (in the fleet file, never seen) · unexpected (not in it)",
        "sd: distance of the node's connections from the gateway model's",
        "    prediction, in standard deviations (alert beyond ±2.6: p99)",
        "% plan: connections ÷ the per-node ceiling `rtctl plan` computes",
    ];
    let popup = centered(area, 90, 80);
    Clear.render(popup, buf);
    Paragraph::new(text.iter().map(|l| Line::from(*l)).collect::<Vec<_>>())
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" rtctl top: keys "),
        )
        .render(popup, buf);
}

#[cfg(test)]
mod tests {
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    use super::*;
    use crate::redis_schema::NodeDetail;
    use crate::top::state::Key;
    use crate::top::testkit::{fleet, hb, healthy, sample, three, T0};

    fn draw(st: &State, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| f.render_widget(st, f.area())).unwrap();
        t
    }

    #[test]
    fn healthy_fleet() {
        let st = healthy(20);
        insta::assert_snapshot!(draw(&st, 160, 40).backend());
    }

    #[test]
    fn healthy_fleet_80x24() {
        let st = healthy(20);
        insta::assert_snapshot!(draw(&st, 80, 24).backend());
    }

    #[test]
    fn stale_and_gone_nodes() {
        let mut st = healthy(10);
        let t = T0 + 20_000;
        let mut late = hb("n2", T0 + 16_000, 1000, 8000);
        late.uptime_secs = 616;
        st.apply(sample(
            t,
            &[hb("n1", t, 1500, 10_000), late],
            &[("n3", T0 + 9_000)],
        ));
        let term = draw(&st, 160, 40);
        insta::assert_snapshot!(term.backend());
    }

    #[test]
    fn skewed_fleet() {
        let mut st = State::new("default", Some(three()), 1000);
        for i in 0..5 {
            let t = T0 + i * 1000;
            st.apply(sample(
                t,
                &[
                    hb("n1", t, 2100, i * 900),
                    hb("n2", t, 600, i * 300),
                    hb("n3", t, 300, i * 100),
                ],
                &[],
            ));
        }
        insta::assert_snapshot!(draw(&st, 160, 40).backend());
    }

    #[test]
    fn nat_trap() {
        let mut st = State::new("default", Some(fleet("ip", "consistent")), 1000);
        let mut h = hb("n1", T0, 2950, 0);
        h.client_ips = 4;
        h.top_client_ip_share = 0.99;
        st.apply(sample(
            T0,
            &[h, hb("n2", T0, 30, 0), hb("n3", T0, 20, 0)],
            &[],
        ));
        insta::assert_snapshot!(draw(&st, 160, 40).backend());
    }

    #[test]
    fn redis_down() {
        let mut st = healthy(5);
        st.apply_error(T0 + 8000, "connection refused (os error 111)", 4000);
        insta::assert_snapshot!(draw(&st, 160, 40).backend());
    }

    #[test]
    fn node_drill_down_and_help() {
        let mut st = healthy(10);
        st.on_key(Key::Down);
        st.on_key(Key::Enter);
        let t = T0 + 10_000;
        let p = three().shares(&[]).unwrap();
        let mut s = sample(
            t,
            &(1..=3)
                .map(|k| hb(&format!("n{k}"), t, (p[k - 1] * 3000.0) as u64, 5000))
                .collect::<Vec<_>>(),
            &[],
        );
        s.detail = Some(NodeDetail {
            node_id: "n2".into(),
            at_ms: t,
            departments: [("D1".to_string(), 600), ("D2".to_string(), 400)].into(),
            client_ips: vec![("127.0.0.1".into(), 1000)],
            disconnects: [("transport close".to_string(), 12)].into(),
        });
        st.apply(s);
        insta::assert_snapshot!("drill_down", draw(&st, 120, 36).backend());
        st.on_key(Key::Esc);
        st.on_key(Key::Char('?'));
        insta::assert_snapshot!("help", draw(&st, 80, 24).backend());
    }

    #[test]
    fn the_table_scrolls_to_the_selected_node() {
        assert_eq!(scroll(0, 3, 10), 0);
        assert_eq!(scroll(9, 100, 10), 0);
        assert_eq!(scroll(10, 100, 10), 1);
        assert_eq!(scroll(99, 100, 10), 90);
        // 30 nodes on 80x24: the selected last one is on screen.
        let mut st = State::new("default", None, 1000);
        let hbs: Vec<_> = (10..40).map(|k| hb(&format!("n{k}"), T0, 10, 0)).collect();
        st.apply(sample(T0, &hbs, &[]));
        for _ in 0..29 {
            st.on_key(Key::Down);
        }
        let t = draw(&st, 80, 24);
        let screen = format!("{}", t.backend());
        assert!(screen.contains("│n39      live"), "{screen}");
        assert!(!screen.contains("│n10      live"), "{screen}");
        assert!(screen.contains("│n39 ███"), "share bars follow: {screen}");
        assert!(screen.contains("nodes 30/30 · "), "{screen}");
    }

    #[test]
    fn sparkline_text_scales_to_its_maximum() {
        assert_eq!(spark_text(&[0, 6, 14], 3), "▁▄█");
        assert_eq!(spark_text(&[5, 0, 0, 0], 2), "▁▁");
        assert_eq!(spark_text(&[], 4), "");
    }
}
