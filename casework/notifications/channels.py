"""Channels that carry a notification outside the service: e-mail (SMTP) and a Zalo OA / SMS
gateway stub. The in-app inbox is the notification row itself and needs no channel.

A channel says where a user is reached (``address_of``; ``None``: not by this channel) and
sends one message there, raising on failure so the delivery is retried and, after the last
attempt, dead-lettered. Register another (or a fake, in tests) with ``register``.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from flask import Flask

from casework.notifications.messages import Message

_KEY = "casework.notification_channels"


class Channel(Protocol):
    name: str

    def address_of(self, user: Any) -> str | None: ...

    def send(self, address: str, message: Message) -> None: ...


class EmailChannel:
    """E-mail through the SMTP server of ``CASEWORK_SMTP_URL``.

    ``smtp://host:port`` plain (a local relay), ``smtp+starttls://`` upgraded with STARTTLS,
    ``smtps://`` TLS from the start; ``user:password@`` logs in.
    """

    name = "email"

    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtp+starttls", "smtps") or not parts.hostname:
            raise ValueError("CASEWORK_SMTP_URL must be smtp://, smtp+starttls:// or smtps://host")
        self.scheme, self.host = parts.scheme, parts.hostname
        self.port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.sender, self.timeout = sender, timeout

    def address_of(self, user: Any) -> str | None:
        return user.email or None

    def send(self, address: str, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, address, message.subject
        mail.set_content(message.body)
        factory = smtplib.SMTP_SSL if self.scheme == "smtps" else smtplib.SMTP
        with factory(self.host, self.port, timeout=self.timeout) as smtp:
            if self.scheme == "smtp+starttls":
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


class ZaloSmsChannel:
    """Zalo Official Account / SMS gateway adapter (a stub: no gateway is wired in yet).

    ``directory`` maps a user to their Zalo or phone address (``None``: not reachable);
    ``transport(address, text)`` sends through the gateway. Both are given by whoever registers
    the channel — tests register one with a fake transport.
    """

    name = "zalo"

    def __init__(
        self,
        transport: Callable[[str, str], None] | None = None,
        directory: Callable[[Any], str | None] | None = None,
    ) -> None:
        self.transport = transport
        self.directory = directory or (lambda _user: None)

    def address_of(self, user: Any) -> str | None:
        return self.directory(user)

    def send(self, address: str, message: Message) -> None:
        if self.transport is None:
            raise RuntimeError("no Zalo OA / SMS gateway is configured")
        # Short text: the title and the link, as an SMS carries them.
        self.transport(address, f"{message.subject} {message.link}")


def configured(app: Flask) -> list[Channel]:
    """The channels of ``app``: e-mail when ``CASEWORK_SMTP_URL`` is set, plus any registered."""
    channels: list[Channel] = []
    if app.config.get("CASEWORK_SMTP_URL"):
        channels.append(
            EmailChannel(app.config["CASEWORK_SMTP_URL"], app.config["CASEWORK_SMTP_FROM"])
        )
    channels.extend(app.extensions.get(_KEY, []))
    return channels


def register(app: Flask, channel: Channel) -> None:
    app.extensions.setdefault(_KEY, []).append(channel)


def unregister(app: Flask, channel: Channel) -> None:
    app.extensions.get(_KEY, []).remove(channel)


def by_name(app: Flask, name: str) -> Channel | None:
    return next((c for c in configured(app) if c.name == name), None)
