"""Sign-in throttling (django-axes): one count per account whatever its spelling, and none a stranger can aim.

Failures are counted per client address and per (email, address); never per
email alone, which would let anyone who knows a DPL's email (it is printed on
every notice) lock that DPL out from everywhere.
"""

from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username

from tenants.models import User


def throttle_username(request, credentials):
    """AXES_USERNAME_CALLABLE: the email as the account stores it, so every spelling shares one count."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = credentials.get(field) if credentials else getattr(request, "POST", {}).get(field)
    return User.normalize_username(raw) if raw else raw


class ThrottleHandler(AxesDatabaseHandler):
    def reset_user_attempts(self, request, credentials=None):
        # A successful login clears only its own (email, address) failures. Clearing
        # the address's count would let anyone with an account reset it between
        # guesses at someone else's password.
        return self.reset_attempts(
            ip_address=request.axes_ip_address, username=get_client_username(request, credentials)
        )
