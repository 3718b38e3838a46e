"""Every table, imported in one place so SQLAlchemy's metadata and Alembic see them all."""

from casework.access.models import IdentityReveal  # noqa: F401,E402
from casework.accounts.models import (  # noqa: F401
    ApiToken,
    RecoveryCode,
    RoleAssignment,
    User,
    UserSession,
)
from casework.audit.models import AuditEvent  # noqa: F401
from casework.cases.models import Case, CaseEvent  # noqa: F401
from casework.crypto.models import KeyCheck, RotationProgress  # noqa: F401
from casework.crypto.person_keys import PersonDataKey  # noqa: F401
from casework.notifications.models import Delivery, Notification  # noqa: F401
from casework.people.models import Person  # noqa: F401
from casework.programme.models import (  # noqa: F401
    Activity,
    CommuneRating,
    GroupMeeting,
    GroupMember,
    ProgrammeGroup,
    SupportScheme,
)
from casework.rate_limits import RateLimitCounter  # noqa: F401 - and the limiter's storage
from casework.rights.models import ErasureRequest  # noqa: F401
from casework.services.models import (  # noqa: F401,E402
    CaseImport,
    CaseNote,
    Consent,
    Referral,
    ServiceProvider,
    SupportItem,
)
from casework.stats.models import StatFact, StatRefresh, StatReport  # noqa: F401
from casework.units.models import Organisation, Unit  # noqa: F401
