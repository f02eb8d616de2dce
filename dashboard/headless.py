"""Load the dashboard in headless Chromium and report what rendered, or save a screenshot of it.

``python dashboard/headless.py --results DIR --screenshot docs/dashboard.png`` starts the app on a free local port,
opens it in Chromium (Debian's ``chromium`` package) through the DevTools protocol, waits until the overview table
and a chart are drawn, and writes the PNG; the end-to-end test uses ``render`` the same way. Needs only what
Streamlit already installs (its ``websockets`` dependency speaks the protocol).
"""
import argparse
import base64
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from websockets.sync.client import connect

APP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "app.py")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")

# What the page shows, read in the browser: the overview table, an Altair chart (vega-embed), error elements.
PROBE = """JSON.stringify({
  table: document.querySelectorAll('[data-testid="stDataFrame"]').length,
  charts: document.querySelectorAll('.vega-embed').length,
  errors: Array.from(document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]'))
    .map(e => e.innerText),
  running: !!document.querySelector('[data-testid="stStatusWidgetRunningIcon"]'),
})"""


def find_chromium():
    """The path of a Chromium executable, or None."""
    return next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError(f"{what} within {timeout} s")


def _stop(process):
    """Stop a process started in its own session, and every process it started (Chromium's helpers)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        process.wait()


@contextlib.contextmanager
def serve(results, port=None):
    """``streamlit run`` of the app on ``results`` on a local port: yields its URL, stops it afterwards."""
    port = port or _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", APP, "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--client.toolbarMode", "viewer", "--", "--results", str(results)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        def listening():
            if server.poll() is not None:
                raise RuntimeError(f"streamlit exited with status {server.returncode}")
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        _wait(listening, 60, f"streamlit did not listen on port {port}")
        yield f"http://127.0.0.1:{port}/"
    finally:
        _stop(server)


class _DevTools:
    """A minimal DevTools-protocol client on one page's websocket."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    def call(self, method, timeout=30, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:  # events arrive in between; the answer carries our id
            message = json.loads(self.ws.recv(timeout=timeout))
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]


def render(url, chromium=None, timeout=60, screenshot=None, width=1500, height=1100):
    """Open ``url`` in headless Chromium, wait until a table and a chart are drawn and the script has stopped
    running; returns the probe's dict (table and chart counts, error texts), writes a PNG to ``screenshot``."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise FileNotFoundError("no Chromium found (Debian: apt-get install chromium)")
    # Chromium's helper processes may still write to the profile as it is removed: cleanup errors are ignored
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        browser = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            port_file = os.path.join(profile, "DevToolsActivePort")
            port = _wait(lambda: os.path.exists(port_file) and open(port_file).read().split("\n")[0], 30,
                         "Chromium did not open its DevTools port")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
                page = next(t for t in json.load(response) if t["type"] == "page")
            with connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=10) as ws:
                devtools = _DevTools(ws)
                devtools.call("Page.navigate", url=url)

                def drawn():
                    state = json.loads(devtools.call("Runtime.evaluate", expression=PROBE)["result"]["value"])
                    return state if (state["table"] and state["charts"] and not state["running"]) else None

                state = _wait(drawn, timeout, "the dashboard did not draw its table and chart")
                if screenshot:
                    time.sleep(1)  # let the charts finish their transitions
                    data = devtools.call("Page.captureScreenshot", format="png")["data"]
                    with open(screenshot, "wb") as f:
                        f.write(base64.b64decode(data))
                return state
        finally:
            _stop(browser)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="an asv results folder")
    parser.add_argument("--screenshot", required=True, help="PNG to write")
    args = parser.parse_args(argv)
    with serve(args.results) as url:
        state = render(url, screenshot=args.screenshot)
    print(f"rendered {state['table']} table(s) and {state['charts']} chart(s); errors: {state['errors'] or 'none'}")


if __name__ == "__main__":
    main()
