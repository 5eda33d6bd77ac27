"""SMS through Pupesoft's SMS service.

    GET <url>?user=<u>&pass=<p>&numero=<number>&viesti=<text>
        [&not_before_date=YYYY-MM-DD&not_before=HH:MM:00&yhtio=<company>&kalenteritunnus=<reminder>]

(the reminder's part as crm/kuittaamattomat.php sends it). Success as Pupesoft counts it: a 2xx
answer whose body, trimmed, equals `0` (`accepted`); anything else is the service's refusal,
shown to the user. URL and credentials come from the configuration ([sms]). Numbers are normalised with
the `phonenumbers` library (Finnish numbers by default) to the international form.

`deliver()` tells apart what a sender must not confuse: SENT, REFUSED (the service's answer),
FAILED (the service was never reached: safe to try again) and UNKNOWN (the request went out and
no answer came: sending again may send twice). `encoding()` counts GSM-7 septets or UCS-2 units
and SMS parts; `check_text()` is the rule a message must pass before anything is sent. The SMS
program's batches (journal, resume, memos) are in `services/sms_batch.py`.
"""

from __future__ import annotations

import datetime as dt
import re
import ssl
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping


DEFAULT_REGION = "FI"
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")


class SmsError(Exception):
    """Sending failed or was refused; the message is for a person."""


class NotConfigured(SmsError):
    pass


@dataclass(frozen=True)
class SmsConfig:
    url: str
    user: str
    password: str
    max_length: int = 160
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, sms: Mapping) -> "SmsConfig":
        return cls(
            url=str(sms.get("url") or ""), user=str(sms.get("user") or ""),
            password=str(sms.get("password") or ""), max_length=int(sms.get("max_length") or 160),
            timeout=float(sms.get("timeout") or 10),
        )

    @property
    def configured(self) -> bool:
        return bool(self.url)


def normalise_number(text: str, region: str = DEFAULT_REGION) -> str:
    """'040 123 4567' -> '+358401234567'; SmsError for something that is not a mobile number."""
    raw = (text or "").strip()
    if not raw:
        raise SmsError("no phone number")
    number, error = _normalised(raw, region)
    if error:
        raise SmsError(error)
    return number


@lru_cache(maxsize=65536)
def _normalised(raw: str, region: str) -> tuple[str, str]:
    """(number, '') or ('', why not): remembered, so a list of numbers typed on the screen is
    not parsed again at every key press."""
    import phonenumbers  # imported when first needed: the app starts faster without it

    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return "", f"{raw!r} is not a phone number"
    if not phonenumbers.is_valid_number(number):
        return "", f"{raw!r} is not a valid phone number"
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return "", f"{raw!r} is not a mobile number"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


@dataclass(frozen=True)
class Encoding:
    name: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7, extended characters count two) or UTF-16 code units
    parts: int  # SMS messages it takes


def encoding(text: str) -> Encoding:
    """How the text goes as SMS: GSM-7 when every character is in its alphabet, else UCS-2;
    a single message holds 160 septets / 70 UCS-2 units, a long one 153 / 67 per part. A
    character is never split between parts (an extended GSM-7 character takes two septets, a
    character beyond the basic plane two UCS-2 units), so a part may hold one unit less."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        sizes = [2 if c in GSM7_EXTENDED else 1 for c in text]
        single, multi, name = 160, 153, "GSM-7"
    else:
        sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
        single, multi, name = 70, 67, "UCS-2"
    units = sum(sizes)
    if units == 0:
        return Encoding(name, 0, 0)
    if units <= single:
        return Encoding(name, units, 1)
    parts, room = 1, multi
    for size in sizes:
        if size > room:
            parts, room = parts + 1, multi
        room -= size
    return Encoding(name, units, parts)


def cut(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class SmsResult:
    number: str
    ok: bool
    answer: str  # the service's response body (or the error)


# What became of one message (Delivery.status); the batch journal keeps the same words.
SENT = "sent"  # the service answered exactly 0
REFUSED = "refused"  # the service answered something else: its answer says why
FAILED = "failed"  # the service was not reached: nothing went out, safe to try again
UNKNOWN = "unknown"  # the request went out but no answer came: it may or may not have been sent


@dataclass(frozen=True)
class Delivery:
    number: str
    status: str  # SENT, REFUSED, FAILED or UNKNOWN
    answer: str  # the service's answer, or what went wrong, for a person

    @property
    def ok(self) -> bool:
        return self.status == SENT


MAX_ANSWER = 200


def check_text(text: str, max_length: int = 160) -> Encoding:
    """The encoding and parts of a message that may be sent; SmsError when it may not: empty,
    longer than `max_length` characters (Pupesoft's rule: the limit counts characters as the
    user sees them, whatever the encoding costs in parts), or with characters beyond Unicode's
    basic plane (emoji): Pupesoft's tables are utf8mb3 and the memo of the message must be
    written after it went out."""
    if not (text or "").strip():
        raise SmsError("the message is empty")
    if len(text) > max_length:
        raise SmsError(f"the message is {len(text)} characters, at most {max_length}")
    wide = next((c for c in text if ord(c) > 0xFFFF), None)
    if wide is not None:
        raise SmsError(f"the message has a character that cannot be stored ({wide}, U+{ord(wide):X}): remove it")
    return encoding(text)


def _caused_by(exc: BaseException, kind: type, depth: int = 8) -> bool:
    """Whether `exc`, or an error it wraps (its args, cause or context), is a `kind`."""
    if isinstance(exc, kind):
        return True
    if depth == 0:
        return False
    inner = [a for a in getattr(exc, "args", ()) if isinstance(a, BaseException)]
    inner += [getattr(exc, "reason", None), exc.__cause__, exc.__context__]
    return any(isinstance(e, BaseException) and _caused_by(e, kind, depth - 1) for e in inner)


def _connect_failure(exc) -> bool:
    """Whether a requests error happened before the request reached the service."""
    import requests
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError

    if isinstance(exc, requests.exceptions.SSLError):
        # requests says SSLError both for a refused certificate (the handshake: nothing went out)
        # and for a TLS failure while the answer was awaited (the request went out): only the
        # first is safe to send again
        return _caused_by(exc, ssl.SSLCertVerificationError)
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.ProxyError,
                        requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                        requests.exceptions.InvalidSchema)):
        return True
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)  # urllib3's MaxRetryError carries the reason
    # NewConnectionError: refused, no route, no such host (NameResolutionError is one)
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


SERVICE_CHARSET = "cp1252"  # of the request's values: Pupesoft's latin1 (MariaDB's latin1 is Windows-1252)
_PHP_TRIM = " \t\n\r\0\x0b"
# a PHP 8 numeric string (what `==` compares as a number): surrounding whitespace, a sign, digits
# with a decimal point or not, an exponent
_PHP_NUMERIC = re.compile(r"[ \t\n\r\v\f]*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[ \t\n\r\v\f]*")


def accepted(status: int, body: str) -> bool:
    """Whether Pupesoft counts the service's answer as sent: `trim($retval) == "0"` on what
    file_get_contents() returned, which is the body of a 2xx answer (an error status gives
    false, never "0"). PHP's `==` compares two numeric strings as numbers, so "0\n", " 0 ",
    "00" and "0.0" are sent too."""
    if not 200 <= status < 300:
        return False
    text = (body or "").strip(_PHP_TRIM)
    if text == "0":
        return True
    if not _PHP_NUMERIC.fullmatch(text):
        return False
    try:
        return float(text) == 0.0
    except ValueError:
        return False


def deliver(config: SmsConfig, number: str, text: str, *, not_before: dt.datetime | None = None,
            company: str = "", reminder_id: int | None = None, session=None) -> Delivery:
    """Send one SMS to a normalised number and say what became of it (never raises for the
    network): SENT on the answers Pupesoft accepts (`accepted`); REFUSED with the service's
    answer; FAILED when the service could not be reached (nothing went out); UNKNOWN when the
    request went out and no whole answer came back (a read timeout, a dropped connection, a
    proxy's 502 or 504). A reminder's SMS carries what crm/kuittaamattomat.php and
    crm/asiakasmemo.php send with it: `not_before_date`, `not_before`, `yhtio` (the company) and
    `kalenteritunnus` (the reminder's kalenteri.tunnus)."""
    import requests  # imported when first needed: the app starts faster without it

    if not config.configured:
        raise NotConfigured("SMS is not configured: set [sms] url, user and password")
    params = {"user": config.user, "pass": config.password, "numero": number, "viesti": text}
    if not_before is not None:
        params["not_before_date"] = not_before.strftime("%Y-%m-%d")
        params["not_before"] = not_before.strftime("%H:%M:00")
    if company:
        params["yhtio"] = company
    if reminder_id is not None:
        params["kalenteritunnus"] = str(reminder_id)
    http = session or requests
    # encoded as Pupesoft sends them: PHP's urlencode() of its latin1 (Windows-1252) text, so
    # "ä" is %E4; a character the charset has not goes as "?", as Pupesoft's database gives it
    from urllib.parse import urlencode

    url = config.url + ("&" if "?" in config.url else "?") + urlencode(params, encoding=SERVICE_CHARSET,
                                                                        errors="replace")
    try:
        # Connection: close, so no request is ever written to a kept-alive connection that the
        # server has just closed (that would leave it unknown whether the message went out).
        response = http.get(url, headers={"Connection": "close"},
                            timeout=(min(5.0, config.timeout), config.timeout))
    except requests.RequestException as exc:
        if _connect_failure(exc):
            return Delivery(number, FAILED, f"the SMS service cannot be reached: {type(exc).__name__}")
        if isinstance(exc, requests.ReadTimeout):
            return Delivery(number, UNKNOWN, f"the SMS service did not answer in {config.timeout:g} s: "
                                             "it is not known whether the message went out")
        return Delivery(number, UNKNOWN, f"the SMS service closed the connection without an answer "
                                         f"({type(exc).__name__}): it is not known whether the message went out")
    body = response.text if response.text is not None else ""
    if accepted(response.status_code, body):
        return Delivery(number, SENT, body.strip(_PHP_TRIM))
    answer = " ".join(body.split())[:MAX_ANSWER] or f"HTTP {response.status_code}"
    if response.status_code in (502, 504):  # a proxy got no (good) answer from the service: it may have sent it
        return Delivery(number, UNKNOWN, f"HTTP {response.status_code} from the way to the SMS service: it is "
                                         f"not known whether the message went out ({answer})")
    return Delivery(number, REFUSED, answer)


def send(config: SmsConfig, number: str, text: str, *, not_before: dt.datetime | None = None,
         company: str = "", reminder_id: int | None = None, session=None) -> SmsResult:
    """Send one SMS; SmsResult(ok=False) when the service refuses, SmsError when it cannot be
    reached or its answer did not come. `session`: a requests.Session to reuse for several."""
    if not config.configured:
        raise NotConfigured("SMS is not configured: set [sms] url, user and password")
    number = normalise_number(number)
    if not text.strip():
        raise SmsError("the message is empty")
    if len(text) > config.max_length:
        raise SmsError(f"the message is {len(text)} characters, at most {config.max_length}")
    result = deliver(config, number, text, not_before=not_before, company=company, reminder_id=reminder_id,
                     session=session)
    if result.status in (FAILED, UNKNOWN):
        raise SmsError(result.answer)
    return SmsResult(number, result.ok, result.answer)


# -- numbers typed by a person ---------------------------------------------------------------

@dataclass(frozen=True)
class TypedNumbers:
    numbers: tuple[str, ...]  # normalised, each once, in the order typed
    invalid: tuple[tuple[str, str], ...]  # (as typed, why)
    duplicates: tuple[str, ...]  # as typed, dropped because the same number came earlier


def split_numbers(text: str) -> list[str]:
    """Numbers typed one a line, or separated by commas or semicolons (spaces belong to a number)."""
    import re

    return [part.strip() for part in re.split(r"[\n,;]+", text or "") if part.strip()]


def typed_numbers(text_or_list, region: str = DEFAULT_REGION) -> TypedNumbers:
    """Typed numbers normalised to the international form; invalid ones listed with the reason,
    the same number typed twice (in any format) kept once."""
    parts = split_numbers(text_or_list) if isinstance(text_or_list, str) else [
        p for item in text_or_list for p in split_numbers(item)
    ]
    numbers: dict[str, None] = {}  # ordered, and a quick "seen"
    invalid: list[tuple[str, str]] = []
    duplicates: list[str] = []
    for raw in parts:
        try:
            number = normalise_number(raw, region)
        except SmsError as exc:
            invalid.append((raw, str(exc)))
            continue
        if number in numbers:
            duplicates.append(raw)
        else:
            numbers[number] = None
    return TypedNumbers(tuple(numbers), tuple(invalid), tuple(duplicates))
