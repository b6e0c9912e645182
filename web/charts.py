"""Charts as inline SVG, drawn on the server: nothing to load from a CDN, no script, and every
label escaped."""
from __future__ import annotations

from markupsafe import Markup, escape


def bar_chart(rows: list[tuple[str, int]], width: int = 460, bar: int = 18) -> Markup:
    if not rows:
        return Markup("<p class='muted'>Pas encore de scores : lancez « relais scores ».</p>")
    top = max(n for _, n in rows) or 1
    label_w, gap = 170, 6
    height = len(rows) * (bar + gap)
    parts = [f"<svg class='chart' viewBox='0 0 {width} {height}' role='img' "
             f"width='{width}' height='{height}'>"]
    for i, (label, n) in enumerate(rows):
        y = i * (bar + gap)
        w = (width - label_w - 60) * n / top
        parts.append(f"<text x='0' y='{y + bar - 5}' class='lbl'>{escape(label)}</text>"
                     f"<rect x='{label_w}' y='{y}' width='{w:.1f}' height='{bar}' rx='3' "
                     f"fill='#8fb8ff'><title>{escape(label)} : {n}</title></rect>"
                     f"<text x='{label_w + w + 6:.1f}' y='{y + bar - 5}' class='val'>{n}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def bubble_chart(data: dict, size: int = 520) -> Markup:
    points = data["points"]
    if not points:
        return Markup("<p class='muted'>Pas encore de scores.</p>")
    pad = 40
    scale = (size - 2 * pad) / 4  # scores 1 … 5

    def px(v):
        return pad + (v - 1) * scale

    def py(v):
        return size - pad - (v - 1) * scale
    unit = scale / 2  # a diameter of 1 is half a score unit wide
    parts = [f"<svg class='chart' viewBox='0 0 {size} {size}' width='{size}' height='{size}' "
             f"role='img'>",
             f"<rect x='{pad}' y='{pad}' width='{size - 2 * pad}' height='{size - 2 * pad}' "
             f"fill='none' stroke='#c5ccd6'/>"]
    xm, ym = px(data["x_mean"]), py(data["y_mean"])
    parts.append(f"<line x1='{xm:.1f}' y1='{pad}' x2='{xm:.1f}' y2='{size - pad}' "
                 f"stroke='#b35900' stroke-dasharray='4 3'/>"
                 f"<line x1='{pad}' y1='{ym:.1f}' x2='{size - pad}' y2='{ym:.1f}' "
                 f"stroke='#b35900' stroke-dasharray='4 3'/>")
    for p in sorted(points, key=lambda p: -p["d"]):
        r = max(2.0, p["d"] * unit / 2)
        parts.append(f"<circle cx='{px(p['x']):.1f}' cy='{py(p['y']):.1f}' r='{r:.1f}' "
                     f"fill='#1f6feb' fill-opacity='0.35' stroke='#1f6feb'>"
                     f"<title>{escape(p['name'])} — performances {p['x']:.2f}, potentiel "
                     f"{p['y']:.2f}, CA {p['revenue']:,.0f} €</title></circle>")
    for v in range(1, 6):
        parts.append(f"<text x='{px(v) - 3:.1f}' y='{size - pad + 16}' class='val'>{v}</text>"
                     f"<text x='{pad - 16}' y='{py(v) + 4:.1f}' class='val'>{v}</text>")
    parts.append(f"<text x='{size / 2 - 40}' y='{size - 6}' class='lbl'>Performances</text>"
                 f"<text x='4' y='{pad - 12}' class='lbl'>Potentiel</text></svg>")
    return Markup("".join(parts))


def flow_chart(script) -> Markup:
    """A script as boxes in layers (distance from the start) and arrows labelled with the
    answer that leads there."""
    from collections import deque
    depth, order = {script.start: 0}, deque([script.start])
    while order:
        sid = order.popleft()
        for target in script.targets(script.steps.get(sid, {})):
            if target in script.steps and target not in depth:
                depth[target] = depth[sid] + 1
                order.append(target)
    unreachable = [s for s in script.steps if s not in depth]
    top = max(depth.values(), default=0)
    for sid in unreachable:
        depth[sid] = top + 1
    layers: dict[int, list[str]] = {}
    for sid in script.steps:
        layers.setdefault(depth[sid], []).append(sid)
    box_w, box_h, gap_x, gap_y = 170, 44, 30, 60
    width = max(len(v) for v in layers.values()) * (box_w + gap_x) + gap_x
    height = len(layers) * (box_h + gap_y) + gap_y
    pos = {}
    for level, sids in layers.items():
        offset = (width - len(sids) * (box_w + gap_x) + gap_x) / 2
        for i, sid in enumerate(sids):
            pos[sid] = (offset + i * (box_w + gap_x), gap_y / 2 + level * (box_h + gap_y))
    colors = {"say": "#e6f0ff", "ask": "#fff6d6", "offer": "#e6f4ea", "objection": "#fde8e8",
              "kb": "#f3e8ff", "close": "#e2e6ec"}
    parts = [f"<svg class='chart flow' viewBox='0 0 {width:.0f} {height:.0f}' "
             f"width='{width:.0f}' height='{height:.0f}' role='img'>",
             "<defs><marker id='arrow' viewBox='0 0 10 10' refX='10' refY='5' markerWidth='6' "
             "markerHeight='6' orient='auto'><path d='M0,0 L10,5 L0,10 z' fill='#667085'/>"
             "</marker></defs>"]
    for sid, step in script.steps.items():
        x, y = pos[sid]
        labels = {t: k for k, t in step.get("branches", {}).items()}
        for target in script.targets(step):
            if target not in pos:
                continue
            tx, ty = pos[target]
            x1, y1, x2, y2 = x + box_w / 2, y + box_h, tx + box_w / 2, ty
            parts.append(f"<line x1='{x1:.0f}' y1='{y1:.0f}' x2='{x2:.0f}' y2='{y2:.0f}' "
                         f"stroke='#667085' marker-end='url(#arrow)'/>")
            if target in labels:
                parts.append(f"<text x='{(x1 + x2) / 2 + 4:.0f}' y='{(y1 + y2) / 2:.0f}' "
                             f"class='val'>{escape(labels[target])}</text>")
    for sid, step in script.steps.items():
        x, y = pos[sid]
        stroke = "#c62828" if sid in unreachable else "#667085"
        parts.append(f"<rect x='{x:.0f}' y='{y:.0f}' width='{box_w}' height='{box_h}' rx='6' "
                     f"fill='{colors.get(step.get('type'), '#fff')}' stroke='{stroke}'/>"
                     f"<text x='{x + 8:.0f}' y='{y + 18:.0f}' class='lbl'>{escape(sid)}</text>"
                     f"<text x='{x + 8:.0f}' y='{y + 34:.0f}' class='val'>"
                     f"{escape(step.get('type', '?'))}"
                     f"{' → ' + escape(step['outcome']) if step.get('outcome') else ''}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
