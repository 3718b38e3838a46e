"""Flask-WTF forms of the web pages.

The forms carry the CSRF token and the labels; the rules about what a valid case or a valid
move is are *not* repeated here. Case intake is validated by the API's marshmallow schema and by
``open_case``; workflow events by the engine — so a page and an API client get the same answer.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ActionForm(FlaskForm):
    """A button that changes state (log out, a workflow event): only the CSRF token."""


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )
    # A six-digit code, or a recovery code ("abcde-fghjk": 11 characters, spaces tolerated).
    otp = StringField(
        _l("Authenticator code (if enrolled)"),
        validators=[Optional(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired()], render_kw={"autocomplete": "new-password"}
    )


class TotpConfirmForm(FlaskForm):
    code = StringField(
        _l("The six-digit code your app shows now"),
        validators=[Optional(), Length(max=10)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"},
    )


class TotpRemoveForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[Optional(), Length(max=256)],
        render_kw={"autocomplete": "current-password"},
    )


class OpenCaseForm(FlaskForm):
    """Intake. Choices are filled per request (units in the caller's area, translated labels)."""

    case_type = SelectField(_l("Case type"), validate_choice=False)
    unit = SelectField(_l("Commune"), validate_choice=False)
    full_name = StringField(_l("Full name"))
    aliases = StringField(_l("Other names"))
    sex = SelectField(_l("Sex"), validate_choice=False)
    date_of_birth = StringField(_l("Date of birth"), render_kw={"type": "date"})
    national_id = StringField(_l("National ID (CCCD)"), render_kw={"inputmode": "numeric"})
    phone = StringField(_l("Phone"), render_kw={"type": "tel", "inputmode": "tel"})
    address = TextAreaField(_l("Address"))
    referral_source = SelectField(_l("Referred by"), validate_choice=False)
    referral_note = TextAreaField(_l("How the person came to us"))
    consent_given = BooleanField(_l("The person has given explicit consent"))
    rehab_kind = SelectField(_l("Kind of rehabilitation (after rehab only)"), validate_choice=False)
    rehab_completion_date = StringField(
        _l("Rehabilitation completed on"), render_kw={"type": "date"}
    )
    release_date = StringField(_l("Released on (after prison only)"), render_kw={"type": "date"})
    sentence_months = StringField(_l("Sentence in months"), render_kw={"inputmode": "numeric"})


class EditCaseForm(FlaskForm):
    """Case and person details after intake. The person's fields are shown (and sent) only to
    those who may see the identity; choices are filled per request."""

    full_name = StringField(_l("Full name"))
    aliases = StringField(_l("Other names"))
    sex = SelectField(_l("Sex"), validate_choice=False)
    date_of_birth = StringField(_l("Date of birth"), render_kw={"type": "date"})
    national_id = StringField(_l("National ID (CCCD)"), render_kw={"inputmode": "numeric"})
    phone = StringField(_l("Phone"), render_kw={"type": "tel", "inputmode": "tel"})
    address = TextAreaField(_l("Address"))
    family_contacts = TextAreaField(_l("Family contacts"))
    health_notes = TextAreaField(_l("Health (HIV, drug use, treatment)"))
    justice_notes = TextAreaField(_l("Criminal justice details"))
    referral_source = SelectField(_l("Referred by"), validate_choice=False)
    referral_note = TextAreaField(_l("How the person came to us"))
    rehab_kind = SelectField(_l("Kind of rehabilitation (after rehab only)"), validate_choice=False)
    rehab_completion_date = StringField(
        _l("Rehabilitation completed on"), render_kw={"type": "date"}
    )
    release_date = StringField(_l("Released on (after prison only)"), render_kw={"type": "date"})
    sentence_months = StringField(_l("Sentence in months"), render_kw={"inputmode": "numeric"})


class RevealForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you need to see this person's identity?"),
        validators=[DataRequired(), Length(min=10, max=1000)],
    )


class AssignForm(FlaskForm):
    worker = SelectField(_l("Social worker"), validate_choice=False)


class CreateUserForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocapitalize": "none"},
    )
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"))
    unit = StringField(
        _l("Unit code"),
        validators=[DataRequired(), Length(max=16)],
        render_kw={"inputmode": "numeric"},
    )


class EnrolForm(FlaskForm):
    """The code handed over in person, and the password its holder chooses."""

    code = StringField(
        _l("Enrolment code"),
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("The new password again"),
        validators=[DataRequired(), Length(max=256)],
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))
    unit = StringField(
        _l("Unit code"),
        validators=[DataRequired(), Length(max=16)],
        render_kw={"inputmode": "numeric"},
    )
