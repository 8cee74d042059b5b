"""A real headless Chromium, driven over the Chrome DevTools protocol (aiohttp's websocket).

Debian's `chromium` package; no browser is downloaded. Started as the machine's CI runs it: as
root, so without its sandbox, and with every background service off (the machine has no
network but the loopback).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import subprocess
import tempfile
import time

import aiohttp

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
         "--remote-debugging-port=0", "--window-size=1400,1000"]  # fmt: skip
LISTENING = re.compile(r"DevTools listening on (ws://\S+)")
# How bright the terminal's pictures are: the sum of every canvas pixel's channels, in the
# page's own coordinates (the terminal draws on one or more canvases).
BRIGHTNESS = """(() => {
  const out = document.createElement('canvas');
  out.width = innerWidth; out.height = innerHeight;
  const context = out.getContext('2d');
  for (const canvas of document.querySelectorAll('canvas')) {
    const box = canvas.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    context.drawImage(canvas, box.left, box.top, box.width, box.height);
  }
  const pixels = context.getImageData(0, 0, out.width, out.height).data;
  let total = 0;
  for (let i = 0; i < pixels.length; i += 4) total += pixels[i] + pixels[i + 1] + pixels[i + 2];
  return total;
})()"""


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """`async with Browser() as page:` one page of a fresh Chromium."""

    def __init__(self):
        self.profile = tempfile.TemporaryDirectory(prefix="vqvae-tui-chromium-")
        self.process: subprocess.Popen | None = None
        self.ids = itertools.count(1)

    async def __aenter__(self) -> Browser:
        self.process = subprocess.Popen(
            [chromium_path(), *FLAGS, f"--user-data-dir={self.profile.name}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        address = await asyncio.to_thread(self.devtools_address)
        port = address.split("/")[2].split(":")[1]
        self.http = aiohttp.ClientSession()
        async with self.http.get(f"http://127.0.0.1:{port}/json/list") as response:
            pages = [t for t in await response.json() if t["type"] == "page"]
        self.socket = await self.http.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Page.enable")
        return self

    def devtools_address(self) -> str:
        deadline = time.monotonic() + 60
        for line in self.process.stderr:
            match = LISTENING.search(line)
            if match:
                return match.group(1)
            if time.monotonic() > deadline:
                break
        raise RuntimeError("chromium did not start its DevTools server")

    async def __aexit__(self, *exc) -> None:
        await self.socket.close()
        await self.http.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.profile.cleanup()

    async def call(self, method: str, **params) -> dict:
        """Send one DevTools command; its result (events on the way are skipped)."""
        number = next(self.ids)
        await self.socket.send_str(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads((await self.socket.receive()).data)
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def open(self, url: str) -> None:
        await self.call("Page.navigate", url=url)

    async def press(self, key: str) -> None:
        """A key as a person types it: down (with its character), up."""
        await self.call("Input.dispatchKeyEvent", type="keyDown", text=key, key=key)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key)

    async def brightness(self) -> int:
        return await self.evaluate(BRIGHTNESS) or 0

    async def screenshot(self, path) -> None:
        data = (await self.call("Page.captureScreenshot", format="png"))["data"]
        path.write_bytes(base64.b64decode(data))
