"""Take the checker-page screenshot of the README: docs/img/checker.png (kept under 200 KB).

    python benchmarks/checker_screenshot.py [--no-model] [--out docs/img/checker.png]

Runs the app on a free loopback port, pastes a sample abstract into headless Chromium
(Debian's `chromium`, driven by Playwright), checks it, opens the first suggestion and saves
the viewport.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys

SAMPLE = (
    "Abstract. Early detection of bosom peril remains a central problem in medical imaging. "
    "In this paper we propose a framework that combines an irregular woodland classifier with "
    "counterfeit consciousness methods to grade mammograms. The system learns from colossal "
    "information collected in four hospitals and is compared with a neural network baseline.\n\n"
    "Our results show that the combined model reaches a higher accuracy than either part alone, "
    "and that its errors are easier for radiologists to review."
)

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join("docs", "img", "checker.png"))
    parser.add_argument("--no-model", action="store_true", help="known tortured phrases only")
    args = parser.parse_args()
    chromium = os.environ.get("UNSPIN_CHROMIUM") or shutil.which("chromium")
    if not chromium:
        sys.exit("checker_screenshot: no chromium; apt-get install -y chromium")

    from playwright.sync_api import sync_playwright

    import unspin
    from unspin.server.app import create_app
    from unspin.server.runner import background_server

    detector = unspin.Detector(model=not args.no_model)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with background_server(create_app(detector)) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        page = browser.new_page(viewport={"width": 960, "height": 900})
        page.goto(url + "/")
        page.fill("#text", SAMPLE)
        page.click("#check")
        page.wait_for_selector("#result:not([hidden])")
        page.click("#document .flag >> nth=0")
        page.click("#detail-choices button.accept >> nth=0")      # one accepted, in green
        page.click("#document .flag >> nth=1")                      # the next one open
        page.evaluate("window.scrollTo(0, document.querySelector('#result').offsetTop - 16)")
        page.screenshot(path=args.out)
        browser.close()
    size = os.path.getsize(args.out)
    print(f"wrote {args.out} ({size / 1024:.0f} KB)")
    if size > 200_000:
        sys.exit("checker_screenshot: the screenshot is over 200 KB; make the viewport smaller")
    return 0


if __name__ == "__main__":
    sys.exit(main())
