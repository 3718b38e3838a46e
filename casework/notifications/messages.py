"""The words of a notification: its kind, the case reference and a link — nothing else.

Messages leave the service (e-mail, SMS), so they never carry a name, an identifier or any
personal datum; a reader who is not the recipient learns only that a case reference needs
attention. Vietnamese first, English for a user whose language is English.
"""

from __future__ import annotations

from dataclasses import dataclass

from casework.notifications.models import Notification

LABELS: dict[str, tuple[str, str]] = {
    "assigned": ("Bạn được giao hồ sơ {ref}", "Case {ref} was assigned to you"),
    "due_soon": (
        "Hồ sơ {ref}: bước hiện tại sắp đến hạn",
        "Case {ref}: the current step is due soon",
    ),
    "overdue": ("Hồ sơ {ref}: bước hiện tại đã quá hạn", "Case {ref}: the current step is overdue"),
    "transfer_requested": (
        "Hồ sơ {ref} đề nghị chuyển đến đơn vị bạn: cần quyết định",
        "Case {ref} asks to be transferred to your unit: decide",
    ),
    "closure_approved": (
        "Đề nghị đóng hồ sơ {ref} đã được duyệt",
        "Closure of case {ref} approved",
    ),
    "closure_returned": ("Đề nghị đóng hồ sơ {ref} bị trả lại", "Closure of case {ref} returned"),
    "referral_answered": (
        "Nơi tiếp nhận đã trả lời chuyển gửi của hồ sơ {ref}",
        "A provider answered a referral of case {ref}",
    ),
}


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    link: str


def title(notification: Notification, language: str = "vi") -> str:
    vi, en = LABELS[notification.kind]
    template = en if language == "en" else vi
    return template.format(ref=notification.reference or "—")


def render(notification: Notification, base_url: str, language: str = "vi") -> Message:
    """The message for ``notification``: its title, and the link to open (absolute when the
    service's public address is known)."""
    subject = title(notification, language)
    link = base_url.rstrip("/") + notification.link
    footer = (
        "Open the case in the service to see what to do."
        if language == "en"
        else "Mở hồ sơ trong hệ thống để xem việc cần làm."
    )
    return Message(subject=subject, body=f"{subject}\n\n{link}\n\n{footer}\n", link=link)
