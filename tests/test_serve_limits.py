"""`pupetui serve` against pages of other sites, crowds of connections and malformed messages.

A real `pupetui serve` on a demo database, real websocket clients (aiohttp, as textual.js talks
to the server), the server's real child processes read from /proc.
"""

from __future__ import annotations

import asyncio
import re
import time
import urllib.request
from pathlib import Path

import aiohttp
import pytest
from test_serve import serving
from tmux import make_demo_database

from pupetui.serve import client_address, origin_of
from pupetui.services.login_guard import LoginGuard, user_key
from pupetui.serve import allowed_origins as origins_for

ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory) -> str:
    return make_demo_database(tmp_path_factory.mktemp("demo"), customers=5)


def session_processes(server) -> list[int]:
    """The processes the server has started (all its descendants)."""
    found, todo = [], [server["process"].pid]
    while todo:
        pid = todo.pop()
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        found.extend(int(c) for c in children)
        todo.extend(int(c) for c in children)
    return found


def wait_until(predicate, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"never came true: {what}")
        time.sleep(0.05)


def environment(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


async def read_until(ws, text: str | None, timeout: float = 60.0) -> str:
    """What the session shows (escape codes removed) once `text` is in it, or until it closes
    (text None)."""
    got = ""
    async with asyncio.timeout(timeout):
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                got += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                got += message.data
            if text is not None and text in ESCAPES.sub("", got):
                break
    shown = ESCAPES.sub("", got)
    if text is not None:
        assert text in shown, shown
    return shown


def ws_url(server) -> str:
    return f"ws://127.0.0.1:{server['port']}/ws"


def own_origin(server) -> dict[str, str]:
    return {"Origin": f"http://127.0.0.1:{server['port']}"}


async def test_a_page_of_another_site_gets_no_session_even_without_the_password(demo_url, tmp_path):
    with serving(tmp_path, demo_url, 'user = "demo"\n', "--no-password") as server:
        async with aiohttp.ClientSession() as client:
            for origin in ("http://evil.example", f"http://127.0.0.1.evil.example:{server['port']}",
                           "http://127.0.0.1:1", "null", None):
                with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                    await client.ws_connect(ws_url(server), headers={"Origin": origin} if origin else {})
                assert refused.value.status == 403, origin
            assert session_processes(server) == []  # nothing was started for them
            # the server's own page gets the main menu at once (no password), in one process
            async with client.ws_connect(ws_url(server), headers=own_origin(server)) as ws:
                await read_until(ws, "Main menu")
                assert len(session_processes(server)) == 1
        with urllib.request.urlopen(server["url"], timeout=30) as page:  # no other site may frame the page
            assert page.headers["X-Frame-Options"] == "DENY"
            assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        log = server["log"].read_text()
    assert "refused a session from 127.0.0.1: its page is of another site (Origin 'http://evil.example')" in log


async def test_sessions_are_capped_per_address_and_in_all(demo_url, tmp_path):
    conf = ('[serve]\nmax_sessions = 3\nmax_sessions_per_address = 2\ntrusted_proxies = ["127.0.0.1"]\n')
    with serving(tmp_path, demo_url, conf) as server:
        async with aiohttp.ClientSession() as client:
            async def connect(forwarded_for: str):
                return await client.ws_connect(ws_url(server), headers={**own_origin(server),
                                                                        "X-Forwarded-For": forwarded_for})

            first = [await connect("192.0.2.1") for _ in range(2)]
            for ws in first:
                await read_until(ws, "User name")
            third = await connect("203.0.113.9, 192.0.2.1")  # the proxy names the same client last
            shown = await read_until(third, None)
            assert "pupetui: refused: your address has its most sessions (2); close one or try again later" in shown
            assert third.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
            other = await connect("192.0.2.2")
            await read_until(other, "User name")
            fourth = await connect("192.0.2.3")
            assert "pupetui: refused: the server has its most sessions (3); try again later" in await read_until(
                fourth, None)
            processes = session_processes(server)
            assert len(processes) == 3  # one process a session, none for the refused
            # each session is told its client's address: its login counts failures by it
            assert sorted(environment(pid).get("PUPETUI_CLIENT_ADDRESS") for pid in processes) == [
                "192.0.2.1", "192.0.2.1", "192.0.2.2"]
            await first[0].close()
            wait_until(lambda: len(session_processes(server)) == 2, "the closed session's process ended")
            again = await connect("192.0.2.1")
            await read_until(again, "User name")
            for ws in (first[1], other, again):
                await ws.close()
        wait_until(lambda: session_processes(server) == [], "every session's process ended")


MALFORMED = [
    ("{not json", "not JSON"),
    ('{"stdin": "x"}', "not a list starting with its type"),
    ('["resize", {"width": -1, "height": 24}]', "a resize without a usable width and height"),
    ('["stdin", 5]', "a bad stdin"),
    ('["launch", "x"]', "unknown message type 'launch'"),
    (b"\x00\x01", "a binary message"),
]


async def test_a_malformed_message_closes_its_session_with_one_log_line(demo_url, tmp_path):
    with serving(tmp_path, demo_url, "") as server:
        async with aiohttp.ClientSession() as client:
            for payload, _reason in MALFORMED:
                async with client.ws_connect(ws_url(server), headers=own_origin(server)) as ws:
                    await read_until(ws, "User name")
                    await (ws.send_bytes(payload) if isinstance(payload, bytes) else ws.send_str(payload))
                    await read_until(ws, None)
                    assert ws.close_code == aiohttp.WSCloseCode.UNSUPPORTED_DATA  # 1003
                wait_until(lambda: session_processes(server) == [], "the session's process ended")
        log = server["log"].read_text()
    for _payload, reason in MALFORMED:
        lines = [line for line in log.splitlines() if f"a malformed message ({reason})" in line]
        assert len(lines) == 1 and "closed the session of 127.0.0.1" in lines[0], log
    assert "Traceback" not in log and "app_service" not in log and "envelope" not in log


def test_the_allowed_origins_and_the_client_address():
    assert origin_of("https://CRM.example.com:443/path?x") == "https://crm.example.com"
    assert origins_for("127.0.0.1", 8000, None) == {
        "http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"}
    assert origins_for("0.0.0.0", 8000, "https://crm.example.com/", ["https://other.example.com"]) == {
        "http://0.0.0.0:8000", "https://crm.example.com", "https://other.example.com"}
    import ipaddress

    proxies = [ipaddress.ip_network("10.0.0.0/8")]
    # X-Forwarded-For counts only from a trusted proxy: anyone else could write anything there
    assert client_address("192.0.2.5", "198.51.100.1", proxies) == "192.0.2.5"
    assert client_address("10.1.1.1", "198.51.100.1, 192.0.2.7", proxies) == "192.0.2.7"
    assert client_address("10.1.1.1", "192.0.2.7, 10.2.2.2", proxies) == "192.0.2.7"
    assert client_address("10.1.1.1", None, proxies) == "10.1.1.1"


async def test_a_session_that_does_not_log_in_in_time_is_closed(demo_url, tmp_path):
    with serving(tmp_path, demo_url, "[serve]\nlogin_timeout_seconds = 2\n") as server:
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(ws_url(server), headers=own_origin(server)) as ws:
                await read_until(ws, "User name")
                await read_until(ws, None)  # the server closes it: nobody logged in
            wait_until(lambda: session_processes(server) == [], "the session's process ended")


async def test_a_browser_from_an_address_that_has_failed_too_often_is_locked_out(demo_url, tmp_path):
    """The session's login counts by the browser's address, with every session's failures."""
    with serving(tmp_path, demo_url, "") as server:
        guard = LoginGuard(tmp_path / "state" / "pupetui" / "logins.sqlite3")  # the server's sessions' file
        for number in range(20):  # twenty wrong guesses of twenty names from this address
            guard.begin(user_key("demo", f"guess{number}"), "127.0.0.1")
        async with aiohttp.ClientSession() as client:
            async with client.ws_connect(ws_url(server), headers=own_origin(server)) as ws:
                await read_until(ws, "User name")
                for keys in ("demo", "\t", "demo\r"):  # the right password
                    await ws.send_json(["stdin", keys])
                await read_until(ws, "Too many failed logins")


def test_the_messages_textual_js_sends_pass_and_a_huge_size_is_cut_down():
    from aiohttp import WSMessage, WSMsgType

    from pupetui.serve import MAX_SIZE, Malformed, check_message

    def text(data: str) -> WSMessage:
        return WSMessage(WSMsgType.TEXT, data, None)

    assert check_message(text('["stdin", "a\\u001b[A"]')) == ("stdin", "a\x1b[A")
    assert check_message(text('["resize", {"width": 120, "height": 40}]')) == ("resize", (120, 40))
    assert check_message(text('["resize", {"width": 100000, "height": 40}]')) == ("resize", (MAX_SIZE, 40))
    assert check_message(text('["ping", "1733230000000"]')) == ("ping", "1733230000000")
    assert check_message(text('["focus"]')) == ("focus", None) and check_message(text('["blur"]')) == ("blur", None)
    with pytest.raises(Malformed):
        check_message(text('["resize", {"width": true, "height": 40}]'))
