"""Where and how pupetui writes a file for the user: every export (Excel, CSV, iCalendar, PDF,
zip) of every program and command goes through `output()`; nothing else opens an export file.

- The name must end with the format's suffix: a name without a suffix gets it, another suffix
  is refused (so a typo, or a malicious user, cannot write an Excel file over `crm.sqlite3`). A folder, a missing folder
  and a symbolic link are refused.
- Never over a file pupetui did not write: every file written is recorded (path, device, inode,
  size and modification time) in `written-files.jsonl` in the user's state folder; an existing
  file may be replaced only when it is the very file pupetui wrote and nobody changed it since.
- The file is written under a new name (`<name>.<random>.partial`, created exclusively, never
  through a symbolic link, readable by the user only) in the target's folder and renamed over
  the target only when complete; on any error, a cancel, a signal of the CLI (see
  `remove_partials_on_signals`) or of the TUI (`remove_partials_before_dying`) or the app's end
  the partial is removed.
- Files are created 0600, the folders pupetui makes 0700, whatever the umask.
- Under `pupetui serve` (PUPETUI_SERVED=1) a browser user gives no path at all: the file goes
  into the user's own folder (<state folder>/exports/<company>/<user>), in it the browser
  session's own (PUPETUI_SERVE_SESSION, one per browser: two browsers of one user never see or
  replace each other's files; `serve` removes it when the session ends), under a name pupetui
  makes from the one given (its last part, plain characters only), and the screen sends it to
  the browser.
- The name an export dialog offers (`default_path`) says what was exported and when
  (`customers-20261206-214501.xlsx`), in the user's own folder (`default_folder`: `export_dir`
  of the configuration, else the download folder, else the documents folder, else home), and is
  never the name of a file that exists. Names pupetui makes itself for files nobody named (the
  report's zip) are written with `unique=True`: never over any file, a free `-2`, `-3`, ...
  instead, taken without a race.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import secrets
import signal
import stat
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

import platformdirs

from pupetui.config import APP_NAME
from pupetui.i18n import _

SUFFIXES = ("xlsx", "csv", "ics", "pdf", "zip")
RECORD_NAME = "written-files.jsonl"
RECORD_KEEP = 2000  # the record is compacted (files gone or changed dropped) past twice this
SERVED_ENV = "PUPETUI_SERVED"
SESSION_ENV = "PUPETUI_SERVE_SESSION"  # one browser's session under `pupetui serve` (serve.py)
SESSION_TOKEN = re.compile(r"[0-9a-f]{16,64}")
FILE_MODE = 0o600
FOLDER_MODE = 0o700


class ExportError(Exception):
    """The file cannot be written; the message is for a person."""


def cannot_write(path: Path, error: object) -> ExportError:
    return ExportError(_("cannot write {path}: {error}").format(path=path, error=error))


class Interrupted(BaseException):
    """A CLI command that was writing a file got SIGTERM, SIGINT or SIGHUP (see
    `remove_partials_on_signals`): its partial file is removed as this unwinds."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
        self.name = signal.Signals(signum).name


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME))


def private_folder(path: Path) -> Path:
    """`path` made (with its missing parents) 0700 if missing; an existing folder is left as it is."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    return path


def safe_part(text: str) -> str:
    """A file-name part for a company code or login: kept as it is when it is plain letters,
    digits, '_', '.' and '@'; otherwise the plain characters plus a digest of the whole text, so
    that no two logins share a file ("a b" and "a_b", or the company-user pairs "a-b"+"c" and
    "a"+"b-c")."""
    if text and re.fullmatch(r"[A-Za-z0-9_.@]+", text) and text not in (".", ".."):
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{re.sub(r'[^A-Za-z0-9_.@]', '_', text)[:40]}~{digest}"


# -- served: one folder per user ---------------------------------------------------------------

def served() -> bool:
    """True in a browser's pupetui under `pupetui serve`."""
    return os.environ.get(SERVED_ENV) == "1"


def served_folder(company: str, user: str) -> Path:
    """The user's folder, and in it the browser session's own when serve named one."""
    folder = state_dir() / "exports" / safe_part(company) / safe_part(user)
    token = os.environ.get(SESSION_ENV, "")
    return folder / token if SESSION_TOKEN.fullmatch(token) else folder


def session_folders(token: str) -> list[Path]:
    """The folders of one browser session (any company and user): serve removes them at its end."""
    if not SESSION_TOKEN.fullmatch(token):
        return []
    return [p for p in (state_dir() / "exports").glob(f"*/*/{token}") if p.is_dir() and not p.is_symlink()]


def served_name(text: str, fmt: str, default: str = "export") -> str:
    """The file name pupetui makes of what a browser user typed: its last part only (no folder,
    no '..'), letters, digits, space, '-', '_' and '.', at most 80 characters, the format's suffix."""
    name = re.split(r"[/\\]", str(text).strip())[-1]
    if name.lower().endswith("." + fmt):
        name = name[: -len(fmt) - 1]
    name = re.sub(r"[^\w .-]", "_", name).strip(" .")[:80].strip(" .")
    return f"{name or default}.{fmt}"


def export_folder(folder: str | os.PathLike[str]) -> Path:
    """The folder for a program that writes several files (the annual-contract reports): the
    one given, or under `pupetui serve` the user's own folder whatever was given."""
    if served():
        return private_folder(served_folder(*_session()))
    return Path(folder).expanduser()


# -- the name an export dialog offers -------------------------------------------------------------

_configured_folder = ""


def configure(export_dir: str) -> None:
    """`export_dir` of the configuration (empty: the download folder)."""
    global _configured_folder
    _configured_folder = export_dir or ""


def default_folder() -> Path:
    """Where the export dialogs offer to save: `export_dir` of the configuration (`~` expanded),
    else the user's download folder (XDG_DOWNLOAD_DIR of `user-dirs.dirs`, e.g. ~/Downloads),
    else the documents folder, whichever exists; else the home folder."""
    if _configured_folder:
        return Path(_configured_folder).expanduser()
    for candidate in (platformdirs.user_downloads_dir(), platformdirs.user_documents_dir()):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path.home()


def name_part(text: str) -> str:
    """A part of a file name from any text (a login, a table, a customer's name): letters,
    digits, '_' and '.', the rest '-', at most 60 characters."""
    return re.sub(r"[^\w.]+", "-", str(text)).strip("-.")[:60].strip("-.")


def free_name(path: Path) -> Path:
    """`path`, or when something is there already the first free `<stem>-2`, `<stem>-3`, ..."""
    if not os.path.lexists(path):
        return path
    stem, suffix = path.stem, path.suffix
    for number in range(2, 10_000):
        candidate = path.with_name(f"{stem}-{number}{suffix}")
        if not os.path.lexists(candidate):
            return candidate
    raise cannot_write(path, _("no free file name"))


def default_path(*what: str, fmt: str, when: dt.datetime | None = None) -> str:
    """The file an export dialog offers: `<what>-<YYYYMMDD-HHMMSS>.<fmt>` (what was exported,
    when) in `default_folder()`, a name no file has (see `free_name`); shown with `~` for the
    home folder. Under `pupetui serve` the name alone (the file goes to the user's own folder)."""
    stem = "-".join(p for p in (name_part(w) for w in what) if p) or "export"
    name = f"{stem}-{(when or dt.datetime.now()):%Y%m%d-%H%M%S}.{fmt}"
    if served():
        try:
            return free_name(served_folder(*_session()) / name).name
        except Exception:  # noqa: BLE001 - no session yet: the name as it is
            return name
    path = free_name(default_folder() / name)
    home = Path.home()
    try:
        return str(Path("~") / path.relative_to(home))
    except ValueError:
        return str(path)


def _session() -> tuple[str, str]:
    from pupetui import db

    session = db.current()
    return session.company, session.user


# -- the record of the files pupetui wrote -----------------------------------------------------

_record_lock = threading.Lock()


def record_path() -> Path:
    return state_dir() / RECORD_NAME


def _key(path: Path) -> str:
    return os.path.join(os.path.realpath(path.parent), path.name)


def _entry(path: Path, st: os.stat_result) -> dict:
    return {"path": _key(path), "dev": st.st_dev, "ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _entries(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue  # a line cut by a crash
        if isinstance(item, dict):
            out.append(item)
    return out


@contextlib.contextmanager
def _record_file() -> Iterator[int]:
    """The record, open and locked (other pupetui processes of the user wait)."""
    with _record_lock:
        private_folder(state_dir())
        fd = os.open(record_path(), os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield fd
        finally:
            os.close(fd)


def _read(fd: int) -> str:
    chunks = []
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", "replace")


def written_by_pupetui(path: Path, st: os.stat_result | None = None) -> bool:
    """True when `path` is the file pupetui last wrote there, unchanged since."""
    try:
        st = st or os.lstat(path)
        with _record_file() as fd:
            wanted = _entry(path, st)
            return any(item == wanted for item in _entries(_read(fd)))
    except OSError:
        return False


def _record(path: Path) -> None:
    st = os.stat(path)
    with _record_file() as fd:
        os.write(fd, (json.dumps(_entry(path, st)) + "\n").encode())
        items = _entries(_read(fd))
        if len(items) > 2 * RECORD_KEEP:
            _compact(fd, items)


def _compact(fd: int, items: list[dict]) -> None:
    """The newest entry of each path whose file is still the one written, the newest RECORD_KEEP."""
    latest: dict[str, dict] = {}
    for item in items:
        latest.pop(item.get("path"), None)
        latest[item.get("path")] = item
    kept = []
    for key, item in latest.items():
        try:
            if _entry(Path(key), os.lstat(key)) == item:
                kept.append(item)
        except (OSError, TypeError, ValueError):
            continue
    os.ftruncate(fd, 0)
    os.write(fd, "".join(json.dumps(i) + "\n" for i in kept[-RECORD_KEEP:]).encode())


# -- the target ---------------------------------------------------------------------------------

def resolve(path: str | os.PathLike[str], fmt: str, *, default_name: str = "export", unique: bool = False) -> Path:
    """The file to write for `path` in format `fmt` (xlsx, csv, ics, pdf, zip), or ExportError
    with a message for a person (see the module's note). Under `pupetui serve` only the last
    part of `path` counts, and the file goes into the user's own folder."""
    target = _named(path, fmt, default_name)
    if unique:  # a name pupetui made: the first free one (see free_name)
        target = free_name(target)
    check(target)
    return target


def _named(path: str | os.PathLike[str], fmt: str, default_name: str) -> Path:
    """The file `path` names (the format's suffix added), not yet checked."""
    if fmt not in SUFFIXES:
        raise ValueError(f"unknown format {fmt!r}")
    if served():
        target = export_folder("") / served_name(os.fspath(path), fmt, default_name)
    else:
        text = os.fspath(path).strip()
        if not text:
            raise ExportError(_("give a file name (.{suffix})").format(suffix=fmt))
        target = Path(text).expanduser()
        suffix = target.suffix
        if suffix.lower() != "." + fmt:
            if target.is_dir():
                raise ExportError(_("{path} is a folder: give a file name").format(path=target))
            if suffix:
                raise ExportError(_("{path}: the file name must end with .{wanted}, not {suffix}").format(
                    path=target, wanted=fmt, suffix=suffix))
            target = target.with_name(target.name + "." + fmt)
    return target


def check(target: Path) -> None:
    """ExportError unless `target` may be written: its folder exists and may be written, and it is
    missing or the very file pupetui wrote there (not a folder, not a symbolic link)."""
    if not target.parent.is_dir():
        raise ExportError(_("the folder {folder} does not exist").format(folder=target.parent))
    if not os.access(target.parent, os.W_OK):
        raise ExportError(_("no permission to write in {folder}").format(folder=target.parent))
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise cannot_write(target, exc.strerror or exc) from None
    if stat.S_ISLNK(st.st_mode):
        raise ExportError(_("{path} is a symbolic link: give the name of a file").format(path=target))
    if stat.S_ISDIR(st.st_mode):
        raise ExportError(_("{path} is a folder: give a file name").format(path=target))
    if not stat.S_ISREG(st.st_mode) or not written_by_pupetui(target, st):
        raise ExportError(_("{path} exists and was not written by pupetui: choose another name").format(path=target))


# -- writing ------------------------------------------------------------------------------------

_partials: set[Path] = set()
_partials_lock = threading.Lock()


def discard_partials() -> None:
    """Remove every partial file still being written (the app's end, a signal)."""
    with _partials_lock:
        pending = list(_partials)
        _partials.clear()
    for partial in pending:
        with contextlib.suppress(OSError):
            partial.unlink()


atexit.register(discard_partials)


@dataclass
class Output:
    """A file being written: write to `file`; `path` is where it appears when complete."""

    path: Path
    partial: Path
    file: BinaryIO


def _open_partial(target: Path) -> tuple[Path, BinaryIO]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _attempt in range(5):
        partial = target.with_name(f"{target.name}.{secrets.token_hex(4)}.partial")
        with _partials_lock:  # known before it exists: a signal right after the open finds it
            _partials.add(partial)
        try:
            fd = os.open(partial, flags, FILE_MODE)
        except OSError as exc:
            with _partials_lock:
                _partials.discard(partial)
            if isinstance(exc, FileExistsError):
                continue
            raise cannot_write(target, exc.strerror or exc) from None
        return partial, os.fdopen(fd, "wb")
    raise cannot_write(target, _("no free temporary name"))


@contextlib.contextmanager
def output(path: str | os.PathLike[str], fmt: str, *, default_name: str = "export",
           unique: bool = False) -> Iterator[Output]:
    """Write a file for the user: `with output(path, "csv") as out: out.file.write(...)`.
    The file appears at `out.path` (0600) only when the block ends without an exception; on any
    exception (a cancel, a signal) the partial file is removed and the exception goes on, an
    OSError as ExportError. `unique`: a name pupetui made itself; never over any file, a free
    `-2`, `-3`, ... instead (`out.path` says which)."""
    wanted = _named(path, fmt, default_name)
    target = resolve(path, fmt, default_name=default_name, unique=unique)
    partial, fh = _open_partial(target)
    out = Output(target, partial, fh)
    try:
        try:
            yield out
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            with _partials_lock:
                if partial not in _partials:  # the app ended (or a signal came) meanwhile
                    raise cannot_write(target, _("the export was stopped"))
            if unique:
                target = _publish_new(partial, wanted)
                out.path = target
            else:
                check(target)  # still missing, or still the file pupetui wrote
                os.replace(partial, target)
            with _partials_lock:
                _partials.discard(partial)
            _record(target)
        except OSError as exc:
            raise cannot_write(target, exc.strerror or exc) from None
    except BaseException:
        with contextlib.suppress(Exception):
            fh.close()
        with _partials_lock:
            _partials.discard(partial)
        with contextlib.suppress(OSError):
            partial.unlink()
        raise


def _publish_new(partial: Path, wanted: Path) -> Path:
    """The partial file under the name `wanted` or its first free `-2`, `-3`, ..., never over a
    file (a hard link fails when the name is taken, so two writers at once never share one)."""
    for _attempt in range(100):
        target = free_name(wanted)
        try:
            os.link(partial, target, follow_symlinks=False)
        except FileExistsError:
            continue
        except OSError:  # a file system without hard links: checked, then renamed
            os.replace(partial, target)
            return target
        partial.unlink()
        return target
    raise cannot_write(target, _("no free file name"))


def write_bytes(path: str | os.PathLike[str], fmt: str, data: bytes) -> Path:
    with output(path, fmt) as out:
        out.file.write(data)
    return out.path


# -- the CLI: signals ---------------------------------------------------------------------------

CLI_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@contextlib.contextmanager
def remove_partials_on_signals() -> Iterator[None]:
    """While a CLI command writes a file: SIGTERM, SIGINT and SIGHUP raise Interrupted in the main
    thread, so the writer removes its partial file as it unwinds (and the rest goes too). Where
    the signal came inside a database driver's callback, the driver turns it into its own error
    (SQLite: "interrupted"): that error leaves the block as Interrupted all the same."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def interrupted(signum, _frame):
        received.append(signum)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, interrupted) for s in CLI_SIGNALS}
    try:
        yield
    except Interrupted:
        raise
    except BaseException:
        if received:
            raise Interrupted(received[0]) from None
        raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        discard_partials()


def remove_partials_before_dying(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGHUP)) -> None:
    """The TUI: SIGTERM and SIGHUP (a closed terminal or browser, a service stopped) remove the
    partial file of an export in progress, then end the process as they would have."""
    def dying(signum, _frame):
        discard_partials()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    if threading.current_thread() is threading.main_thread():
        for s in signals:
            signal.signal(s, dying)
