"""Login throttling: every spelling of an email is one account, and no stranger can lock a DPL out.

Through the real login views: a school's admin login and the portal's account login.
"""

import runpy

import pytest
from axes.models import AccessAttempt

from conftest import PASSWORD, host

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # the TLS proxy: every connection behind it comes from here
STRANGER = "203.0.113.7"
DPL_HOME = "198.51.100.20"


def login(client, where, email, password, *, remote=PROXY, forwarded=None):
    headers = {"HTTP_HOST": where, "REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    path = "/accounts/login/" if where == "localhost" else "/admin/login/"
    return client.post(path, {"username": email, "password": password}, **headers)


def logged_in_as(client, user):
    return client.session.get("_auth_user_id") == str(user.pk)


def client_address_settings(settings, monkeypatch, behind_proxy):
    """Apply what trust_portal/settings.py decides for this BEHIND_TLS_PROXY value."""
    monkeypatch.setenv("BEHIND_TLS_PROXY", "1" if behind_proxy else "0")
    module = runpy.run_path(str(settings.BASE_DIR / "trust_portal" / "settings.py"))
    for name in ("AXES_IPWARE_META_PRECEDENCE_ORDER", "AXES_IPWARE_PROXY_COUNT", "IPWARE_STRICT"):
        setattr(settings, name, module[name])


@pytest.fixture
def behind_proxy(settings, monkeypatch):
    client_address_settings(settings, monkeypatch, behind_proxy=True)


@pytest.fixture
def direct(settings, monkeypatch):
    client_address_settings(settings, monkeypatch, behind_proxy=False)


@pytest.fixture(params=["school", "portal"])
def where(request, world):
    return host(world.school_a) if request.param == "school" else "localhost"


SPELLINGS = ["Editor-A@Example.org", "EDITOR-A@EXAMPLE.ORG", " editor-a@example.org ", "editor-a@example.ORG"]


def test_every_spelling_of_an_email_shares_one_failure_count(world, client, where):
    for spelling in SPELLINGS[:3]:
        login(client, where, spelling, "wrong", remote=STRANGER)
    counted = AccessAttempt.objects.values_list("username", "failures_since_start")
    assert list(counted) == [("editor-a@example.org", 3)]


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_an_account_locked_for_an_address_stays_locked_under_every_spelling(world, client, settings, spelling):
    # Only the (email, address) rule here: the per-address rule would lock the address whatever the email.
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
    where = host(world.school_a)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, where, "editor-a@example.org", "wrong", remote=STRANGER)
    response = login(client, where, spelling, PASSWORD, remote=STRANGER)
    assert response.status_code == 429
    assert not logged_in_as(client, world.editor_a)
    # The same address may still sign in to another account under this rule alone.
    assert login(client, "localhost", "editor-b@example.org", PASSWORD, remote=STRANGER).status_code == 302


def test_a_locked_account_stays_locked_under_every_spelling_with_the_real_rules(world, client, settings, where):
    for spelling in (SPELLINGS * 2)[: settings.AXES_FAILURE_LIMIT]:
        login(client, where, spelling, "wrong", remote=STRANGER)
    for spelling in SPELLINGS:
        assert login(client, where, spelling, PASSWORD, remote=STRANGER).status_code == 429
    assert not logged_in_as(client, world.editor_a)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_login_works_with_any_spelling_when_not_locked(world, client, where, spelling):
    response = login(client, where, spelling, PASSWORD, remote=DPL_HOME)
    assert response.status_code == 302
    assert logged_in_as(client, world.editor_a)


def test_a_stranger_failing_for_a_dpl_does_not_stop_the_dpl_signing_in_elsewhere(
    world, client, settings, behind_proxy, where
):
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        login(client, where, "editor-a@example.org", "wrong", forwarded=STRANGER)
    # The stranger is locked out, even with the right password...
    assert login(client, where, "editor-a@example.org", PASSWORD, forwarded=STRANGER).status_code == 429
    # ...and the DPL, behind the same proxy but from another address, is not.
    response = login(client, where, "Editor-A@example.org", PASSWORD, forwarded=DPL_HOME)
    assert response.status_code == 302
    assert logged_in_as(client, world.editor_a)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}


def test_a_stranger_cycling_through_emails_is_locked_by_address(world, client, settings, behind_proxy, where):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, where, f"guess-{n}@example.org", "wrong", forwarded=STRANGER)
    assert login(client, where, "publisher-x@example.org", PASSWORD, forwarded=STRANGER).status_code == 429
    assert login(client, where, "publisher-x@example.org", PASSWORD, forwarded=DPL_HOME).status_code == 302


def test_addresses_a_client_writes_before_the_proxys_own_are_ignored(world, client, settings, behind_proxy, where):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, where, "editor-a@example.org", "wrong", forwarded=f"192.0.2.{n}, not-an-ip, {STRANGER}")
    response = login(client, where, "editor-a@example.org", PASSWORD, forwarded=f"192.0.2.99, {STRANGER}")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}


def test_signing_in_to_ones_own_account_does_not_clear_an_address_count(world, client, settings, behind_proxy, where):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(client, where, "editor-a@example.org", "wrong", forwarded=STRANGER)
    assert login(client, where, "publisher-x@example.org", PASSWORD, forwarded=STRANGER).status_code == 302
    client.logout()
    login(client, where, "editor-a@example.org", "wrong", forwarded=STRANGER)
    assert login(client, where, "editor-a@example.org", PASSWORD, forwarded=STRANGER).status_code == 429


def test_without_the_proxy_setting_the_forwarded_header_is_ignored(world, client, settings, direct, where):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, where, "editor-a@example.org", "wrong", remote=STRANGER, forwarded=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {STRANGER}
    response = login(client, where, "editor-b@example.org", PASSWORD, remote=STRANGER, forwarded=DPL_HOME)
    assert response.status_code == 429
