"""PDFs in an S3-compatible bucket, each school's under its own prefix (STORAGE_URL=s3://...).

The key of every object is built from the active schema and the stored name
(notices.models.version_pdf_path), never from anything a request names, so a
school can only ever read, check or write its own objects; with no school
active there is no key at all. Stored names stay relative, as with the
tenant-aware file storage, so switching storage changes no database row and no
address parents use (PDFs are served by the portal's own views, not from the bucket).
"""

from django.core.exceptions import SuspiciousOperation
from django.db import connection
from django_tenants.utils import get_public_schema_name
from storages.backends.s3 import S3Storage


class TenantS3Storage(S3Storage):
    def _normalize_name(self, name):
        schema = getattr(connection, "schema_name", None)
        if not schema or schema == get_public_schema_name():
            raise SuspiciousOperation("Stored files belong to a school: no school is active.")
        return super()._normalize_name(f"{schema}/{name}")
