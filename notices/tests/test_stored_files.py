"""A stored PDF that is not the one published is never served, from any page-cache layer."""

import hashlib
import logging
import os

import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context, tenant_context

from conftest import host
from notices import cache as page_cache
from notices.models import NoticeVersion
from tenants import generations

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]

SLUG = "pupils-and-parents"
PDFS = [f"/privacy/{SLUG}.pdf", f"/privacy/{SLUG}/versions/1.pdf"]


@pytest.fixture
def stored_pdf(world):
    """School A's version 1 PDF on disk, put back as published after the test."""
    with tenant_context(world.school_a):
        version = NoticeVersion.objects.get(notice__slug=SLUG, number=1)
        path = version.pdf.path
    with open(path, "rb") as f:
        original = f.read()
    yield version, path
    with open(path, "wb") as f:
        f.write(original)


def alter(path):
    with open(path, "r+b") as f:
        f.seek(-20, 2)
        f.write(b"% tampered with here")


def get(client, world, path, **headers):
    return client.get(path, HTTP_HOST=host(world.school_a), **headers)


def assert_refused(response):
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response["Cache-Control"] == "no-store"
    assert b"unavailable" in response.content
    assert b"Traceback" not in response.content
    assert b"%PDF" not in response.content


def cached_entry_for(world, path):
    with schema_context(world.school_a.schema_name):
        return cache.get(page_cache.page_key(generations.token(generations.pages(world.school_a.schema_name)), path))


@pytest.mark.parametrize("path", PDFS)
def test_a_pdf_altered_before_its_first_request_is_refused_logged_and_kept_nowhere(
    world, client, stored_pdf, caplog, path
):
    version, file_path = stored_pdf
    alter(file_path)
    with caplog.at_level(logging.ERROR, logger="notices.cache"):
        assert_refused(get(client, world, path))
    assert [r.levelno for r in caplog.records if r.name == "notices.cache"] == [logging.ERROR]
    assert version.pdf_sha256 in caplog.text
    assert cached_entry_for(world, path) is None
    assert page_cache.memo.get((host(world.school_a), path)) is None
    # Refused again, not answered from anything kept the first time.
    assert_refused(get(client, world, path))


@pytest.mark.parametrize("path", PDFS)
def test_a_pdf_altered_after_its_entry_was_cached_is_refused_from_the_shared_cache(world, client, stored_pdf, path):
    _, file_path = stored_pdf
    assert get(client, world, path).status_code == 200
    page_cache.memo.clear()
    alter(file_path)
    assert_refused(get(client, world, path))
    assert_refused(get(client, world, path, HTTP_RANGE="bytes=0-9"))


@pytest.mark.parametrize("path", PDFS)
def test_memory_keeps_serving_the_bytes_that_were_checked_when_the_file_is_altered_later(
    world, client, stored_pdf, path
):
    version, file_path = stored_pdf
    assert get(client, world, path).status_code == 200
    alter(file_path)
    response = get(client, world, path)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == version.pdf_sha256


def test_a_missing_pdf_is_refused_not_a_500(world, client, stored_pdf):
    _, file_path = stored_pdf
    os.remove(file_path)
    assert_refused(get(client, world, PDFS[1]))
