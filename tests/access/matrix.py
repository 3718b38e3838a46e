"""Who may call what: every route and method × every role × where the object lives.

One line per route and method::

    METHOD  /rule/as/in/url_map   anonymous  social_worker  supervisor  statistician  administrator  auditor

Each cell is one outcome, or ``own/below/sibling`` when the object the route is about (a case, a
user, a token…) lives in the actor's commune (00004), in a neighbourhood below it, or in the
sibling commune 00008. Every actor sits in commune 00004; the anonymous client has no session.

Outcomes: ``ok`` 2xx · ``go`` 3xx (a page sends the browser on: the login page for anonymous) ·
``400`` (a state-changing web form posted without a session fails its CSRF check; the API answers
``401`` instead, as API.md promises) ·
``401`` · ``403`` · ``404`` (unknown or out of scope: the same answer) · ``409`` · ``422``.

Adding a route is adding a line here (the test that walks ``app.url_map`` prints the line to
fill in). A route that needs a request body gets one in ``BODIES``; a new kind of path parameter
gets a factory in ``test_matrix.FACTORIES`` (or a fixed value in ``FIXED_PARAMS``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ROLES = ("anonymous", "social_worker", "supervisor", "statistician", "administrator", "auditor")
WHERE = ("own", "below", "sibling")
OUTCOMES = {"ok", "go", "400", "401", "403", "404", "405", "409", "422", "429"}
NEIGHBOURHOOD = "90004"  # a unit below commune 00004, made by the matrix fixture
EXCLUDED_ENDPOINTS = {"static"}
#: Path parameters that are not objects in a unit: one fixed value for every request.
FIXED_PARAMS = {
    "case_type": "post_rehab",
    "event": "verify",
    "code": "en",
    # Someone else's, or nobody's: a notification is its recipient's alone.
    "notification_id": "5d0c6f2e-0000-4000-8000-000000000001",
}

TABLE = """
# method route                                                        anonymous  worker     supervisor statist.   admin.     auditor
GET    /                                                             go         go         go         go         go         go
GET    /account/password                                             go         ok         ok         ok         ok         ok
POST   /account/password                                             400        go         go         go         go         go
GET    /account/two-step                                             go         ok         ok         ok         ok         ok
POST   /account/two-step/confirm                                     400        409        409        409        409        409
POST   /account/two-step/remove                                      400        go         go         go         go         go
POST   /account/two-step/start                                       400        go         go         go         go         go
GET    /admin/units                                                  go         403        403        403        ok         403
GET    /admin/users                                                  go         403        403        403        ok         403
POST   /admin/users                                                  400        403        403        403        ok         403
GET    /admin/users/<uuid:user_id>                                   go         403        403        403        ok/ok/404  403
POST   /admin/users/<uuid:user_id>/active                            400        403        403        403        go/go/404  403
POST   /admin/users/<uuid:user_id>/password                          400        403        403        403        ok/ok/404  403
POST   /admin/users/<uuid:user_id>/roles                             400        403        403        403        go/go/404  403
POST   /admin/users/<uuid:user_id>/roles/<uuid:assignment_id>/revoke 400        403        403        403        go/go/404  403
POST   /admin/users/<uuid:user_id>/role-requests/<uuid:request_id>/withdraw 400 403    403        403        go/go/404  403
POST   /admin/users/<uuid:user_id>/totp                              400        403        403        403        go/go/404  403
GET    /api/v1/activities                                            401        ok         ok         ok         403        403
POST   /api/v1/activities                                            401        ok         ok         403        403        403
GET    /api/v1/activities/<uuid:activity_id>                         401        ok/ok/404  ok/ok/404  ok/ok/404  403        403
GET    /api/v1/activities/report                                     401        ok         ok         ok         403        403
GET    /api/v1/audit                                                 401        403        403        403        403        ok
POST   /api/v1/auth/enrolment                                        422        422        422        422        422        422
POST   /api/v1/auth/login                                            401        ok         ok         ok         ok         ok
POST   /api/v1/auth/logout                                           401        ok         ok         ok         ok         ok
POST   /api/v1/auth/password                                         401        ok         ok         ok         ok         ok
DELETE /api/v1/auth/totp                                             401        ok         ok         ok         ok         ok
POST   /api/v1/auth/totp/confirm                                     401        409        409        409        409        409
POST   /api/v1/auth/totp/enrol                                       401        ok         ok         ok         ok         ok
GET    /api/v1/cases                                                 401        ok         ok         ok         ok         ok
POST   /api/v1/cases                                                 401        ok         ok         403        403        403
GET    /api/v1/cases/<uuid:case_id>                                  401        ok/ok/404  ok/ok/404  404        404        404
PATCH  /api/v1/cases/<uuid:case_id>                                  401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/cases/<uuid:case_id>/consents                         401        ok/ok/404  ok/ok/404  404        404        404
POST   /api/v1/cases/<uuid:case_id>/consents                         401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/cases/<uuid:case_id>/history                          401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/cases/<uuid:case_id>/notes                            401        ok/ok/404  ok/ok/404  404        404        404
POST   /api/v1/cases/<uuid:case_id>/notes                            401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/cases/<uuid:case_id>/referrals                        401        ok/ok/404  ok/ok/404  404        404        404
POST   /api/v1/cases/<uuid:case_id>/referrals                        401        ok/ok/404  ok/ok/404  404        404        404
POST   /api/v1/cases/<uuid:case_id>/reveal                           401        ok/ok/404  409/409/404 404        404        404
GET    /api/v1/cases/<uuid:case_id>/support-items                    401        ok/ok/404  ok/ok/404  404        404        404
POST   /api/v1/cases/<uuid:case_id>/support-items                    401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/cases/<uuid:case_id>/transitions                      401        ok/ok/404  ok/ok/404  404        404        404
POST   /api/v1/cases/<uuid:case_id>/transitions                      401        422/422/404 422/422/404 404        404        404
POST   /api/v1/imports                                               401        ok         ok         403        403        403
GET    /api/v1/groups                                                401        ok         ok         ok         403        403
POST   /api/v1/groups                                                401        ok         ok         403        403        403
GET    /api/v1/groups/<uuid:group_id>                                401        ok/ok/404  ok/ok/404  ok/ok/404  403        403
GET    /api/v1/groups/<uuid:group_id>/meetings                       401        ok/ok/404  ok/ok/404  ok/ok/404  403        403
POST   /api/v1/groups/<uuid:group_id>/meetings                       401        ok/ok/404  ok/ok/404  403/403/404 403       403
GET    /api/v1/groups/<uuid:group_id>/members                        401        ok/ok/404  ok/ok/404  403/403/404 403       403
POST   /api/v1/groups/<uuid:group_id>/members                        401        ok/ok/404  ok/ok/404  403/403/404 403       403
POST   /api/v1/groups/<uuid:group_id>/members/<uuid:member_id>/leave 401        ok/ok/404  ok/ok/404  403/403/404 403       403
GET    /api/v1/groups/report                                         401        ok         ok         ok         403        403
GET    /api/v1/imports/<uuid:import_id>                              401        404        ok/ok/404  404        404        404
GET    /api/v1/imports/<uuid:import_id>/report                       401        404        ok/ok/404  404        404        404
GET    /api/v1/me                                                    401        ok         ok         ok         ok         ok
GET    /api/v1/people/search                                         401        ok         ok         403        403        403
GET    /api/v1/people/<person_id>/erasure                            401        404        ok/ok/404  404        404        404
POST   /api/v1/people/<person_id>/erasure                            401        403        409/409/404 403       403        403
POST   /api/v1/people/<person_id>/erasure/approve                    401        403        404        403        403        403
GET    /api/v1/people/<person_id>/export                             401        403        ok/ok/404  403        403        403
GET    /people/<person_id>/export                                    go         403        ok/ok/404  403        403        403
GET    /api/v1/providers                                             401        ok         ok         403        ok         403
POST   /api/v1/providers                                             401        403        ok         403        ok         403
GET    /api/v1/providers/<uuid:provider_id>                          401        ok/ok/404  ok/ok/404  404        ok/ok/404  404
PATCH  /api/v1/providers/<uuid:provider_id>                          401        403/403/404 ok/ok/404  404        ok/ok/404  404
GET    /api/v1/referrals/<uuid:referral_id>                          401        ok/ok/404  ok/ok/404  404        404        404
PATCH  /api/v1/referrals/<uuid:referral_id>                          401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/role-requests                                         401        403        ok         403        ok         403
GET    /api/v1/role-requests/<uuid:request_id>                       401        403        ok/ok/404  403        ok/ok/404  403
DELETE /api/v1/role-requests/<uuid:request_id>                       401        403        403/403/404 403       ok/ok/404  403
POST   /api/v1/role-requests/<uuid:request_id>/decision              401        403        ok/ok/404  403        403/403/404 403
GET    /api/v1/reveals                                               401        403        ok         403        403        403
GET    /api/v1/schemes                                               401        ok         ok         ok         ok         ok
POST   /api/v1/schemes                                               401        403        403        403        ok         403
GET    /api/v1/schemes/counts                                        401        403        ok         ok         403        403
PATCH  /api/v1/schemes/<string:code>                                 401        404        404        404        404        404
GET    /api/v1/stats/indicators                                      401        403        ok         ok         403        403
GET    /api/v1/stats/report                                          401        403        ok         ok         403        403
GET    /api/v1/support-items/<uuid:item_id>                          401        ok/ok/404  ok/ok/404  404        404        404
PATCH  /api/v1/support-items/<uuid:item_id>                          401        ok/ok/404  ok/ok/404  404        404        404
GET    /api/v1/tokens                                                401        ok         ok         ok         ok         ok
POST   /api/v1/tokens                                                401        ok         ok         ok         ok         ok
DELETE /api/v1/tokens/<uuid:token_id>                                401        ok/404/404 ok/404/404 ok/404/404 ok/404/404 ok/404/404
GET    /api/v1/units/<string:unit_code>/ratings                      401        ok/404/404 ok/404/404 ok/404/404 403        403
POST   /api/v1/units/<string:unit_code>/ratings                      401        ok/404/404 ok/404/404 403/404/404 403       403
POST   /api/v1/units/<string:unit_code>/ratings/<int:year>/review    401        403/404/404 403/404/404 403/404/404 403     403
GET    /api/v1/units/<string:unit_code>/ratings/summary              401        ok/ok/404  ok/ok/404  ok/ok/404  403        403
GET    /api/v1/units                                                 401        ok         ok         ok         ok         ok
GET    /api/v1/users                                                 401        403        403        403        ok         403
POST   /api/v1/users                                                 401        403        403        403        ok         403
GET    /api/v1/users/<uuid:user_id>                                  401        403        403        403        ok/ok/404  403
PATCH  /api/v1/users/<uuid:user_id>                                  401        403        403        403        ok/ok/404  403
POST   /api/v1/users/<uuid:user_id>/password-reset                   401        403        403        403        ok/ok/404  403
POST   /api/v1/users/<uuid:user_id>/roles                            401        403        403        403        ok/ok/404  403
DELETE /api/v1/users/<uuid:user_id>/roles/<uuid:assignment_id>       401        403        403        403        ok/ok/404  403
POST   /api/v1/users/<uuid:user_id>/totp-reset                       401        403        403        403        ok/ok/404  403
GET    /api/v1/workflows/<string:case_type>                          401        ok         ok         ok         ok         ok
GET    /enrol                                                        ok         ok         ok         ok         ok         ok
POST   /enrol                                                        400        422        422        422        422        422
GET    /cases                                                        go         ok         ok         403        403        403
GET    /cases/<uuid:case_id>                                         go         ok/ok/404  ok/ok/404  404        404        404
POST   /cases/<uuid:case_id>/assign                                  400        403/403/404 go/go/404  404        404        404
POST   /cases/<uuid:case_id>/consents                                400        go/go/404  go/go/404  404        404        404
GET    /cases/<uuid:case_id>/edit                                    go         ok/ok/404  ok/ok/404  404        404        404
POST   /cases/<uuid:case_id>/edit                                    400        go/go/404  go/go/404  404        404        404
POST   /cases/<uuid:case_id>/events/<event>                          400        422/422/404 422/422/404 404        404        404
POST   /cases/<uuid:case_id>/notes                                   400        go/go/404  go/go/404  404        404        404
POST   /cases/<uuid:case_id>/referrals                               400        go/go/404  go/go/404  404        404        404
POST   /cases/<uuid:case_id>/referrals/<uuid:referral_id>            400        go/go/404  go/go/404  404        404        404
POST   /cases/<uuid:case_id>/reveal                                  400        go/go/404  409/409/404 404        404        404
POST   /cases/<uuid:case_id>/support-items                           400        go/go/404  go/go/404  404        404        404
POST   /cases/<uuid:case_id>/support-items/<uuid:item_id>            400        go/go/404  go/go/404  404        404        404
GET    /cases/new                                                    go         ok         ok         403        403        403
POST   /cases/new                                                    400        422        422        403        403        403
GET    /healthz                                                      ok         ok         ok         ok         ok         ok
GET    /api/v1/notifications                                         401        ok         ok         ok         ok         ok
POST   /api/v1/notifications/<notification_id>/read                  401        404        404        404        404        404
PUT    /api/v1/notifications/email                                   401        ok         ok         ok         ok         ok
POST   /api/v1/notifications/read-all                                401        ok         ok         ok         ok         ok
GET    /notifications/<notification_id>                              go         404        404        404        404        404
GET    /today                                                        go         ok         ok         ok         ok         ok
POST   /today/notifications/read                                     400        go         go         go         go         go
GET    /home                                                         go         ok         ok         ok         ok         ok
GET    /imports                                                      go         ok         ok         403        403        403
POST   /imports                                                      400        go         go         403        403        403
GET    /imports/<uuid:import_id>                                     go         404        ok/ok/404  404        404        404
GET    /lang/<code>                                                  go         go         go         go         go         go
GET    /login                                                        ok         go         go         go         go         go
POST   /login                                                        400        go         go         go         go         go
POST   /logout                                                       400        go         go         go         go         go
GET    /programme/activities                                         go         ok         ok         ok         403        403
POST   /programme/activities                                         400        go         go         403        403        403
GET    /programme/groups                                             go         ok         ok         ok         403        403
POST   /programme/groups                                             400        go         go         403        403        403
GET    /programme/groups/<uuid:group_id>                             go         ok/ok/404  ok/ok/404  ok/ok/404  403        403
POST   /programme/groups/<uuid:group_id>/meetings                    400        go/go/404  go/go/404  403/403/404 403       403
GET    /programme/ratings                                            go         ok         ok         ok         403        403
POST   /programme/ratings                                            400        go         go         403        403        403
POST   /programme/ratings/<string:unit_code>/<int:year>/review       400        403/404/404 403/404/404 403/404/404 403     403
GET    /stats                                                        go         403        ok         ok         403        403
GET    /stats/report                                                 go         403        ok         ok         403        403
GET    /supervisor/role-requests                                     go         403        ok         403        403        403
POST   /supervisor/role-requests/<uuid:request_id>                   400        403        go/go/404  403        403        403
GET    /supervisor/approvals                                         go         403        ok         403        403        403
GET    /supervisor/dashboard                                         go         403        ok         403        403        403
GET    /supervisor/reveals                                           go         403        ok         403        403        403
GET    /workflows                                                    go         ok         ok         ok         ok         ok
GET    /workflows/<case_type>                                        go         ok         ok         ok         ok         ok
"""


@dataclass(frozen=True)
class Line:
    method: str
    rule: str
    cells: tuple[str, ...]

    @property
    def params(self) -> list[str]:
        return re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", self.rule)

    @property
    def has_objects(self) -> bool:
        return any(name not in FIXED_PARAMS for name in self.params)

    def url(self, cell: Any) -> str:
        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            return str(FIXED_PARAMS[name] if name in FIXED_PARAMS else cell.obj(name))

        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", value, self.rule)


def lines() -> list[Line]:
    parsed = []
    for raw in TABLE.strip().splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        method, rule, *cells = raw.split()
        parsed.append(Line(method, rule, tuple(cells)))
    return parsed


@dataclass(frozen=True)
class Body:
    """A request built for one cell: a ``json`` body, a ``form`` (web pages), a ``multipart``
    upload or a ``query`` string."""

    build: Callable[[Any], dict[str, Any]]
    kind: str = "json"


IMPORT_CSV = "Họ và tên,Giới tính,Năm sinh\nNguyễn Văn An,nam,1990\n".encode()


def import_form(unit: str) -> dict[str, Any]:
    return {"case_type": "post_rehab", "unit": unit, "dry_run": "true"}


def _case_version(cell: Any) -> int:
    from casework.cases.models import Case
    from casework.extensions import db

    with cell.world.app.app_context():
        return db.session.get(Case, __import__("uuid").UUID(cell.obj("case_id"))).version


BODIES: dict[tuple[str, str], Body] = {
    ("POST", "/api/v1/auth/login"): Body(
        lambda c: {"username": c.username or "nobody", "password": "correct horse battery staple"}
    ),
    ("POST", "/api/v1/auth/password"): Body(
        lambda c: {
            "current_password": "correct horse battery staple",
            "new_password": "another long passphrase 1",
        }
    ),
    ("DELETE", "/api/v1/auth/totp"): Body(lambda c: {"password": "correct horse battery staple"}),
    ("POST", "/api/v1/auth/totp/confirm"): Body(lambda c: {"code": "000000"}),
    ("POST", "/api/v1/cases"): Body(
        lambda c: {
            "case_type": "post_rehab",
            "unit": c.unit,
            "person": {"full_name": "Lê Văn Bình", "sex": "male"},
        }
    ),
    ("PATCH", "/api/v1/cases/<uuid:case_id>"): Body(
        lambda c: {"version": _case_version(c), "referral_source": "police"}
    ),
    ("POST", "/api/v1/cases/<uuid:case_id>/reveal"): Body(
        lambda c: {"reason": "Cần liên hệ gia đình để thăm nhà"}
    ),
    ("POST", "/api/v1/cases/<uuid:case_id>/consents"): Body(
        lambda c: {"scope": "processing", "decision": "given"}
    ),
    ("POST", "/api/v1/cases/<uuid:case_id>/notes"): Body(
        lambda c: {"kind": "counselling_psychological", "content": "Buổi tư vấn đầu tiên"}
    ),
    ("POST", "/api/v1/cases/<uuid:case_id>/referrals"): Body(
        lambda c: {"service_kind": "essentials"}
    ),
    ("POST", "/api/v1/cases/<uuid:case_id>/support-items"): Body(lambda c: {"kind": "medical"}),
    ("POST", "/api/v1/cases/<uuid:case_id>/transitions"): Body(lambda c: {"event": "verify"}),
    ("POST", "/api/v1/providers"): Body(
        lambda c: {"name": "Cơ sở dạy nghề", "kind": "vocational_school", "unit": c.unit}
    ),
    ("PATCH", "/api/v1/providers/<uuid:provider_id>"): Body(lambda c: {"contact": "0243 000"}),
    ("PATCH", "/api/v1/referrals/<uuid:referral_id>"): Body(lambda c: {"note": "đã liên hệ"}),
    ("PATCH", "/api/v1/support-items/<uuid:item_id>"): Body(lambda c: {"status": "in_progress"}),
    ("POST", "/api/v1/imports"): Body(
        lambda c: {
            **import_form(c.unit),
            "file": (__import__("io").BytesIO(IMPORT_CSV), "list.csv"),
        },
        kind="multipart",
    ),
    ("POST", "/api/v1/tokens"): Body(lambda c: {"name": "script", "expires_in_days": 30}),
    ("POST", "/api/v1/users"): Body(
        lambda c: {
            "username": f"new.{c.role}.{c.where}",
            "unit": c.unit,
            "roles": ["social_worker"],
        }
    ),
    ("PATCH", "/api/v1/users/<uuid:user_id>"): Body(lambda c: {"display_name": "Đổi tên"}),
    ("POST", "/api/v1/users/<uuid:user_id>/roles"): Body(
        lambda c: {"role": "supervisor", "unit": c.unit}
    ),
    ("POST", "/api/v1/auth/enrolment"): Body(
        lambda c: {"code": "ABCD-EFGH-JKMN-PQRS", "password": "a passphrase of my own"}
    ),
    ("POST", "/api/v1/role-requests/<uuid:request_id>/decision"): Body(
        lambda c: {"decision": "approve"}
    ),
    ("PUT", "/api/v1/notifications/email"): Body(lambda c: {"email": "worker@example.org"}),
    ("GET", "/api/v1/people/search"): Body(lambda c: {"national_id": "001194012345"}, kind="query"),
    ("POST", "/api/v1/activities"): Body(
        lambda c: {"unit": c.unit, "kind": "training", "topic": "hiv", "title": "Tập huấn",
                   "held_on": "2026-06-01", "officials_reached": 20}
    ),
    ("GET", "/api/v1/activities/report"): Body(
        lambda c: {"unit": c.unit, "period": "2026-H1"}, kind="query"
    ),
    ("POST", "/programme/activities"): Body(
        lambda c: {"unit": c.unit, "kind": "training", "topic": "hiv", "title": "Tập huấn",
                   "held_on": "2026-06-01", "officials_reached": "20"},
        kind="form",
    ),
    ("POST", "/api/v1/groups"): Body(
        lambda c: {"unit": c.unit, "kind": "peer_group", "name": "Nhóm đồng đẳng"}
    ),
    ("GET", "/api/v1/groups/report"): Body(
        lambda c: {"unit": c.unit, "period": "2026-H1"}, kind="query"
    ),
    ("POST", "/api/v1/groups/<uuid:group_id>/members"): Body(lambda c: {"contact_name": "B"}),
    ("POST", "/api/v1/groups/<uuid:group_id>/members/<uuid:member_id>/leave"): Body(
        lambda c: {}
    ),
    ("POST", "/api/v1/groups/<uuid:group_id>/meetings"): Body(
        lambda c: {"held_on": "2026-06-01", "topic": "drugs", "members_present": 0}
    ),
    ("POST", "/programme/groups"): Body(
        lambda c: {"unit": c.unit, "kind": "club", "name": "CLB"}, kind="form"
    ),
    ("POST", "/programme/groups/<uuid:group_id>/meetings"): Body(
        lambda c: {"held_on": "2026-06-01", "topic": "drugs", "members_present": "0"},
        kind="form",
    ),
    ("POST", "/api/v1/units/<string:unit_code>/ratings"): Body(
        lambda c: {"year": 2026, "scores": {"leadership": 15, "communication": 15,
                   "no_new_cases": 20, "management": 20, "reintegration": 15, "models": 15}}
    ),
    ("POST", "/api/v1/units/<string:unit_code>/ratings/<int:year>/review"): Body(
        lambda c: {"result": "good"}
    ),
    ("GET", "/api/v1/units/<string:unit_code>/ratings/summary"): Body(
        lambda c: {"year": 2026}, kind="query"
    ),
    ("POST", "/programme/ratings"): Body(
        lambda c: {"unit": c.unit, "year": "2026", "score_leadership": "15",
                   "score_communication": "15", "score_no_new_cases": "20",
                   "score_management": "20", "score_reintegration": "15", "score_models": "15"},
        kind="form",
    ),
    ("POST", "/programme/ratings/<string:unit_code>/<int:year>/review"): Body(
        lambda c: {"result": "good"}, kind="form"
    ),
    ("POST", "/api/v1/schemes"): Body(
        lambda c: {"code": f"m_{c.where}", "name": "Quỹ xã", "funder": "province",
                   "kinds": ["loan"], "unit": c.unit}
    ),
    ("GET", "/api/v1/schemes/counts"): Body(
        lambda c: {"unit": c.unit, "period": "2026-H1"}, kind="query"
    ),
    ("PATCH", "/api/v1/schemes/<string:code>"): Body(lambda c: {"active": False}),
    ("POST", "/api/v1/people/<person_id>/erasure"): Body(lambda c: {"reason": "other"}),
    ("GET", "/api/v1/stats/indicators"): Body(
        lambda c: {"unit": c.unit, "period": "2026-H1"}, kind="query"
    ),
    ("GET", "/api/v1/stats/report"): Body(
        lambda c: {"unit": c.unit, "period": "2026-H1"}, kind="query"
    ),
    ("GET", "/stats"): Body(lambda c: {"unit": c.unit, "period": "2026-H1"}, kind="query"),
    ("GET", "/stats/report"): Body(
        lambda c: {"unit": c.unit, "period": "2026-H1", "format": "csv", "lang": "en"},
        kind="query",
    ),
    ("POST", "/account/password"): Body(
        lambda c: {
            "current_password": "correct horse battery staple",
            "new_password": "another long passphrase 2",
        },
        kind="form",
    ),
    ("POST", "/admin/users"): Body(
        lambda c: {"username": f"web.{c.role}", "role": "auditor", "unit": c.unit}, kind="form"
    ),
    ("POST", "/enrol"): Body(
        lambda c: {
            "code": "ABCD-EFGH-JKMN-PQRS",
            "new_password": "a passphrase of my own",
            "confirm_password": "a passphrase of my own",
        },
        kind="form",
    ),
    ("POST", "/supervisor/role-requests/<uuid:request_id>"): Body(
        lambda c: {"decision": "approve"}, kind="form"
    ),
    ("POST", "/admin/users/<uuid:user_id>/roles"): Body(
        lambda c: {"role": "supervisor", "unit": c.unit}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/reveal"): Body(
        lambda c: {"reason": "Cần liên hệ gia đình để thăm nhà"}, kind="form"
    ),
    ("POST", "/account/two-step/remove"): Body(
        lambda c: {"password": "correct horse battery staple"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/edit"): Body(
        lambda c: {"version": _case_version(c), "referral_source": "police"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/consents"): Body(
        lambda c: {"scope": "processing", "decision": "given"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/notes"): Body(
        lambda c: {"kind": "home_visit", "content": "Thăm nhà"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/referrals"): Body(
        lambda c: {"service_kind": "essentials"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/referrals/<uuid:referral_id>"): Body(
        lambda c: {"status": "accepted"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/support-items"): Body(
        lambda c: {"kind": "medical"}, kind="form"
    ),
    ("POST", "/cases/<uuid:case_id>/support-items/<uuid:item_id>"): Body(
        lambda c: {"status": "in_progress"}, kind="form"
    ),
    ("POST", "/imports"): Body(
        lambda c: {
            **import_form(c.unit),
            "file": (__import__("io").BytesIO(IMPORT_CSV), "list.csv"),
        },
        kind="multipart",
    ),
    ("POST", "/login"): Body(
        lambda c: {"username": c.username or "nobody", "password": "correct horse battery staple"},
        kind="form",
    ),
}
