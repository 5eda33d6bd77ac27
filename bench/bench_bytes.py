"""Bytes sent to the terminal for a fixed keystroke script: 16 colours against truecolor.

Over a slow link (SSH over a mobile connection, a serial console) every byte a keystroke
costs is latency. This runs the real `pupetui` command in a pseudo-terminal of 80x24, once as
a 16-colour terminal (TERM=xterm, no COLORTERM: pupetui picks its ANSI theme and Rich writes
the 16 colour codes) and once as a truecolor one (TERM=xterm-256color, COLORTERM=truecolor:
the default theme, 24-bit colour codes), types the same keys into both, waits after each key
until the screen is quiet, and counts the bytes the program wrote. Prints the start-up bytes,
the script's bytes and bytes per key, and the ratio 16 colours / truecolor.

    python bench/bench_bytes.py [--customers 300] [--quiet-ms 500]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (80, 24)

DOWN, UP, ENTER, ESC = "\x1b[B", "\x1b[A", "\r", "\x1b"
# (what is typed, what it stands for): open the customer list, search, move, open the memo,
# switch its tabs, back to the menu, the calendar, next months and days, the reminders, back.
SCRIPT: list[tuple[str, str]] = [
    ("a", "customer list"),
    *((c, "search") for c in "hel"),
    (DOWN, "down"), (DOWN, "down"), (UP, "up"),
    (ENTER, "open the memo"),
    ("2", "contacts tab"), ("3", "discounts tab"), ("5", "sales tab"), ("1", "entries tab"),
    (DOWN, "next entry"),
    (ESC, "back to the list"), (ESC, "back to the menu"),
    ("k", "calendar"),
    ("m", "next month"), ("m", "next month"), ("l", "next day"), ("l", "next day"), ("j", "next week"),
    ("v", "week view"), ("v", "day view"),
    (ESC, "back to the menu"),
    ("r", "reminders"), (DOWN, "down"), (DOWN, "down"),
    (ESC, "back to the menu"),
]


def read_until_quiet(fd: int, quiet: float, limit: float = 15.0) -> bytes:
    """Everything the program writes until it has been silent for `quiet` seconds."""
    out = bytearray()
    deadline = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the program has ended
                break
            if not chunk:
                break
            out += chunk
            last = time.monotonic()
        elif out and time.monotonic() - last >= quiet:
            break
        elif not out and time.monotonic() - last >= max(quiet, 3.0):
            break
    return bytes(out)


def run(url: str, env_extra: dict[str, str], quiet: float) -> tuple[int, list[int]]:
    """(bytes until the menu is up, bytes of each key of SCRIPT)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR", "TEXTUAL")}
    env.update({"PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", **env_extra})
    proc = subprocess.Popen(
        [sys.executable, "-m", "pupetui", "--db", url, "--company", "demo", "--user", "demo",
         "--lang", "en", "--auth", "none"],
        stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True,
    )
    os.close(slave)
    try:
        startup = len(read_until_quiet(master, max(quiet, 1.5)))
        per_key = []
        for keys, _what in SCRIPT:
            os.write(master, keys.encode())
            per_key.append(len(read_until_quiet(master, quiet)))
        os.write(master, b"\x11")  # ctrl+q
        read_until_quiet(master, quiet)
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait()
        os.close(master)
    return startup, per_key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--quiet-ms", type=int, default=500, help="silence that ends a key's output")
    args = parser.parse_args()
    quiet = args.quiet_ms / 1000
    with tempfile.TemporaryDirectory(prefix="pupetui-bytes-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bytes.sqlite3'}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        made = subprocess.run(
            [sys.executable, "-m", "pupetui", "demo", "--db", url, "--customers", str(args.customers), "--quiet"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )
        if made.returncode:
            raise SystemExit(f"making the demo database failed:\n{made.stderr}")
        terminals = {
            "16 colours": {"TERM": "xterm", "XDG_CONFIG_HOME": str(Path(tmp) / "config")},
            "truecolor": {"TERM": "xterm-256color", "COLORTERM": "truecolor",
                          "XDG_CONFIG_HOME": str(Path(tmp) / "config")},
        }
        results = {name: run(url, extra, quiet) for name, extra in terminals.items()}

    print(f"bytes written to an {SIZE[0]}x{SIZE[1]} terminal for a script of {len(SCRIPT)} keys "
          f"(customer list, search, memo tabs, calendar months and views, reminders)")
    print(f"{'':12} {'start-up':>10} {'script':>10} {'per key':>9} {'largest key':>12}")
    for name, (startup, per_key) in results.items():
        total = sum(per_key)
        biggest = max(range(len(per_key)), key=per_key.__getitem__)
        print(f"{name:12} {startup:10,} {total:10,} {total / len(per_key):9,.0f} "
              f"{per_key[biggest]:7,} ({SCRIPT[biggest][1]})")
    few, full = sum(results["16 colours"][1]), sum(results["truecolor"][1])
    print(f"ratio 16 colours / truecolor: {few / full:.2f} (script), "
          f"{results['16 colours'][0] / results['truecolor'][0]:.2f} (start-up)")


if __name__ == "__main__":
    main()
