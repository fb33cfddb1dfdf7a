"""Make the README's picture of the graph page: build the seed corpus, draw it, photograph it.

    python scripts/screenshot.py                       # -> docs/img/graph.png
    python scripts/screenshot.py --graph out --max-nodes 150 --hover BERT
    python scripts/screenshot.py --around BERT --depth 2 --out docs/img/graph-around-bert.png

Builds ``examples/corpus`` with ``kg build`` into a temporary folder (or reads the graph
folder given with --graph), writes the page with ``kg.viz.write_page``, opens it in
headless Debian Chromium (Playwright's own browser download is not needed), waits for
the layout to settle, hovers one node so the picture shows a tooltip, and saves a PNG.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def build(corpus: Path, out: Path) -> None:
    subprocess.run([sys.executable, "-m", "kg", "build", str(corpus), "--out", str(out), "--quiet"], check=True)


def photograph(page_file: Path, png: Path, hover: str | None, width: int, height: int) -> None:
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kg-shot-")
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                                                        viewport={"width": width, "height": height},
                                                        device_scale_factor=1)
            page = ctx.new_page()
            page.goto(page_file.resolve().as_uri())
            page.wait_for_function("window.kgPage && window.kgPage.settled === true", timeout=60_000)
            page.wait_for_timeout(300)
            if hover:
                node = page.evaluate("q => { const hit = kgPage.find(q); return hit ? hit.id : null; }", hover)
                if node is None:
                    raise SystemExit(f"no node matches --hover {hover!r}")
                box = page.locator("#kg-network").bounding_box()
                pos = page.evaluate("id => kgPage.network.canvasToDOM(kgPage.network.getPosition(id))", node)
                x, y = box["x"] + pos["x"], box["y"] + pos["y"]
                page.mouse.move(x - 30, y - 30)
                page.mouse.move(x, y, steps=5)
                page.locator("div.vis-tooltip").wait_for(state="visible", timeout=5_000)
            png.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(png))
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "examples" / "corpus")
    parser.add_argument("--graph", type=Path, default=None, help="A `kg build --out` folder to draw instead of building.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "graph.png")
    parser.add_argument("--max-nodes", type=int, default=150)
    parser.add_argument("--around", default=None, help="Draw only the neighbourhood of this node.")
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--hover", default="BERT", help="Node to hover for the tooltip ('' for none).")
    parser.add_argument("--size", default="1400x900", help="Viewport WIDTHxHEIGHT.")
    args = parser.parse_args(argv)

    from kg.graph.snapshot import read_snapshot
    from kg.viz import write_page

    width, height = (int(v) for v in args.size.split("x"))
    with tempfile.TemporaryDirectory(prefix="kg-shot-") as tmp:
        graph_dir = args.graph
        if graph_dir is None:
            graph_dir = Path(tmp) / "out"
            build(args.corpus, graph_dir)
        title = "kg: seed corpus (examples/corpus)" + (f" around {args.around}" if args.around else "")
        report = write_page(read_snapshot(graph_dir), Path(tmp) / "graph.html", max_nodes=args.max_nodes,
                            around=args.around, depth=args.depth, title=title)
        print(report.summary())
        photograph(Path(tmp) / "graph.html", args.out, args.hover or None, width, height)
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
