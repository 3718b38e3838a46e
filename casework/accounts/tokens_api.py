"""``/api/v1/tokens``: the caller's personal access tokens.

Managed only from a login session: a leaked token must not be able to mint tokens that would
outlive its own revocation.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from casework.access.current import caller
from casework.accounts import operations, tokens
from casework.accounts.loader import require_session
from casework.accounts.models import ApiToken
from casework.accounts.schemas import TokenCreatedSchema, TokenCreateSchema, TokenSchema
from casework.extensions import db

blp = Blueprint("tokens", __name__, url_prefix="/tokens", description="Personal access tokens")


def token_view(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@blp.route("")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Your tokens (never their secrets)."""
        user = caller()
        require_session()
        return [token_view(t) for t in tokens.tokens_of(db.session, user)]

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, TokenCreatedSchema)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a token; ``token`` in the answer is shown this once and never again.

        Send it as ``Authorization: Bearer <token>``; it acts as you, with your rights.
        """
        user = caller()
        require_session()
        token, secret = operations.create_own_token(
            db.session, user, data["name"], data["expires_in_days"]
        )
        return {**token_view(token), "token": secret}


@blp.route("/<uuid:token_id>")
class TokenItem(MethodView):
    @blp.response(204)
    def delete(self, token_id: uuid.UUID) -> None:
        """Revoke one of your tokens (404 for anyone else's)."""
        user = caller()
        require_session()
        operations.revoke_own_token(db.session, user, token_id)
