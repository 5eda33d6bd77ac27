"""Sending email by SMTP with the [smtp] configuration (host, port, security, login, sender)."""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Mapping


class MailError(Exception):
    """The mail could not be sent; the message is for a person. `uncertain`: the connection
    broke after the message was handed over, so the server may have taken it (do not resend
    blindly)."""

    def __init__(self, message: str, *, uncertain: bool = False):
        super().__init__(message)
        self.uncertain = uncertain


def addresses(text: str) -> list[str]:
    """The valid addresses in an email field ('a@x.fi; b@y.fi')."""
    from pupetui.services.validation import EMAIL

    return [part for part in re.split(r"[,;\s]+", (text or "").strip()) if part and EMAIL.match(part)]


def _answer(reply) -> str:
    """The server's answer to a refused recipient ((550, b'5.1.1 no such mailbox')) as text."""
    try:
        code, text = reply
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return " ".join(f"{code} {text}".split())
    except (TypeError, ValueError):
        return " ".join(str(reply).split())


def refused_text(refused) -> str:
    """'a@x.fi (550 5.1.1 no such mailbox), b@y.fi (...)' for messages."""
    items = refused.items() if hasattr(refused, "items") else ((a, "") for a in refused)
    return ", ".join(f"{address} ({_answer(reply) if not isinstance(reply, str) else reply})" if reply else address
                     for address, reply in items)


class _Tracking:
    """Remembers whether the message data was handed to the server (DATA)."""

    data_started = False

    def data(self, msg):
        self.data_started = True
        return super().data(msg)


class _SMTP(_Tracking, smtplib.SMTP):
    pass


class _SMTP_SSL(_Tracking, smtplib.SMTP_SSL):
    pass


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 25
    security: str = ""  # "", "starttls" or "ssl"
    user: str = ""
    password: str = ""
    sender: str = ""
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, smtp: Mapping) -> "SmtpConfig":
        return cls(
            host=str(smtp.get("host") or ""), port=int(smtp.get("port") or 25),
            security=str(smtp.get("security") or "").lower(), user=str(smtp.get("user") or ""),
            password=str(smtp.get("password") or ""), sender=str(smtp.get("sender") or ""),
            timeout=float(smtp.get("timeout") or 30),
        )

    @property
    def configured(self) -> bool:
        return bool(self.host)


class Mailer:
    """One SMTP connection for a batch of messages: `with Mailer(config) as m: m.send(msg)`."""

    def __init__(self, config: SmtpConfig):
        if not config.configured:
            raise MailError("email is not configured: set [smtp] host (and sender)")
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Mailer":
        c = self.config
        try:
            if c.security == "ssl":
                self._smtp = _SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ssl.create_default_context())
            else:
                self._smtp = _SMTP(c.host, c.port, timeout=c.timeout)
                if c.security == "starttls":
                    self._smtp.starttls(context=ssl.create_default_context())
            if c.user:
                self._smtp.login(c.user, c.password)
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise MailError(f"cannot connect to the mail server {c.host}:{c.port}: {exc}") from None
        return self

    def send(self, message: EmailMessage) -> dict[str, str]:
        """Hands `message` to the server. Returns the recipients the server refused while it took
        the mail for the others (address -> the server's answer; empty when it took it for all):
        such a mail was sent, and sending it again would give the others a second copy. MailError
        when it went to nobody (every recipient refused, the data refused, no connection)."""
        if self._smtp is None:
            raise MailError("not connected")
        if not message["From"]:
            message["From"] = self.config.sender or f"pupetui@{self.config.host}"
        self._smtp.data_started = False
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:  # every recipient: nobody got it
            raise MailError(f"the mail server refused {refused_text(exc.recipients)}") from None
        except smtplib.SMTPDataError as exc:  # the server answered: it did not take it
            raise MailError(f"the mail server did not take the mail to {message['To']}: {exc}") from None
        except (OSError, smtplib.SMTPException) as exc:
            if self._smtp.data_started:
                raise MailError(f"the connection to the mail server broke while sending the mail to "
                                f"{message['To']}: it may or may not have been taken ({exc})",
                                uncertain=True) from None
            raise MailError(f"the mail server did not take the mail to {message['To']}: {exc}") from None
        return {address: _answer(reply) for address, reply in (refused or {}).items()}

    def alive(self) -> bool:
        """Still connected and answering (after a failed mail: may the next use this connection?)."""
        if self._smtp is None or self._smtp.sock is None:
            return False
        try:
            return self._smtp.noop()[0] == 250
        except (OSError, smtplib.SMTPException):
            return False

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                try:
                    self._smtp.close()
                except OSError:
                    pass
            self._smtp = None

    def __exit__(self, *exc) -> None:
        self._close()
