"""``GET /``: JSON for API clients, a self-contained status page for browsers, rendered in
headless Chromium (skipped with a reason where it is not installed)."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

from adapter.status_page import service_state
from tests.conftest import API_KEY, Credentials, GatewayFactory, LiveGateway
from tests.emulator import Reply, VertexEmulator

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
WITH_KEY = {"Authorization": f"Bearer {API_KEY}"}
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio",
)
WINDOW = (1000, 1200)
HEADER_RGB = (0x24, 0x3B, 0x53)


class Page(HTMLParser):
    """Text by element id, and every attribute that could load something."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.texts: dict[str, str] = {}
        self.loads: list[tuple[str, str, str]] = []
        self.attrs_by_tag: dict[str, list[dict[str, str | None]]] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.attrs_by_tag.setdefault(tag, []).append(values)
        self.loads += [(tag, name, value or "") for name, value in attrs if name in ("src", "href", "srcset", "action", "data")]
        if tag not in ("meta", "link", "br", "img", "input"):
            self._open.append(values.get("id"))
            if values.get("id"):
                self.texts[str(values["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in filter(None, self._open):
            self.texts[element_id] += data


def html_page(gateway: LiveGateway, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.get(gateway.url + "/", headers={"Accept": BROWSER_ACCEPT, **(headers or {})}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    return response


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "application/json, text/html;q=0.5"])
def test_api_clients_keep_getting_json(gateway: LiveGateway, accept: str | None) -> None:
    response = requests.get(gateway.url + "/", headers={"Accept": accept} if accept else {}, timeout=10)
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["status"] == "ok"
    assert "Accept" in response.headers["Vary"]


def test_page_with_the_key_shows_the_models_and_credentials(gateway: LiveGateway, credentials: Credentials) -> None:
    response = html_page(gateway, WITH_KEY)
    page = Page(response.text)
    assert page.texts["service-status"].strip() == "Service up"
    assert page.texts["base-url"] == "v1"
    assert page.texts["curl-example"].startswith("curl -s v1/chat/completions")
    assert "$API_KEY" in page.texts["curl-example"]
    assert (page.texts["express-count"], page.texts["service-account-count"], page.texts["cooling-count"]) == ("2", "2", "0")
    assert "gemini-2.5-flash" in page.texts["models"].split() and "gemini-embedding-001" in page.texts["embedding-models"].split()
    assert all(label in response.text for label in ("express#0", "express#1", "sa#0", "sa#1"))
    assert not any(secret in response.text for secret in credentials.secrets())
    assert "Vary" in response.headers and "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-key"}], ids=["anonymous", "wrong-key"])
def test_page_without_the_key_shows_the_status_but_no_credential_detail(gateway: LiveGateway, headers: dict[str, str]) -> None:
    response = html_page(gateway, headers)
    page = Page(response.text)
    assert page.texts["service-status"].strip() == "Service up"
    assert "gemini-2.5-flash" in page.texts["models"].split()
    assert "credentials-hidden" in page.texts
    assert not any(key in page.texts for key in ("express-count", "service-account-count", "cooling-count", "rejected-count"))
    assert not any(label in response.text for label in ("express#0", "sa#0", "cooling down (", 'class="version"'))


def test_page_is_self_contained(gateway: LiveGateway) -> None:
    response = html_page(gateway)
    page = Page(response.text)
    assert page.loads == []
    assert "link" not in page.attrs_by_tag and "img" not in page.attrs_by_tag
    assert all("src" not in attrs for attrs in page.attrs_by_tag.get("script", []))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy


@pytest.mark.parametrize(
    "headers",
    [
        {"Host": "evil.example"},
        {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example", "X-Forwarded-Prefix": "/phish"},
        {"X-Forwarded-Proto": "javascript", "X-Forwarded-Host": "<b>evil</b>"},
    ],
)
def test_links_are_relative_whatever_the_host_headers_say(gateway: LiveGateway, headers: dict[str, str]) -> None:
    response = html_page(gateway, {**WITH_KEY, **headers})
    assert Page(response.text).texts["base-url"] == "v1"
    assert "evil" not in response.text and "phish" not in response.text


def test_page_shows_a_cooling_credential(gateway: LiveGateway, emulator: VertexEmulator) -> None:
    emulator.enqueue(Reply.error(429, retry_after=30), credential="express#0")
    assert gateway.post("/v1/chat/completions", {"model": "gemini-2.5-flash", "messages": [{"role": "user", "content": "hi"}]}).status_code == 200
    page = Page(html_page(gateway, WITH_KEY).text)
    assert page.texts["cooling-count"] == "1"
    assert "cooling down" in html_page(gateway, WITH_KEY).text


def test_page_without_credentials_says_what_to_set(gateway_factory: GatewayFactory) -> None:
    gateway = gateway_factory(express=False, service_accounts=False)
    text = html_page(gateway, WITH_KEY).text
    assert "No credentials are configured" in text and "VERTEX_EXPRESS_API_KEY" in text
    assert Page(text).texts["service-status"].strip() == "Service up, no credentials configured"


@pytest.mark.parametrize(
    "counts,label",
    [((2, 1, 0), "Service up"), ((2, 1, 2), "Service up"), ((1, 1, 2), "Service up, every credential cooling down"), ((0, 0, 0), "Service up, no credentials configured")],
)
def test_header_says_whether_requests_can_be_served(counts: tuple[int, int, int], label: str) -> None:
    express, accounts, cooling = counts
    assert service_state({"express_keys": express, "service_accounts": accounts, "credentials_cooling_down": cooling})[1] == label


# -- headless Chromium ------------------------------------------------------------------------------


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    reason = "headless Chromium is not installed (Debian package chromium; .ci/run installs it when CI=true)"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def run_chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def png_rows(data: bytes) -> tuple[int, int, int, bytes]:
    """(width, height, bytes per pixel, raw filtered scanlines) of an 8-bit RGB/RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, header = 8, b"", b""
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        chunk = data[position + 8 : position + 8 + length]
        header = chunk if kind == b"IHDR" else header
        idat += chunk if kind == b"IDAT" else b""
        position += 12 + length
    width, height, depth, color = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and color in (2, 6)
    return width, height, 3 if color == 2 else 4, zlib.decompress(idat)


def first_rows(raw: bytes, width: int, bpp: int, count: int) -> list[bytes]:
    """Unfilter the first ``count`` scanlines (PNG filters 0-4)."""
    stride, rows, previous = width * bpp, [], bytes(width * bpp)
    for y in range(count):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - bpp] if x >= bpp else 0
            up, corner = previous[x], previous[x - bpp] if x >= bpp else 0
            guess = left + up - corner
            paeth = min((abs(guess - left), 0, left), (abs(guess - up), 1, up), (abs(guess - corner), 2, corner))[2]
            line[x] = (line[x] + (0, left, up, (left + up) // 2, paeth)[kind]) & 0xFF
        rows.append(bytes(line))
        previous = bytes(line)
    return rows


def test_page_renders_in_headless_chromium(gateway: LiveGateway, credentials: Credentials, tmp_path: Path) -> None:
    dom = run_chromium(gateway.url + "/", tmp_path / "profile-dom", "--dump-dom").stdout
    page = Page(dom)
    assert 'data-script="ready"' in dom, "the inline script did not run (Content-Security-Policy hash?)"
    assert page.texts["base-url"] == gateway.url + "/v1"
    assert page.texts["curl-example"].startswith(f"curl -s {gateway.url}/v1/chat/completions")
    assert "gemini-2.5-flash" in page.texts["models"].split()
    assert not any(secret in dom for secret in credentials.secrets())

    shot = tmp_path / "status.png"
    run_chromium(gateway.url + "/", tmp_path / "profile-shot", f"--screenshot={shot}")
    data = shot.read_bytes()
    width, height, bpp, raw = png_rows(data)
    assert (width, height) == WINDOW
    assert len(data) > 20_000, "the screenshot is nearly empty"
    assert len(set(raw)) > 64, "the screenshot is blank"
    header_row = first_rows(raw, width, bpp, 12)[-1]
    pixels = [tuple(header_row[x : x + 3]) for x in range(0, width * bpp, bpp)]
    assert pixels.count(HEADER_RGB) > width // 2, "the header band is not drawn in its colour"
