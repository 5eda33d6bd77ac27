"""Failed password logins, counted across every session of this machine, to stop guessing.

The failures live in a small SQLite file in the user state dir (`logins.sqlite3`), shared by
every `pupetui` process of the OS user: the browser sessions of `pupetui serve` are one process
each, and a guesser may open many of them at once.  Each attempt is counted *before* the
password is checked, in one `BEGIN IMMEDIATE` transaction with the check of the limits, so
attempts made in parallel count together and no more than the limit ever reach the password;
a success removes the user's failures again.

- per user (company and login name) and per client address (given by `pupetui serve`), the
  failures of the last `window` seconds count;
- an attempt when a count has reached its limit is refused with `Locked` at once, without
  checking the password;
- below the limit, a refusal is answered after a delay that grows with the user's earlier
  failures: 1, 2, 4, 8 s.
"""

from __future__ import annotations

import ipaddress
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import platformdirs

DELAYS = (1.0, 2.0, 4.0, 8.0)  # seconds before a refusal, by the user's earlier failures
DEFAULT_LIMITS = {
    "max_failed_logins_per_user": 5,
    "max_failed_logins_per_address": 20,
    "failed_login_window_minutes": 15,
}
BUSY_TIMEOUT = 60.0  # seconds another process may hold the file's lock (a write takes ms)


class Locked(Exception):
    """Too many failed logins: no password is checked until `retry_after` seconds have passed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed logins, try again in {int(retry_after) + 1} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    per_user: int = 5
    per_address: int = 20
    window: float = 15 * 60.0  # seconds
    delays: tuple[float, ...] = DELAYS

    @classmethod
    def from_settings(cls, serve: Mapping[str, Any] | None) -> Limits:
        """From the [serve] section (keys missing there have their defaults)."""
        values = {**DEFAULT_LIMITS, **{k: v for k, v in (serve or {}).items() if k in DEFAULT_LIMITS}}
        return cls(per_user=int(values["max_failed_logins_per_user"]),
                   per_address=int(values["max_failed_logins_per_address"]),
                   window=float(values["failed_login_window_minutes"]) * 60.0)


@dataclass(frozen=True)
class Attempt:
    id: int
    user: str
    address: str
    delay: float  # seconds a refusal of this attempt waits before it is told


def default_path() -> Path:
    return Path(platformdirs.user_state_dir("pupetui")) / "logins.sqlite3"


def user_key(company: str, login_name: str) -> str:
    """One key for the user whatever the case of the name (MariaDB finds `Matti` as `matti`)."""
    return f"{company.strip().lower()}\x1f{login_name.strip().lower()}"


def address_group(address: str) -> str:
    """The client address as counted: IPv4 as such, IPv6 by its /64 network (one site or
    customer gets a /64 and may use any address in it), an IPv4-mapped IPv6 as the IPv4."""
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return address.strip()
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class LoginGuard:
    """The failures of one state file; `clock` gives the time in seconds (time.time)."""

    def __init__(self, path: str | Path | None = None, limits: Limits | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.limits = limits or Limits()
        self.clock = clock

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        conn.execute("CREATE TABLE IF NOT EXISTS failure (id INTEGER PRIMARY KEY, user TEXT NOT NULL, "
                     "address TEXT NOT NULL, at REAL NOT NULL)")
        conn.execute("CREATE INDEX IF NOT EXISTS failure_user ON failure (user, at)")
        conn.execute("CREATE INDEX IF NOT EXISTS failure_address ON failure (address, at)")
        return conn

    def begin(self, user: str, address: str = "") -> Attempt:
        """Count an attempt of `user` (a user_key) from `address`; Locked when a limit is reached.

        The attempt counts as a failure until `succeeded` is called for it."""
        group = address_group(address) if address else ""
        now = self.clock()
        since = now - self.limits.window
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute("DELETE FROM failure WHERE at < ?", (since,))
                by_user = conn.execute("SELECT count(*), min(at) FROM failure WHERE user = ? AND at >= ?",
                                       (user, since)).fetchone()
                by_address = (conn.execute("SELECT count(*), min(at) FROM failure WHERE address = ? AND at >= ?",
                                           (group, since)).fetchone() if group else (0, None))
                for (count, oldest), limit in ((by_user, self.limits.per_user),
                                               (by_address, self.limits.per_address)):
                    if limit > 0 and count >= limit:
                        conn.execute("COMMIT")
                        raise Locked(max(0.0, oldest + self.limits.window - now))
                row = conn.execute("INSERT INTO failure (user, address, at) VALUES (?, ?, ?)", (user, group, now))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            conn.close()
        delays = self.limits.delays
        delay = delays[min(by_user[0], len(delays) - 1)] if delays else 0.0
        return Attempt(id=int(row.lastrowid), user=user, address=group, delay=delay)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: the user's failures are forgiven (the address's others stay)."""
        self._delete("user = ?", attempt.user)

    def forget(self, attempt: Attempt) -> None:
        """The attempt was never decided (the database could not be read): it does not count."""
        self._delete("id = ?", attempt.id)

    def _delete(self, where: str, value: object) -> None:
        conn = self._connect()
        try:
            conn.execute(f"DELETE FROM failure WHERE {where}", (value,))  # where: this module's own
        finally:
            conn.close()

    def failures(self, user: str) -> int:
        """The user's failures within the window."""
        conn = self._connect()
        try:
            return conn.execute("SELECT count(*) FROM failure WHERE user = ? AND at >= ?",
                                (user, self.clock() - self.limits.window)).fetchone()[0]
        finally:
            conn.close()
