"""``/api/v1``: providers, and the support work hanging on a case — consents, support items,
referrals, notes. Each view loads within scope (404), checks access (403), calls one operation
and renders; the unit of work commits."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint, Page

from casework.access.current import caller
from casework.accounts.names import usernames
from casework.extensions import db
from casework.services import consent as consents
from casework.services import notes, providers, referrals, support
from casework.services.access import case_for, may_read_text, record_in_scope, require_on_case
from casework.services.models import Referral, ServiceProvider, SupportItem
from casework.services.presenters import (
    consent_view,
    note_view,
    provider_view,
    referral_view,
    support_item_view,
)
from casework.services.schemas import (
    ConsentInSchema,
    ConsentOutSchema,
    ConsentRecordedSchema,
    NoteInSchema,
    NoteOutSchema,
    ProviderInSchema,
    ProviderListArgsSchema,
    ProviderOutSchema,
    ProviderPatchSchema,
    ReferralInSchema,
    ReferralOutSchema,
    ReferralPatchSchema,
    SupportItemInSchema,
    SupportItemOutSchema,
    SupportItemPatchSchema,
)
from casework.units.models import CURRENT_TREE, Unit

providers_blp = Blueprint(
    "providers", __name__, url_prefix="/providers", description="Service providers directory"
)
support_blp = Blueprint(
    "support",
    __name__,
    url_prefix="",
    description="Support work on a case: consent, plan, referrals, notes",
)


# --- providers ---------------------------------------------------------------------------------


@providers_blp.route("")
class Providers(MethodView):
    @providers_blp.arguments(ProviderListArgsSchema, location="query")
    @providers_blp.response(200, ProviderOutSchema(many=True))
    @providers_blp.paginate(Page)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Providers serving the caller's area (their units, below and above them), and those
        the caller manages."""
        user = caller()
        providers.require_directory_access(user)
        query = providers.visible_providers(user)
        if "kind" in args:
            query = query.where(ServiceProvider.kind == args["kind"])
        if "active" in args:
            query = query.where(ServiceProvider.active.is_(args["active"]))
        if "unit" in args:
            query = query.where(Unit.tree == CURRENT_TREE, Unit.code == args["unit"])
        rows = db.session.scalars(query.order_by(ServiceProvider.name, ServiceProvider.id)).all()
        if "service" in args:  # a JSON list: filtered here, the directory is small
            rows = [p for p in rows if args["service"] in (p.services or [])]
        return [provider_view(p) for p in rows]

    @providers_blp.arguments(ProviderInSchema)
    @providers_blp.response(201, ProviderOutSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a provider at a unit of the caller's subtree (``provider.manage``)."""
        return provider_view(providers.create_provider(db.session, caller(), data))


@providers_blp.route("/<uuid:provider_id>")
class ProviderItem(MethodView):
    @providers_blp.response(200, ProviderOutSchema)
    def get(self, provider_id: Any) -> dict[str, Any]:
        """One provider serving the caller's area."""
        return provider_view(providers.get_provider(db.session, caller(), provider_id))

    @providers_blp.arguments(ProviderPatchSchema)
    @providers_blp.response(200, ProviderOutSchema)
    def patch(self, data: dict[str, Any], provider_id: Any) -> dict[str, Any]:
        """Edit a provider of the caller's subtree; ``active: false`` takes it off new referrals."""
        user = caller()
        provider = providers.get_provider(db.session, user, provider_id)
        providers.update_provider(db.session, user, provider, data)
        return provider_view(provider)


# --- consent -----------------------------------------------------------------------------------


@support_blp.route("/cases/<uuid:case_id>/consents")
class Consents(MethodView):
    @support_blp.response(200, ConsentOutSchema(many=True))
    @support_blp.paginate(Page)
    def get(self, case_id: Any) -> list[dict[str, Any]]:
        """Every consent decision of the case, oldest first (``current`` marks the one in force)."""
        user = caller()
        case = case_for(db.session, user, case_id, "case.read")
        show = may_read_text(db.session, user, case)
        return [consent_view(c, show) for c in consents.case_history(db.session, case)]

    @support_blp.arguments(ConsentInSchema)
    @support_blp.response(201, ConsentRecordedSchema)
    def post(self, data: dict[str, Any], case_id: Any) -> dict[str, Any]:
        """Record consent given or withdrawn; a withdrawal of sharing stops open referrals."""
        user = caller()
        case = case_for(db.session, user, case_id, "case.update")
        consent, stopped = consents.record_consent(db.session, user, case, data)
        return {
            **consent_view(consent, may_read_text(db.session, user, case)),
            "stopped_referrals": [r.id for r in stopped],
        }


# --- support plan ------------------------------------------------------------------------------


@support_blp.route("/cases/<uuid:case_id>/support-items")
class SupportItems(MethodView):
    @support_blp.response(200, SupportItemOutSchema(many=True))
    @support_blp.paginate(Page)
    def get(self, case_id: Any) -> list[dict[str, Any]]:
        """The case's support plan."""
        user = caller()
        case = case_for(db.session, user, case_id, "case.read")
        show = may_read_text(db.session, user, case)
        return [support_item_view(i, show) for i in support.list_items(db.session, case)]

    @support_blp.arguments(SupportItemInSchema)
    @support_blp.response(201, SupportItemOutSchema)
    def post(self, data: dict[str, Any], case_id: Any) -> dict[str, Any]:
        """Plan a support item (Art 37 kinds; some only for a confirmed victim)."""
        user = caller()
        case = case_for(db.session, user, case_id, "case.update")
        item = support.create_item(db.session, user, case, data)
        return support_item_view(item, may_read_text(db.session, user, case))


@support_blp.route("/support-items/<uuid:item_id>")
class SupportItemResource(MethodView):
    @support_blp.response(200, SupportItemOutSchema)
    def get(self, item_id: Any) -> dict[str, Any]:
        """One support item of a case in the caller's scope."""
        user = caller()
        item = record_in_scope(db.session, user, SupportItem, item_id)
        return support_item_view(item, may_read_text(db.session, user, item.case))

    @support_blp.arguments(SupportItemPatchSchema)
    @support_blp.response(200, SupportItemOutSchema)
    def patch(self, data: dict[str, Any], item_id: Any) -> dict[str, Any]:
        """Move the item on (planned → referred → in_progress → completed/declined/not_possible)
        and record its details: loan status, training result, job kept after 3 and 6 months."""
        user = caller()
        item = record_in_scope(db.session, user, SupportItem, item_id)
        require_on_case(user, item.case, "case.update")
        support.update_item(db.session, user, item, data)
        return support_item_view(item, may_read_text(db.session, user, item.case))


# --- referrals ---------------------------------------------------------------------------------


@support_blp.route("/cases/<uuid:case_id>/referrals")
class Referrals(MethodView):
    @support_blp.response(200, ReferralOutSchema(many=True))
    @support_blp.paginate(Page)
    def get(self, case_id: Any) -> list[dict[str, Any]]:
        """The case's referrals, oldest first."""
        user = caller()
        case = case_for(db.session, user, case_id, "case.read")
        show = may_read_text(db.session, user, case)
        return [referral_view(r, show) for r in referrals.list_referrals(db.session, case)]

    @support_blp.arguments(ReferralInSchema)
    @support_blp.response(201, ReferralOutSchema)
    def post(self, data: dict[str, Any], case_id: Any) -> dict[str, Any]:
        """Refer the case. Sharing personal data needs consent, or a supervisor's reason."""
        user = caller()
        case = case_for(db.session, user, case_id, "referral.manage")
        referral = referrals.send_referral(db.session, user, case, data)
        return referral_view(referral, may_read_text(db.session, user, case))


@support_blp.route("/referrals/<uuid:referral_id>")
class ReferralResource(MethodView):
    @support_blp.response(200, ReferralOutSchema)
    def get(self, referral_id: Any) -> dict[str, Any]:
        """One referral of a case in the caller's scope."""
        user = caller()
        referral = record_in_scope(db.session, user, Referral, referral_id)
        return referral_view(referral, may_read_text(db.session, user, referral.case))

    @support_blp.arguments(ReferralPatchSchema)
    @support_blp.response(200, ReferralOutSchema)
    def patch(self, data: dict[str, Any], referral_id: Any) -> dict[str, Any]:
        """Record the answer (accepted/refused), the end (done), or revoke it (sender)."""
        user = caller()
        referral = record_in_scope(db.session, user, Referral, referral_id)
        require_on_case(user, referral.case, "referral.manage")
        referrals.update_referral(db.session, user, referral, data)
        return referral_view(referral, may_read_text(db.session, user, referral.case))


# --- notes -------------------------------------------------------------------------------------


@support_blp.route("/cases/<uuid:case_id>/notes")
class Notes(MethodView):
    @support_blp.response(200, NoteOutSchema(many=True))
    @support_blp.paginate(Page)
    def get(self, case_id: Any) -> list[dict[str, Any]]:
        """Sessions, visits and calls, oldest first; content where need-to-know allows."""
        user = caller()
        case = case_for(db.session, user, case_id, "case.read")
        rows, show = notes.read_notes(db.session, user, case)
        authors = usernames(db.session, {n.author_id for n in rows})
        return [note_view(n, show, authors) for n in rows]

    @support_blp.arguments(NoteInSchema)
    @support_blp.response(201, NoteOutSchema)
    def post(self, data: dict[str, Any], case_id: Any) -> dict[str, Any]:
        """Record a session or visit (content encrypted), with the next visit date if planned."""
        user = caller()
        case = case_for(db.session, user, case_id, "note.write")
        note = notes.add_note(db.session, user, case, data)
        return note_view(note, True, {user.id: user.username})


__all__ = ["providers_blp", "support_blp"]
