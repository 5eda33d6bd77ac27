"""Real servers on loopback for the tests: SMTP (aiosmtpd) and an HTTP SMS service."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SmtpServer:
    """An SMTP server; `mode` 'ok' takes mail, 'refuse' answers 550 to every recipient,
    'refuse_after:N' takes N mails then refuses the rest, 'drop_after:N' takes N mails, then
    takes the next one's data and drops the connection without answering (the client cannot
    know whether it was taken; it was), then takes mail again. `refused_addresses`: recipients
    answered 550 in any mode (the others of the same mail are taken)."""

    port: int = 0
    mode: str = "ok"
    delay: float = 0.0  # seconds before the answer to each mail's data (a slow server)
    gate: threading.Event | None = None  # when given, each mail's answer waits until it is set
    refused_addresses: set[str] = field(default_factory=set)
    messages: list[EmailMessage] = field(default_factory=list)
    delivered_to: list[list[str]] = field(default_factory=list)  # each message's accepted recipients
    controller: Controller | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in {a.lower() for a in self.refused_addresses}:
            return "550 5.1.1 no such mailbox here"
        if self.mode == "refuse":
            return "550 5.7.1 refused by the test server"
        if self.mode.startswith("refuse_after:") and len(self.messages) >= int(self.mode.split(":")[1]):
            return "550 5.7.1 refused by the test server"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        taken = len(self.messages)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.delivered_to.append(list(envelope.rcpt_tos))  # whom the server took it for
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.gate is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.gate.wait)
        if self.mode.startswith("drop_after:") and taken == int(self.mode.split(":")[1]):
            server.transport.close()
        return "250 Message accepted"

    def start(self) -> "SmtpServer":
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller:
            self.controller.stop()


class DroppingServer:
    """Accepts TCP connections and closes them at once (a server that drops the connection)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted += 1
            conn.close()

    def stop(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()


class SmsService:
    """Pupesoft's SMS protocol on loopback. `answer` is the body to send ('0' = success);
    `delay` seconds before answering; `drop` closes the connection without an answer.
    `script`: what to do for the next requests, one item each, before the defaults apply again:
    a body to answer, HANG (no answer for `hang_seconds`), DROP, or HOLD (sets `holding`, then
    answers OK once the test sets `release`: event-based, no sleeps); e.g. `["0", "0", HANG]`
    answers OK twice and then hangs. `status`: the HTTP status of every answer (200)."""

    HANG = "<hang>"
    DROP = "<drop>"
    HOLD = "<hold>"

    def __init__(self, answer: str = "0", delay: float = 0.0, drop: bool = False):
        self.answer = answer
        self.delay = delay
        self.drop = drop
        self.script: list[str] = []
        self.hang_seconds = 5.0
        self.status = 200  # the HTTP status of the answers
        self.requests: list[dict[str, str]] = []
        self.holding = threading.Event()  # a HOLD request has arrived and waits
        self.release = threading.Event()  # set by the test: the held request is answered
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                # the values are latin1 (Windows-1252), as Pupesoft sends them
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query, keep_blank_values=True,
                                                      encoding="cp1252", errors="replace").items()}
                with service._lock:
                    service.requests.append(query)
                    step = service.script.pop(0) if service.script else None
                if step == service.DROP or (step is None and service.drop):
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.connection.close()
                    return
                if step == service.HOLD:
                    service.holding.set()
                    service.release.wait(60)
                elif step == service.HANG:
                    time.sleep(service.hang_seconds)
                elif step is None and service.delay:
                    time.sleep(service.delay)
                answer = step if step not in (None, service.HANG, service.HOLD) else service.answer
                body = answer.encode()
                try:
                    self.send_response(service.status)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class TlsService:
    """An HTTPS endpoint on loopback with a certificate of its own (made with openssl), to tell
    TLS failures apart: `mode` 'ok' answers 0; 'garbage' reads the whole request and then sends
    bytes that are no TLS record (the request went out: the client's TLS layer fails while it
    waits for the answer). `ca_file`: the certificate, for a client that should trust it."""

    def __init__(self, tmp_path, mode: str = "garbage"):
        import subprocess

        self.mode = mode
        self.cert = tmp_path / "tls-cert.pem"
        self.key = tmp_path / "tls-key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )
        self.ca_file = str(self.cert)
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.url = f"https://127.0.0.1:{self.port}/sms"
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                raw, _ = self.sock.accept()
            except OSError:
                continue
            raw.settimeout(5)
            incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
            tls = context.wrap_bio(incoming, outgoing, server_side=True)
            try:
                self._serve(raw, tls, incoming, outgoing, ssl)
            except (OSError, ssl.SSLError):
                pass
            finally:
                raw.close()

    def _pump(self, raw, tls, incoming, outgoing, step, ssl):
        while True:
            try:
                return step()
            except ssl.SSLWantReadError:
                if outgoing.pending:
                    raw.sendall(outgoing.read())
                data = raw.recv(65536)
                if not data:
                    raise OSError("closed")
                incoming.write(data)
            finally:
                if outgoing.pending:
                    raw.sendall(outgoing.read())

    def _serve(self, raw, tls, incoming, outgoing, ssl):
        self._pump(raw, tls, incoming, outgoing, tls.do_handshake, ssl)
        request = b""
        while b"\r\n\r\n" not in request:
            request += self._pump(raw, tls, incoming, outgoing, lambda: tls.read(65536), ssl)
        self.requests.append(request)
        if self.mode == "ok":
            tls.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n0")
            raw.sendall(outgoing.read())
        else:  # bytes outside any TLS record: the client's TLS layer fails reading the answer
            raw.sendall(b"\x17\x03\x03\x00\x10" + b"\x00" * 16)
        time.sleep(0.2)

    def stop(self):
        self._stop = True
        self.thread.join(2)
        self.sock.close()
