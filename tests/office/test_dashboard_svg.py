"""The server-side SVG charts: well-formed XML, escaped text, values placed to scale."""
import xml.etree.ElementTree as ET

from kiosk.office.dashboard import svg

NS = "{http://www.w3.org/2000/svg}"


def test_bar_chart_is_valid_svg_with_escaped_names_and_scaled_bars():
    text = svg.bar_chart("A & <b>", ["Loket <1>", "2"], [("served", [2, 8]), ("x\"'", [0, 4])])
    root = ET.fromstring(text)  # well-formed even with hostile names
    assert root.find(NS + "title").text == "A & <b>"
    heights = [float(r.get("height")) for r in root.iter(NS + "rect") if r.find(NS + "title") is not None]
    assert heights[1] == 4 * heights[0]  # 8 vs 2 on the same axis
    assert heights[2] == 0


def test_line_chart_leaves_gaps_and_heat_map_shades_by_count():
    root = ET.fromstring(svg.line_chart("w", ["a", "b", "c", "d"], [("m", [1, 2, None, 3])]))
    assert len(list(root.iter(NS + "circle"))) == 3
    assert len(list(root.iter(NS + "polyline"))) == 1  # the lone point after the gap has no line
    rows = [[0] * 24 for _ in range(7)]
    rows[3][9] = 10
    rows[0][8] = 5
    cells = {r.find(NS + "title").text: float(r.get("fill-opacity"))
             for r in ET.fromstring(svg.heat_map("h", list("MTWTFSS"), rows)).iter(NS + "rect")
             if r.find(NS + "title") is not None}
    assert cells["T 09:00: 10"] == 1.0 and 0 < cells["M 08:00: 5"] < 1.0 and cells["M 00:00: 0"] == 0.0


def test_axis_maximum_is_round_with_whole_ticks():
    assert [svg._nice_max(v) for v in (0, 3, 5, 37, 100)] == [4, 4, 8, 40, 100]
