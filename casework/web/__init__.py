"""The server-rendered web pages (Vietnamese first)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Sessions and API tokens are resolved server-side (casework.accounts.loader).
    from casework.accounts.loader import install as install_login

    install_login(app)

    register_pages(app)


def register_pages(app: Flask) -> None:
    """The pages, one blueprint per audience or capability, and what every template uses."""
    from casework.programme import views as programme_views
    from casework.web import (
        admin,
        auth,
        bulk_import,
        case_page,
        caseload,
        role_requests,
        statistics,
        supervisor,
        support_forms,
        templating,
        today,
        two_step,
        workflow_page,
    )

    templating.install(app)
    for module in (
        auth,
        caseload,
        case_page,
        support_forms,
        supervisor,
        role_requests,
        admin,
        workflow_page,
        two_step,
        bulk_import,
        statistics,
        today,
        programme_views,
    ):
        app.register_blueprint(module.bp)
    from casework.rights import views as rights_views

    app.register_blueprint(rights_views.bp)
