"""How much main-thread script time the live view costs in Chromium under a fast stream.

Serves a page with the real live-view scripts (static/js/chart_text.js, the modules of
static/js/live/ and the vendored Plotly bundle) and a fake Server-Sent Events stream shaped like the
engine's (step metrics, epoch metrics, confusion matrices, decision boundaries), so the
measurement is of the browser side alone: no Django, database or worker. Chrome's
`Performance.getMetrics` (through Playwright's CDP session) gives ScriptDuration and
TaskDuration; the same page with no stream, measured in the same run, is the baseline.

    python bench/browser_chart_bench.py [--rate 200] [--seconds 10]

Not a test: it prints figures to read, it asserts nothing.
"""

import argparse
import contextlib
import json
import math
import random
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JS = ROOT / "static" / "js"
FILES = {
    "/plotly.min.js": ROOT / "static" / "vendor" / "plotly" / "plotly-cartesian.min.js",
    "/chart_text.js": JS / "chart_text.js",
    "/live_run.js": JS / "live_run.js",
    **{f"/live/{module.name}": module for module in (JS / "live").glob("*.js")},
    "/site.css": ROOT / "static" / "css" / "site.css",
}
CHROMIUM = "/usr/bin/chromium"
STEPS_PER_EPOCH = 25
GRID = 40

PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/site.css"></head>
<body><main><div class="run-view"></div></main>
<script src="/plotly.min.js"></script><script src="/chart_text.js"></script>
<script type="module" src="/live_run.js"></script>
<script type="module">
  const params = new URLSearchParams(location.search);
  const job = { id: 1, status: "running", started_at: new Date().toISOString(),
    config: { optim: { epochs: 1000 } },
    urls: { events: "/events?" + params.toString() } };
  if (!params.has("idle")) window.liveRun = new LiveRun(document.querySelector(".run-view"), job);
</script></body></html>"""


def fake_events(rate: float, seconds: float, snapshots: bool = True):
    """(type, payload) pairs at `rate` per second for `seconds`, shaped like the engine's."""
    rng = random.Random(0)
    yield "status", {"status": "running"}
    yield "info", {"n_train": 400, "n_val": 100, "classes": ["a", "b"], "n_classes": 2,
                   "epochs": 1000, "steps_per_epoch": STEPS_PER_EPOCH, "batch_size": 16}
    xs = [rng.uniform(-2, 2) for _ in range(400)]
    ys = [rng.uniform(-2, 2) for _ in range(400)]
    labels = [int(x * y > 0) for x, y in zip(xs, ys, strict=True)]
    yield "data_points", {"x": xs, "y": ys, "labels": labels}
    axis = [-2.2 + 4.4 * i / (GRID - 1) for i in range(GRID)]
    epoch = 0
    for step in range(1, int(rate * seconds) + 1):
        loss = 0.7 * math.exp(-step / 800) + 0.05 + rng.uniform(0, 0.1)
        yield "metric", {"scope": "step", "epoch": epoch + 1, "step": step, "train_loss": loss}
        if step % STEPS_PER_EPOCH == 0:
            epoch += 1
            acc = min(0.99, 0.5 + step / 4000)
            yield "metric", {"scope": "epoch", "epoch": epoch, "epochs": 1000, "step": step,
                             "train_loss": loss, "val_loss": loss * 1.1,
                             "train_accuracy": acc, "val_accuracy": acc - 0.02}
            right = int(50 * acc)
            yield "confusion_matrix", {"epoch": epoch, "labels": ["a", "b"],
                                       "matrix": [[right, 50 - right], [50 - right, right]]}
            if not snapshots:
                continue
            yield "decision_boundary", {
                "epoch": epoch, "x": axis, "y": axis,
                "probabilities": [[1 / (1 + math.exp(-a * b * epoch / 10)) for a in axis]
                                  for b in axis],
                "predicted": [[int(a * b > 0) for a in axis] for b in axis],
            }


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/":
            self._send(PAGE.encode(), "text/html")
        elif path in FILES:
            kind = "text/css" if path.endswith(".css") else "application/javascript"
            self._send(FILES[path].read_bytes(), kind)
        elif path == "/events":
            # The page is closed mid-stream once a measurement ends: expected.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._stream(dict(p.split("=", 1) for p in query.split("&") if "=" in p))
        else:
            self.send_error(404)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, params: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if "idle" in params:
            time.sleep(float(params.get("seconds", 10)) + 5)
            return
        rate, seconds = float(params["rate"]), float(params["seconds"])
        start = time.monotonic()
        # Sent in batches every 150 ms, as the worker flushes them.
        batch, sent_steps, seq = [], 0, 0
        snapshots = params.get("snapshots", "1") == "1"
        for type_, payload in fake_events(rate, seconds, snapshots):
            seq += 1
            batch.append(f"id: {seq}\nevent: {type_}\ndata: {json.dumps(payload)}\n\n")
            if type_ == "metric" and payload["scope"] == "step":
                sent_steps += 1
                due = start + sent_steps / rate
                if due - time.monotonic() > 0.15 or len(batch) > 500:
                    self.wfile.write("".join(batch).encode())
                    self.wfile.flush()
                    batch = []
                    time.sleep(max(0.0, due - time.monotonic()))
        seq += 1
        batch.append(f'id: {seq}\nevent: status\ndata: {{"status": "succeeded"}}\n\n')
        self.wfile.write("".join(batch).encode())
        self.wfile.flush()


def measure(browser, url: str, seconds: float) -> dict:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    page.goto(url)
    page.wait_for_load_state("load")
    time.sleep(0.5)  # past the page's own start-up

    def metrics() -> dict:
        return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}

    before, t0 = metrics(), time.monotonic()
    time.sleep(seconds)
    after, elapsed = metrics(), time.monotonic() - t0
    points = page.evaluate(
        "() => { const d = document.querySelector('.run-loss')?.data;"
        " return d ? d[0].x.length : 0; }"
    )
    page.close()
    return {
        "script_ms_per_s": 1000 * (after["ScriptDuration"] - before["ScriptDuration"]) / elapsed,
        "task_ms_per_s": 1000 * (after["TaskDuration"] - before["TaskDuration"]) / elapsed,
        "layout_ms_per_s": 1000 * (after["LayoutDuration"] - before["LayoutDuration"]) / elapsed,
        "heap_mb": after["JSHeapUsedSize"] / 2**20,
        "points": points,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200, help="step events per second")
    parser.add_argument("--seconds", type=float, default=10, help="measured window")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        idle = measure(browser, f"{base}?idle=1&seconds={args.seconds}", args.seconds)
        stream = f"{base}?rate={args.rate}&seconds={args.seconds + 2}"
        curves = measure(browser, f"{stream}&snapshots=0", args.seconds)
        live = measure(browser, stream, args.seconds)
        browser.close()
    server.shutdown()

    epoch_rate = args.rate / STEPS_PER_EPOCH
    print(f"stream: {args.rate:.0f} step events/s + {epoch_rate:.0f} epochs/s (epoch metric, "
          f"confusion matrix, {GRID}x{GRID} decision boundary each), {args.seconds:.0f} s window")
    print(f"{'page':<22}{'script ms/s':>12}{'task ms/s':>11}{'layout ms/s':>13}"
          f"{'heap MB':>9}{'points':>8}")
    views = (("idle page (baseline)", idle), ("curves + matrix only", curves),
             ("live view, all panels", live))
    for name, m in views:
        print(f"{name:<22}{m['script_ms_per_s']:>12.1f}{m['task_ms_per_s']:>11.1f}"
              f"{m['layout_ms_per_s']:>13.1f}{m['heap_mb']:>9.1f}{m['points']:>8}")
    extra = live["script_ms_per_s"] - idle["script_ms_per_s"]
    print(f"live view costs {extra:.1f} ms of script per second over the baseline "
          f"({extra / 10:.1f}% of one core)")


if __name__ == "__main__":
    main()
