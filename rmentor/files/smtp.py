"""Deliver written messages through SMTP: `rmentor mail --send`.

The messages are already written (RFC 5322 bytes, CRLF line ends); this module only
hands them to a server, and is built around what `--send` promises:

- **One connection for the batch.** Connecting, STARTTLS or implicit TLS and the login
  happen once. A failure there means nothing can be sent: `deliver` raises
  `SmtpError`, whose message says what failed, where (host:port) and what to check.
- **Record after accept.** `on_sent` is called right after the server accepts each
  message, before the next one is tried, so the caller writes its state one message
  at a time. A run killed halfway has recorded exactly what the server took.
- **Resume cleanly.** A message the server refuses for good (5xx, or every recipient
  refused) is reported and the rest still go. A temporary refusal (4xx) on the
  message or a lost connection stops the batch: the report says why, and the
  messages not sent are listed, so calling `deliver` again with them resumes.

The bytes go as written (`sendmail`, not `send_message`: nothing is re-encoded). The
password is never put in a message, a repr or a log.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

Security = Literal["starttls", "ssl", "none"]

PASSWORD_VARIABLE = "RMENTOR_SMTP_PASSWORD"
"""The environment variable the SMTP password is expected in (named in messages)."""

_CLIENT = 0  # Refusal.code of a message refused here, before the server saw it


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to connect. The password is read from the environment by the caller."""

    host: str
    port: int
    security: Security = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    context: ssl.SSLContext | None = field(default=None, repr=False)
    """TLS settings; None means `ssl.create_default_context()` (tests pass their own)."""


@dataclass(frozen=True)
class Outgoing:
    """One message to send: its envelope and its bytes."""

    key: str
    """What the caller records in its state; opaque here."""
    sender: str
    """The envelope sender (MAIL FROM)."""
    recipients: tuple[str, ...]
    """The envelope recipients (RCPT TO)."""
    data: bytes
    """The whole RFC 5322 message, CRLF line ends, sent as it is."""


@dataclass(frozen=True)
class Refusal:
    """An address the server would not take, with its answer.

    `address` is the refused recipient, or the envelope sender when the server refused
    the message as a whole (at MAIL FROM or DATA). `code` is the server's reply code,
    or 0 when the message was refused here before the server saw it (no recipients,
    or an address that is not ASCII for a server without SMTPUTF8).
    """

    address: str
    code: int
    reason: str


@dataclass
class DeliveryReport:
    """What happened to each message of a batch."""

    sent: list[str] = field(default_factory=list)
    """Keys the server accepted (for at least one recipient), in order."""
    refused: dict[str, list[Refusal]] = field(default_factory=dict)
    """Key -> what the server refused; a message listed here may still have been sent."""
    not_sent: list[str] = field(default_factory=list)
    """Keys not delivered: refused outright, or never tried after a stop."""
    stopped: str | None = None
    """Why delivery stopped before the end, in plain words; None if every message was tried."""


class SmtpError(Exception):
    """Delivery could not even start: no connection, a TLS failure, a refused login.

    The message says what failed, where (host:port) and what to check. It never holds
    the password.
    """


def deliver(
    messages: Sequence[Outgoing],
    settings: SmtpSettings,
    on_sent: Callable[[Outgoing, Sequence[Refusal]], None],
) -> DeliveryReport:
    """Send `messages` in order over one connection; see the module docstring.

    `on_sent(message, refusals)` is called right after the server accepts each
    message, before the next is tried; if it raises, delivery stops and the exception
    propagates (the connection is closed first). Raises `SmtpError` when no message
    can be tried at all. Every other failure is in the returned report.
    """
    if settings.security not in ("starttls", "ssl", "none"):
        raise SmtpError(f"mail.smtp.security is {settings.security!r}: use starttls, ssl or none")
    if settings.username and not settings.password:
        raise SmtpError(
            f"mail.smtp.username is set ({settings.username}) but no password was given: "
            f"set it in the environment variable {PASSWORD_VARIABLE}"
        )
    report = DeliveryReport()
    if not messages:
        return report
    conn = _open(settings)
    try:
        _send_all(conn, messages, settings, on_sent, report)
    finally:
        _close(conn)
    return report


def _send_all(
    conn: smtplib.SMTP,
    messages: Sequence[Outgoing],
    settings: SmtpSettings,
    on_sent: Callable[[Outgoing, Sequence[Refusal]], None],
    report: DeliveryReport,
) -> None:
    total = len(messages)
    for index, message in enumerate(messages):
        outcome = _send_one(conn, message, settings)
        if isinstance(outcome, _Stop):
            report.not_sent.extend(m.key for m in messages[index:])
            done = len(report.sent)
            left = total - index
            report.stopped = _scrub(
                f"{outcome.what}. Delivery stopped: {done} of {total} "
                f"message{'' if total == 1 else 's'} sent, {left} left to send later",
                settings.password,
            )
            return
        accepted, refusals = outcome
        if refusals:
            report.refused[message.key] = refusals
        if not accepted:
            report.not_sent.append(message.key)
            continue
        report.sent.append(message.key)
        on_sent(message, tuple(refusals))


@dataclass(frozen=True)
class _Stop:
    what: str


def _send_one(
    conn: smtplib.SMTP, message: Outgoing, settings: SmtpSettings
) -> tuple[bool, list[Refusal]] | _Stop:
    """(accepted, refusals) for one message, or why the batch must stop."""
    password = settings.password
    where, key = _where(settings), message.key
    if not message.recipients:
        return False, [Refusal("", _CLIENT, "the message has no recipients")]
    options: list[str] = []
    addresses = (message.sender, *message.recipients)
    if not all(address.isascii() for address in addresses):
        if not conn.has_extn("smtputf8"):
            odd = next(address for address in addresses if not address.isascii())
            reason = (
                "the address is not ASCII and the server does not accept such "
                "addresses (it does not offer SMTPUTF8)"
            )
            return False, [Refusal(odd, _CLIENT, reason)]
        options.append("SMTPUTF8")
    conn.command_encoding = "ascii"  # SMTPUTF8 on an earlier message switches it to UTF-8
    try:
        refused = conn.sendmail(message.sender, list(message.recipients), message.data, options)
    except smtplib.SMTPRecipientsRefused as exc:
        refusals = _refusals(exc.recipients, password)
        closing = [r for r in refusals if r.code == 421]
        if closing:
            return _Stop(f"the server at {where} closed the session ({_reply(closing[0])})")
        return False, refusals
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        code = exc.smtp_code
        reason = _scrub(_text(exc.smtp_error), password)
        stage = "the sender" if isinstance(exc, smtplib.SMTPSenderRefused) else "the message"
        if 500 <= code < 600:
            return False, [Refusal(message.sender, code, reason)]
        return _Stop(f"the server at {where} refused {stage} {key} for now ({code} {reason})")
    except smtplib.SMTPServerDisconnected as exc:
        return _Stop(f"the connection to {where} was lost while sending {key} ({exc})")
    except smtplib.SMTPResponseException as exc:
        reason = _scrub(_text(exc.smtp_error), password)
        return _Stop(f"the server at {where} answered {exc.smtp_code} {reason} to {key}")
    except (smtplib.SMTPException, OSError) as exc:
        return _Stop(f"the connection to {where} failed while sending {key} ({_why(exc)})")
    return True, _refusals(refused, password)


def _open(settings: SmtpSettings) -> smtplib.SMTP:
    """A connected, secured and logged-in session, or `SmtpError`."""
    password = settings.password
    context = settings.context or ssl.create_default_context()
    conn: smtplib.SMTP | None = None
    step = "connect to"
    try:
        if settings.security == "ssl":
            conn = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            conn = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        step = "greet"
        conn.ehlo()
        if settings.security == "starttls":
            step = "start TLS with"
            conn.starttls(context=context)
            conn.ehlo()
        if settings.username:
            step = "log in to"
            assert password is not None  # checked by deliver
            conn.login(settings.username, password)
    except BaseException as exc:
        if conn is not None:
            _close(conn)
        if not isinstance(exc, Exception):
            raise
        raise SmtpError(_scrub(_open_failure(exc, step, settings), password)) from None
    return conn


def _open_failure(exc: Exception, step: str, settings: SmtpSettings) -> str:
    where = _where(settings)
    security = "mail.smtp.security (`ssl` is usually port 465, `starttls` port 587)"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (
            f"cannot {step} {where}: its certificate is not trusted "
            f"({exc.verify_message or _why(exc)}) (check mail.smtp.host: it must be "
            "the name the certificate is for)"
        )
    if isinstance(exc, ssl.SSLError):
        return f"cannot {step} {where}: TLS failed ({_why(exc)}) (check {security})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        return (
            f"{where} refused the login of {settings.username}: {reply} (check "
            f"mail.smtp.username and the password in {PASSWORD_VARIABLE})"
        )
    if isinstance(exc, UnicodeEncodeError):
        return (
            f"cannot log in to {where}: the user name or the password has characters "
            "that are not ASCII, which SMTP login cannot send"
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        if step == "start TLS with":
            return f"{where} does not offer STARTTLS (check {security})"
        return (
            f"{where} does not offer a login (AUTH) here (check mail.smtp.security: "
            "many servers offer it only after STARTTLS; or remove mail.smtp.username)"
        )
    if isinstance(exc, smtplib.SMTPConnectError):
        return f"{where} refused the connection: {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        return f"cannot {step} {where}: the server answered {reply}"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"cannot {step} {where}: {_why(exc)} (check mail.smtp.host and port, and {security})"
    if isinstance(exc, TimeoutError):
        return (
            f"cannot {step} {where}: no answer within {settings.timeout:g} s (check "
            f"mail.smtp.host and port, and {security})"
        )
    if isinstance(exc, smtplib.SMTPException):
        return f"cannot {step} {where}: {_why(exc)}"
    if isinstance(exc, OSError):
        return f"cannot {step} {where}: {_why(exc)} (check mail.smtp.host and port)"
    return f"cannot {step} {where}: {type(exc).__name__}: {_why(exc)}"


def _close(conn: smtplib.SMTP) -> None:
    """QUIT politely; a server already gone is no error."""
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        pass
    finally:
        conn.close()


def _refusals(answers: Mapping[str, tuple[int, bytes]], password: str | None) -> list[Refusal]:
    return [
        Refusal(address, code, _scrub(_text(reason), password))
        for address, (code, reason) in answers.items()
    ]


def _reply(refusal: Refusal) -> str:
    return f"{refusal.code} {refusal.reason}"


def _where(settings: SmtpSettings) -> str:
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return f"{host}:{settings.port}"


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return " ".join(text.split())


def _why(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason).replace("_", " ").lower()
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


def _scrub(text: str, password: str | None) -> str:
    """The text with the password masked, should a server ever echo it (4+ characters)."""
    if password and len(password) >= 4:
        return text.replace(password, "***")
    return text
