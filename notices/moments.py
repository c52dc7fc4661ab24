"""Moments as families read them, in UK time: one wording for pages, PDFs, emails and refusals."""

import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format


def spoken(moment):
    """'1 March 2027', with the time ('1 March 2027 at 9:30am') only when it is not the start of the day."""
    local = timezone.localtime(moment)
    day = date_format(local, "j F Y")
    return day if local.time() == datetime.time(0) else f"{day} at {local.strftime('%-I:%M%p').lower()}"
