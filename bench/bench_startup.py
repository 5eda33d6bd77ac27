"""Time to the first frame of the main menu at 80x24: pupetui against a bare Textual app.

Each run is a fresh process, started the same way for both: headless at 80x24, timed from just
before the process is spawned to the moment the first screen is mounted, filled and refreshed
(for pupetui: the real `pupetui` command path, i.e. settings, language, database open and schema
check, login, then the menu with the user's programs from the database).  Prints the median of
several runs and the ratio.  Figures only: nothing here fails for being slow.

    python bench/bench_startup.py [--runs 9] [--customers 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (80, 24)


# -- the child processes -----------------------------------------------------------------------


def child_bare() -> None:
    started = time.perf_counter()
    from textual.app import App, ComposeResult
    from textual.widgets import Footer, Header, Static

    class Bare(App):
        BINDINGS = [("f1", "help", "Help"), ("ctrl+q", "quit", "Quit")]

        def compose(self) -> ComposeResult:
            yield Header()
            yield Static("Customer list")
            yield Static("Calendar")
            yield Static("Reminders")
            yield Footer()

        def on_mount(self) -> None:
            self.call_after_refresh(self.ready)

        def ready(self) -> None:
            print(f"READY {time.perf_counter() - started:.6f}", flush=True)
            self.exit()

    Bare().run(headless=True, size=SIZE)


def child_pupetui(url: str, company: str, user: str) -> None:
    started = time.perf_counter()
    from textual.app import App

    from pupetui import cli
    from pupetui.db_drivers import import_peewee_for

    # What `cli.main` does first (peewee with the one driver the URL needs), here before the
    # app module is imported to be timed; main's own call then finds it done.
    import_peewee_for(url)
    from pupetui import app as app_module

    class Timed(app_module.PupetuiApp):
        # Textual calls the handler of every class of the MRO: no super() here.
        def on_menu_screen_loaded(self, message) -> None:
            self.call_after_refresh(self.ready)

        def ready(self) -> None:
            print(f"READY {time.perf_counter() - started:.6f}", flush=True)
            self.exit()

        def run(self, **kwargs):
            return App.run(self, headless=True, size=SIZE)

    app_module.PupetuiApp = Timed  # cli.run_tui imports it from the module when it starts
    code = cli.main(["--db", url, "--company", company, "--user", user, "--lang", "en", "--auth", "none"])
    if code:
        raise SystemExit(code)


# -- the parent --------------------------------------------------------------------------------


def one_run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds from spawning to the first frame, seconds of it inside the process's own code)."""
    spawned = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
    )
    assert proc.stdout is not None
    total = inside = None
    for line in proc.stdout:
        if line.startswith("READY "):
            total = time.perf_counter() - spawned
            inside = float(line.split()[1])
            break
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
    if total is None or inside is None:
        raise SystemExit(f"the child {' '.join(args)} never showed its first frame:\n{err}")
    return total, inside


def make_database(directory: Path, customers: int) -> tuple[str, str, str]:
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        import pupetui.services.demo  # noqa: F401
    except ImportError:
        raise SystemExit("pupetui.services.demo is needed to make the database") from None
    result = subprocess.run(
        [sys.executable, "-m", "pupetui", "demo", "--db", url, "--customers", str(customers), "--quiet"],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"making the demo database failed:\n{result.stderr}")
    return url, "demo", "demo"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--customers", type=int, default=300)
    parser.add_argument("--child", choices=("bare", "pupetui"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--company", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "bare":
        return child_bare()
    if args.child == "pupetui":
        return child_pupetui(args.db, args.company, args.user)

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="pupetui-bench-") as tmp:
        home = Path(tmp)
        url, company, user = make_database(home, args.customers)
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "XDG_CONFIG_HOME": str(home / "config"),  # no user configuration file
        }
        env.pop("PUPETUI_CONFIG", None)
        commands = {
            "bare Textual app": ["--child", "bare"],
            "pupetui main menu": ["--child", "pupetui", "--db", url, "--company", company, "--user", user],
        }
        for command in commands.values():  # warm the file cache and the .pyc files
            one_run(command, env)
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():  # interleaved, so drift hits both alike
                results[name].append(one_run(command, env))

    import textual

    print(f"time to the first frame at {SIZE[0]}x{SIZE[1]}, headless, median of {args.runs} runs "
          f"(Python {sys.version.split()[0]}, Textual {textual.__version__}, "
          f"demo database of {args.customers} customers per company)")
    print(f"{'':20} {'from spawn':>10}  {'in process':>10}  {'min':>10}  {'max':>10}")
    medians = {}
    for name, runs in results.items():
        totals = [t for t, _ in runs]
        insides = [i for _, i in runs]
        medians[name] = statistics.median(totals)
        print(f"{name:20} {ms(medians[name])}  {ms(statistics.median(insides))}  "
              f"{ms(min(totals))}  {ms(max(totals))}")
    bare, ours = medians["bare Textual app"], medians["pupetui main menu"]
    print(f"ratio pupetui / bare: {ours / bare:.2f}  (pupetui takes {ms(ours - bare).strip()} more)")


if __name__ == "__main__":
    main()
