"""The adversaries' target: a trafficking victim in Ba Đình (00004), recorded the way a worker
would, with something secret in every place personal data can sit.

Each adversary test plays one attacker of docs/security.md against the whole service and then
searches every byte it obtained for these secrets: names, identifiers, the case's reference and
id, and the free text of its note, referral and history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.conftest import World, case_body

IDENTITY = {
    "full_name": "Vàng Thị Sủa",
    "national_id": "015196004321",
    "phone": "0978123456",
    "address": "Bản Sín Chải, thôn 3",
    "family_contacts": "Chị gái Vàng Thị Pà 0912777888",
}
NOTE = "Đã gặp bà ngoại ở chợ phiên Bắc Hà"
REFERRAL_NOTE = "Chuyển Trung tâm Công tác xã hội tỉnh"
SUSPENSION_REASON = "Tạm lánh ở nhà chị gái tại Sa Pa"


@dataclass
class Victim:
    case_id: str
    reference: str
    note_id: str
    referral_id: str
    item_id: str
    secrets: set[str] = field(default_factory=set)

    def leaks_in(self, text: str) -> list[str]:
        return sorted(secret for secret in self.secrets if secret in text)


def open_victim(world: World, unit: str = "00004", assigned_to: str = "worker_a") -> Victim:
    """Open the case as its supervisor, assigned to ``assigned_to``, with a note, a referral, a
    support item and a suspension reason — through the API, as the service really stores them."""
    supervisor = world.client_for("supervisor_a" if unit == "00004" else "supervisor_b")
    body = case_body("trafficking_victim", unit=unit, **IDENTITY)
    body["assigned_to"] = assigned_to
    case = supervisor.post("/api/v1/cases", json=body)
    assert case.status_code == 201, case.get_json()
    case = case.get_json()
    url = f"/api/v1/cases/{case['id']}"
    note = supervisor.post(f"{url}/notes", json={"kind": "home_visit", "content": NOTE})
    referral = supervisor.post(
        f"{url}/referrals", json={"service_kind": "essentials", "note": REFERRAL_NOTE}
    )
    item = supervisor.post(f"{url}/support-items", json={"kind": "medical"})
    consent = supervisor.post(f"{url}/consents", json={"scope": "processing", "decision": "given"})
    suspended = supervisor.post(
        f"{url}/transitions",
        json={"event": "suspend", "suspension_reason": "other", "reason": SUSPENSION_REASON},
    )
    for response in (note, referral, item, consent, suspended):
        assert response.status_code in (200, 201), response.get_json()
    victim = Victim(
        case_id=case["id"],
        reference=case["reference"],
        note_id=note.get_json()["id"],
        referral_id=referral.get_json()["id"],
        item_id=item.get_json()["id"],
    )
    victim.secrets = {
        *IDENTITY.values(),
        NOTE,
        REFERRAL_NOTE,
        SUSPENSION_REASON,
        victim.case_id,
        victim.reference,
        victim.note_id,
        victim.referral_id,
        victim.item_id,
    }
    return victim
