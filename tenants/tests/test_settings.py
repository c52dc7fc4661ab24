"""The settings module refuses bad configuration, naming the variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from trust_portal.env import env_bool, env_hostname, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def run_django(env, *args):
    """Start a fresh Python with only `env` changed, so the settings module is imported anew."""
    full_env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_env_bool_refuses_a_value_that_is_not_a_boolean(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        env_bool("DEBUG", True)


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("YES", True), ("false", False)])
def test_env_bool_reads_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", not expected) is expected


def test_env_int_refuses_text_and_out_of_range_values(monkeypatch):
    monkeypatch.setenv("PGPORT", "five")
    with pytest.raises(ImproperlyConfigured, match="PGPORT must be an integer"):
        env_int("PGPORT", 1, minimum=1, maximum=65535)
    monkeypatch.setenv("PGPORT", "70000")
    with pytest.raises(ImproperlyConfigured, match="PGPORT must be between"):
        env_int("PGPORT", 1, minimum=1, maximum=65535)
    monkeypatch.setenv("AXES_FAILURE_LIMIT", "0")
    with pytest.raises(ImproperlyConfigured, match="AXES_FAILURE_LIMIT must be at least 1, got 0"):
        env_int("AXES_FAILURE_LIMIT", 5, minimum=1)


def test_env_hostname_refuses_a_url_or_a_bad_name(monkeypatch):
    for bad in ("https://privacy.example.org", "under_score.org", "-lead.example.org"):
        monkeypatch.setenv("PORTAL_DOMAIN", bad)
        with pytest.raises(ImproperlyConfigured, match="PORTAL_DOMAIN"):
            env_hostname("PORTAL_DOMAIN", "localhost")
    monkeypatch.setenv("PORTAL_DOMAIN", "Privacy.Example.org")
    assert env_hostname("PORTAL_DOMAIN", "localhost") == "privacy.example.org"


def test_env_list_refuses_an_empty_list(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env_list("ALLOWED_HOSTS", ["x"])
    monkeypatch.setenv("ALLOWED_HOSTS", "a.org, .b.org")
    assert env_list("ALLOWED_HOSTS", []) == ["a.org", ".b.org"]


def test_production_mode_refuses_to_start_without_a_secret_key():
    result = run_django({"DEBUG": "0"}, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be a postgres:// URL"),
        ({"DATABASE_URL": "postgres://u@h:5432/"}, "DATABASE_URL must name a database"),
        ({"DEBUG": "perhaps"}, "DEBUG must be a boolean"),
        ({"PORTAL_DOMAIN": "http://x"}, "PORTAL_DOMAIN must be a host name"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must start with"),
        ({"CACHE_URL": "redis://"}, "CACHE_URL must name the Redis host"),
        ({"STORAGE_URL": "ftp://bucket"}, "STORAGE_URL must be s3://"),
        ({"STORAGE_URL": "s3://key:secret@bucket"}, "STORAGE_URL must be s3://"),
        ({"STORAGE_URL": "s3://bucket?acl=public"}, "STORAGE_URL takes endpoint_url and region_name"),
        ({"STORAGE_URL": "s3://bucket?endpoint_url=ftp://x"}, "endpoint_url must be an http(s) address"),
        ({"CACHE_MAX_ENTRIES": "50"}, "CACHE_MAX_ENTRIES must be at least 1000"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(env, named):
    result = run_django(env, "check")
    assert result.returncode != 0
    assert named in result.stderr


def test_the_cache_prefix_and_bound_come_from_the_environment():
    show = "from django.conf import settings; c = settings.CACHES['default']; print(c['KEY_PREFIX'], c['OPTIONS'])"
    command = ("shell", "--no-imports", "-c", show)
    default = run_django({"CACHE_URL": "file:///tmp/portal-cache-unused"}, *command)
    assert default.stdout.split()[0] == "trust_portal"
    chosen = run_django({"CACHE_KEY_PREFIX": "staging", "CACHE_MAX_ENTRIES": "5000"}, *command)
    assert chosen.stdout.startswith("staging {'MAX_ENTRIES': 5000, 'CULL_FREQUENCY': 10}")


def test_check_deploy_is_clean_with_production_values():
    result = run_django(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PORTAL_DOMAIN": "privacy.example.org",
            "DATABASE_URL": "postgres://portal@db.example.org:5432/portal",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
