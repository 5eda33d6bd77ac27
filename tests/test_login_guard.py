"""Password guessing is limited: failures counted across sessions, growing delays, a lockout.

The guard's file is a real SQLite file; parallel sessions are real threads and real processes
with their own connections. Time is a clock the test gives (the window of 15 minutes passes
without waiting for it).
"""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from pupetui import db
from pupetui.models import User
from pupetui.services import auth
from pupetui.services.login_guard import Limits, Locked, LoginGuard, address_group, user_key

A = "acme"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def guard(tmp_path, clock):
    return LoginGuard(tmp_path / "logins.sqlite3", Limits(), clock)


def test_a_user_is_locked_after_five_failures_and_the_delays_grow(guard, clock):
    delays = []
    for _ in range(5):
        delays.append(guard.begin(user_key(A, "anna"), "192.0.2.1").delay)
        clock.now += 1
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    with pytest.raises(Locked) as locked:
        guard.begin(user_key(A, "anna"), "198.51.100.7")  # from another address too
    assert 14 * 60 < locked.value.retry_after <= 15 * 60
    assert guard.begin(user_key(A, "bob"), "192.0.2.1").delay == 1.0  # another user is not locked
    # the case of the name does not make another user
    with pytest.raises(Locked):
        guard.begin(user_key(A, " ANNA"), "192.0.2.1")


def test_the_lockout_ends_when_the_window_has_passed(guard, clock):
    for _ in range(5):
        guard.begin(user_key(A, "anna"), "192.0.2.1")
    with pytest.raises(Locked):
        guard.begin(user_key(A, "anna"), "192.0.2.1")
    clock.now += 15 * 60 + 1
    assert guard.begin(user_key(A, "anna"), "192.0.2.1").delay == 1.0
    assert guard.failures(user_key(A, "anna")) == 1


def test_a_success_clears_the_users_failures(guard):
    for _ in range(4):
        guard.begin(user_key(A, "anna"), "192.0.2.1")
    attempt = guard.begin(user_key(A, "anna"), "192.0.2.1")
    guard.succeeded(attempt)
    assert guard.failures(user_key(A, "anna")) == 0
    assert guard.begin(user_key(A, "anna"), "192.0.2.1").delay == 1.0


def test_one_address_is_locked_after_twenty_failures_whatever_the_users(guard):
    for number in range(20):
        guard.begin(user_key(A, f"user{number}"), "192.0.2.1")
    with pytest.raises(Locked):
        guard.begin(user_key(A, "someone-new"), "192.0.2.1")
    guard.begin(user_key(A, "someone-new"), "192.0.2.2")  # another address may


def test_ipv6_addresses_of_one_network_count_together(guard):
    assert address_group("2001:db8:1:2::10") == address_group("2001:db8:1:2:ffff::1") == "2001:db8:1:2::/64"
    assert address_group("::ffff:192.0.2.1") == "192.0.2.1"
    for number in range(20):
        guard.begin(user_key(A, f"user{number}"), f"2001:db8:1:2::{number + 1:x}")
    with pytest.raises(Locked):
        guard.begin(user_key(A, "x"), "2001:db8:1:2:abcd::99")
    guard.begin(user_key(A, "x"), "2001:db8:1:3::1")  # the next /64 is another site


def test_parallel_sessions_count_together(tmp_path):
    """Twelve sessions guess at once (own connections, released together): five get through."""
    path = tmp_path / "logins.sqlite3"
    start = threading.Barrier(12)
    passed, locked = [], []

    def session() -> None:
        guard = LoginGuard(path)
        start.wait()
        try:
            passed.append(guard.begin(user_key(A, "anna"), "192.0.2.1"))
        except Locked:
            locked.append(True)

    threads = [threading.Thread(target=session) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (len(passed), len(locked)) == (5, 7)
    assert sorted(a.delay for a in passed) == [1.0, 2.0, 4.0, 8.0, 8.0]


GUESSER = """
import sys
from pupetui.services.login_guard import Locked, LoginGuard, user_key
guard = LoginGuard(sys.argv[1])
sys.stdin.readline()  # both processes start guessing together
got = 0
for _ in range(10):
    try:
        guard.begin(user_key("acme", "anna"), "192.0.2.1")
        got += 1
    except Locked:
        pass
print(got)
"""


def test_two_processes_count_together(tmp_path):
    path = str(tmp_path / "logins.sqlite3")
    procs = [subprocess.Popen([sys.executable, "-c", GUESSER, path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for _ in range(2)]
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    got = [int(proc.communicate(timeout=120)[0]) for proc in procs]
    assert sum(got) == 5, got


# -- through the login, on every engine ---------------------------------------------------------------


@pytest.fixture
def anna(database):
    with db.session(A, "admin"):
        User.create(login="anna", name="Anna", password_md5=auth.md5_hex("oikea"), active=1)
    db.end_session()
    return database


def test_the_login_is_locked_without_checking_the_password(anna, tmp_path, clock):
    guard = LoginGuard(tmp_path / "logins.sqlite3", Limits(), clock)
    waited = []
    for _ in range(5):
        with pytest.raises(auth.LoginFailed) as refused:
            auth.login(A, "anna", "väärä", mode="password", guard=guard, address="192.0.2.1", wait=waited.append)
        assert not isinstance(refused.value, auth.LoginLocked)
    assert waited == [1.0, 2.0, 4.0, 8.0, 8.0]  # each refusal waited longer
    # the right password no longer helps: the guesser cannot tell it from a wrong one
    with pytest.raises(auth.LoginLocked) as locked:
        auth.login(A, "anna", "oikea", mode="password", guard=guard, address="192.0.2.1", wait=waited.append)
    assert str(locked.value) == auth.LOGIN_LOCKED and len(waited) == 5  # answered at once
    clock.now += 15 * 60 + 1
    assert auth.login(A, "anna", "oikea", mode="password", guard=guard, wait=waited.append).login == "anna"
    assert guard.failures(user_key(A, "anna")) == 0  # the success forgave the failures


def test_a_database_failure_is_not_counted_as_a_failed_login(anna, tmp_path):
    guard = LoginGuard(tmp_path / "logins.sqlite3")
    anna.close()
    db.connect("sqlite:///" + str(tmp_path / "missing" / "x.sqlite3"))  # a database that cannot be opened
    with pytest.raises(Exception) as failed:
        auth.login(A, "anna", "oikea", mode="password", guard=guard, wait=lambda s: None)
    assert not isinstance(failed.value, auth.LoginFailed)
    assert guard.failures(user_key(A, "anna")) == 0
