"""A real SMTP server on a free local port for the test (aiosmtpd), collecting what it gets."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(
            envelope.original_content or envelope.content, policy=policy.default
        )
        message["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def smtp_server(app: Any) -> Iterator[Mailbox]:
    """An SMTP server the app sends notification e-mail to (``CASEWORK_SMTP_URL``)."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["CASEWORK_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    app.config["CASEWORK_PUBLIC_URL"] = "https://casework.example.vn"
    try:
        yield mailbox
    finally:
        controller.stop()
