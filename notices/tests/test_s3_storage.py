"""PDFs in a real S3-compatible server (STORAGE_URL=s3://...): each school's under its own prefix, same addresses."""

import hashlib

import pytest
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django_tenants.utils import tenant_context

from conftest import change_draft, host
from notices.models import Notice, NoticeVersion
from notices.publishing import publish_notice
from trust_portal.settings import _storage
from trust_portal.storage import StorageUnavailable

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_s3(settings, s3_server):
    config = _storage(f"s3://{s3_server.bucket}/pdfs?endpoint_url={s3_server.endpoint}&region_name=eu-west-2")
    config["OPTIONS"] |= {"access_key": s3_server.key, "secret_key": s3_server.secret}
    settings.STORAGES = {**settings.STORAGES, "default": config}
    return s3_server


def publish_new_version(world, school):
    with tenant_context(school):
        notice = Notice.objects.get()
        change_draft(notice, "On S3.")
        version = publish_notice(notice, user=world.publisher_x, summary="Stored on S3.")
    connection.set_schema_to_public()
    return version


def keys(server):
    listed = server.client.list_objects_v2(Bucket=server.bucket).get("Contents", [])
    return {item["Key"] for item in listed}


def test_a_published_pdf_is_stored_under_its_schools_prefix_and_served_at_the_same_address(world, client, on_s3):
    version = publish_new_version(world, world.school_a)
    assert f"pdfs/{world.school_a.schema_name}/{version.pdf.name}" in keys(on_s3)
    response = client.get(f"/privacy/pupils-and-parents/versions/{version.number}.pdf", HTTP_HOST=host(world.school_a))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert hashlib.sha256(body).hexdigest() == version.pdf_sha256


def test_another_school_cannot_reach_a_schools_objects_with_both_present(world, on_s3):
    mine = publish_new_version(world, world.school_a)
    theirs = publish_new_version(world, world.school_b)
    with tenant_context(world.school_b):
        assert default_storage.exists(theirs.pdf.name)
        assert not default_storage.exists(mine.pdf.name)
        with pytest.raises(FileNotFoundError):
            default_storage.open(mine.pdf.name)
    connection.set_schema_to_public()


def test_with_no_school_active_the_storage_names_no_object(on_s3):
    connection.set_schema_to_public()
    with pytest.raises(SuspiciousOperation):
        default_storage.save("notices/x.pdf", ContentFile(b"%PDF"))
    assert not any(key.endswith("notices/x.pdf") for key in keys(on_s3))


def test_a_publish_whose_upload_fails_leaves_no_version_and_no_object(world, settings, on_s3):
    config = _storage("s3://portal-pdfs/pdfs?endpoint_url=http://127.0.0.1:9&region_name=eu-west-2")
    config["OPTIONS"] |= {"access_key": on_s3.key, "secret_key": on_s3.secret}
    settings.STORAGES = {**settings.STORAGES, "default": config}  # nothing listens on port 9
    before = keys(on_s3)
    with tenant_context(world.school_a):
        numbers = list(NoticeVersion.objects.values_list("number", flat=True))
        notice = Notice.objects.get()
        change_draft(notice, "Unreachable store.")
        with pytest.raises(StorageUnavailable):
            publish_notice(notice, user=world.publisher_x, summary="Never stored.")
        assert list(NoticeVersion.objects.values_list("number", flat=True)) == numbers
    connection.set_schema_to_public()
    assert keys(on_s3) == before


def test_a_parent_asking_for_a_pdf_while_the_store_is_unreachable_is_told_to_try_again(world, client, settings, on_s3):
    version = publish_new_version(world, world.school_a)
    config = _storage("s3://portal-pdfs/pdfs?endpoint_url=http://127.0.0.1:9&region_name=eu-west-2")
    config["OPTIONS"] |= {"access_key": on_s3.key, "secret_key": on_s3.secret}
    settings.STORAGES = {**settings.STORAGES, "default": config}
    response = client.get(f"/privacy/pupils-and-parents/versions/{version.number}.pdf", HTTP_HOST=host(world.school_a))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"Traceback" not in response.content
