"""SMS through Pupesoft's SMS service.

    GET <url>?user=<u>&pass=<p>&numero=<number>&viesti=<text>[&not_before_date=YYYY-MM-DD&not_before=HH:MM:00]

Success only when the response body is exactly `0`; anything else is the service's refusal, shown
to the user. URL and credentials come from the configuration ([sms]). Numbers are normalised with
the `phonenumbers` library (Finnish numbers by default) to the international form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
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
    import phonenumbers  # imported when first needed: the app starts faster without it

    raw = (text or "").strip()
    if not raw:
        raise SmsError("no phone number")
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise SmsError(f"{raw!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise SmsError(f"{raw!r} is not a valid phone number")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise SmsError(f"{raw!r} is not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class Encoding:
    name: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7, extended characters count two) or UTF-16 code units
    parts: int  # SMS messages it takes


def encoding(text: str) -> Encoding:
    """How the text goes as SMS: GSM-7 when every character is in its alphabet, else UCS-2;
    a single message holds 160 septets / 70 UCS-2 units, a long one 153 / 67 per part."""
    if all(c in GSM7 or c in GSM7_EXTENDED for c in text):
        units = sum(2 if c in GSM7_EXTENDED else 1 for c in text)
        single, multi, name = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, name = 70, 67, "UCS-2"
    parts = 0 if units == 0 else 1 if units <= single else -(-units // multi)
    return Encoding(name, units, parts)


def cut(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class SmsResult:
    number: str
    ok: bool
    answer: str  # the service's response body (or the error)


def send(config: SmsConfig, number: str, text: str, *, not_before: dt.datetime | None = None,
         session=None) -> SmsResult:
    """Send one SMS; SmsResult(ok=False) when the service refuses, SmsError when it cannot be reached.
    `session`: a requests.Session to reuse for a batch (default: a new connection)."""
    import requests  # imported when first needed: the app starts faster without it

    if not config.configured:
        raise NotConfigured("SMS is not configured: set [sms] url, user and password")
    number = normalise_number(number)
    if not text.strip():
        raise SmsError("the message is empty")
    if len(text) > config.max_length:
        raise SmsError(f"the message is {len(text)} characters, at most {config.max_length}")
    params = {"user": config.user, "pass": config.password, "numero": number, "viesti": text}
    if not_before is not None:
        params["not_before_date"] = not_before.strftime("%Y-%m-%d")
        params["not_before"] = not_before.strftime("%H:%M:00")
    http = session or requests
    try:
        response = http.get(config.url, params=params, timeout=(min(5.0, config.timeout), config.timeout))
    except requests.Timeout:
        raise SmsError(f"the SMS service did not answer in {config.timeout:g} s") from None
    except requests.RequestException as exc:
        raise SmsError(f"the SMS service cannot be reached: {type(exc).__name__}") from None
    body = response.text.strip() if response.text is not None else ""
    if response.status_code == 200 and response.text == "0":
        return SmsResult(number, True, "0")
    answer = body[:200] or f"HTTP {response.status_code}"
    return SmsResult(number, False, answer)
