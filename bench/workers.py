"""Issue 16: a trust-wide publish shared by 1 and by 2 `manage.py run_worker` processes, in the same run.

Uses the trust the template scenario built (bench/templates.py): every school is
given a real change, the run is planned and queued as the console queues it
(one task per school), and the workers, started and idle beforehand, publish it.
Timed from queueing to the run's end; each worker's peak memory is read from
/proc before it is stopped. Reported as seconds and the speed-up; nothing here
asserts a target.
"""

import subprocess
import sys
import time
from pathlib import Path

from bench.run import ROOT, WORK

WAIT_S = 600  # the most one run may take before the scenario gives up


def _peak_rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _start_workers(env, count):
    procs = []
    for n in range(count):
        log = open(WORK / f"worker-{count}-{n}.log", "w")  # noqa: SIM115 (the child holds it)
        procs.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    # Ready once each has printed its start line: Django and WeasyPrint's imports are not part of the figure.
    deadline = time.monotonic() + 120
    while not all("started" in (WORK / f"worker-{count}-{n}.log").read_text() for n in range(count)):
        if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
            raise RuntimeError("run_worker did not start; see var/bench/worker-*.log")
        time.sleep(0.1)
    return procs


def _give_every_school_a_change(trust, round_):
    from django_tenants.utils import tenant_context

    from notices.models import Notice

    for school in trust.schools.all():
        with tenant_context(school):
            notice = Notice.objects.get()
            Notice.objects.filter(pk=notice.pk).update(summary=f"{notice.summary} (bench round {round_})")


def _publish_with(env, trust, count):
    from notices.bulk import plan_trust_publish
    from notices.tasks import start_trust_publish
    from tenants.models import PublishRun

    _give_every_school_a_change(trust, count)
    workers = _start_workers(env, count)
    try:
        run = plan_trust_publish(trust, user=None, summary=f"Bench: {count} worker(s).", material=False)
        start = time.perf_counter()
        start_trust_publish(run)
        deadline = time.monotonic() + WAIT_S
        while PublishRun.objects.values_list("status", flat=True).get(pk=run.pk) not in ("done", "failed"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the run with {count} worker(s) did not end in {WAIT_S} s")
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        peaks = [_peak_rss_mb(p.pid) for p in workers]
    finally:
        for p in workers:
            p.terminate()
        for p in workers:
            p.wait(timeout=60)
    run.refresh_from_db()
    published = run.items.filter(status="published").count()
    if run.status != "done" or published != run.items.count():
        raise RuntimeError(f"the run with {count} worker(s) ended {run.status}, {published} published")
    return seconds, published, peaks


def measure_parallel_publish(env):
    from tenants.models import Trust

    trust = Trust.objects.get(slug="bench-templates")
    print(f"  parallel publishing: {trust.schools.count()} schools by 1 worker, then by 2...", flush=True)
    one, schools, peaks_one = _publish_with(env, trust, 1)
    two, _, peaks_two = _publish_with(env, trust, 2)
    figures = {
        "bulk_publish_schools": schools,
        "bulk_publish_1_worker_s": one,
        "bulk_publish_2_workers_s": two,
        "bulk_publish_speedup_2_workers": one / two,
        "worker_peak_rss_mb": max(peaks_one + peaks_two),
    }
    print(
        f"  parallel publishing: 1 worker {one:.1f} s, 2 workers {two:.1f} s "
        f"({one / two:.2f}x); peak RSS per worker {figures['worker_peak_rss_mb']:.0f} MB",
        flush=True,
    )
    return figures


def parallel_line(results):
    return (
        f"Parallel publishing: a trust-wide publish of {results['bulk_publish_schools']} schools took "
        f"{results['bulk_publish_1_worker_s']:.1f} s with 1 worker and {results['bulk_publish_2_workers_s']:.1f} s "
        f"with 2 ({results['bulk_publish_speedup_2_workers']:.2f}x on this machine's cores); "
        f"peak RSS per worker {results['worker_peak_rss_mb']:.0f} MB."
    )
