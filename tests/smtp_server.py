"""A real SMTP server on 127.0.0.1 for the tests (aiosmtpd): it keeps what it receives
and refuses what it is told to. The `serve` fixture (tests/conftest.py) starts them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


class _Controller(Controller):
    """A controller that listens on a free port (port 0) and knows which one it got."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class Recorder:
    """Keeps what it receives; refuses the recipients and DATA it is told to."""

    def __init__(
        self, refuse: Sequence[str] = (), data_replies: dict[int, str] | None = None
    ) -> None:
        self.refuse = set(refuse)
        self.data_replies = data_replies or {}
        self.data_calls = 0
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        reply = self.data_replies.get(self.data_calls)
        self.data_calls += 1
        if reply == "drop":
            server.transport.close()
            return "250 OK (never seen)"
        if reply:
            return reply
        self.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 OK"


Serve = Callable[..., int]


def serving() -> Iterator[Serve]:
    """Start an SMTP server on 127.0.0.1 (a free port); every one is stopped after the test."""
    started: list[_Controller] = []

    def start(handler: Recorder, **kwargs: Any) -> int:
        controller = _Controller(handler, hostname=HOST, port=0, **kwargs)
        controller.start()
        started.append(controller)
        return int(controller.port)

    try:
        yield start
    finally:
        for controller in started:
            controller.stop()
