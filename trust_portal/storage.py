"""PDFs in an S3-compatible bucket, each school's under its own prefix (STORAGE_URL=s3://...).

The key of every object is built from the active schema and the stored name
(notices.models.version_pdf_path), never from anything a request names, so a
school can only ever read, check or write its own objects; with no school
active there is no key at all. Stored names stay relative, as with the
tenant-aware file storage, so switching storage changes no database row and no
address parents use (PDFs are served by the portal's own views, not from the bucket).

A store that cannot be reached (or answers with an error other than "no such
object") raises StorageUnavailable, which the outage middleware answers with a
503 and a Retry-After: a parent gets "try again shortly", a publish is rolled
back whole, and nobody sees a traceback.
"""

import functools
import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django_tenants.utils import get_public_schema_name
from storages.backends.s3 import S3Storage

from tenants.outage import Unavailable

logger = logging.getLogger(__name__)


class StorageUnavailable(Unavailable):
    """The PDF store could not be reached or refused the request."""


def _reachable(method):
    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            logger.warning("PDF store unavailable (%s): %s", method.__name__, exc)
            raise StorageUnavailable(str(exc)) from exc

    return guarded


class TenantS3Storage(S3Storage):
    def _normalize_name(self, name):
        schema = getattr(connection, "schema_name", None)
        if not schema or schema == get_public_schema_name():
            raise SuspiciousOperation("Stored files belong to a school: no school is active.")
        return super()._normalize_name(f"{schema}/{name}")

    # S3Storage turns "no such object" into False or FileNotFoundError itself; anything else is an outage.
    _open = _reachable(S3Storage._open)
    _save = _reachable(S3Storage._save)
    exists = _reachable(S3Storage.exists)
    delete = _reachable(S3Storage.delete)
    size = _reachable(S3Storage.size)
