"""`vqvae-tui serve --web` in a real headless Chromium: the page loads, a key draws a sample digit
and the picture changes. Skipped with a reason where Chromium is not installed (`make test-tools`
installs it), a failure under VQVAE_TUI_REQUIRE_ALL (CI)."""

from __future__ import annotations

import asyncio
import json
import time

import numpy as np
import pytest
from browser import Browser, chromium_path
from conftest import skip_unless_required
from served import Served, eventually


@pytest.fixture
def chromium():
    if chromium_path() is None:
        skip_unless_required("Chromium is not installed (make test-tools installs it)")


async def steady_brightness(page, timeout: float = 60) -> int:
    """The pictures' brightness once the page has stopped changing."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        await asyncio.sleep(0.5)
        now = await page.brightness()
        if now and now == last:
            return now
        last = now
    raise AssertionError("the page never settled")


async def test_a_browser_gets_the_app_and_a_key_draws_a_digit(chromium, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    served = Served(tmp_path / "server", "--export-dir", str(exports), web=True)
    try:
        async with Browser() as page:
            await page.open(f"http://127.0.0.1:{served.port}/")
            assert await eventually(lambda: served.sessions(), timeout=60)  # one forked app
            for _ in range(100):  # the page marks the first byte of the app's output
                if await page.evaluate("document.body.classList.contains('-first-byte')"):
                    break
                await asyncio.sleep(0.2)
            else:
                raise AssertionError("the app's terminal never received a byte")
            empty = await steady_brightness(page)
            await page.evaluate("document.querySelector('.xterm-helper-textarea').focus()")
            await page.press("3")
            drawn = await steady_brightness(page)
            assert drawn > empty * 1.01, (empty, drawn)  # a white digit, in and out
            await page.screenshot(tmp_path / "page.png")
            await page.press("e")
            assert await eventually(lambda: list(exports.glob("vqvae-tui-web-*-state-*.json")))
        [state] = exports.glob("vqvae-tui-web-*-state-*.json")
        assert np.asarray(json.loads(state.read_text())["image"]).max() > 0.5  # the 3
        assert await eventually(lambda: not served.sessions())  # the tab closed: the app ended
        served.wait_log("browser from 127.0.0.1")
    finally:
        served.close()
