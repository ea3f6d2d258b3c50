"""`files/smtp.deliver` against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from rmentor.files.smtp import (
    Outgoing,
    Refusal,
    SmtpError,
    SmtpSettings,
    deliver,
)
from tests.smtp_server import HOST, Recorder, Serve

USER, PASSWORD = "coordinator", "s3cret-Passw0rd"


def message(n: int, *recipients: str) -> Outgoing:
    to = recipients or (f"person{n}@example.org",)
    data = (
        f"From: Lee Leader <lee@example.com>\r\n"
        f"To: {', '.join(to)}\r\n"
        f"Subject: Meeting {n}\r\n"
        f"Message-ID: <m{n}@example.com>\r\n"
        f"\r\n"
        f"Hello {n},\r\n"
        f".a line that starts with a dot\r\n"
        f"\r\n"
        f"-- \r\n"
        f"Lee\r\n"
    ).encode()
    return Outgoing(key=f"m{n}", sender="lee@example.com", recipients=to, data=data)


def plain(port: int, **kwargs: Any) -> SmtpSettings:
    return SmtpSettings(host=HOST, port=port, security="none", timeout=5, **kwargs)


class Calls:
    """An `on_sent` callback that remembers its calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Refusal, ...]]] = []

    def __call__(self, sent: Outgoing, refusals: Sequence[Refusal]) -> None:
        self.calls.append((sent.key, tuple(refusals)))

    @property
    def keys(self) -> list[str]:
        return [key for key, _ in self.calls]


def test_sends_every_message_byte_exact_and_in_order(serve: Serve) -> None:
    handler = Recorder()
    port = serve(handler)
    messages = [message(n) for n in range(5)]
    calls = Calls()

    report = deliver(messages, plain(port), calls)

    assert report.sent == ["m0", "m1", "m2", "m3", "m4"]
    assert (report.refused, report.not_sent, report.stopped) == ({}, [], None)
    assert calls.calls == [(f"m{n}", ()) for n in range(5)]
    assert handler.received == [(m.sender, list(m.recipients), m.data) for m in messages]


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        ("421 4.3.0 closing, try later", "421 4.3.0 closing, try later"),
        ("451 4.3.0 try again later", "451 4.3.0 try again later"),
        ("drop", "connection to"),
    ],
)
def test_a_stop_keeps_what_was_sent_and_the_rest_resume(
    serve: Serve, reply: str, said: str
) -> None:
    failing = Recorder(data_replies={2: reply})
    port = serve(failing)
    messages = [message(n) for n in range(5)]
    calls = Calls()

    report = deliver(messages, plain(port), calls)

    assert report.sent == ["m0", "m1"]
    assert calls.keys == ["m0", "m1"]
    assert report.not_sent == ["m2", "m3", "m4"]
    assert report.refused == {}
    assert report.stopped is not None
    assert said in report.stopped
    assert "m2" in report.stopped
    assert "2 of 5" in report.stopped
    assert [r[2] for r in failing.received] == [messages[0].data, messages[1].data]

    good = Recorder()
    again = Calls()
    rest = [m for m in messages if m.key in report.not_sent]
    resumed = deliver(rest, plain(serve(good)), again)

    assert resumed.sent == ["m2", "m3", "m4"]
    assert again.keys == ["m2", "m3", "m4"]
    assert (resumed.not_sent, resumed.stopped) == ([], None)
    assert [r[2] for r in good.received] == [m.data for m in messages[2:]]


def test_a_refused_recipient_is_reported_and_the_rest_still_go(serve: Serve) -> None:
    handler = Recorder(refuse=["ghost@example.org"])
    port = serve(handler)
    both = message(0, "ann@example.org", "ghost@example.org")
    only_ghost = message(1, "ghost@example.org")
    after = message(2, "bob@example.org")
    calls = Calls()

    report = deliver([both, only_ghost, after], plain(port), calls)

    refusal = Refusal("ghost@example.org", 550, "5.1.1 no such user")
    assert report.sent == ["m0", "m2"]
    assert report.not_sent == ["m1"]
    assert report.refused == {"m0": [refusal], "m1": [refusal]}
    assert report.stopped is None
    assert calls.calls == [("m0", (refusal,)), ("m2", ())]
    assert [(r[1], r[2]) for r in handler.received] == [
        (["ann@example.org"], both.data),
        (["bob@example.org"], after.data),
    ]


def test_a_5xx_on_data_refuses_that_message_only(serve: Serve) -> None:
    handler = Recorder(data_replies={1: "554 5.7.1 message rejected"})
    port = serve(handler)
    messages = [message(n) for n in range(3)]
    calls = Calls()

    report = deliver(messages, plain(port), calls)

    assert report.sent == ["m0", "m2"]
    assert report.not_sent == ["m1"]
    assert report.refused == {"m1": [Refusal("lee@example.com", 554, "5.7.1 message rejected")]}
    assert report.stopped is None
    assert calls.keys == ["m0", "m2"]
    assert [r[2] for r in handler.received] == [messages[0].data, messages[2].data]


def test_a_failing_callback_stops_and_propagates(serve: Serve) -> None:
    handler = Recorder()
    port = serve(handler)

    def on_sent(sent: Outgoing, refusals: Sequence[Refusal]) -> None:
        raise OSError("state/mail.toml: disk full")

    with pytest.raises(OSError, match="disk full"):
        deliver([message(0), message(1)], plain(port), on_sent)
    assert len(handler.received) == 1


def test_no_recipients_and_unicode_addresses(serve: Serve) -> None:
    handler = Recorder()
    port = serve(handler)  # aiosmtpd offers SMTPUTF8
    empty = Outgoing("m0", "lee@example.com", (), b"Subject: x\r\n\r\nx\r\n")
    utf8 = message(1, "jürgen@exämple.org")

    report = deliver([empty, utf8], plain(port), Calls())

    assert report.sent == ["m1"]
    assert report.not_sent == ["m0"]
    assert report.refused["m0"][0].code == 0
    assert handler.received[0][1] == ["jürgen@exämple.org"]


def authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (
        USER.encode(),
        PASSWORD.encode(),
    )
    # handled=False: aiosmtpd then answers 535 itself; with the default (True) it sends
    # nothing and the client waits for its timeout.
    return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login(serve: Serve) -> None:
    handler = Recorder()
    port = serve(handler, authenticator=authenticator, auth_required=True, auth_require_tls=False)

    report = deliver([message(0)], plain(port, username=USER, password=PASSWORD), Calls())
    assert report.sent == ["m0"]

    wrong = "not-the-Passw0rd"
    with pytest.raises(SmtpError) as caught:
        deliver([message(1)], plain(port, username=USER, password=wrong), Calls())
    text = str(caught.value)
    assert f"{HOST}:{port}" in text
    assert "535" in text
    assert wrong not in text
    assert PASSWORD not in text
    assert len(handler.received) == 1


def test_a_user_name_without_password_says_where_to_put_it() -> None:
    with pytest.raises(SmtpError, match="RMENTOR_SMTP_PASSWORD"):
        deliver([message(0)], plain(1, username=USER), Calls())


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for `localhost`: (cert, key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not on PATH")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


def tls(port: int, security: Any, cafile: Path, **kwargs: Any) -> SmtpSettings:
    context = ssl.create_default_context(cafile=str(cafile))
    return SmtpSettings("localhost", port, security, timeout=5, context=context, **kwargs)


def test_starttls(serve: Serve, certificate: tuple[Path, Path]) -> None:
    handler = Recorder()
    port = serve(
        handler,
        tls_context=server_context(certificate),
        require_starttls=True,
        authenticator=authenticator,
        auth_required=True,
    )
    settings = tls(port, "starttls", certificate[0], username=USER, password=PASSWORD)

    report = deliver([message(0), message(1)], settings, Calls())

    assert report.sent == ["m0", "m1"]
    assert len(handler.received) == 2

    with pytest.raises(SmtpError, match="not trusted"):
        deliver([message(2)], SmtpSettings("localhost", port, timeout=5), Calls())
    with pytest.raises(SmtpError, match="does not offer STARTTLS"):
        deliver([message(2)], tls(serve(Recorder()), "starttls", certificate[0]), Calls())


def test_implicit_tls(serve: Serve, certificate: tuple[Path, Path]) -> None:
    handler = Recorder()
    port = serve(handler, ssl_context=server_context(certificate))

    report = deliver([message(0)], tls(port, "ssl", certificate[0]), Calls())

    assert report.sent == ["m0"]
    assert handler.received[0][2] == message(0).data

    with pytest.raises(SmtpError, match="TLS failed"):
        deliver([message(1)], tls(serve(Recorder()), "ssl", certificate[0]), Calls())


def test_connection_refused_names_host_and_port() -> None:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    with pytest.raises(SmtpError) as caught:
        deliver([message(0)], plain(port), Calls())
    text = str(caught.value)
    assert f"cannot connect to {HOST}:{port}" in text
    assert "refused" in text.lower()
    assert caught.value.__cause__ is None


def test_repr_hides_the_password() -> None:
    settings = SmtpSettings("smtp.example.org", 587, username=USER, password=PASSWORD)
    assert PASSWORD not in repr(settings)
    assert USER in repr(settings)


def test_nothing_to_send_does_not_connect() -> None:
    report = deliver([], plain(1), Calls())
    assert (report.sent, report.not_sent, report.stopped) == ([], [], None)


def test_an_unknown_security_is_refused_not_sent_in_clear() -> None:
    settings = SmtpSettings(HOST, 1, security="tls")  # type: ignore[arg-type]
    with pytest.raises(SmtpError, match="starttls, ssl or none"):
        deliver([message(0)], settings, Calls())
