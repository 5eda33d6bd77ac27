"""`pupetui serve`'s web server: textual-serve's, with the checks a public service needs.

- Origin: a browser's websocket must come from a page of the served address (`--public-url`,
  or the host and port served; on loopback any loopback name), or of `[serve] allowed_origins`.
  Otherwise 403 and no process: another web site's page cannot drive the app in the browser of
  someone who can reach the server (with `--no-password` it would get the main menu).  The Host
  header is not trusted for this (DNS rebinding makes it the attacker's name).
- Caps: at most `max_sessions` sessions (one `pupetui` process each) and
  `max_sessions_per_address` per client address (IPv6: per /64); over a cap the browser gets a
  one-line message and no process is started.  The client address is the peer's, or, when the
  peer is one of `trusted_proxies`, the last address of X-Forwarded-For that is not a proxy.
- The session process is started directly (no shell in between) and gets the client address
  in PUPETUI_CLIENT_ADDRESS: the login counts failures by it (services.login_guard), and a token
  of its own in PUPETUI_SERVE_SESSION: its exports go into a folder of that browser session only
  (services.export_target), removed when the session ends, so two browsers of one user never
  see or replace each other's files.
- A malformed message from the browser closes its session (close code 1003) with one log line;
  the log shows no tracebacks with local variables.
- Pages are sent with headers that forbid framing (clickjacking).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import secrets
import shlex
import shutil
import sys
from collections import Counter
from typing import Any, Mapping, Sequence
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from pupetui.config import DEFAULTS
from pupetui.services import export_target
from pupetui.services.login_guard import address_group

log = logging.getLogger("textual-serve")

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_MESSAGE = 1 << 20  # bytes of one websocket message (a paste); more is refused by aiohttp
MAX_SIZE = 1000  # columns or rows a browser may ask for


class Malformed(Exception):
    """A websocket message that textual.js would never send."""


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, lower case, without the default port."""
    parts = urlsplit(url.strip())
    scheme = (parts.scheme or "").lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return ""
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    default = {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://{host}" + (f":{port}" if port and port != default else "")


def allowed_origins(host: str, port: int, public_url: str | None, extra: Sequence[str] = ()) -> set[str]:
    """The origins whose pages may open sessions."""
    names = [f"[{host}]" if ":" in host else host]
    if host in ("127.0.0.1", "localhost", "::1"):
        names = list(LOOPBACK_NAMES)
    origins = {origin_of(f"http://{name}:{port}") for name in names}
    if public_url:
        origins.add(origin_of(public_url))
    origins.update(origin_of(o) for o in extra)
    origins.discard("")
    return origins


def _networks(items: Sequence[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip()]


def client_address(peer: str, forwarded_for: str | None, trusted_proxies: Sequence[Any]) -> str:
    """The client's address: the peer's, unless the peer is a trusted proxy; then the last
    address in X-Forwarded-For that is not a trusted proxy (each proxy appends the one it saw)."""

    def trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted_proxies)

    if not forwarded_for or not trusted(peer):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not trusted(hop):
            return hop
    return peer


def check_message(message: Any) -> tuple[str, Any]:
    """(type, data) of a browser message; Malformed unless it is one textual.js sends."""
    if message.type != WSMsgType.TEXT:
        raise Malformed(f"a {message.type.name.lower()} message")
    try:
        envelope = json.loads(message.data)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(envelope, list) or not envelope or not isinstance(envelope[0], str):
        raise Malformed("not a list starting with its type")
    kind, data = envelope[0], (envelope[1] if len(envelope) > 1 else None)
    if kind == "stdin" and isinstance(data, str):
        return kind, data
    if kind == "resize" and isinstance(data, dict):
        width, height = data.get("width"), data.get("height")
        if all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in (width, height)):
            return kind, (min(width, MAX_SIZE), min(height, MAX_SIZE))  # a huge one would eat the memory
        raise Malformed("a resize without a usable width and height")
    if kind == "ping" and isinstance(data, (str, int, float)):
        return kind, data
    if kind in ("blur", "focus"):
        return kind, None
    raise Malformed(f"unknown message type {kind[:20]!r}" if kind not in ("stdin", "ping") else f"a bad {kind}")


def session_environment(address: str) -> dict[str, str]:
    """What one browser's pupetui gets besides the serve command's environment: the client's
    address, and a new session token (its own export folder)."""
    return {"PUPETUI_CLIENT_ADDRESS": address, export_target.SESSION_ENV: secrets.token_hex(16)}


def remove_session_files(token: str) -> None:
    """The export folders of an ended browser session (its files went to the browser already:
    a download is read from the session's process, which is gone)."""
    for folder in export_target.session_folders(token):
        shutil.rmtree(folder, ignore_errors=True)


class SessionService(AppService):
    """One browser's `pupetui` process: started without a shell, told the client's address."""

    def __init__(self, argv: Sequence[str], environment: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = list(argv)
        self.extra_environment = dict(environment)

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return {**super()._build_environment(width, height), **self.extra_environment}

    async def _open_app_process(self, width: int = 80, height: int = 24):
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=self._build_environment(width=width, height=height),
        )
        self._stdin = process.stdin
        return process


class PupetuiServer(Server):
    def __init__(self, argv: Sequence[str], *, host: str, port: int, public_url: str | None,
                 options: Mapping[str, Any] | None = None) -> None:
        super().__init__(shlex.join(argv), host=host, port=port, title="pupetui", public_url=public_url)
        self.argv = list(argv)
        options = {**DEFAULTS["serve"], **(options or {})}
        self.origins = allowed_origins(host, port, public_url, options["allowed_origins"])
        self.max_sessions = int(options["max_sessions"])
        self.max_per_address = int(options["max_sessions_per_address"])
        self.trusted_proxies = _networks(options["trusted_proxies"])
        self.sessions: Counter[str] = Counter()  # address group -> sessions now

    # -- logging: one line per event, no locals -------------------------------------------------
    def initialize_logging(self) -> None:
        """Plain lines on stderr: one per event, and never a traceback's local variables (textual-
        serve's own handler shows them: passwords and customers' data would end up in the log)."""
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S"))
        logging.basicConfig(level="DEBUG" if self.debug else "INFO", handlers=[handler], force=True)

    # -- pages ------------------------------------------------------------------------------------
    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        response = await super().handle_index(request)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    # -- sessions ---------------------------------------------------------------------------------
    def address_of(self, request: web.Request) -> str:
        return client_address(request.remote or "", request.headers.get("X-Forwarded-For"), self.trusted_proxies)

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        origin = origin_of(request.headers.get("Origin", ""))
        address = self.address_of(request)
        if origin not in self.origins:
            log.warning("refused a session from %s: its page is of another site (Origin %r)",
                        address, request.headers.get("Origin", "")[:100])
            return web.Response(status=403, text="pupetui: refused: this page is not of this server\n")
        group = address_group(address)
        refusal = ""
        if sum(self.sessions.values()) >= self.max_sessions:
            refusal = f"pupetui: refused: the server has its most sessions ({self.max_sessions}); try again later"
        elif self.sessions[group] >= self.max_per_address:
            refusal = (f"pupetui: refused: your address has its most sessions ({self.max_per_address}); "
                       "close one or try again later")
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        if refusal:
            log.warning("refused a session from %s: %s", address, refusal.split(": ", 2)[-1])
            await websocket.prepare(request)
            await websocket.send_bytes((refusal + "\r\n").encode())
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"too many sessions")
            return websocket
        self.sessions[group] += 1
        try:
            return await self._session(request, websocket, address)
        finally:
            self.sessions[group] -= 1
            if self.sessions[group] <= 0:
                del self.sessions[group]

    async def _session(self, request: web.Request, websocket: web.WebSocketResponse, address: str):
        width = min(max(to_int(request.query.get("width", "80"), 80), 1), MAX_SIZE)
        height = min(max(to_int(request.query.get("height", "24"), 24), 1), MAX_SIZE)
        service: SessionService | None = None
        try:
            await websocket.prepare(request)
            service = SessionService(
                self.argv, session_environment(address),
                write_bytes=websocket.send_bytes, write_str=websocket.send_str, close=websocket.close,
                download_manager=self.download_manager, debug=self.debug,
            )
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except Malformed as error:
            log.warning("closed the session of %s: a malformed message (%s)", address, error)
            await websocket.close(code=WSCloseCode.UNSUPPORTED_DATA, message=b"malformed message")
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001 - one line, no traceback with locals
            log.error("the session of %s ended with an error: %s: %s", address, type(error).__name__, error)
        finally:
            if service is not None:
                await service.stop()
                remove_session_files(service.extra_environment[export_target.SESSION_ENV])
        return websocket

    async def _process_messages(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        async for message in websocket:
            if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED):
                break
            if message.type == WSMsgType.ERROR:
                raise Malformed(f"a websocket error: {websocket.exception()}")
            kind, data = check_message(message)
            if kind == "stdin":
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize":
                await app_service.set_terminal_size(*data)
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


def session_command() -> list[str]:
    """The command of each browser's session: this Python, `-m pupetui`."""
    return [sys.executable, "-m", "pupetui"]

