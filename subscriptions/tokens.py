"""The signed links in subscription emails: one to confirm an address, one to unsubscribe.

A token names the school's schema and the subscriber's id, signed with
SECRET_KEY under a salt per purpose, so a confirmation link cannot be used to
unsubscribe or the other way round. Ids are per school (every schema counts
from 1), so a token is only ever read on the host of the school that made it:
on any other school's host it is refused, whatever the id.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import connection

CONFIRM = "subscriptions.confirm"
UNSUBSCRIBE = "subscriptions.unsubscribe"


class BadToken(Exception):
    """Not one of our tokens, made for another purpose or school, or expired: the link does not work."""


def _make(salt, subscriber):
    return signing.dumps([connection.schema_name, subscriber.pk], salt=salt)


def _read(salt, token, max_age=None):
    try:
        schema, pk = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        # SignatureExpired is a BadSignature; ValueError and TypeError: signed, but not [schema, id].
        raise BadToken from None
    if schema != connection.schema_name or not isinstance(pk, int):
        raise BadToken
    return pk


def confirm_window():
    return datetime.timedelta(days=settings.SUBSCRIPTION_CONFIRM_DAYS)


def confirm_token(subscriber):
    return _make(CONFIRM, subscriber)


def unsubscribe_token(subscriber):
    return _make(UNSUBSCRIBE, subscriber)


def read_confirm(token):
    """The id of the subscriber to confirm, if the link is this school's and younger than the confirmation window."""
    return _read(CONFIRM, token, max_age=confirm_window())


def read_unsubscribe(token):
    """The id of the subscriber to unsubscribe: these links never expire, every email carries one."""
    return _read(UNSUBSCRIBE, token)
