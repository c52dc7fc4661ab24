"""Background publishing survives faults: a killed worker, a lapsed lease, a lost database connection.

The fault tests run real `manage.py run_worker` processes on the test database, so every test here is
transactional and makes its own trust and schools (each with a never-published notice, so a run
publishes version 1 of each). Every wait is bounded by WAIT seconds.
"""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from conftest import new_trust, next_number, run_manage
from notices.bulk import execute_publish_run, plan_trust_publish, resume_abandoned_runs
from notices.demo import load_notice
from notices.models import NoticeVersion
from notices.tasks import run_trust_publish
from notices.tests.factories import notice_data
from tenants.models import Membership, PublishRun, School, User
from tenants.provisioning import create_school

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 60  # seconds: the most any test waits for a worker to do something


def _trust_with_drafts(count):
    """A new trust of `count` schools, each with a notice never published: a run of `count` items."""
    trust = new_trust("wk", "ZW")
    tag = trust.slug.removeprefix("wk-")
    schools = []
    for n in range(count):
        school = create_school(
            trust=trust,
            name=f"Worker School {tag} {n}",
            slug=f"wk-{tag}-{n}",
            urn=next_number(School, "urn", "7", 5),
        )
        with tenant_context(school):
            load_notice(notice_data(f"Worker{n}"))
        schools.append(school)
    connection.set_schema_to_public()
    return trust, schools


def _versions(school):
    with tenant_context(school):
        numbers = list(NoticeVersion.objects.order_by("number").values_list("number", flat=True))
    connection.set_schema_to_public()
    return numbers


def _statuses(run):
    return sorted(run.items.values_list("status", flat=True))


def _wait_for(condition, what):
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Waited {WAIT} s for {what}")
        time.sleep(0.1)


def _run_status(run):
    return PublishRun.objects.values_list("status", flat=True).get(pk=run.pk)


def _published(run):
    return run.items.filter(status="published").count()


def _child_env(query="", **extra):
    """The environment of a child process on the test database (as conftest.run_manage gives it)."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}{query}"
    return {**os.environ, "DATABASE_URL": url, "CACHE_URL": "locmem://", **extra}


class Workers:
    """`manage.py run_worker` processes on the test database; whatever is still running is killed at teardown."""

    def __init__(self, folder):
        self.folder = folder
        self.procs = []

    def start(self):
        self.name = f"test-worker-{uuid.uuid4().hex[:8]}"
        env = _child_env(f"?application_name={self.name}", PUBLISH_RUN_LEASE_SECONDS="3")
        n = len(self.procs)
        proc = subprocess.Popen(  # noqa: S603 (the test's own arguments)
            [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=open(self.folder / f"worker{n}.out", "w"),  # noqa: SIM115 (the child holds it)
            stderr=open(self.folder / f"worker{n}.err", "w"),  # noqa: SIM115
        )
        proc.name, proc.err = self.name, self.folder / f"worker{n}.err"
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(WAIT)
            # The server ends a dead client's session a moment later; the test database is dropped after the last.
            _wait_for(lambda name=proc.name: not _backends(name), f"the session of {proc.name} to end")


@pytest.fixture
def workers(tmp_path):
    pool = Workers(tmp_path)
    yield pool
    pool.stop_all()


def _backends(application_name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE application_name = %s", [application_name])
        return [row[0] for row in cursor.fetchall()]


def _terminate_connection(worker):
    """What a database restart does to the worker: its backend ends, so its next query fails."""
    with connection.cursor() as cursor:
        sql = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s"
        cursor.execute(sql, [worker.name])


def _run_under_way(workers, schools):
    """A run of `schools`' trust queued for a new worker, once that worker has published its first school."""
    run = plan_trust_publish(schools[0].trust, user=None, summary="Termly update.")
    worker = workers.start()
    run_trust_publish.enqueue(run.pk)
    _wait_for(lambda: _published(run) >= 1, "the worker to publish a school")
    return run, worker


def test_a_worker_killed_mid_run_is_replaced_and_every_school_is_published_exactly_once(workers):
    _, schools = _trust_with_drafts(4)
    run, first = _run_under_way(workers, schools)
    first.send_signal(signal.SIGKILL)
    first.wait(WAIT)
    run.refresh_from_db()
    assert run.status == "running"
    assert "pending" in _statuses(run), "the kill came after the run had finished; the test proved nothing"

    workers.start()
    _wait_for(lambda: _run_status(run) == "done", "a second worker to finish the run")
    run.refresh_from_db()
    assert run.attempts == 2
    assert _statuses(run) == ["published"] * 4
    assert [_versions(school) for school in schools] == [[1]] * 4


def test_two_workers_share_a_run_and_one_killed_mid_run_leaves_every_school_published_exactly_once(workers, client):
    from notices.tasks import start_trust_publish

    _, schools = _trust_with_drafts(6)
    run = plan_trust_publish(schools[0].trust, user=None, summary="Termly update.")
    first, second = workers.start(), workers.start()
    start_trust_publish(run)
    _wait_for(lambda: _published(run) >= 2, "the workers to publish two schools")
    first.send_signal(signal.SIGKILL)
    first.wait(WAIT)
    assert "pending" in _statuses(run), "the kill came after the run had finished; the test proved nothing"
    _wait_for(lambda: _run_status(run) == "done", "the other worker to finish the run")
    assert _statuses(run) == ["published"] * 6
    assert [_versions(school) for school in schools] == [[1]] * 6
    assert second.poll() is None
    client.force_login(_publisher(schools[0].trust))
    page = client.get(f"/trust/{schools[0].trust.slug}/runs/{run.pk}/", HTTP_HOST="localhost").content.decode()
    assert "1 worker stopped while publishing this run" in page
    assert f":{first.pid}" in page  # the stopped worker, named as an operator finds it: host and pid


def test_the_worker_rides_out_a_lost_database_connection(workers):
    trust, schools = _trust_with_drafts(1)
    worker = workers.start()
    _wait_for(lambda: _backends(worker.name), "the worker to connect")
    _terminate_connection(worker)

    # Idle when its connection went: it reconnects and takes up a new run.
    run = plan_trust_publish(trust, user=None, summary="Termly update.")
    run_trust_publish.enqueue(run.pk)
    _wait_for(lambda: _run_status(run) == "done", "the worker to publish after reconnecting")
    assert worker.poll() is None
    assert [_versions(school) for school in schools] == [[1]]
    failures = [line for line in worker.err.read_text().splitlines() if line.startswith("Database unavailable (")]
    assert len(failures) == 1, failures
    assert failures[0].endswith("; retry 1 in 1 s.")


def test_a_run_whose_connection_is_lost_mid_way_is_resumed_by_the_same_worker(workers):
    _, schools = _trust_with_drafts(3)
    run, worker = _run_under_way(workers, schools)
    _terminate_connection(worker)
    _wait_for(lambda: _run_status(run) == "done", "the worker to finish the run after reconnecting")
    assert worker.poll() is None
    assert _statuses(run) == ["published"] * 3
    assert [_versions(school) for school in schools] == [[1]] * 3


def test_a_stopped_worker_hands_its_run_back_without_counting_the_attempt(workers):
    _, schools = _trust_with_drafts(3)
    run, first = _run_under_way(workers, schools)
    first.send_signal(signal.SIGTERM)
    assert first.wait(WAIT) == 0
    run.refresh_from_db()
    assert run.status == "running"
    assert run.attempts == 0
    assert run.lease_expires_at <= timezone.now()

    workers.start()
    _wait_for(lambda: _run_status(run) == "done", "a second worker to finish the handed-back run")
    assert [_versions(school) for school in schools] == [[1]] * 3


def test_an_interrupted_publish_trust_hands_its_run_to_the_worker(tmp_path):
    # Six schools: enough left after the first for the interrupt to arrive mid-run on a fast machine.
    trust, schools = _trust_with_drafts(6)
    env = _child_env()
    command = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "publish_trust", trust.slug, "--summary", "Termly update."],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "err", "w"),  # noqa: SIM115 (the child holds it)
    )
    try:
        _wait_for(lambda: PublishRun.objects.filter(trust=trust).exists(), "the command to plan its run")
        run = PublishRun.objects.get(trust=trust)
        _wait_for(lambda: _published(run) >= 1, "the command to publish a school")
        command.send_signal(signal.SIGINT)
        assert command.wait(WAIT) == 1
    finally:
        if command.poll() is None:
            command.kill()
            command.wait(WAIT)
    assert f"Interrupted: the background worker (run_worker) publishes the rest of run {run.pk}." in (
        (tmp_path / "err").read_text()
    )
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("running", 0)
    assert "pending" in _statuses(run)

    resume_abandoned_runs(holder=_holder())
    assert _run_status(run) == "done"
    assert [_versions(school) for school in schools] == [[1]] * 6


def _publisher(trust):
    user = User.objects.create_user(f"pub-{uuid.uuid4().hex[:8]}@example.org", "correct-horse-battery-staple")
    Membership.objects.create(user=user, role="publisher", trust=trust)
    return user


def _die_after_first(done, total, item):
    raise SystemExit("the worker died")


def _holder():
    return f"test-{uuid.uuid4().hex[:8]}:1"


def test_a_run_whose_lease_ran_out_is_resumed_and_publishes_only_what_is_left(client):
    trust, schools = _trust_with_drafts(3)
    run = plan_trust_publish(trust, user=None, summary="Termly update.")
    dead, live = _holder(), _holder()
    with pytest.raises(SystemExit):
        execute_publish_run(run, holder=dead, on_progress=_die_after_first)
    assert _statuses(run) == ["pending", "pending", "published"]
    # Its lease is still live: nobody else may take the run over yet.
    resume_abandoned_runs(holder=live)
    run.refresh_from_db()
    assert (run.status, run.lease_holder, _published(run)) == ("running", dead, 1)

    PublishRun.objects.filter(pk=run.pk).update(lease_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    resume_abandoned_runs(holder=live)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.lease_holder) == ("done", 2, "")
    assert [_versions(school) for school in schools] == [[1]] * 3

    client.force_login(_publisher(trust))
    page = client.get(f"/trust/{trust.slug}/runs/{run.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Resumed after the worker publishing it stopped (attempt 2 of 3)" in page
    assert "js/progress.js" not in page


def test_a_run_abandoned_too_often_fails_with_its_reason_and_publishes_nothing_more(client):
    trust, schools = _trust_with_drafts(2)
    run = plan_trust_publish(trust, user=None, summary="Termly update.")
    PublishRun.objects.filter(pk=run.pk).update(
        status="running",
        attempts=settings.PUBLISH_RUN_MAX_ATTEMPTS,
        lease_holder="dead-host:9",
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1),
    )
    resume_abandoned_runs(holder=_holder())
    run.refresh_from_db()
    assert run.status == "failed"
    assert "dead-host:9" in run.failure_reason
    assert _statuses(run) == ["failed", "failed"]
    assert [_versions(school) for school in schools] == [[], []]
    assert execute_publish_run(run, holder=_holder()).status == "failed"
    assert [_versions(school) for school in schools] == [[], []]

    client.force_login(_publisher(trust))
    page = client.get(f"/trust/{trust.slug}/runs/{run.pk}/", HTTP_HOST="localhost").content.decode()
    assert "Failed after 3 attempts:</strong> the worker publishing it stopped before finishing" in page
    assert "Not published: the run failed after 3 attempts." in page
    progress = client.get(f"/trust/{trust.slug}/runs/{run.pk}.json", HTTP_HOST="localhost").json()
    assert progress == {"status": "failed", "finished": 2, "total": 2}


def test_an_item_another_worker_has_in_hand_is_left_to_it():
    import psycopg2

    trust, schools = _trust_with_drafts(2)
    run = plan_trust_publish(trust, user=None, summary="Termly update.")
    first = run.items.get(school=schools[0])
    holder = _holder()
    db = connection.settings_dict
    other = psycopg2.connect(dbname=db["NAME"], user=db["USER"], host=db["HOST"], port=db["PORT"])
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1 FROM tenants_publishrunitem WHERE id = %s FOR UPDATE", [first.pk])
            run = execute_publish_run(run, holder=holder)
        other.rollback()
    finally:
        other.close()
    assert run.status == "running"  # not done: the first item was someone else's
    assert [_versions(school) for school in schools] == [[], [1]]
    # Released (its holder died before publishing it), the item is published by the run's next attempt.
    assert execute_publish_run(run, holder=holder).status == "done"
    assert [_versions(school) for school in schools] == [[1], [1]]


def test_run_worker_refuses_a_bad_interval():
    result = run_manage("run_worker", "--interval", "0")
    assert result.returncode != 0
    assert "--interval must be more than 0 seconds, got 0." in result.stderr
    assert "Traceback" not in result.stderr


def _worker_pids(log):
    return [
        int(line.split()[1].rsplit(":", 1)[1]) for line in log.read_text().splitlines() if line.startswith("Worker ")
    ]


def _group(pgid):
    """The live processes of process group `pgid` (zombies left out)."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def test_scripts_serve_restarts_a_killed_worker_and_stopping_the_server_stops_it(tmp_path):
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = _child_env(PORT=str(port))
    log = tmp_path / "serve.log"
    serve = subprocess.Popen(  # noqa: S603
        ["scripts/serve", "dev"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=open(log, "w"),  # noqa: SIM115 (the child holds it)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: _worker_pids(log), "the first worker to start")
        first = _worker_pids(log)[0]
        os.kill(first, signal.SIGKILL)
        _wait_for(lambda: len(_worker_pids(log)) == 2, "the supervisor to start another worker")
        second = _worker_pids(log)[1]
        assert f"the worker (pid {first}) stopped with status 137" in log.read_text()

        def answers():
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": "localhost"})
                return urllib.request.urlopen(request, timeout=5).status == 200  # noqa: S310 (loopback)
            except OSError:
                return False

        _wait_for(answers, "the server to answer")
        assert serve.poll() is None

        assert second in _group(serve.pid)

        serve.send_signal(signal.SIGTERM)
        serve.wait(WAIT)
        _wait_for(lambda: not _group(serve.pid), "the worker and the server to stop with scripts/serve")
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(WAIT)
