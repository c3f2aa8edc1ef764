"""Draw the app's icons once and write them as PNG files under uof/static/icons/ (they are committed).

    .venv/bin/python tools/make_icons.py

Chromium renders one SVG at each exact size and Playwright screenshots it, so the project needs no image
library. The design is a GOV.UK-blue shield with "UoF" in white on the near-black of the site's header.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "uof" / "static" / "icons"
CHROMIUM = os.environ.get("UOF_CHROMIUM", "/usr/bin/chromium")

# In a 100 × 100 box: 68 wide, 84 high, centred.
SHIELD = "M50 8 L84 20 V46 C84 68 69 84 50 92 C31 84 16 68 16 46 V20 Z"

# name, size in pixels, share of the square the shield's box takes. A maskable icon may be cut to a circle
# of 80% of its width, so its shield stays inside that safe zone (its farthest corner is at 0.36 of the width).
ICON_SET = [
    ("icon-192.png", 192, 0.84),
    ("icon-512.png", 512, 0.84),
    ("maskable-512.png", 512, 0.62),
    ("apple-touch-icon.png", 180, 0.78),
]


def svg(scale: float) -> str:
    offset = 50 * (1 - scale)
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">
  <rect width="100" height="100" fill="#0b0c0c"/>
  <g transform="translate({offset:.3f} {offset:.3f}) scale({scale:.3f})">
    <path d="{SHIELD}" fill="#1d70b8" stroke="#ffffff" stroke-width="4" stroke-linejoin="round"/>
    <text x="50" y="57" text-anchor="middle" font-family="Liberation Sans, Arial, sans-serif"
          font-weight="700" font-size="25" fill="#ffffff">UoF</text>
  </g>
</svg>"""


def main() -> None:
    from playwright.sync_api import sync_playwright

    ICONS.mkdir(parents=True, exist_ok=True)
    # The same drawing as a favicon: a few hundred bytes, where a missing /favicon.ico costs a 404 page.
    (ICONS / "icon.svg").write_text(svg(0.84) + "\n")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        for name, size, scale in ICON_SET:
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(f"<!doctype html><html><body style='margin:0'>"
                             f"<div style='width:{size}px;height:{size}px'>{svg(scale)}</div></body></html>")
            page.screenshot(path=str(ICONS / name), clip={"x": 0, "y": 0, "width": size, "height": size})
            page.close()
            print(f"{name}: {size}×{size}, {(ICONS / name).stat().st_size} bytes")
        browser.close()


if __name__ == "__main__":
    main()
