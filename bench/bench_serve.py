"""What N browser connections that never log in cost the server: `pupetui serve` against
textual-serve's own Server running the same `python -m pupetui` (the unpatched behaviour).

For each server: N websockets from one address with the server's own Origin, each waited for
until it shows the login form or is refused; then the server's child processes and their total
resident memory (VmRSS from /proc); then N websockets with a foreign Origin.  Figures only:
nothing here fails.

    python bench/bench_serve.py [--connections 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

ESCAPES = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]")
UNPATCHED = """
import sys
from textual_serve.server import Server
Server(sys.argv[1], host="127.0.0.1", port=int(sys.argv[2]), title="pupetui").serve()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            continue
        found.extend(children)
        todo.extend(children)
    return found


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


async def one(client: aiohttp.ClientSession, url: str, origin: str, sockets: list) -> str:
    """'accepted' (the login form arrived), 'refused' (closed or 403) or 'timeout'."""
    try:
        ws = await client.ws_connect(url, headers={"Origin": origin})
    except aiohttp.WSServerHandshakeError:
        return "refused"
    sockets.append(ws)
    got = ""
    try:
        async with asyncio.timeout(120):
            async for message in ws:
                if message.type == aiohttp.WSMsgType.BINARY:
                    got += message.data.decode("utf-8", "replace")
                if "User name" in ESCAPES.sub("", got):
                    return "accepted"
    except TimeoutError:
        return "timeout"
    return "refused"


async def crowd(port: int, connections: int, origin: str, server_pid: int) -> str:
    url = f"ws://127.0.0.1:{port}/ws"
    sockets: list = []
    async with aiohttp.ClientSession() as client:
        results = await asyncio.gather(*(one(client, url, origin, sockets) for _ in range(connections)))
        processes = descendants(server_pid)
        memory = rss_mb(processes)
        for ws in sockets:
            await ws.close()
    deadline = time.monotonic() + 60
    while descendants(server_pid) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return (f"accepted {results.count('accepted')} refused {results.count('refused')} "
            f"processes {len(processes)} RSS MB {memory:.0f}"
            + (f" timeout {results.count('timeout')}" if "timeout" in results else "")), len(processes), memory


def start(argv: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    server = subprocess.Popen(argv, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()}") from None
            time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
        env = {**os.environ, "XDG_CONFIG_HOME": str(folder / "config"), "XDG_STATE_HOME": str(folder / "state"),
               "PUPETUI_CONFIG": "", "LANG": "C.UTF-8"}
        subprocess.run([sys.executable, "-m", "pupetui", "demo", "--db", url, "--customers", "20", "--quiet"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        # what `pupetui serve` gives its sessions (pupetui.cli.serve_environment)
        session_env = {**env, "PUPETUI_DB": url, "PUPETUI_COMPANY": "demo", "PUPETUI_AUTH": "password",
                       "PUPETUI_LANG": "en"}
        figures = {}
        for name in ("unpatched textual-serve", "pupetui serve"):
            port = free_port()
            if name == "pupetui serve":
                argv = [sys.executable, "-m", "pupetui", "serve", "--db", url, "--port", str(port), "--lang", "en"]
                server_env = env
            else:
                argv = [sys.executable, "-c", UNPATCHED, f"{sys.executable} -m pupetui", str(port)]
                server_env = session_env
            server = start(argv, server_env, port, folder / f"{port}.log")
            try:
                line, processes, memory = asyncio.run(
                    crowd(port, args.connections, f"http://127.0.0.1:{port}", server.pid))
                print(f"{name}: {args.connections} connections, none logging in: {line}", flush=True)
                foreign, _p, _m = asyncio.run(crowd(port, args.connections, "http://evil.example", server.pid))
                print(f"{name}: {args.connections} connections from a foreign Origin: {foreign}", flush=True)
                figures[name] = (processes, memory)
            finally:
                server.terminate()
                server.wait(timeout=30)
        (base_p, base_m), (new_p, new_m) = figures["unpatched textual-serve"], figures["pupetui serve"]
        print(f"ratio pupetui/unpatched: processes {new_p / max(base_p, 1):.2f} RSS {new_m / max(base_m, 1):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
