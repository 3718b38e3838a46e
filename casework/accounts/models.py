"""Users, the roles they hold in units, their sessions and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.crypto.orm import EncryptedField
from casework.extensions import db
from casework.model_base import UTCDateTime, UUIDPrimaryKey, timestamp_column
from casework.units.models import Unit


class User(UUIDPrimaryKey, db.Model):
    __tablename__ = "user_account"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisation.id"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = timestamp_column()
    password_changed_at: Mapped[datetime] = timestamp_column()
    # Throttling: exponential lockout per account, whatever address the attempts come from.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # TOTP: the secret is encrypted like any personal datum; the last accepted time step is
    # kept so that a code cannot be replayed.
    totp_secret_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_secret = EncryptedField("totp_secret_ct")
    totp_confirmed: Mapped[bool] = mapped_column(default=False)
    # Where notifications are e-mailed (optional); contact data, encrypted like a person's phone.
    email_ct: Mapped[bytes | None] = mapped_column(LargeBinary)
    email = EncryptedField("email_ct")
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    # Set when the operator typed the password at the command line: the next session may only
    # change it.
    password_must_change: Mapped[bool] = mapped_column(default=False)
    # True when nobody holding only an administrator's powers can know this account's way in:
    # its password (or the enrolment code still outstanding) came from the operator or from a
    # case-reading approver, or was chosen by its holder from such a password. An account's
    # case roles are activated only while this holds (``casework.accounts.role_requests``).
    credential_vouched: Mapped[bool] = mapped_column(default=False, server_default=false())

    unit: Mapped[Unit] = relationship(lazy="joined")
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    #: Case roles asked for this account and waiting for a supervisor (read-only view).
    pending_roles: Mapped[list[RoleRequest]] = relationship(
        primaryjoin="and_(User.id == RoleRequest.user_id, RoleRequest.status == 'pending')",
        order_by="RoleRequest.requested_at",
        viewonly=True,
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    # flask-login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_names(self) -> set[str]:
        return {assignment.role for assignment in self.roles}

    @property
    def awaiting_enrolment(self) -> bool:
        """No password yet (or not since a reset): only an enrolment code lets anyone in."""
        return self.password_hash == UNUSABLE_PASSWORD


#: The password hash of an account nobody can log into: not an argon2 hash, so no password
#: verifies against it. Set at creation and at a reset, until an enrolment code is redeemed.
UNUSABLE_PASSWORD = "!"


class RoleAssignment(UUIDPrimaryKey, db.Model):
    """A role held in a unit; it reaches that unit and every unit below it."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    granted_at: Mapped[datetime] = timestamp_column()

    user: Mapped[User] = relationship(back_populates="roles")
    unit: Mapped[Unit] = relationship(lazy="joined")


class UserSession(UUIDPrimaryKey, db.Model):
    """A server-side login session: revocable, with idle and absolute timeouts.

    The browser holds a random 256-bit session id inside the signed Flask cookie; the database
    keeps only its SHA-256, so a copy of the table (a backup, a replica) opens no session.
    """

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = timestamp_column()
    last_seen_at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship(lazy="joined")


class ApiToken(UUIDPrimaryKey, db.Model):
    """A personal access token: acts as its user, never more; shown once, stored as a hash."""

    __tablename__ = "api_token"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(lazy="joined")


class RecoveryCode(UUIDPrimaryKey, db.Model):
    """A one-time TOTP recovery code, stored as a keyed hash; ``used_at`` spends it."""

    __tablename__ = "recovery_code"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = timestamp_column()
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RoleRequest(UUIDPrimaryKey, db.Model):
    """A role that reads case content, asked for an account and waiting for a second person.

    An administrator asks (or a password reset suspends an active case role into a request); a
    supervisor at the unit or above approves or refuses; the administrators may withdraw it.
    The row stays once decided, as the record of who asked and who decided.
    """

    __tablename__ = "role_request"
    __table_args__ = (
        # At most one open request per account, role and unit, even under concurrent requests.
        Index(
            "uq_role_request_pending",
            "user_id",
            "role",
            "unit_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("unit.id"), index=True)
    #: ``grant`` (a role asked for an existing account), ``new_account``, or ``reset`` (an
    #: active role suspended by an administrator's password reset).
    cause: Mapped[str] = mapped_column(String(16))
    #: ``pending``, ``approved``, ``refused`` or ``withdrawn``.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = timestamp_column()
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    unit: Mapped[Unit] = relationship(lazy="joined")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class EnrolmentCode(UUIDPrimaryKey, db.Model):
    """A single-use, expiring code that lets its holder set an account's password.

    Handed over in person instead of a password, so whoever issues it never learns the
    password. Stored as a SHA-256 of the code (80 random bits: no offline guessing).
    ``vouched`` says a case-reading approver issued it (see ``User.credential_vouched``).
    """

    __tablename__ = "enrolment_code"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = timestamp_column()
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    vouched: Mapped[bool] = mapped_column(default=False)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
