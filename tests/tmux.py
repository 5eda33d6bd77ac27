"""Driving the installed `pupetui` in a real terminal: a tmux server of our own, 80x24.

Shared by the end-to-end tests (tests/test_e2e_*.py):

    term = Terminal(tmp_path)                 # or the `tmux` fixture of test_e2e_tmux.py
    term.start(pupetui_command("--db", url, "--company", "demo", "--user", "demo", "--lang", "en"))
    term.wait_for("Main menu", "CRM programs")  # polls capture-pane until the texts show
    term.keys("a")                              # tmux key names: Enter, Escape, F5, C-s, Down...
    term.type("Virtanen")                       # literal text
    term.close()

Each Terminal has its own tmux server (`-L <socket>` in a short temporary folder), so tests never
touch anyone's sessions and can run side by side. Nothing here sleeps for a fixed time: every wait
is for text on the screen, with a timeout that prints the screen when it runs out.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
REQUIRE = os.environ.get("PUPETUI_REQUIRE_SERVERS") == "1"
EXITED = "pupetui exited with"
WIDTH, HEIGHT = 80, 24


def require_tmux() -> None:
    """Skip the test where tmux is missing; fail it under PUPETUI_REQUIRE_SERVERS=1 (CI)."""
    if TMUX is None:
        if REQUIRE:
            pytest.fail("PUPETUI_REQUIRE_SERVERS=1 but tmux is not installed", pytrace=False)
        pytest.skip("tmux is not installed")


def installed_pupetui() -> Path:
    """The `pupetui` entry point of the environment running the tests (what `pip install` made)."""
    path = Path(sys.executable).parent / "pupetui"
    if not path.is_file():
        pytest.fail(f"the pupetui command is not installed at {path}: pip install -e .", pytrace=False)
    return path


def pupetui_command(*args: str) -> list[str]:
    return [str(installed_pupetui()), *args]


def make_demo_database(folder: Path, customers: int = 20) -> str:
    """A demo database (`pupetui demo`) in `folder`; its URL."""
    url = f"sqlite:///{folder / 'demo.sqlite3'}"
    made = subprocess.run(
        pupetui_command("demo", "--db", url, "--customers", str(customers), "--quiet"),
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "XDG_CONFIG_HOME": str(folder / "config"), "PUPETUI_CONFIG": ""},
    )
    assert made.returncode == 0, made.stderr
    return url


class Terminal:
    """A tmux server of our own running one command in an 80x24 window."""

    def __init__(self, tmp_path: Path):
        self.socket = f"pupetui-test-{uuid.uuid4().hex[:8]}"
        self.session = "pupetui"
        self.socket_dir = tempfile.mkdtemp(prefix="pupetui-tmux-")  # short: socket paths are limited
        self.home = Path(self.socket_dir) / "home"  # short: saved files' paths fit on one line
        self.home.mkdir()
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),  # files the programs save by default land here
            "XDG_CONFIG_HOME": str(self.home / ".config"),  # no user config file leaks in
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TERM": "xterm-256color",
            "TMUX_TMPDIR": self.socket_dir,
        }

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            [TMUX, "-L", self.socket, "-f", "/dev/null", *args],
            env=self.env, capture_output=True, text=True, timeout=30,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def start(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        """Run `argv` in a new 80x24 window; when it ends the window says how (see EXITED)."""
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        command = f"{exports} {shlex.join(argv)}; echo \"{EXITED} $?\"; sleep 60"
        self.tmux("new-session", "-d", "-s", self.session, "-x", str(WIDTH), "-y", str(HEIGHT),
                  "sh", "-c", command)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.session, check=False)

    def wait_for(self, *texts: str, absent: tuple[str, ...] = (), timeout: float = 20.0) -> str:
        """The screen, once it shows every one of `texts` and none of `absent`."""
        return wait_for_screen(self.screen, texts, absent, timeout)

    def wait_gone(self, *texts: str, timeout: float = 20.0) -> str:
        """The screen, once none of `texts` is on it."""
        return self.wait_for(absent=texts, timeout=timeout)

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's cursor is: Textual puts it at the focused input's caret."""
        out = self.tmux("display-message", "-p", "-t", self.session, "#{cursor_x} #{cursor_y}")
        x, y = out.split()
        return int(x), int(y)

    def wait_for_focus(self, label: str, timeout: float = 20.0) -> str:
        """The screen, once the caret is on the line that shows `label` (that field has the focus).

        A bound key (Tab, Enter in a form, ctrl+u...) goes to the app and back to the widget, so
        text typed right after it can overtake it: wait for the focus before typing."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            _x, y = self.cursor()
            lines = screen.splitlines()
            if y < len(lines) and label in lines[y]:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout} s for the focus on the line of {label!r}; "
                                     f"the caret is on line {y}; the terminal shows:\n{screen}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        """tmux key names, each sent as one key press: "Enter", "Escape", "F5", "C-s", "Down", "a"."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def press_until(self, key: str, *texts: str, tries: int = 3, each: float = 10.0) -> str:
        """`key`, and again (at most `tries` times) while the screen has not come to show `texts`.
        For the first key a program gets after it loads: on a loaded 2-core machine one such key
        was seen to go nowhere (the screen fully drawn, the key never acted on), where a person
        would simply press it again. A key that acted shows `texts`; pressing again then is
        harmless where the next step clears its field first."""
        for attempt in range(tries):
            self.keys(key)
            try:
                return self.wait_for(*texts, timeout=each)
            except AssertionError:
                if attempt == tries - 1:
                    raise
        raise AssertionError("unreachable")

    def type(self, text: str) -> None:
        """Literal text, as if typed."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def size(self) -> tuple[int, int]:
        out = self.tmux("display-message", "-p", "-t", self.session, "#{window_width} #{window_height}")
        width, height = out.split()
        return int(width), int(height)

    def assert_clean_exit(self) -> None:
        screen = self.wait_for(EXITED)
        assert f"{EXITED} 0" in screen, screen
        assert "Traceback" not in screen and "Error" not in screen, screen

    def close(self) -> None:
        self.tmux("kill-server", check=False)
        shutil.rmtree(self.socket_dir, ignore_errors=True)


def wait_for_screen(read, texts, absent=(), timeout: float = 20.0, pause=lambda: time.sleep(0.05)) -> str:
    """`read()`'s screen, once it shows every one of `texts` and none of `absent` (polled)."""
    deadline = time.monotonic() + timeout
    while True:
        screen = read()
        if all(t in screen for t in texts) and not any(t in screen for t in absent):
            return screen
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {tuple(texts)!r} without {tuple(absent)!r}; "
                                 f"the screen shows:\n{screen}")
        pause()

