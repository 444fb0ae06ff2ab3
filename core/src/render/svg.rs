//! The diagrams as SVG, laid out here with no layout engine: integer coordinates, text
//! widths from Helvetica's metrics, everything in the order of the other formats, so the
//! output is byte-for-byte stable. [`Format::Svg`](super::Format::Svg) documents the
//! layout, the ids and the classes a page relies on.
//!
//! A lifecycle is a *staircase*: a column per category, the start's first, and a row per
//! node, so no two nodes share a row. An edge leaves its source sideways (rightwards when
//! its target's column is further right, else leftwards), runs vertically in a lane of the
//! gutter left of its target's column, and enters the target from the left, its label just
//! before the arrowhead. A row holds only its own node's lines, a gutter only lanes and
//! labels, so no line crosses a box and no label meets another label or a box.

use core::fmt::Write as _;

use super::{Diagram, Edge, Label, Layer, Layers, Lifecycle, Picture, Style, TEXT};

/// What a highlighted drawing marks, in wire strings.
#[derive(Debug, Default)]
pub(super) struct Marks {
    /// The current status.
    pub(super) current: Option<String>,
    /// The `(from, to)` transitions taken.
    pub(super) taken: Vec<(String, String)>,
}

impl Marks {
    fn takes(&self, pairs: &[(String, String)]) -> bool {
        pairs.iter().any(|pair| self.taken.contains(pair))
    }
}

/// An SVG document, with where its boxes and texts lie (for the tests).
pub(super) struct Drawn {
    pub(super) text: String,
    #[cfg_attr(not(test), allow(dead_code, reason = "read by the tests"))]
    pub(super) extents: Vec<Extent>,
}

/// A rectangle in the SVG's user units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Rect {
    pub(super) x: i32,
    pub(super) y: i32,
    pub(super) w: i32,
    pub(super) h: i32,
}

impl Rect {
    const fn new(x: i32, y: i32, w: i32, h: i32) -> Self {
        Self { x, y, w, h }
    }

    const fn right(self) -> i32 {
        self.x + self.w
    }

    const fn bottom(self) -> i32 {
        self.y + self.h
    }

    /// Whether the two share any area.
    #[cfg_attr(not(test), allow(dead_code, reason = "used by the tests"))]
    pub(super) const fn overlaps(self, other: Self) -> bool {
        self.x < other.right()
            && other.x < self.right()
            && self.y < other.bottom()
            && other.y < self.bottom()
    }
}

/// Where something drawn lies: a node's (or a note's) box, or a text outside any box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Extent {
    Box(String, Rect),
    Text(String, Rect),
}

/// The SVG of `picture`, with `marks`.
pub(super) fn render(picture: &Picture, diagram: Diagram, marks: &Marks) -> Drawn {
    match picture {
        Picture::Lifecycle(graph) => lifecycle(graph, diagram, marks),
        Picture::Layers(layers) => overlays(layers, diagram, marks),
    }
}

/// `line` fit for an XML comment: a space between consecutive hyphens.
pub(super) fn comment_safe(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut hyphen = false;
    for ch in line.chars() {
        if ch == '-' && hyphen {
            out.push(' ');
        }
        hyphen = ch == '-';
        out.push(ch);
    }
    out
}

/// `text` escaped for XML text and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Helvetica's advance widths (Arial's and Liberation Sans's are the same), in thousandths
/// of the font size, of the printable ASCII characters from the space on.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '../
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0..?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @..O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P.._
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `..o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p..~
];

/// The largest width a text is given, so sums cannot overflow.
const WIDEST: i32 = 10_000;

/// The width of `text` in a regular face of `size` pixels, with 8% to spare for a wider
/// fallback font; a character outside ASCII counts as a full em.
fn text_width(text: &str, size: i32) -> i32 {
    let units: i64 = text
        .chars()
        .map(|ch| {
            let index = usize::try_from(u32::from(ch).wrapping_sub(32)).unwrap_or(usize::MAX);
            HELVETICA.get(index).map_or(1000, |&w| i64::from(w))
        })
        .sum();
    let pixels = (units * i64::from(size) * 108 + 99_999) / 100_000;
    i32::try_from(pixels).map_or(WIDEST, |w| w.min(WIDEST))
}

/// The same in bold, about a tenth wider.
fn bold_width(text: &str, size: i32) -> i32 {
    text_width(text, size) * 11 / 10
}

fn widest(lines: &[String], size: i32) -> i32 {
    lines.iter().map(|l| text_width(l, size)).max().unwrap_or(0)
}

/// `text` in lines no wider than `width` (a word wider than `width` has a line of its own).
fn wrap(text: &str, size: i32, width: i32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let longer = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(&longer, size) > width {
            lines.push(core::mem::replace(&mut line, word.to_owned()));
        } else {
            line = longer;
        }
    }
    lines.push(line);
    lines
}

// Sizes, in pixels.
const MARGIN: i32 = 16;
/// Above the first group: the heading.
const HEADING: i32 = 38;
const NAME_SIZE: i32 = 12;
const NAME_LINE: i32 = 15;
const LABEL_SIZE: i32 = 11;
const LABEL_LINE: i32 = 13;
const TITLE_SIZE: i32 = 12;
const HEADING_SIZE: i32 = 16;
const BOX_PAD: i32 = 14;
const MIN_BOX_WIDTH: i32 = 150;
const MIN_BOX_HEIGHT: i32 = 34;
/// The slot of a port that carries no label (an edge leaving).
const OUT_SLOT: i32 = 10;
const GROUP_PAD: i32 = 12;
/// A group's title band, above its first row.
const GROUP_TITLE: i32 = 30;
const ROW_GAP: i32 = 16;
const GROUP_GAP: i32 = 22;
/// The distance between two lanes of a gutter.
const LANE: i32 = 9;
/// Between a gutter's lanes and what is beside them.
const LANE_MARGIN: i32 = 14;
/// The least vertical distance between two edges sharing a lane.
const LANE_CLEAR: i32 = 8;
/// Between a label's end and its group's border.
const LABEL_GAP: i32 = 6;
const START_RADIUS: i32 = 5;
/// The largest radius of an edge's bends.
const BEND: i32 = 6;
const LEGEND_ROW: i32 = 22;

/// The colour of the marks, and of the system (overlay) edges.
const MARK: &str = "#1f4fd1";
const SYSTEM: &str = "#3b5b92";
const LINE_COLOUR: &str = "#555555";

/// Which side of a box an edge leaves or enters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

/// A node of a lifecycle: a status or a pseudo-state, in its row.
struct Node {
    /// The name edges use: the status, or the pseudo-state's id.
    key: String,
    /// `Some((status, category))` for a status.
    status: Option<(String, String)>,
    /// The statuses a pseudo-state stands for.
    members: Vec<String>,
    /// The text in the box.
    lines: Vec<String>,
    /// The tooltip.
    tip: String,
    column: usize,
    rect: Rect,
    /// The loop on the node, an index into the edges.
    looped: Option<usize>,
}

/// An edge between two nodes, routed.
struct Route {
    edge: usize,
    from: usize,
    to: usize,
    side: Side,
    /// The gutter of its lane: the one left of the target's column.
    gutter: usize,
    out_y: i32,
    in_y: i32,
    lane: usize,
}

/// An end of an edge on a side of a box: `None` stands for the start edge.
struct Port {
    route: Option<usize>,
    incoming: bool,
    lines: i32,
    /// Ports sort by this: on the left, the edges from (or to) above first, each group
    /// nearest first, so that the lanes nest and cross as little as they can.
    order: (u8, core::cmp::Reverse<usize>, usize),
}

fn slot(port: &Port) -> i32 {
    if port.incoming {
        port.lines * LABEL_LINE + 8
    } else {
        OUT_SLOT
    }
}

/// A lifecycle as a staircase of groups.
fn lifecycle(graph: &Lifecycle, diagram: Diagram, marks: &Marks) -> Drawn {
    let (start, start_label) = (&graph.start.0, graph.start.1);
    // The start's group first, then the others in category order.
    let mut groups: Vec<&super::Group> = graph.groups.iter().collect();
    groups.sort_by_key(|g| !g.members.contains(start));
    // A column per group, its statuses then its pseudo-states; the pseudo-states across
    // categories in a column of their own, in no group, after their first status's group.
    let first_group = |p: &super::Pseudo| {
        p.members
            .first()
            .and_then(|m| groups.iter().position(|g| g.members.contains(m)))
            .unwrap_or(0)
    };
    let mut boxed: Vec<Option<&super::Group>> = Vec::new();
    let mut nodes: Vec<Node> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let c = boxed.len();
        boxed.push(Some(g));
        let wrap_width = g
            .members
            .iter()
            .map(|m| text_width(m, NAME_SIZE))
            .max()
            .unwrap_or(0)
            .max(190);
        for m in &g.members {
            nodes.push(Node {
                key: m.clone(),
                status: Some((m.clone(), g.id.clone())),
                members: Vec::new(),
                lines: vec![m.clone()],
                tip: format!("{m}: {}", g.title),
                column: c,
                rect: Rect::new(0, 0, 0, 0),
                looped: None,
            });
        }
        for p in &g.pseudo {
            nodes.push(pseudo_node(p, c, wrap_width));
        }
        let across: Vec<&super::Pseudo> = graph
            .pseudo
            .iter()
            .filter(|p| first_group(p) == i)
            .collect();
        if !across.is_empty() {
            let c = boxed.len();
            boxed.push(None);
            for p in across {
                nodes.push(pseudo_node(p, c, 190));
            }
        }
    }
    let index_of = |nodes: &[Node], key: &str| nodes.iter().position(|n| n.key == key);

    // The routes, and the ports on each side of each node.
    let mut routes: Vec<Route> = Vec::new();
    for (i, e) in graph.edges.iter().enumerate() {
        let (Some(from), Some(to)) = (index_of(&nodes, &e.from), index_of(&nodes, &e.to)) else {
            continue;
        };
        if from == to {
            if let Some(node) = nodes.get_mut(from) {
                node.looped = Some(i);
            }
            continue;
        }
        let (cf, ct) = (column(&nodes, from), column(&nodes, to));
        routes.push(Route {
            edge: i,
            from,
            to,
            side: if cf < ct { Side::Right } else { Side::Left },
            gutter: ct,
            out_y: 0,
            in_y: 0,
            lane: 0,
        });
    }
    let start_node = index_of(&nodes, start);
    let mut ports: Vec<[Vec<Port>; 2]> = nodes.iter().map(|_| [Vec::new(), Vec::new()]).collect();
    let order = |own: usize, other: usize, route: usize| {
        (u8::from(other > own), core::cmp::Reverse(other), route)
    };
    for (r, route) in routes.iter().enumerate() {
        let lines = graph.edges.get(route.edge).map_or(1, |e| e.labels.len());
        if let Some(sides) = ports.get_mut(route.from) {
            // Rightwards, every edge goes down: those to the furthest lanes (the furthest
            // gutter, the nearest target in it) on top, so that none crosses another.
            let order = match route.side {
                Side::Right => (0, core::cmp::Reverse(route.gutter), route.to),
                Side::Left => order(route.from, route.to, r),
            };
            sides[side_index(route.side)].push(Port {
                route: Some(r),
                incoming: false,
                lines: 0,
                order,
            });
        }
        if let Some(sides) = ports.get_mut(route.to) {
            sides[side_index(Side::Left)].push(Port {
                route: Some(r),
                incoming: true,
                lines: i32::try_from(lines).unwrap_or(1),
                order: order(route.to, route.from, r),
            });
        }
    }
    if let Some(sides) = start_node.and_then(|s| ports.get_mut(s)) {
        sides[side_index(Side::Left)].push(Port {
            route: None,
            incoming: true,
            lines: 1,
            order: (0, core::cmp::Reverse(usize::MAX), 0),
        });
    }
    for sides in &mut ports {
        for side in sides.iter_mut() {
            side.sort_by_key(|p| p.order);
        }
    }

    // Sizes: each node's height; each column's width.
    let ncolumns = boxed.len();
    let mut widths = vec![MIN_BOX_WIDTH; ncolumns];
    for (n, node) in nodes.iter_mut().enumerate() {
        let text = i32::try_from(node.lines.len()).unwrap_or(1) * NAME_LINE;
        let sides = ports.get(n).map_or(0, |[left, right]| {
            let height = |side: &Vec<Port>| side.iter().map(slot).sum::<i32>();
            height(left).max(height(right))
        });
        node.rect.h = MIN_BOX_HEIGHT.max(text + 16).max(sides + 8);
        if let Some(w) = widths.get_mut(node.column) {
            *w = (*w).max(widest(&node.lines, NAME_SIZE) + 2 * BOX_PAD);
            // A loop's label, beside the loop above the box, stays inside the group.
            if let Some(e) = node.looped.and_then(|e| graph.edges.get(e)) {
                *w = (*w).max(48 + widest(&e.label_lines(), LABEL_SIZE) - GROUP_PAD + 6);
            }
        }
    }
    for (c, g) in boxed.iter().enumerate() {
        if let (Some(w), Some(g)) = (widths.get_mut(c), g) {
            *w = (*w).max(bold_width(g.title, TITLE_SIZE) + 16 - 2 * GROUP_PAD);
        }
    }

    // Rows, top to bottom: each group's title band, then its nodes, a loop above its box.
    let mut group_y: Vec<(i32, i32)> = vec![(0, 0); ncolumns];
    let mut y = MARGIN + HEADING;
    for (c, span) in group_y.iter_mut().enumerate() {
        let top = y;
        y += if boxed.get(c).is_some_and(Option::is_some) {
            GROUP_TITLE
        } else {
            GROUP_PAD
        };
        let mut first = true;
        for node in nodes.iter_mut().filter(|n| n.column == c) {
            if !first {
                y += ROW_GAP;
            }
            first = false;
            if let Some(e) = node.looped.and_then(|e| graph.edges.get(e)) {
                y += loop_space(e);
            }
            node.rect.y = y;
            y += node.rect.h;
        }
        *span = (top, y + GROUP_PAD);
        y += GROUP_PAD + GROUP_GAP;
    }
    let bottom = y - GROUP_GAP;

    // Ports' heights, each side's ports centred on its box.
    let mut start_y = 0;
    for (n, sides) in ports.iter().enumerate() {
        let Some(rect) = nodes.get(n).map(|node| node.rect) else {
            continue;
        };
        for side in sides {
            let total: i32 = side.iter().map(slot).sum();
            let mut top = rect.y + (rect.h - total) / 2;
            for port in side {
                let y = if port.incoming {
                    top + port.lines * LABEL_LINE + 4
                } else {
                    top + OUT_SLOT / 2
                };
                top += slot(port);
                match port.route.and_then(|r| routes.get_mut(r)) {
                    None => start_y = y,
                    Some(route) if port.incoming => route.in_y = y,
                    Some(route) => route.out_y = y,
                }
            }
        }
    }

    // Lanes: the shortest spans first, each in the lane nearest its target's column that
    // is free over its span.
    let mut lanes: Vec<Vec<Vec<(i32, i32)>>> = vec![Vec::new(); ncolumns];
    let mut by_span: Vec<usize> = (0..routes.len()).collect();
    let span = |r: &Route| (r.out_y.min(r.in_y), r.out_y.max(r.in_y));
    by_span.sort_by_key(|&r| {
        routes
            .get(r)
            .map(|route| (route.gutter, span(route).1 - span(route).0, r))
    });
    for r in by_span {
        let Some(route) = routes.get_mut(r) else {
            continue;
        };
        let Some(gutter) = lanes.get_mut(route.gutter) else {
            continue;
        };
        let (low, high) = span(route);
        let free = |lane: &Vec<(i32, i32)>| {
            lane.iter()
                .all(|&(a, b)| b + LANE_CLEAR < low || high + LANE_CLEAR < a)
        };
        let lane = match gutter.iter().position(free) {
            Some(lane) => lane,
            None => {
                gutter.push(Vec::new());
                gutter.len() - 1
            }
        };
        if let Some(spans) = gutter.get_mut(lane) {
            spans.push((low, high));
        }
        route.lane = lane;
    }

    // Columns, left to right: the gutter's lanes, the labels, the group.
    let start_width = text_width(start_label, LABEL_SIZE);
    let mut zones = vec![0; ncolumns];
    for route in &routes {
        let w = graph
            .edges
            .get(route.edge)
            .map_or(0, |e| widest(&e.label_lines(), LABEL_SIZE));
        if let Some(z) = zones.get_mut(column(&nodes, route.to)) {
            *z = (*z).max(w);
        }
    }
    if let Some(z) = start_node.and_then(|s| zones.get_mut(column(&nodes, s))) {
        *z = (*z).max(start_width + 2 * START_RADIUS + 12);
    }
    let mut lanes_right = vec![0; ncolumns];
    let mut label_end = vec![0; ncolumns];
    let mut box_x = vec![0; ncolumns];
    let mut x = MARGIN;
    for c in 0..ncolumns {
        let count = lanes.get(c).map_or(0, Vec::len);
        x += i32::try_from(count).unwrap_or(0) * LANE;
        lanes_right[c] = x;
        x += LANE_MARGIN + zones.get(c).copied().unwrap_or(0);
        label_end[c] = x;
        box_x[c] = x + LABEL_GAP + GROUP_PAD;
        x = box_x[c] + widths.get(c).copied().unwrap_or(0) + GROUP_PAD + LANE_MARGIN;
    }
    let mut width = x - LANE_MARGIN + MARGIN;
    for node in &mut nodes {
        node.rect.x = box_x.get(node.column).copied().unwrap_or(0);
        node.rect.w = widths.get(node.column).copied().unwrap_or(0);
    }
    let lane_x = |route: &Route| {
        let right = lanes_right.get(route.gutter).copied().unwrap_or(0);
        right - LANE / 2 - i32::try_from(route.lane).unwrap_or(0) * LANE
    };

    // Drawing.
    let heading = diagram.title();
    width = width.max(text_width(heading, HEADING_SIZE) * 11 / 10 + 2 * MARGIN);
    let styles: Vec<Style> = graph.edges.iter().map(Edge::style).collect();
    let legend = Legend::new(
        &styles,
        !graph.pseudo.is_empty() || graph.groups.iter().any(|g| !g.pseudo.is_empty()),
        width,
    );
    let height = bottom + GROUP_GAP + legend.height + MARGIN;
    let categories: Vec<(&str, (&str, &str))> =
        groups.iter().map(|g| (g.id.as_str(), g.colours)).collect();
    let mut out = Canvas::new(diagram, width, height, &categories);
    out.heading(heading);

    out.body.push_str("<g class=\"groups\">\n");
    for (c, g) in boxed.iter().enumerate() {
        let Some(g) = g else { continue };
        let (top, bottom) = group_y.get(c).copied().unwrap_or((0, 0));
        let x = box_x.get(c).copied().unwrap_or(0) - GROUP_PAD;
        let w = widths.get(c).copied().unwrap_or(0) + 2 * GROUP_PAD;
        let rect = Rect::new(x, top, w, bottom - top);
        let _ = writeln!(
            out.body,
            "<g class=\"group\" data-category=\"{}\">",
            escape(&g.id)
        );
        out.rect("group-box", rect, 10, "none", "#999999");
        out.text(
            "group-title",
            x + 8,
            top + 18,
            Anchor::Start,
            &[g.title],
            TITLE_SIZE,
        );
        out.body.push_str("</g>\n");
    }
    out.body.push_str("</g>\n<g class=\"edges\">\n");

    // The start edge.
    if let Some(node) = start_node.and_then(|s| nodes.get(s)) {
        let end = label_end.get(node.column).copied().unwrap_or(0);
        let dot = end - start_width - START_RADIUS - 8;
        let _ = writeln!(
            out.body,
            "<g id=\"edge-start-{0}\" class=\"edge\" data-from=\"start\" data-to=\"{0}\" data-pairs=\"\">",
            escape(&node.key)
        );
        let _ = writeln!(
            out.body,
            "<title>{}</title>",
            escape(&format!("→ {}: {start_label}", node.key))
        );
        let _ = writeln!(
            out.body,
            "<circle class=\"start\" cx=\"{dot}\" cy=\"{start_y}\" r=\"{START_RADIUS}\" fill=\"{TEXT}\"/>"
        );
        out.path(
            Style::Drawn,
            &format!("M{},{start_y} H{}", dot + START_RADIUS, node.rect.x),
        );
        out.label_above(end, start_y, &[start_label.to_owned()], Style::Drawn);
        out.body.push_str("</g>\n");
    }
    for route in &routes {
        let (Some(e), Some(from), Some(to)) = (
            graph.edges.get(route.edge),
            nodes.get(route.from),
            nodes.get(route.to),
        ) else {
            continue;
        };
        out.edge_open(e, marks, &from.tip_name(), &to.tip_name());
        let sx = match route.side {
            Side::Right => from.rect.right(),
            Side::Left => from.rect.x,
        };
        out.path(
            e.style(),
            &bent(sx, route.out_y, lane_x(route), to.rect.x, route.in_y),
        );
        let end = label_end.get(to.column).copied().unwrap_or(0);
        out.label_above(end, route.in_y, &e.label_lines(), e.style());
        out.body.push_str("</g>\n");
    }
    // Loops, above their boxes.
    for node in &nodes {
        let Some(e) = node.looped.and_then(|e| graph.edges.get(e)) else {
            continue;
        };
        out.edge_open(e, marks, &node.tip_name(), &node.tip_name());
        let (x1, x2, top) = (node.rect.x + 20, node.rect.x + 40, node.rect.y);
        out.path(
            e.style(),
            &format!("M{x1},{top} C{x1},{0} {x2},{0} {x2},{top}", top - 28),
        );
        let lines = e.label_lines();
        let count = i32::try_from(lines.len()).unwrap_or(1);
        let first = top - 8 - (count - 1) * LABEL_LINE;
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        out.text(
            &label_class(e.style()),
            node.rect.x + 48,
            first,
            Anchor::Start,
            &refs,
            LABEL_SIZE,
        );
        out.body.push_str("</g>\n");
    }
    out.body.push_str("</g>\n<g class=\"nodes\">\n");
    for node in &nodes {
        node.draw(&mut out, marks, &nodes);
    }
    out.body.push_str("</g>\n");
    out.legend(&legend, bottom + GROUP_GAP);
    out.finish()
}

fn pseudo_node(p: &super::Pseudo, column: usize, wrap_width: i32) -> Node {
    Node {
        key: p.id.clone(),
        status: None,
        members: p.members.clone(),
        lines: wrap(&p.label, NAME_SIZE, wrap_width),
        tip: format!("{}: each of {}", p.label, p.members.join(", ")),
        column,
        rect: Rect::new(0, 0, 0, 0),
        looped: None,
    }
}

fn column(nodes: &[Node], n: usize) -> usize {
    nodes.get(n).map_or(0, |node| node.column)
}

const fn side_index(side: Side) -> usize {
    match side {
        Side::Left => 0,
        Side::Right => 1,
    }
}

/// The height a loop and its label take above a box.
fn loop_space(e: &Edge) -> i32 {
    let lines = i32::try_from(e.labels.len()).unwrap_or(1);
    (lines * LABEL_LINE + 14).max(32)
}

/// An edge from `(sx, sy)` to the lane at `lx`, along it to `ty`, then right to `tx`, its
/// bends rounded.
fn bent(sx: i32, sy: i32, lx: i32, tx: i32, ty: i32) -> String {
    let r = BEND
        .min((ty - sy).abs() / 2)
        .min((lx - sx).abs())
        .min((tx - lx).abs());
    if r <= 0 {
        return format!("M{sx},{sy} H{lx} V{ty} H{tx}");
    }
    let (dx1, dy, dx2) = ((lx - sx).signum(), (ty - sy).signum(), (tx - lx).signum());
    format!(
        "M{sx},{sy} H{} Q{lx},{sy} {lx},{} V{} Q{lx},{ty} {},{ty} H{tx}",
        lx - dx1 * r,
        sy + dy * r,
        ty - dy * r,
        lx + dx2 * r,
    )
}

impl Node {
    /// The node as a tooltip names it.
    fn tip_name(&self) -> String {
        self.lines.join(" ")
    }

    fn draw(&self, out: &mut Canvas, marks: &Marks, all: &[Self]) {
        // A status is current where it is; if the diagram draws it only inside
        // pseudo-states, they are.
        let drawn = |status: &str| {
            all.iter()
                .any(|n| n.status.as_ref().is_some_and(|(s, _)| s == status))
        };
        let current = marks
            .current
            .as_deref()
            .is_some_and(|c| match &self.status {
                Some((s, _)) => s == c,
                None => !drawn(c) && self.members.iter().any(|m| m == c),
            });
        let mark = if current { " current" } else { "" };
        match &self.status {
            Some((status, category)) => {
                let _ = writeln!(
                    out.body,
                    "<g id=\"status-{0}\" class=\"status{mark}\" data-status=\"{0}\" data-category=\"{1}\">",
                    escape(status),
                    escape(category)
                );
            }
            None => {
                let _ = writeln!(
                    out.body,
                    "<g id=\"pseudo-{}\" class=\"pseudo{mark}\" data-statuses=\"{}\">",
                    escape(&self.key),
                    escape(&self.members.join(" "))
                );
            }
        }
        let _ = writeln!(out.body, "<title>{}</title>", escape(&self.tip));
        out.node_box(&self.key, self.rect, &self.lines);
        out.body.push_str("</g>\n");
    }
}

fn label_class(style: Style) -> String {
    match style {
        Style::Drawn => "label".to_owned(),
        Style::Inferred => "label inferred".to_owned(),
        Style::System => "label system".to_owned(),
    }
}

const fn style_class(style: Style) -> &'static str {
    match style {
        Style::Drawn => "drawn",
        Style::Inferred => "inferred",
        Style::System => "system",
    }
}

#[derive(Debug, Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    const fn attribute(self) -> &'static str {
        match self {
            Self::Start => "",
            Self::Middle => " text-anchor=\"middle\"",
            Self::End => " text-anchor=\"end\"",
        }
    }
}

/// The legend: what the lines and boxes mean, the marks included.
struct Legend {
    items: Vec<(LegendSample, &'static str)>,
    /// Each item's `(x offset, row)`.
    places: Vec<(i32, i32)>,
    height: i32,
}

#[derive(Debug, Clone, Copy)]
enum LegendSample {
    Line(Style),
    Pseudo,
    Current,
    Taken,
}

impl Legend {
    fn new(styles: &[Style], pseudo: bool, width: i32) -> Self {
        let mut items = Vec::new();
        for (style, words) in [
            (Style::Drawn, "in Nectar's published diagram"),
            (
                Style::Inferred,
                "inferred from the status tables and check rules",
            ),
            (Style::System, "system: an overlay raised or lifted"),
        ] {
            if styles.contains(&style) {
                items.push((LegendSample::Line(style), words));
            }
        }
        if pseudo {
            items.push((
                LegendSample::Pseudo,
                "stands for each status it names: an edge from it leaves each of them",
            ));
        }
        items.push((LegendSample::Current, "current status (when marked)"));
        items.push((LegendSample::Taken, "transition taken (when marked)"));
        let mut places = Vec::new();
        let (mut x, mut row) = (0, 0);
        for (_, words) in &items {
            let w = 42 + text_width(words, LABEL_SIZE) + 24;
            if x > 0 && MARGIN + x + w > width - MARGIN {
                x = 0;
                row += 1;
            }
            places.push((x, row));
            x += w;
        }
        Self {
            items,
            places,
            height: (row + 1) * LEGEND_ROW,
        }
    }
}

/// An SVG being written, and the extents of what it holds.
struct Canvas {
    name: &'static str,
    head: String,
    body: String,
    extents: Vec<Extent>,
}

impl Canvas {
    fn new(diagram: Diagram, width: i32, height: i32, categories: &[(&str, (&str, &str))]) -> Self {
        let name = diagram.name();
        let mut head = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"diagram-{name}\" class=\"lifecycle-diagram\" \
             viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" \
             aria-labelledby=\"diagram-{name}-title\">\n<title id=\"diagram-{name}-title\">{}</title>\n",
            escape(diagram.title())
        );
        head.push_str("<style>\n");
        head.push_str(CSS);
        for (id, (fill, border)) in categories {
            let id = escape(id);
            let _ = writeln!(
                head,
                ".lifecycle-diagram .group[data-category=\"{id}\"] > .group-box {{ fill: {fill}; stroke: {border}; }}\n\
                 .lifecycle-diagram [data-category=\"{id}\"] > .box {{ stroke: {border}; }}"
            );
        }
        let _ = writeln!(
            head,
            "#diagram-{name} .edge.taken > path {{ marker-end: url(#{name}-arrow-taken); }}"
        );
        head.push_str("</style>\n<defs>\n");
        for (suffix, class, colour) in [
            ("", "arrowhead", LINE_COLOUR),
            ("-system", "arrowhead-system", SYSTEM),
            ("-taken", "arrowhead-taken", MARK),
        ] {
            let _ = writeln!(
                head,
                "<marker id=\"{name}-arrow{suffix}\" class=\"{class}\" viewBox=\"0 0 10 10\" \
                 refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" markerUnits=\"userSpaceOnUse\" \
                 orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{colour}\"/></marker>"
            );
        }
        head.push_str("</defs>\n");
        let _ = writeln!(
            head,
            "<rect class=\"background\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
        );
        Self {
            name,
            head,
            body: String::new(),
            extents: Vec::new(),
        }
    }

    fn finish(self) -> Drawn {
        Drawn {
            text: format!("{}{}</svg>\n", self.head, self.body),
            extents: self.extents,
        }
    }

    fn heading(&mut self, heading: &str) {
        self.text(
            "heading",
            MARGIN,
            MARGIN + HEADING_SIZE,
            Anchor::Start,
            &[heading],
            HEADING_SIZE,
        );
    }

    fn rect(&mut self, class: &str, r: Rect, radius: i32, fill: &str, stroke: &str) {
        let _ = writeln!(
            self.body,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"{radius}\" fill=\"{fill}\" stroke=\"{stroke}\"/>",
            r.x, r.y, r.w, r.h
        );
    }

    /// Text lines from the baseline `y` of the first, one [`LABEL_LINE`] (or
    /// [`NAME_LINE`]) apart; recorded as an extent unless it is a box's name.
    fn text(&mut self, class: &str, x: i32, y: i32, anchor: Anchor, lines: &[&str], size: i32) {
        let step = if size == LABEL_SIZE {
            LABEL_LINE
        } else {
            NAME_LINE
        };
        let _ = write!(
            self.body,
            "<text class=\"{class}\" x=\"{x}\" y=\"{y}\"{}>",
            anchor.attribute()
        );
        if let [line] = lines {
            self.body.push_str(&escape(line));
        } else {
            let mut baseline = y;
            for line in lines {
                let _ = write!(
                    self.body,
                    "<tspan x=\"{x}\" y=\"{baseline}\">{}</tspan>",
                    escape(line)
                );
                baseline += step;
            }
        }
        self.body.push_str("</text>\n");
        if class != "name" {
            let bold = class.contains("title") || class == "heading";
            let mut baseline = y;
            for line in lines {
                let w = if bold {
                    bold_width(line, size)
                } else {
                    text_width(line, size)
                };
                let left = match anchor {
                    Anchor::Start => x,
                    Anchor::Middle => x - w / 2,
                    Anchor::End => x - w,
                };
                self.extents.push(Extent::Text(
                    format!("{class}: {line}"),
                    Rect::new(left, baseline - size + 2, w, size + 1),
                ));
                baseline += step;
            }
        }
    }

    /// An edge's label, right-aligned at `end`, its last line just above the edge at `y`.
    fn label_above(&mut self, end: i32, y: i32, lines: &[String], style: Style) {
        let count = i32::try_from(lines.len()).unwrap_or(1);
        let first = y - 4 - (count - 1) * LABEL_LINE;
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.text(
            &label_class(style),
            end,
            first,
            Anchor::End,
            &refs,
            LABEL_SIZE,
        );
    }

    fn path(&mut self, style: Style, d: &str) {
        let (suffix, colour) = match style {
            Style::System => ("-system", SYSTEM),
            Style::Drawn | Style::Inferred => ("", LINE_COLOUR),
        };
        let dash = match style {
            Style::Inferred => " stroke-dasharray=\"6 4\"",
            Style::Drawn | Style::System => "",
        };
        let _ = writeln!(
            self.body,
            "<path class=\"{}\" d=\"{d}\" fill=\"none\" stroke=\"{colour}\"{dash} marker-end=\"url(#{}-arrow{suffix})\"/>",
            style_class(style),
            self.name
        );
    }

    /// Opens an edge's group, with its tooltip.
    fn edge_open(&mut self, e: &Edge, marks: &Marks, from: &str, to: &str) {
        let mark = if marks.takes(&e.pairs) { " taken" } else { "" };
        let pairs: Vec<String> = e.pairs.iter().map(|(f, t)| format!("{f}-{t}")).collect();
        let _ = writeln!(
            self.body,
            "<g id=\"edge-{0}-{1}\" class=\"edge{mark}\" data-from=\"{0}\" data-to=\"{1}\" data-pairs=\"{2}\">",
            escape(&e.from),
            escape(&e.to),
            escape(&pairs.join(" "))
        );
        let events: Vec<&str> = e.labels.iter().map(|l| l.text.as_str()).collect();
        let _ = writeln!(
            self.body,
            "<title>{}</title>",
            escape(&format!("{from} → {to}: {}", events.join(", ")))
        );
    }

    /// A node's box and its name, centred.
    fn node_box(&mut self, key: &str, r: Rect, lines: &[String]) {
        self.rect("box", r, 6, "#ffffff", LINE_COLOUR);
        self.extents.push(Extent::Box(key.to_owned(), r));
        let count = i32::try_from(lines.len()).unwrap_or(1);
        let first = r.y + (r.h - count * NAME_LINE) / 2 + NAME_LINE - 4;
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        self.text(
            "name",
            r.x + r.w / 2,
            first,
            Anchor::Middle,
            &refs,
            NAME_SIZE,
        );
    }

    fn legend(&mut self, legend: &Legend, top: i32) {
        self.body.push_str("<g class=\"legend\">\n");
        for ((sample, words), &(dx, row)) in legend.items.iter().zip(&legend.places) {
            let (x, y) = (MARGIN + dx, top + row * LEGEND_ROW + LEGEND_ROW / 2);
            match sample {
                LegendSample::Line(style) => {
                    let _ = writeln!(self.body, "<g class=\"edge-sample\">");
                    self.path(*style, &format!("M{x},{y} H{}", x + 34));
                    self.body.push_str("</g>\n");
                }
                LegendSample::Pseudo => {
                    let _ = writeln!(
                        self.body,
                        "<rect class=\"sample-pseudo\" x=\"{x}\" y=\"{}\" width=\"34\" height=\"14\" rx=\"4\" fill=\"#ffffff\" stroke=\"#777777\" stroke-dasharray=\"5 3\"/>",
                        y - 7
                    );
                }
                LegendSample::Current => {
                    let _ = writeln!(
                        self.body,
                        "<rect class=\"sample-current\" x=\"{x}\" y=\"{}\" width=\"34\" height=\"14\" rx=\"4\" fill=\"#fff3bf\" stroke=\"{MARK}\" stroke-width=\"3\"/>",
                        y - 7
                    );
                }
                LegendSample::Taken => {
                    let _ = writeln!(
                        self.body,
                        "<path class=\"sample-taken\" d=\"M{x},{y} H{}\" fill=\"none\" stroke=\"{MARK}\" stroke-width=\"2.5\" marker-end=\"url(#{}-arrow-taken)\"/>",
                        x + 34,
                        self.name
                    );
                }
            }
            self.text(
                "legend-text",
                x + 42,
                y + 4,
                Anchor::Start,
                &[words],
                LABEL_SIZE,
            );
        }
        self.body.push_str("</g>\n");
    }
}

/// The default style; a page restyles with more specific selectors, such as
/// `svg.lifecycle-diagram .status.current .box`.
const CSS: &str = "\
.lifecycle-diagram { font-family: Helvetica, Arial, \"Liberation Sans\", sans-serif; }
.lifecycle-diagram text { fill: #1a1a1a; }
.lifecycle-diagram .heading { font-size: 16px; font-weight: bold; }
.lifecycle-diagram .group-title, .lifecycle-diagram .layer-title { font-size: 12px; font-weight: bold; }
.lifecycle-diagram .group-box, .lifecycle-diagram .layer-box { stroke-width: 1px; }
.lifecycle-diagram .layer-box { fill: #ffffff; stroke: #7cb87e; }
.lifecycle-diagram .layer-box.tinted { fill: #edf7ed; }
.lifecycle-diagram .name { font-size: 12px; }
.lifecycle-diagram .box { fill: #ffffff; stroke: #555555; stroke-width: 1.5px; }
.lifecycle-diagram .pseudo .box { stroke: #777777; stroke-dasharray: 5 3; }
.lifecycle-diagram .pseudo .name { font-style: italic; }
.lifecycle-diagram .edge > path, .lifecycle-diagram .edge-sample > path { fill: none; stroke: #555555; stroke-width: 1.3px; }
.lifecycle-diagram path.inferred { stroke-dasharray: 6 4; }
.lifecycle-diagram path.system { stroke: #3b5b92; }
.lifecycle-diagram .label, .lifecycle-diagram .legend-text { font-size: 11px; }
.lifecycle-diagram .label { fill: #333333; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
.lifecycle-diagram .label.system { fill: #3b5b92; }
.lifecycle-diagram .note rect { fill: #fff8c4; stroke: #c9b458; }
.lifecycle-diagram .note line { stroke: #888888; stroke-dasharray: 2 2; }
.lifecycle-diagram .note text { font-size: 11px; }
.lifecycle-diagram .status.current .box, .lifecycle-diagram .pseudo.current .box { fill: #fff3bf; stroke: #1f4fd1; stroke-width: 3px; }
.lifecycle-diagram .status.current .name, .lifecycle-diagram .pseudo.current .name { font-weight: bold; }
.lifecycle-diagram .edge.taken > path { stroke: #1f4fd1; stroke-width: 2.5px; }
.lifecycle-diagram .edge.taken .label { fill: #1f4fd1; }
.lifecycle-diagram:has(.edge.taken) .edge:not(.taken) { opacity: 0.35; }
";

/// The overlays: each layer a box holding what its overlay covers, the overlay's status
/// to its right, raised from the layer's border and lifted back into it.
fn overlays(graph: &Layers, diagram: Diagram, marks: &Marks) -> Drawn {
    const PAD: i32 = 14;
    const TITLE: i32 = 26;
    const BOX: i32 = 34;
    const NOTE_GAP: i32 = 16;
    let (base, description) = graph.base;
    let base_width = (text_width(description, NAME_SIZE) + 2 * BOX_PAD).max(MIN_BOX_WIDTH);
    let half = BOX / 2;

    /// A layer's sizes.
    struct Sized<'a> {
        layer: &'a Layer,
        rect_w: i32,
        rect_up: i32,
        rect_down: i32,
        gap: i32,
        box_w: i32,
        note: Vec<String>,
        note_w: i32,
    }
    // From the inside out: the content a layer holds, its width and its extent above and
    // below the midline, where every raising and lifting edge runs.
    let (mut content_w, mut up, mut down) = (base_width, half, BOX - half);
    let mut sized = Vec::new();
    for layer in &graph.layers {
        let rect_w = (content_w + 2 * PAD).max(bold_width(layer.title, TITLE_SIZE) + 16);
        let (rect_up, rect_down) = (up + PAD + TITLE, down + PAD);
        let label = |l: &Option<Label>| l.as_ref().map_or(0, |l| text_width(&l.text, LABEL_SIZE));
        let gap = (label(&layer.raise).max(label(&layer.lift)) + 36).max(80);
        let box_w = (text_width(&layer.status, NAME_SIZE) + 2 * BOX_PAD).max(MIN_BOX_WIDTH);
        let note = layer.note.clone().unwrap_or_default();
        let note_w = if note.is_empty() {
            0
        } else {
            widest(&note, LABEL_SIZE) + 16
        };
        let note_h = note_height(&note);
        content_w = rect_w + gap + box_w.max(note_w);
        up = rect_up.max(half + 30);
        down = rect_down.max(if note.is_empty() {
            half + 30
        } else {
            half + NOTE_GAP + note_h
        });
        sized.push(Sized {
            layer,
            rect_w,
            rect_up,
            rect_down,
            gap,
            box_w,
            note,
            note_w,
        });
    }
    let heading = diagram.title();
    let mut width = content_w + 2 * MARGIN;
    width = width.max(text_width(heading, HEADING_SIZE) * 11 / 10 + 2 * MARGIN);
    let mid = MARGIN + HEADING + up;
    let bottom = mid + down;
    let mut styles: Vec<Style> = Vec::new();
    for layer in &graph.layers {
        styles.extend(layer.raise.iter().chain(&layer.lift).map(|l| l.style));
    }
    let legend = Legend::new(&styles, true, width);
    let height = bottom + GROUP_GAP + legend.height + MARGIN;
    let categories: Vec<(&str, (&str, &str))> = graph
        .layers
        .iter()
        .map(|l| (l.category.0.as_str(), l.category.1))
        .collect();
    let mut out = Canvas::new(diagram, width, height, &categories);
    out.heading(heading);

    // The layers' boxes, outermost first, each inside the one before by `PAD`.
    let count = i32::try_from(sized.len()).unwrap_or(0);
    let rect_x = |k: i32| MARGIN + (count - 1 - k) * PAD;
    let mut layer_rects = Vec::new();
    out.body.push_str("<g class=\"layers\">\n");
    for (k, s) in sized.iter().enumerate().rev() {
        let k = i32::try_from(k).unwrap_or(0);
        let rect = Rect::new(
            rect_x(k),
            mid - s.rect_up,
            s.rect_w,
            s.rect_up + s.rect_down,
        );
        let tinted = if (count - k) % 2 == 1 { " tinted" } else { "" };
        let _ = writeln!(
            out.body,
            "<g id=\"layer-{}\" class=\"layer\" data-statuses=\"{}\">",
            escape(s.layer.id),
            escape(&s.layer.below.join(" "))
        );
        let _ = writeln!(out.body, "<title>{}</title>", escape(s.layer.title));
        out.rect(&format!("layer-box{tinted}"), rect, 10, "none", "#7cb87e");
        out.text(
            "layer-title",
            rect.x + 8,
            rect.y + 18,
            Anchor::Start,
            &[s.layer.title],
            TITLE_SIZE,
        );
        out.body.push_str("</g>\n");
        layer_rects.push(rect);
    }
    layer_rects.reverse();
    out.body.push_str("</g>\n<g class=\"edges\">\n");
    let box_x = |k: usize| {
        let rect = layer_rects.get(k).copied().unwrap_or(Rect::new(0, 0, 0, 0));
        rect.right() + sized.get(k).map_or(0, |s| s.gap)
    };
    for (k, s) in sized.iter().enumerate() {
        let border = layer_rects.get(k).map_or(0, |r| r.right());
        let status_x = box_x(k);
        let centre = (border + status_x) / 2;
        for e in Layers::edges(s.layer, s.layer.id) {
            let raising = e.to == s.layer.status;
            out.edge_open(&e, marks, &e.from, &e.to);
            let (y, from, to, baseline) = if raising {
                (mid - 10, border, status_x, mid - 15)
            } else {
                (mid + 10, status_x, border, mid + 25)
            };
            out.path(e.style(), &format!("M{from},{y} H{to}"));
            let lines = e.label_lines();
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            out.text(
                &label_class(e.style()),
                centre,
                baseline,
                Anchor::Middle,
                &refs,
                LABEL_SIZE,
            );
            out.body.push_str("</g>\n");
        }
    }
    out.body.push_str("</g>\n<g class=\"nodes\">\n");
    // The base: every status below every layer.
    let base_rect = Rect::new(rect_x(0) + PAD, mid - half, base_width, BOX);
    let current = marks.current.as_deref();
    let shown = |c: &str| graph.layers.iter().any(|l| l.status == c);
    let mark = if current.is_some_and(|c| !shown(c) && graph.base_members.iter().any(|m| m == c)) {
        " current"
    } else {
        ""
    };
    let _ = writeln!(
        out.body,
        "<g id=\"pseudo-{}\" class=\"pseudo{mark}\" data-statuses=\"{}\">",
        escape(base),
        escape(&graph.base_members.join(" "))
    );
    let _ = writeln!(
        out.body,
        "<title>{}</title>",
        escape(&format!(
            "{description}: each of {}",
            graph.base_members.join(", ")
        ))
    );
    out.node_box(base, base_rect, &[description.to_owned()]);
    out.body.push_str("</g>\n");
    for (k, s) in sized.iter().enumerate() {
        let layer = s.layer;
        let rect = Rect::new(box_x(k), mid - half, s.box_w, BOX);
        let mark = if current == Some(layer.status.as_str()) {
            " current"
        } else {
            ""
        };
        let _ = writeln!(
            out.body,
            "<g id=\"status-{0}\" class=\"status{mark}\" data-status=\"{0}\" data-category=\"{1}\">",
            escape(&layer.status),
            escape(&layer.category.0)
        );
        let _ = writeln!(
            out.body,
            "<title>{}</title>",
            escape(&format!("{}: {}", layer.status, layer.category.0))
        );
        out.node_box(&layer.status, rect, core::slice::from_ref(&layer.status));
        out.body.push_str("</g>\n");
        if !s.note.is_empty() {
            let note = Rect::new(
                rect.x,
                rect.bottom() + NOTE_GAP,
                s.note_w,
                note_height(&s.note),
            );
            out.body.push_str("<g class=\"note\">\n");
            let _ = writeln!(
                out.body,
                "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#888888\" stroke-dasharray=\"2 2\"/>",
                rect.x + 20,
                rect.bottom(),
                note.y
            );
            out.rect("note-box", note, 2, "#fff8c4", "#c9b458");
            out.extents
                .push(Extent::Box(format!("note {}", layer.status), note));
            let refs: Vec<&str> = s.note.iter().map(String::as_str).collect();
            let _ = write!(
                out.body,
                "<text class=\"note-text\" x=\"{0}\" y=\"{1}\">",
                note.x + 8,
                note.y + 17
            );
            let mut baseline = note.y + 17;
            for line in refs {
                let _ = write!(
                    out.body,
                    "<tspan x=\"{}\" y=\"{baseline}\">{}</tspan>",
                    note.x + 8,
                    escape(line)
                );
                baseline += LABEL_LINE;
            }
            out.body.push_str("</text>\n</g>\n");
        }
    }
    out.body.push_str("</g>\n");
    out.legend(&legend, bottom + GROUP_GAP);
    out.finish()
}

fn note_height(lines: &[String]) -> i32 {
    if lines.is_empty() {
        0
    } else {
        i32::try_from(lines.len()).unwrap_or(1) * LABEL_LINE + 12
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Enumerated;

    #[test]
    fn escape_covers_the_five_xml_characters() {
        assert_eq!(
            escape(r#"a & b < c > d "e" 'f'"#),
            "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;"
        );
        assert_eq!(escape("PASSWORD_INCORRECT"), "PASSWORD_INCORRECT");
    }

    #[test]
    fn comments_never_hold_two_hyphens() {
        assert_eq!(comment_safe("a -- b --- c-"), "a - - b - - - c-");
        assert!(!comment_safe("----").contains("--"));
    }

    #[test]
    fn text_widths_follow_helvetica() {
        // "CONNECTED" is 6,333 thousandths of an em: 76.0px at 12px; 8% more.
        assert_eq!(text_width("CONNECTED", 12), 83);
        assert_eq!(text_width("", 12), 0);
        assert_eq!(text_width("é", 10), 11);
    }

    #[test]
    fn wrap_keeps_every_word_in_order() {
        let lines = wrap("UNDER_INVESTIGATION or any provider error", 12, 150);
        assert_eq!(lines.join(" "), "UNDER_INVESTIGATION or any provider error");
        assert!(lines.len() > 1);
        assert!(
            lines
                .iter()
                .all(|l| text_width(l, 12) <= 150 || !l.contains(' '))
        );
    }

    /// Nothing drawn overlaps: no two boxes, no text and a box, no two texts.
    #[test]
    fn nothing_drawn_overlaps() {
        for &diagram in Diagram::ALL {
            let drawn = render(&diagram.picture(), diagram, &Marks::default());
            let boxes: Vec<_> = drawn
                .extents
                .iter()
                .filter_map(|e| match e {
                    Extent::Box(name, r) => Some((name, *r)),
                    Extent::Text(..) => None,
                })
                .collect();
            let texts: Vec<_> = drawn
                .extents
                .iter()
                .filter_map(|e| match e {
                    Extent::Text(name, r) => Some((name, *r)),
                    Extent::Box(..) => None,
                })
                .collect();
            assert!(boxes.len() >= 3, "{diagram:?}");
            for (i, (a, ra)) in boxes.iter().enumerate() {
                for (b, rb) in &boxes[i + 1..] {
                    assert!(!ra.overlaps(*rb), "{diagram:?}: boxes {a} and {b}");
                }
                for (t, rt) in &texts {
                    assert!(!ra.overlaps(*rt), "{diagram:?}: box {a} and text {t}");
                }
            }
            for (i, (a, ra)) in texts.iter().enumerate() {
                for (b, rb) in &texts[i + 1..] {
                    assert!(!ra.overlaps(*rb), "{diagram:?}: texts {a} and {b}");
                }
            }
            // Everything lies inside the view box.
            let view = drawn
                .text
                .split_once("viewBox=\"0 0 ")
                .and_then(|(_, rest)| rest.split_once('"'))
                .map(|(wh, _)| wh.to_owned())
                .unwrap_or_default();
            let (w, h) = view.split_once(' ').unwrap_or_default();
            let view = Rect::new(0, 0, w.parse().unwrap_or(0), h.parse().unwrap_or(0));
            for e in &drawn.extents {
                let (Extent::Box(name, r) | Extent::Text(name, r)) = e;
                assert!(
                    r.x >= 0 && r.y >= 0 && r.right() <= view.w && r.bottom() <= view.h,
                    "{diagram:?}: {name} at {r:?} outside {view:?}"
                );
            }
        }
    }
}
