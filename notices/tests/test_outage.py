"""During a database outage: what needs the database answers 503, what the page caches hold is still served.

The outage is real: the connection is pointed at a loopback port nobody
listens on, so every query fails as it would with PostgreSQL down.
"""

import socket

import pytest
from django.db import OperationalError, connection

from conftest import PASSWORD, host
from notices import cache as page_cache

# On each test rather than the module: the root conftest marks every test using `world` with a plain
# django_db, which would be the closer marker and wrap the test in a transaction the outage cannot close.
transactional = pytest.mark.django_db(transaction=True)
pytestmark = pytest.mark.usefixtures("shared_cache")

SLUG = "pupils-and-parents"
PUBLIC_PAGES = ["/", f"/privacy/{SLUG}/", f"/privacy/{SLUG}.pdf", f"/privacy/{SLUG}/versions/1/"]


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Database:
    """down() takes the database away, up() (or the end of the test) brings it back."""

    def __init__(self):
        self.saved = {name: connection.settings_dict[name] for name in ("HOST", "PORT")}

    def down(self):
        # Inside a transaction close() keeps the dead connection: not an outage but a closed handle.
        assert not connection.in_atomic_block, "an outage needs a transaction=True test"
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))

    def up(self):
        connection.close()
        connection.settings_dict.update(self.saved)


@pytest.fixture
def database():
    database = Database()
    yield database
    database.up()


def get(client, school, path, **headers):
    return client.get(path, HTTP_HOST=host(school) if school else "localhost", **headers)


def assert_unavailable(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert b"unavailable for the moment" in response.content
    assert b"Traceback" not in response.content


@transactional
def test_the_outage_is_real(database):
    database.down()
    with pytest.raises(OperationalError):
        connection.ensure_connection()


@transactional
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_page_of_an_unknown_host_answers_503_when_the_host_lookup_needs_the_database(world, client, database, path):
    database.down()
    assert_unavailable(get(client, world.school_a, path))


@transactional
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_page_not_yet_cached_answers_503_when_its_view_needs_the_database(world, client, database, path):
    assert get(client, world.school_a, "/healthz").status_code == 200  # the host is known, the page is not
    database.down()
    assert_unavailable(get(client, world.school_a, path))


@transactional
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_pages_in_memory_or_the_shared_cache_are_still_served(world, client, database, path):
    before = get(client, world.school_a, path)
    assert before.status_code == 200
    database.down()
    from_memory = get(client, world.school_a, path)
    page_cache.memo.clear()
    from_shared_cache = get(client, world.school_a, path)
    for response in (from_memory, from_shared_cache):
        assert response.status_code == 200
        assert response.content == before.content
    assert get(client, world.school_a, path, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304


@transactional
def test_the_admin_of_a_signed_in_editor_answers_503(world, client, database):
    assert (
        client.post(
            "/admin/login/", {"username": world.editor_a.email, "password": PASSWORD}, HTTP_HOST=host(world.school_a)
        ).status_code
        == 302
    )
    database.down()
    assert_unavailable(get(client, world.school_a, "/admin/"))


@transactional
def test_the_portal_directory_answers_503(world, client, database):
    database.down()
    assert_unavailable(get(client, None, "/"))


@transactional
def test_pages_render_again_once_the_database_is_back(world, client, database):
    database.down()
    assert_unavailable(get(client, world.school_a, f"/privacy/{SLUG}/"))
    database.up()
    assert b"MarkerA" in get(client, world.school_a, f"/privacy/{SLUG}/").content
