"""Page weight and speed in Chromium: bytes transferred and first contentful paint of the
pages a learner opens, against a bare page served by the same server, one command:

    python bench/page_weight_bench.py [--repeats 5]

Starts uvicorn on a fresh database (static files collected, as `manage.py up` and the
Dockerfile do), loads the shipped lessons and trains one small run for the bench user. Then
for each page, `--repeats` times, a fresh browser context (empty cache) opens it, and the
same context opens it once more (what a returning visitor's cache saves):

- the bare page: GET /healthz/, a few bytes of JSON, no static file: what a round trip and
  a paint cost by themselves;
- home; a lesson without a lab; a lesson with a lab, anonymous (no charting library) and as
  a logged-in learner (Plotly and the live-chart scripts); a run's page.

Bytes are the Resource Timing API's transferSize (compressed bytes on the wire, headers
included; 0 for what the cache served); first contentful paint is Chromium's paint timing.
Chromium shares the 2 cores with the server: the times are for this machine, compare them
with each other. Medians over the repeats.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import SMALL, Platform, print_table, save_results  # noqa: E402
from web_bench import SESSION_CODE  # noqa: E402

CHROMIUM = "/usr/bin/chromium"

MEASURE = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    transfer: nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
    decoded: nav.decodedBodySize + resources.reduce((s, r) => s + r.decodedBodySize, 0),
    requests: 1 + resources.length,
    fcp_ms: fcp ? fcp.startTime : null,
    load_ms: nav.loadEventEnd,
  };
}"""


def prepare(platform: Platform) -> dict[str, str]:
    """Lessons loaded, one finished run; the paths of the pages to measure."""
    platform.manage("load_lessons")
    with httpx.Client(base_url=platform.url, headers=platform.headers, timeout=30) as client:
        job_id = client.post("/api/v1/jobs/", json={"config": SMALL}).json()["id"]
        deadline = time.monotonic() + 300
        while client.get(f"/api/v1/jobs/{job_id}/").json()["status"] in ("queued", "running"):
            if time.monotonic() > deadline:
                raise RuntimeError("the bench run did not finish")
            time.sleep(0.5)
    platform.stop_workers()
    lesson_of = (
        "from lessons.models import Lesson;"
        "lessons = Lesson.objects.filter(status='published', module__course__is_published=True)"
        ".order_by('module__course__order', 'module__order', 'order');"
        "print(lessons.filter(labs__isnull={}).first().get_absolute_url())"
    )
    return {
        "bare page (/healthz/)": "/healthz/",
        "home": "/",
        "lesson without a lab": platform.shell(lesson_of.format(True)),
        "lesson with a lab, anonymous": platform.shell(lesson_of.format(False)),
        "lesson with a lab, learner": "LEARNER " + platform.shell(lesson_of.format(False)),
        "run page, learner": f"LEARNER /runs/{job_id}/",
    }


def measure(browser, url: str, cookie: dict | None, repeats: int) -> dict:
    cold, warm = [], []
    for _ in range(repeats):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        if cookie:
            context.add_cookies([cookie])
        page = context.new_page()
        for figures in (cold, warm):
            page.goto(url, wait_until="load")
            page.wait_for_load_state("networkidle")
            figures.append(page.evaluate(MEASURE))
        context.close()

    def median(rows, key):
        values = [row[key] for row in rows if row[key] is not None]
        return statistics.median(values) if values else None

    return {"cold": {k: median(cold, k) for k in cold[0]},
            "warm": {k: median(warm, k) for k in warm[0]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with Platform(workers=1, warm=False) as platform:
        pages = prepare(platform)
        session = platform.shell(SESSION_CODE)
        cookie = {"name": "sessionid", "value": session, "url": platform.url}
        rows = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            for name, target in pages.items():
                learner = target.startswith("LEARNER ")
                path = target.removeprefix("LEARNER ")
                measure(browser, platform.url + path, cookie if learner else None, 1)  # warm up
                rows.append({"name": name, "path": path,
                             **measure(browser, platform.url + path,
                                       cookie if learner else None, args.repeats)})
            browser.close()
    bare = rows[0]["cold"]
    print_table(
        f"Page weight in Chromium, median of {args.repeats} (cold: empty cache; "
        "warm: the same page again)",
        ["page", "requests", "KB on the wire", "KB decoded", "FCP ms", "FCP − bare ms",
         "load ms", "warm KB", "warm FCP ms"],
        [[r["name"], r["cold"]["requests"], r["cold"]["transfer"] / 1024,
          r["cold"]["decoded"] / 1024, r["cold"]["fcp_ms"],
          r["cold"]["fcp_ms"] - bare["fcp_ms"], r["cold"]["load_ms"],
          r["warm"]["transfer"] / 1024, r["warm"]["fcp_ms"]] for r in rows])
    save_results("page-weight", {"repeats": args.repeats, "pages": rows})


if __name__ == "__main__":
    main()
