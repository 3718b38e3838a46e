"""Second factor: TOTP (RFC 6238, pyotp) with one-time recovery codes.

The secret is made on the server, shown once (otpauth URI and base32) and only counts once the
user proves their authenticator with a first valid code. The last accepted time step is stored,
so a code (even one still inside the ±30 s window) works once. Ten recovery codes are issued at
confirmation; each is stored as a keyed hash and spent on use.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

import pyotp
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from casework.access.actor import Actor
from casework.accounts.models import RecoveryCode, User
from casework.crypto import current_keyring
from casework.errors import Conflict, Invalid
from casework.model_base import utcnow

ISSUER = "casework"
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps either side, for clocks a little off
RECOVERY_CODE_COUNT = 10
MFA_ROLES = frozenset({"supervisor", "administrator"})
_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def mfa_required(user: Actor) -> bool:
    """Whether the configuration obliges this user to use a second factor."""
    return bool(current_app.config.get("CASEWORK_REQUIRE_MFA")) and bool(
        user.role_names & MFA_ROLES
    )


def begin_enrolment(user: User) -> tuple[str, str]:
    """Give ``user`` a new, unconfirmed secret; returns (base32 secret, otpauth URI).

    :raise Conflict: TOTP is already confirmed (remove it first, with the password).
    """
    if user.totp_confirmed:
        raise Conflict(_("Two-step login is already set up; remove it first."))
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_last_step = None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to (within the window), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int(now if now is not None else time.time()) // STEP_SECONDS
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm_enrolment(session: Session, user: User, code: str) -> list[str]:
    """Confirm the pending secret with a first code; returns the recovery codes (shown once).

    :raise Conflict: nothing to confirm.
    :raise Invalid: the code does not match.
    """
    if user.totp_confirmed or not user.totp_secret:
        raise Conflict(_("Start the set-up of two-step login first."))
    step = matching_step(user.totp_secret, code)
    if step is None:
        message = _("This code does not match. Check the time on the phone.")
        raise Invalid(errors={"code": [message]})
    user.totp_confirmed = True
    user.totp_last_step = step
    return issue_recovery_codes(session, user)


def _code_hash(code: str) -> str:
    # Keyed: the codes carry ~50 bits, too few to rely on an unkeyed hash if the table leaks.
    normalised = code.strip().lower().replace("-", "").replace(" ", "")
    key = current_keyring().index_key("totp-recovery-code")
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def issue_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace ``user``'s recovery codes with ten new ones; returns them in clear, once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _j in range(10))
        code = f"{raw[:5]}-{raw[5:]}"
        codes.append(code)
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code)))
    return codes


def verify_second_factor(session: Session, user: User, otp: str) -> str | None:
    """Check a TOTP code (never the same step twice) or spend a recovery code.

    Returns how the factor was proved (``totp`` or ``recovery_code``), or None.
    """
    if not user.totp_confirmed or not user.totp_secret:
        return None
    step = matching_step(user.totp_secret, otp)
    if step is not None:
        if user.totp_last_step is not None and step <= user.totp_last_step:
            return None  # replayed (or older than a code already used)
        user.totp_last_step = step
        return "totp"
    digest = _code_hash(otp)
    for stored in session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ):
        if hmac.compare_digest(stored.code_hash, digest):
            stored.used_at = utcnow()
            return "recovery_code"
    return None


def remove_totp(session: Session, user: User) -> None:
    """Forget the secret and the recovery codes (the user, or an administrator's reset)."""
    user.totp_secret = None
    user.totp_confirmed = False
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
