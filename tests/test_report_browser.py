"""The class report in a real browser: headless Chromium, driven over the DevTools protocol.

The page must load without a script error or an error in the console, fetch nothing from the network,
sort its tables when a header is clicked, and render (a screenshot is taken). Skipped only when
Chromium is not installed (Debian: `apt-get install chromium`; .ci/run installs it).
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
import websocket

from tests.report_class import STUDENTS, graded_class  # noqa: F401 (fixture)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--remote-debugging-port=0", "--remote-allow-origins=*"]


class Page:
    """One Chromium tab: send DevTools commands, and keep every event that says something went wrong."""

    def __init__(self, profile: Path):
        self.process = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30).read())
        page = next(t for t in targets if t["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id, self.events, self.errors, self.requests = 0, [], [], []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")

    def _record(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        self.events.append(method)
        if method == "Runtime.exceptionThrown":
            self.errors.append(params["exceptionDetails"].get("exception", {}).get("description")
                               or params["exceptionDetails"]["text"])
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            self.errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"])
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])

    def send(self, method: str, **params) -> dict:
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def open(self, path: Path) -> None:
        self.events.clear()
        self.send("Page.navigate", url=path.resolve().as_uri())
        deadline = time.monotonic() + 60
        while "Page.loadEventFired" not in self.events:
            assert time.monotonic() < deadline, "the page did not finish loading"
            self._record(json.loads(self.socket.recv()))
        self.send("Runtime.evaluate", expression="1")  # flush events queued during load

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def screenshot(self, path: Path) -> bytes:
        self.send("Emulation.setDeviceMetricsOverride", width=1280, height=2000, deviceScaleFactor=1, mobile=False)
        data = base64.b64decode(self.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)["data"])
        path.write_bytes(data)
        return data

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def browser(tmp_path):
    page = Page(tmp_path / "profile")
    yield page
    page.close()


def test_the_class_report_loads_without_errors_or_network_and_renders(graded_class, browser, tmp_path):
    browser.open(graded_class.html)
    assert browser.errors == []
    assert all(url.startswith(("file:", "data:")) for url in browser.requests), browser.requests
    assert browser.evaluate("document.querySelectorAll('details.student').length") == len(STUDENTS)
    assert browser.evaluate("document.querySelectorAll('svg').length") == 2
    png = browser.screenshot(tmp_path / "class.png")
    assert png.startswith(b"\x89PNG") and len(png) > 50_000  # a blank page is a few kilobytes


def test_clicking_a_header_sorts_the_table(graded_class, browser):
    browser.open(graded_class.html)
    rates = """Array.from(document.querySelectorAll('#check-table tbody tr'))
               .map(r => parseFloat(r.cells[3].getAttribute('data-sort')))"""
    header = "document.querySelectorAll('#check-table th')[3]"
    browser.evaluate(f"{header}.click()")
    ascending = browser.evaluate(rates)
    assert ascending == sorted(ascending) and ascending[0] < ascending[-1]
    browser.evaluate(f"{header}.click()")
    assert browser.evaluate(rates) == sorted(ascending, reverse=True)
    assert browser.evaluate(f"{header}.getAttribute('aria-sort')") == "descending"
    assert browser.errors == []


def test_feedback_pages_load_without_errors(graded_class, browser):
    for student in STUDENTS:
        browser.open(graded_class.out / "feedback" / f"{student}.html")
        assert browser.evaluate("document.querySelector('h1').textContent") == f"Feedback for {student}"
    assert browser.errors == []


def test_a_page_error_is_caught(browser, tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<html><body><script>console.error('bad'); undefinedFunction();</script></body></html>")
    browser.open(broken)
    assert any("bad" in e for e in browser.errors) and any("undefinedFunction" in e for e in browser.errors)
