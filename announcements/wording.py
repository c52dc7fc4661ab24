"""The words of an announcement: the emails to subscribers and the text a school pastes into its own channels.

Made from an event's payload (announcements.events.payload), so the email, the
ready-to-paste text and the webhook say the same thing. Wording fixes
(material=False) get none: announcement() returns None for them.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from announcements.events import payload
from notices.moments import spoken
from notices.selectors import previous_number

SMS_LIMIT = 160


@dataclass(frozen=True)
class Announcement:
    subject: str
    email_text: str
    sms: str
    effective_on: str  # "1 March 2027", or "1 March 2027 at 9:30am" when not at midnight
    upcoming: bool
    version_url: str
    changes_url: str | None


def when(iso):
    return spoken(datetime.datetime.fromisoformat(iso))


def _sms(url, *texts):
    """The first of `texts` that fits one text message, else the link alone."""
    return next((text for text in texts if len(text) <= SMS_LIMIT), url[:SMS_LIMIT])


def announcement(data, *, in_force=False, now=None) -> Announcement | None:
    """The announcement of the version in `data`; `in_force` for the reminder sent when it comes into force."""
    if not data["material"]:
        return None
    school, title = data["school"]["name"], data["notice"]["title"]
    day = when(data["effective_at"])
    upcoming = not in_force and datetime.datetime.fromisoformat(data["effective_at"]) > (now or timezone.now())
    urls = data["urls"]
    look = urls["changes"] or urls["version"]
    verb = "changes on" if upcoming else "changed on"
    if upcoming:
        subject = f"{school}: changes to our privacy notice from {day}"
        opening = (
            f'{school} is changing its privacy notice, "{title}". It explains what information we hold about '
            f"pupils and families, why, and who we share it with. The changes apply from {day}; "
            "until then the current notice still applies."
        )
    elif in_force:
        subject = f"{school}: the changes to our privacy notice now apply"
        opening = f'The changes to {school}\'s privacy notice, "{title}", that we told you about apply from {day}.'
    else:
        subject = f"{school}: we have changed our privacy notice"
        opening = f'{school} has changed its privacy notice, "{title}". The changes apply from {day}.'
    lines = [opening, "", "What changes:", data["summary"]]
    if data.get("urgent_reason"):
        lines += ["", "Why it changes at short notice:", data["urgent_reason"]]
    lines += ["", f"See exactly what changes: {look}", f"Read the new version: {urls['version']}"]
    return Announcement(
        subject=subject,
        email_text="\n".join(lines),
        sms=_sms(
            look,
            f"{school}: our privacy notice {verb} {day}. See what changes: {look}",
            f"Privacy notice {verb} {day}: {look}",
        ),
        effective_on=day,
        upcoming=upcoming,
        version_url=urls["version"],
        changes_url=urls["changes"],
    )


def called_off(data) -> Announcement | None:
    """The news that an announced change will not go ahead (its version was withdrawn before it took effect).

    None for a version that was in force, or a wording fix: families were not
    told of it in advance.
    """
    if not data["material"] or data["was_in_force"]:
        return None
    school, current = data["school"]["name"], data["urls"]["current"]
    lines = [
        f"{school} told you its privacy notice would change. That change (version {data['version']}) has been "
        "withdrawn and will not take effect: the notice in force now still applies.",
        "",
        "Why:",
        data["reason"],
        "",
        f"Read the notice in force: {current}",
    ]
    return Announcement(
        subject=f"{school}: the change to our privacy notice will not go ahead",
        email_text="\n".join(lines),
        sms=_sms(current, f"{school}: the change to our privacy notice we told you about will not go ahead. {current}"),
        effective_on="",
        upcoming=False,
        version_url=current,
        changes_url=None,
    )


def announcement_of(school, version, *, now=None) -> Announcement | None:
    """The announcement of a published version, made as its event's was (inside the school's schema)."""
    return announcement(payload(school, version, previous=previous_number(version)), now=now)
