"""The SMS program (Pupesoft's crm/tekstiviestit.php): one message to many recipients, sent so
that nothing is lost and nothing is sent twice.

Recipients are customers (or their contacts) chosen with the customer selection
(`services.selection`), or numbers typed in. `plan()` normalises every number to the
international form (Finnish by default), lists the invalid ones (skipped) and keeps each number
once. `start()` writes the batch to the journal, `run()` sends it, and `run()` again continues
an unfinished batch.

The journal is kept in Pupesoft's own `muisti` table (haku 'pupetui-sms', kuka = the user,
nimi = the batch id): a row `var='batch'` with the text, and a row per recipient
(`var='r000001'`...) whose `kuvaus` is its state and whose `value` holds the number, who it is
and the service's answer. Why the database and not a file: the memo of a sent message and the
"sent" mark are written in one transaction, so a stop at any moment (even kill -9) leaves
either both or neither; the batch can be continued from any terminal the user logs in on; and
it works the same on every database pupetui runs on. Pupesoft ignores muisti rows of a `haku`
it does not know.

States: pending -> sending (written and committed *before* the request) -> sent | refused |
failed | unknown (written after the answer). On the next run a row left in `sending` (the
program stopped while the request was out) becomes `unknown`. `failed` (the service was not
reached: nothing went out) is sent again by the next run; `unknown` (the request went out but
no answer came) is never sent again automatically: the user may choose to (`resend_unknown`)
or to leave it (`close`). A row is claimed by an update that only succeeds from pending or
failed, so two runs of one batch at the same time never send a message twice.

A run holds the batch's lock from start to end, a lock the database holds for the run's
connection and lets go when the connection ends (a crash or kill -9 leaves no stale lock), and
which writes no rows: MariaDB/MySQL `GET_LOCK('pupetui-sms-<hash>', 0)`, PostgreSQL
`pg_try_advisory_lock(<hash>)`; SQLite has no named locks, so there a POSIX byte-range lock
(`lockf`) on a file beside the database file (`<file>-pupetui-sms.lock`), which ends with the
process. A second run of the same batch finds it locked and stops before touching anything
(`BatchLocked`): it must not take the first run's message in flight for one the program left
`sending` when it stopped, call it unknown and offer to send it again.

A run stops at the first message that could not reach the service or whose fate is unknown (a
service that does not answer would otherwise cost every remaining recipient a timeout); a
refusal (e.g. a number the service does not take) does not stop it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

import peewee

from pupetui import db
from pupetui.models import Activity, Customer, SavedSearch, now
from pupetui.models.activity import MEMO
from pupetui.services import sms, stored_text
from pupetui.services.sms import FAILED, REFUSED, SENT, UNKNOWN

JOURNAL = "pupetui-sms"  # muisti.haku
HEADER = "batch"  # muisti.var of a batch's own row
OPEN, CLOSED = "open", "closed"  # the header's kuvaus
PENDING, SENDING = "pending", "sending"
STATES = (PENDING, SENDING, SENT, REFUSED, FAILED, UNKNOWN)
TO_SEND = (PENDING, FAILED)  # what a run sends
MEMO_METHOD = "Tekstiviesti"  # kalenteri.tapa of the memo of a sent message
KEEP_CLOSED_DAYS = 90  # closed batches are removed from the journal after this


class BatchError(Exception):
    """The batch cannot go on; the message says why, for a person."""


class BatchLocked(BatchError):
    """Another run is sending the batch right now; this one did nothing."""


def _lock_digest(batch_id: str, where: str) -> str:
    session = db.current()
    return hashlib.sha256("\0".join((where, session.company, session.user, batch_id)).encode()).hexdigest()


_sqlite_files: dict[str, int] = {}  # lock file -> its descriptor, open for the process's life
_sqlite_held: set[tuple[str, int]] = set()  # (lock file, byte) held by this process
_sqlite_guard = threading.Lock()


def _sqlite_lock(path: str, byte: int) -> Callable[[], None] | None:
    """An exclusive lock on one byte of the lock file beside the SQLite database; None when
    another process (or run in this one) holds it. POSIX locks belong to the process and go when
    any descriptor of the file is closed, so the file stays open and the process keeps its own
    account of which bytes it holds."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock (the claim by update still keeps messages single)
        return lambda: None
    lock_file = f"{path}-pupetui-sms.lock"
    with _sqlite_guard:
        if (lock_file, byte) in _sqlite_held:
            return None
        fd = _sqlite_files.get(lock_file)
        if fd is None:
            try:
                fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                raise BatchError(f"the SMS batch cannot be locked: {lock_file}: {exc.strerror or exc}") from None
            _sqlite_files[lock_file] = fd
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, byte)
        except OSError:  # EAGAIN / EACCES: another process holds it
            return None
        _sqlite_held.add((lock_file, byte))

    def release() -> None:
        with _sqlite_guard:
            _sqlite_held.discard((lock_file, byte))
            try:
                fcntl.lockf(fd, fcntl.LOCK_UN, 1, byte)
            except OSError:
                pass

    return release


@contextmanager
def locked(batch_id: str):
    """Hold the batch's lock (see the module's text) inside the block; BatchLocked when another
    run holds it."""
    database = db.database.obj
    release: Callable[[], None] | None
    if db.is_mysql(database):
        name = f"pupetui-sms-{_lock_digest(batch_id, str(database.database))[:48]}"  # GET_LOCK: 64 characters
        got = database.execute_sql("SELECT GET_LOCK(%s, 0)", (name,)).fetchone()[0]

        def release() -> None:
            database.execute_sql("SELECT RELEASE_LOCK(%s)", (name,))

        release = release if got == 1 else None
    elif db.is_postgres(database):
        key = int.from_bytes(bytes.fromhex(_lock_digest(batch_id, "")[:16]), "big", signed=True)
        got = database.execute_sql("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]

        def release() -> None:
            database.execute_sql("SELECT pg_advisory_unlock(%s)", (key,))

        release = release if got else None
    else:
        path = str(database.database or "")
        if not path or path == ":memory:" or path.startswith("file:"):
            release = lambda: None  # noqa: E731 - one connection, one process: nobody else to lock out
        else:
            release = _sqlite_lock(os.path.abspath(path), int(_lock_digest(batch_id, "")[:8], 16))
    if release is None:
        raise BatchLocked(f"the SMS batch {batch_id} is being sent by another run right now: this one sent "
                          "nothing and changed nothing; resume it when that run has finished")
    try:
        yield
    finally:
        try:
            release()
        except peewee.PeeweeException:  # the connection is gone, and the lock with it
            pass


@dataclass(frozen=True)
class Recipient:
    """Someone to send to: a number as given, and who it is (no customer for a typed number)."""

    number: str
    name: str = ""
    customer_id: int = 0
    contact_id: int = 0
    business_id: str = ""  # the customer's ytunnus, for the memo


@dataclass(frozen=True)
class Target:
    number: str  # normalised: +358401234567
    name: str = ""
    customer_id: int = 0
    contact_id: int = 0
    business_id: str = ""


@dataclass(frozen=True)
class Skipped:
    number: str  # as given
    name: str
    reason: str


@dataclass(frozen=True)
class Plan:
    text: str
    encoding: sms.Encoding
    targets: tuple[Target, ...]
    invalid: tuple[Skipped, ...]  # no number, or not a valid mobile number
    duplicates: tuple[Skipped, ...]  # the same number came earlier: sent once

    @property
    def messages(self) -> int:
        return len(self.targets)

    @property
    def parts(self) -> int:
        """SMS messages the batch costs (a long message takes several parts per recipient)."""
        return len(self.targets) * self.encoding.parts


def plan(recipients: Iterable[Recipient], text: str, *, max_length: int = 160,
         region: str = sms.DEFAULT_REGION) -> Plan:
    """What would go out: SmsError when the message cannot be sent at all (empty, too long)."""
    encoding = sms.check_text(text, max_length)
    refused = stored_text.refusal(text)  # each message's memo keeps the text: Pupesoft must store it
    if refused:
        raise sms.SmsError(refused)
    targets: list[Target] = []
    seen: set[str] = set()
    invalid: list[Skipped] = []
    duplicates: list[Skipped] = []
    for r in recipients:
        raw = (r.number or "").strip()
        if not raw:
            invalid.append(Skipped("", r.name, "no mobile number"))
            continue
        try:
            number = sms.normalise_number(raw, region)
        except sms.SmsError as exc:
            invalid.append(Skipped(raw, r.name, str(exc)))
            continue
        if number in seen:
            duplicates.append(Skipped(raw, r.name, f"{number} is already among the recipients"))
            continue
        seen.add(number)
        targets.append(Target(number, r.name, int(r.customer_id or 0), int(r.contact_id or 0), r.business_id))
    return Plan(text, encoding, tuple(targets), tuple(invalid), tuple(duplicates))


def typed_recipients(text_or_list) -> list[Recipient]:
    """Numbers typed one a line (or separated by commas or semicolons)."""
    items = [text_or_list] if isinstance(text_or_list, str) else list(text_or_list)
    return [Recipient(n) for item in items for n in sms.split_numbers(item)]


NO_CONTACTS = " (no contacts)"  # after the name of a customer without contacts (a screen translates it)


def customer_recipients(rows: Iterable, *, to_contacts: bool = False) -> list[Recipient]:
    """Recipients from customer rows (the selection's ticked rows): the customer's mobile
    (gsm, else its phone), or with `to_contacts` each of its contacts' (gsm, else phone). A
    customer without contacts is listed with no number, so the plan names it as skipped."""
    rows = list(rows)
    out: list[Recipient] = []
    if not to_contacts:
        for c in rows:
            out.append(Recipient((c.mobile or "").strip() or (c.phone or "").strip(), c.name, c.id, 0, c.business_id))
        return out
    from pupetui.services import selection

    by_customer = selection.contacts(c.id for c in rows)
    for c in rows:
        people = by_customer.get(c.id, [])
        if not people:
            out.append(Recipient("", f"{c.name}{NO_CONTACTS}", c.id, 0, c.business_id))
        for p in people:
            number = (p.mobile or "").strip() or (p.phone or "").strip()
            out.append(Recipient(number, f"{p.name} / {c.name}", c.id, p.id, c.business_id))
    return out


# -- the journal -----------------------------------------------------------------------------

@dataclass(frozen=True)
class JournalRow:
    row_id: int  # muisti.tunnus
    index: int
    number: str
    name: str
    customer_id: int
    contact_id: int
    business_id: str
    state: str
    answer: str = ""
    at: str = ""  # ISO time of the last change


@dataclass(frozen=True)
class Batch:
    id: str
    text: str
    created_at: dt.datetime | None
    closed: bool
    rows: tuple[JournalRow, ...] = field(default=())

    def count(self, *states: str) -> int:
        return sum(1 for r in self.rows if r.state in states)

    @property
    def to_send(self) -> int:
        return self.count(*TO_SEND)

    @property
    def unknown(self) -> tuple[JournalRow, ...]:
        return tuple(r for r in self.rows if r.state in (UNKNOWN, SENDING))

    @property
    def finished(self) -> bool:
        """Nothing left to send or to decide."""
        return not self.to_send and not self.unknown

    def summary(self) -> dict[str, int]:
        return {s: self.count(s) for s in STATES if self.count(s)}


def _user() -> str:
    return db.current().user


def _batch_where(batch_id: str):
    return (SavedSearch.owner == _user()) & (SavedSearch.search == JOURNAL) & (SavedSearch.name == batch_id)


def _row_value(t: Target | JournalRow, answer: str = "", at: str = "") -> str:
    return json.dumps({
        "number": t.number, "name": t.name, "customer_id": t.customer_id, "contact_id": t.contact_id,
        "business_id": t.business_id, "answer": answer, "at": at,
    }, ensure_ascii=False)


def _new_batch_id() -> str:
    return f"{dt.datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def start(p: Plan) -> Batch:
    """Write the batch to the journal (every recipient pending), in one transaction."""
    if not p.targets:
        raise BatchError("no recipients with a valid mobile number")
    batch_id = _new_batch_id()
    header = json.dumps({"text": p.text, "total": len(p.targets), "encoding": p.encoding.name,
                         "parts": p.encoding.parts}, ensure_ascii=False)
    user = _user()
    with db.database.atomic():
        _prune()
        SavedSearch.create(owner=user, search=JOURNAL, name=batch_id, variable=HEADER, value=header,
                           description=OPEN)
        rows = [
            dict(owner=user, search=JOURNAL, name=batch_id, variable=f"r{i:06d}", value=_row_value(t),
                 description=PENDING)
            for i, t in enumerate(p.targets, 1)
        ]
        for chunk in range(0, len(rows), 500):
            SavedSearch.insert_many(rows[chunk:chunk + 500]).execute()
    return load(batch_id)


def _prune() -> None:
    """Closed batches older than KEEP_CLOSED_DAYS go (the memos stay on the customers)."""
    cutoff = now() - dt.timedelta(days=KEEP_CLOSED_DAYS)
    old = [r.name for r in SavedSearch.select(SavedSearch.name).where(
        (SavedSearch.owner == _user()) & (SavedSearch.search == JOURNAL) & (SavedSearch.variable == HEADER)
        & (SavedSearch.description == CLOSED) & (SavedSearch.created_at < cutoff))]
    for name in old:
        SavedSearch.delete().where(_batch_where(name)).execute()


def _journal_row(r) -> JournalRow:
    try:
        v = json.loads(r.value or "{}")
    except ValueError:
        v = {}
    index = int(r.variable[1:]) if r.variable[1:].isdigit() else 0
    return JournalRow(
        row_id=r.id, index=index, number=str(v.get("number", "")), name=str(v.get("name", "")),
        customer_id=int(v.get("customer_id") or 0), contact_id=int(v.get("contact_id") or 0),
        business_id=str(v.get("business_id", "")), state=r.description or PENDING,
        answer=str(v.get("answer", "")), at=str(v.get("at", "")),
    )


def load(batch_id: str) -> Batch:
    rows = list(SavedSearch.select().where(_batch_where(batch_id)).order_by(SavedSearch.variable))
    header = next((r for r in rows if r.variable == HEADER), None)
    if header is None:
        raise BatchError(f"no SMS batch {batch_id!r} of yours")
    try:
        text = str(json.loads(header.value or "{}").get("text", ""))
    except ValueError:
        raise BatchError(f"the SMS batch {batch_id!r} is damaged") from None
    journal = tuple(_journal_row(r) for r in rows if r.variable != HEADER)
    return Batch(batch_id, text, header.created_at, header.description == CLOSED, journal)


def unfinished() -> list[Batch]:
    """The user's batches not yet closed (something to send or to decide), newest first."""
    names = [r.name for r in SavedSearch.select(SavedSearch.name).where(
        (SavedSearch.owner == _user()) & (SavedSearch.search == JOURNAL) & (SavedSearch.variable == HEADER)
        & (SavedSearch.description == OPEN)).order_by(SavedSearch.id.desc())]
    return [load(n) for n in names]


def close(batch_id: str) -> None:
    """The user leaves the batch as it is (e.g. the unknown ones are not to be sent again)."""
    load(batch_id)
    SavedSearch.update(description=CLOSED).where(_batch_where(batch_id) & (SavedSearch.variable == HEADER)).execute()


def _set_state(row: JournalRow, state: str, answer: str = "", *, only_from: tuple[str, ...] = ()) -> bool:
    stamp = now().isoformat(sep=" ")
    where = SavedSearch.id == row.row_id
    if only_from:
        where &= SavedSearch.description.in_(only_from)
    return bool(SavedSearch.update(description=state, value=_row_value(row, answer, stamp)).where(where).execute())


def memo_text(number: str, text: str) -> str:
    return f"Tekstiviesti {number}: {text}"


def _write_memo(row: JournalRow, text: str) -> None:
    """The customer's memo of a sent message, as Pupesoft writes its automatic memos (labels,
    crm/tarrat.php; a confirmation SMS, inc/jt_ja_tyomaarays_valmis_viesti.inc): tyyppi Memo,
    kuka and laatija the user, pvmalku and luontiaika now, pvmloppu and muutospvm left zero; none
    when the company's kalenterimerkinnat is 'E'."""
    from pupetui.models import CompanyParameters

    if not CompanyParameters.automatic_memos():
        return
    stamp = now()
    business_id = row.business_id
    if not business_id:
        customer = Customer.get_or_none(Customer.id == row.customer_id)
        business_id = customer.business_id if customer else ""
    user = _user()
    Activity.insert(
        kind=MEMO, owner=user, starts_at=stamp, method=MEMO_METHOD, text=memo_text(row.number, text),
        contact_id=row.contact_id, business_id=business_id, customer_id=row.customer_id, parent_id=0,
        created_by=user, created_at=stamp, modified_by="", modified_at=None, ends_at=None,
    ).execute()


Progress = Callable[[JournalRow], None]


def run(batch_id: str, config: sms.SmsConfig, *, progress: Progress | None = None,
        stop: threading.Event | None = None, resend_unknown: bool = False) -> Batch:
    """Send what is left of a batch (pending and failed rows; with `resend_unknown` also the
    unknown ones, as the user chose). `progress` is called with each row as it starts sending
    and when its outcome is recorded; `stop` set ends the run after the current message."""
    if not config.configured:
        raise sms.NotConfigured("SMS is not configured: set [sms] url, user and password")
    load(batch_id)  # no such batch: said before the lock is asked for
    with locked(batch_id):
        return _run(batch_id, config, progress, stop, resend_unknown)


def _run(batch_id: str, config: sms.SmsConfig, progress: Progress | None, stop: threading.Event | None,
         resend_unknown: bool) -> Batch:
    batch = load(batch_id)  # read under the lock
    if batch.closed:
        raise BatchError(f"the SMS batch {batch_id} is closed")
    try:
        sms.check_text(batch.text, config.max_length)
    except sms.SmsError as exc:
        raise BatchError(str(exc)) from None
    with db.database.atomic():
        for row in batch.rows:
            if row.state == SENDING:  # a run stopped while this one was out
                _set_state(row, UNKNOWN, "the program stopped while this message was being sent: "
                                         "it is not known whether it went out", only_from=(SENDING,))
            elif resend_unknown and row.state == UNKNOWN:
                _set_state(row, PENDING, row.answer, only_from=(UNKNOWN,))
    import requests

    with requests.Session() as http:
        for row in load(batch_id).rows:
            if row.state not in TO_SEND:
                continue
            if stop is not None and stop.is_set():
                break
            try:
                claimed = _set_state(row, SENDING, only_from=TO_SEND)
            except peewee.PeeweeException as exc:
                raise BatchError(f"the database could not record the message to {row.number} as being sent "
                                 f"({type(exc).__name__}): the batch stopped; that message was not sent") from None
            if not claimed:  # another run took it
                continue
            row = replace(row, state=SENDING, answer="")
            if progress:
                progress(row)
            result = sms.deliver(config, row.number, batch.text, session=http)
            done = replace(row, state=result.status, answer=result.answer)
            try:
                with db.database.atomic():
                    _set_state(done, result.status, result.answer)
                    if result.ok and row.customer_id:
                        _write_memo(done, batch.text)
            except peewee.PeeweeException as exc:
                raise BatchError(
                    f"the message to {row.number} is {result.status}, but the database could not record it "
                    f"({type(exc).__name__}): the batch stopped; it stays marked as being sent"
                ) from None
            if progress:
                progress(done)
            if result.status in (FAILED, UNKNOWN):
                break
    batch = load(batch_id)
    if batch.finished:
        close(batch_id)
        batch = replace(batch, closed=True)
    return batch


def send(p: Plan, config: sms.SmsConfig, **kwargs) -> Batch:
    """start() and run(): a new batch sent at once."""
    return run(start(p).id, config, **kwargs)
