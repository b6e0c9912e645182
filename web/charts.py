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
