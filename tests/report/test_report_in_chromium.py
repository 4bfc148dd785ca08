"""The HTML report people look at, opened in headless Chromium: the compatibility grid links each cell to
its evidence, a case's run and control are drawn on the wire with decoded packets on hover, the network
view shows the refused 101, the filters hide cases; a screenshot is kept."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from harness.cli import main
from harness.peers.browser._chromium import CHROMIUM, FLAGS, missing_reason

pytestmark = [pytest.mark.e2e, pytest.mark.browser,
              pytest.mark.skipif(missing_reason() is not None, reason=str(missing_reason()))]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def served(tmp_path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_merged_report_in_chromium(tmp_path, served):
    from playwright.sync_api import sync_playwright

    run, matrix, report = tmp_path / "run.json", tmp_path / "matrix.json", tmp_path / "report.html"
    scenario = ROOT / "scenarios" / "stuck-in-polling" / "proxy-refuses-upgrade.yaml"
    assert main(["run", str(scenario), "-k", "node@4.8.1 and mode=reject", "--json", str(run)]) == 0
    assert main(["matrix", "--clients", "node@4.8.1", "--servers", "node@4.8.1,node@2.4.1", "--transports",
                 "polling", "--payloads", "ascii", "--json", str(matrix)]) == 0
    assert main(["report", str(run), str(matrix), "--html", str(report)]) == 0
    case_id = json.loads(run.read_text())["scenarios"][0]["scenario"]

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{served}/report.html")
            grid = page.eval_on_selector_all("table td.works a, table td.fails a", "els => els.map(e => e.hash)")
            assert len(grid) == 2 and all(h.startswith("#cell-") for h in grid), grid
            assert page.locator(grid[0]).count() == 1                      # the link lands on its evidence
            pair = page.locator("section .pair").first
            assert pair.locator("svg.wire").count() == 2                    # the run and its control
            arrows = page.eval_on_selector_all("svg.wire line[marker-end]", "els => els.length")
            assert arrows >= 4
            hovers = page.eval_on_selector_all("svg.wire g.row title", "els => els.map(e => e.textContent)")
            assert any("GET websocket -> 403" in h for h in hovers), hovers[:5]
            assert any("packet" in h for h in hovers)                             # decoded frames on hover
            network = page.eval_on_selector_all("table.network td", "els => els.map(e => e.textContent)")
            assert "WebSocket (upgrade refused)" in network and "Engine.IO handshake" in network
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
            assert (tmp_path / "report.png").stat().st_size > 10_000
            section = page.locator(f"section[data-verdict]").first
            assert section.is_visible()
            page.fill("#f-peer", "python")                                   # no python peer in this case
            assert not section.is_visible()
            page.fill("#f-peer", "node@4.8.1")
            assert section.is_visible()
            assert page.locator(f"[id='{case_id}']").count() == 1
        finally:
            browser.close()
