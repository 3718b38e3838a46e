"""The malicious administrator against the whole service (issue 16, finding 3).

An administrator manages the accounts of its subtree and must never read case content — not by
creating an account, using the enrolment code it was shown, asking for a case role, resetting a
colleague's password, or any sequence of these. The supervisors here are the weakest possible
second pair of eyes: they approve every request they are shown. What keeps the administrator
out is that an approval hands the account's way in to the supervisor, never to the one who asked.

The random walks play the administrator through every account action it has, in many orders,
and after every step try each credential it holds (passwords it set, sessions, tokens) against a
case it must not read.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from casework.access.roles import CASE_ROLES
from casework.accounts.models import EnrolmentCode, User
from casework.extensions import db
from casework.model_base import utcnow
from tests.accounts.support import bearer, decide, enrol, user_row
from tests.conftest import ApiClient, World, case_body

ROLES = ("social_worker", "supervisor", "statistician", "auditor", "administrator")
UNITS = ("00004", "00008", "01")
#: The colleagues an administrator might try to take over.
COLLEAGUES = ("worker_a", "supervisor_a", "worker_b", "statistician", "auditor")


@dataclass
class Adversary:
    """What the administrator holds: codes it was shown, passwords it set, tokens it made."""

    world: World
    admin: ApiClient
    rng: random.Random
    created: list[str] = field(default_factory=list)
    codes: dict[str, str] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)

    def user_id(self, username: str) -> uuid.UUID:
        return user_row(self.world.app, username).id

    def note_code(self, username: str, body: dict | None) -> None:
        if body and body.get("enrolment_code"):
            self.codes[username] = body["enrolment_code"]["code"]

    # --- the administrator's moves ---------------------------------------------------------

    def create(self) -> None:
        username = f"acct{len(self.created)}"
        roles = self.rng.sample(ROLES, self.rng.randint(1, 2))
        body = {"username": username, "unit": self.rng.choice(UNITS), "roles": roles}
        if self.rng.random() < 0.3:  # the original reproduction: a password of its choosing
            body["password"] = "chosen by the admin 1"
            assert self.admin.post("/api/v1/users", json=body).status_code == 422
            del body["password"]
        response = self.admin.post("/api/v1/users", json=body)
        assert response.status_code == 201, response.get_json()
        self.created.append(username)
        self.note_code(username, response.get_json())

    def use_a_code(self) -> None:
        if not self.codes:
            return
        username = self.rng.choice(sorted(self.codes))
        password = "the administrator keeps this one"
        if enrol(self.world.app, self.codes.pop(username), password).status_code == 200:
            self.passwords[username] = password
            api = ApiClient(self.world.app.test_client())
            if api.login(username, password).status_code == 200:
                made = api.post("/api/v1/tokens", json={"name": "kept", "expires_in_days": 30})
                self.tokens.append(made.get_json()["token"])

    def grant(self) -> None:
        target = self.rng.choice(self.created + list(COLLEAGUES) + ["administrator"])
        role = self.rng.choice(ROLES)
        self.admin.post(
            f"/api/v1/users/{self.user_id(target)}/roles",
            json={"role": role, "unit": self.rng.choice(UNITS)},
        )

    def reset(self) -> None:
        target = self.rng.choice(self.created + list(COLLEAGUES))
        response = self.admin.post(f"/api/v1/users/{self.user_id(target)}/password-reset")
        assert response.status_code == 200
        self.note_code(target, response.get_json())

    def approve_itself(self) -> None:
        for request in self.admin.get("/api/v1/role-requests").get_json():
            assert decide(self.admin, request["id"]).status_code == 403

    def withdraw(self) -> None:
        waiting = self.admin.get("/api/v1/role-requests").get_json()
        if waiting:
            self.admin.delete(f"/api/v1/role-requests/{self.rng.choice(waiting)['id']}")

    def revoke(self) -> None:
        target = self.rng.choice(self.created) if self.created else "worker_a"
        account = self.admin.get(f"/api/v1/users/{self.user_id(target)}").get_json()
        if account["roles"]:
            assignment = self.rng.choice(account["roles"])["id"]
            self.admin.delete(f"/api/v1/users/{account['id']}/roles/{assignment}")

    MOVES = ("create", "create", "use_a_code", "use_a_code", "grant", "reset", "withdraw",
             "revoke", "approve_itself")  # fmt: skip


def rubber_stamp(world: World, rng: random.Random, handed_over: list[str]) -> None:
    """The supervisors approve everything they see; codes go to the real people, who use some."""
    for username in ("supervisor_a", "supervisor_province"):
        supervisor = world.client_for(username)
        if supervisor.csrf is None:  # reset by the administrator: waits for its own approval
            continue
        for request in supervisor.get("/api/v1/role-requests").get_json():
            answer = decide(supervisor, request["id"])
            if answer.status_code == 200 and answer.get_json()["enrolment_code"]:
                handed_over.append(answer.get_json()["enrolment_code"]["code"])
    while handed_over and rng.random() < 0.5:
        enrol(world.app, handed_over.pop(), "the real person's own passphrase")


def assert_no_case_content(world: World, adversary: Adversary, case_id: str) -> None:
    clients = [adversary.admin]
    for username, password in adversary.passwords.items():
        api = ApiClient(world.app.test_client())
        if api.login(username, password).status_code == 200:
            clients.append(api)
    headers = [{}] * len(clients) + [bearer(t) for t in adversary.tokens]
    clients += [ApiClient(world.app.test_client())] * len(adversary.tokens)
    for api, header in zip(clients, headers, strict=True):
        one = api.get(f"/api/v1/cases/{case_id}", headers=header)
        assert one.status_code in (401, 403, 404), one.get_json()
        listing = api.get("/api/v1/cases", headers=header)
        assert case_id not in listing.get_data(as_text=True)


def assert_case_roles_are_vouched(world: World) -> None:
    """The invariant behind it: no account holding a case role has a way in an administrator
    could know (an unvouched password, or a live code an administrator was shown)."""
    with world.app.app_context():
        for user in db.session.scalars(select(User)):
            if not user.role_names & CASE_ROLES:
                continue
            assert user.credential_vouched, user.username
            live = db.session.scalars(
                select(EnrolmentCode).where(
                    EnrolmentCode.user_id == user.id,
                    EnrolmentCode.used_at.is_(None),
                    EnrolmentCode.voided_at.is_(None),
                    EnrolmentCode.expires_at > utcnow(),
                )
            ).all()
            assert all(code.vouched for code in live), user.username


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_sequence_of_account_actions_gives_an_administrator_case_content(world, seed):
    case = world.client_for("worker_a").post("/api/v1/cases", json=case_body()).get_json()
    rng = random.Random(seed)
    adversary = Adversary(world, world.client_for("administrator"), rng)
    handed_over: list[str] = []
    for _step in range(24):
        getattr(adversary, rng.choice(Adversary.MOVES))()
        if rng.random() < 0.5:
            rubber_stamp(world, rng, handed_over)
        assert_no_case_content(world, adversary, case["id"])
        assert_case_roles_are_vouched(world)
    assert adversary.created  # the walk did act


def test_the_classic_attack_create_use_the_code_ask_for_a_role(world):
    """Create a harmless account, enrol it with the code shown, keep a token, then ask for a
    supervisor role: the approval ends the password and the token the administrator holds."""
    case = world.client_for("worker_a").post("/api/v1/cases", json=case_body()).get_json()
    adversary = Adversary(world, world.client_for("administrator"), random.Random(0))
    response = adversary.admin.post(
        "/api/v1/users", json={"username": "mole", "unit": "00004", "roles": ["auditor"]}
    )
    adversary.note_code("mole", response.get_json())
    adversary.use_a_code()
    assert adversary.passwords and adversary.tokens
    asked = adversary.admin.post(
        f"/api/v1/users/{adversary.user_id('mole')}/roles",
        json={"role": "supervisor", "unit": "00004"},
    )
    approved = decide(world.client_for("supervisor_a"), asked.get_json()["id"])
    assert approved.get_json()["enrolment_code"]  # the supervisor's to hand over, not the admin's
    assert_no_case_content(world, adversary, case["id"])
    assert (
        ApiClient(world.app.test_client()).login("mole", adversary.passwords["mole"]).status_code
        == 401
    )


def test_resetting_a_colleague_gives_the_administrator_nothing(world):
    case = world.client_for("worker_a").post("/api/v1/cases", json=case_body()).get_json()
    adversary = Adversary(world, world.client_for("administrator"), random.Random(0))
    response = adversary.admin.post(f"/api/v1/users/{adversary.user_id('worker_a')}/password-reset")
    assert response.get_json()["enrolment_code"] is None
    adversary.note_code("worker_a", response.get_json())
    assert adversary.codes == {}
    assert_no_case_content(world, adversary, case["id"])
