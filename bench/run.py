"""The benchmark suite: production-style serving, measured against baselines in the same run.

Run with `make bench`. It builds its own database (trust_portal_bench) on the
same PostgreSQL, serves it with gunicorn (DEBUG off, whitenoise), drives load
with wrk, and writes bench/results/latest.md and latest.json. Every request
loop is bounded in time and every process it starts is stopped at the end.

Environment: SCHOOLS (default 200), BENCH_SECONDS per load run (default 5),
BENCH_REPEATS load runs per scenario (3), BENCH_CONNECTIONS (32), BENCH_PORT (8765);
WEB_WORKERS and WEB_THREADS as trust_portal/gunicorn.py reads them; TEMPLATE_SCHOOLS and
TEMPLATE_SETUP_BUDGET for the template release scenario (bench/templates.py), which
`python -m bench --only templates` runs alone.
"""

import json
import os
import platform
import re
import resource
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "var" / "bench"
SCHOOLS = int(os.environ.get("SCHOOLS", "200"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
# Load runs per scenario; the table reports each figure's median, because a single
# few-second run on a shared 2-core machine can be off by a third.
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
# Keeps the whole run under 15 minutes at the default size; fewer schools are reported if it runs out.
PROVISION_BUDGET_S = int(os.environ.get("BENCH_PROVISION_BUDGET", "480"))
SCHOOL_HOST = "hollybrook.localhost"
NOTICE = "/privacy/pupils-and-parents/"


def bench_database_url():
    base = (
        os.environ.get("DATABASE_URL")
        or f"postgres://postgres@127.0.0.1:{os.environ.get('PGPORT', '54329')}/trust_portal"
    )
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/trust_portal_bench"))


def environment():
    return {
        **os.environ,
        "DATABASE_URL": bench_database_url(),
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CACHE_URL": f"file://{WORK / 'cache'}",
        "MEDIA_ROOT": str(WORK / "media"),
        "PORTAL_DOMAIN": "localhost",
        "LOG_LEVEL": "ERROR",
    }


def reset_database(env):
    import psycopg2

    url = urlsplit(env["DATABASE_URL"])
    conn = psycopg2.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("DROP DATABASE IF EXISTS trust_portal_bench WITH (FORCE)")
        cursor.execute("CREATE DATABASE trust_portal_bench")
    conn.close()


def manage(env, *args, check=True):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=check,
        capture_output=True,
        text=True,
        timeout=900,
    )


class Server:
    """gunicorn as `make serve` runs it, on 127.0.0.1:PORT, stopped on exit."""

    def __init__(self, env, workers=None, threads=None):
        """Without a layout, trust_portal/gunicorn.py decides, as in production."""
        self.env = env
        self.workers = workers
        self.threads = threads
        self.expected_workers = workers or production_layout()[0]
        self.process = None

    def start(self):
        ready = WORK / "ready"
        shutil.rmtree(ready, ignore_errors=True)
        ready.mkdir(parents=True)
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "trust_portal.wsgi:application",
                "--config",
                str(ROOT / "bench" / "gunicorn_ready.py"),
                "--bind",
                f"127.0.0.1:{PORT}",
                *(["--workers", str(self.workers), "--threads", str(self.threads)] if self.workers else []),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**self.env, "BENCH_READY_DIR": str(ready)},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len(list(ready.iterdir())) >= self.expected_workers:
                try:
                    fetch("/healthz", SCHOOL_HOST)
                    return
                except OSError:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


def production_layout():
    """The workers and threads trust_portal/gunicorn.py picks here, with this environment."""
    from trust_portal import gunicorn

    return gunicorn.workers, gunicorn.threads


def fetch(path, host, headers=None):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", headers={"Host": host, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wrk(path, host, headers=()):
    """One bounded load run: SECONDS long, CONNECTIONS connections."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s", "-H", f"Host: {host}"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(
        command + [f"http://127.0.0.1:{PORT}{path}"], capture_output=True, text=True, timeout=SECONDS + 30, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    total = int(re.search(r"(\d+) requests in", output).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", output, re.M))
    errors = (
        sum(
            int(n)
            for n in re.findall(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)[0]
        )
        if "Socket errors" in output
        else 0
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx.group(1)) if non_2xx else 0
    return {
        "rps": rps,
        "requests": total,
        "p50_ms": to_ms(latency["50"]),
        "p99_ms": to_ms(latency["99"]),
        "errors": errors,
    }


def median_of(runs):
    """Each figure of several load runs as its median; errors are added up."""
    return {
        **{key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms")},
        "requests": sum(run["requests"] for run in runs),
        "errors": sum(run["errors"] for run in runs),
        "runs": len(runs),
    }


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def setup_django(env):
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "DEBUG",
                "SECURE_SSL_REDIRECT",
                "SECRET_KEY",
                "CACHE_URL",
                "MEDIA_ROOT",
                "PORTAL_DOMAIN",
                "LOG_LEVEL",
            )
        }
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trust_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def prepare():
    """A fresh benchmark database holding the demo's trust 1, with Django set up on it."""
    env = environment()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    reset_database(env)
    manage(env, "migrate_schemas", "--noinput", "-v", "0")
    setup_django(env)
    load_two_schools()
    return env


def load_two_schools():
    """The demo's trust 1: two schools, each with three published versions."""
    from django_tenants.utils import tenant_context

    from notices import demo_content
    from notices.management.commands.load_demo import Command
    from tenants.models import Membership, Trust, User

    command = Command()
    data = demo_content.TRUSTS[0]
    trust = Trust.objects.create(
        slug=data["slug"],
        **{k: data[k] for k in ("name", "address", "ico_registration", "dpo_name", "dpo_email", "complaints_contact")},
        min_notice_days=0,  # the bench publishes change after change
    )
    publisher = User.objects.create_user(data["publisher"]["email"], demo_content.DEMO_PASSWORD)
    Membership.objects.create(user=publisher, role="publisher", trust=trust)
    for school_data in data["schools"]:
        school = command._school(trust, school_data)
        with tenant_context(school):
            command._notice(school, school_data, publisher)
    return trust


def count_queries(paths):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    counts = {}
    for name, path in paths.items():
        client.get(path, HTTP_HOST=SCHOOL_HOST)  # warm the host and page caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, HTTP_HOST=SCHOOL_HOST)
        assert response.status_code == 200, (path, response.status_code)
        counts[name] = len(captured)
    return counts


@contextmanager
def time_in_pdf():
    """The seconds each PDF rendered inside the block spent in WeasyPrint, as a list filled as they render."""
    import notices.publishing as publishing

    spent = []
    original = publishing.render_pdf

    def timed_render_pdf(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    publishing.render_pdf = timed_render_pdf
    try:
        yield spent
    finally:
        publishing.render_pdf = original


def measure_publishing(runs=6):
    from django_tenants.utils import tenant_context

    from notices.models import Notice
    from notices.publishing import publish_notice
    from tenants.models import School

    school = School.objects.select_related("trust").get(slug="kingsmere")
    totals = []
    with time_in_pdf() as spent_in_pdf, tenant_context(school):
        notice = Notice.objects.get()
        for n in range(runs):
            # A real change before each publish: the same content is refused (publish once).
            Notice.objects.filter(pk=notice.pk).update(summary=f"{notice.summary} (benchmark edit {n})")
            start = time.perf_counter()
            publish_notice(notice, user=None, summary=f"Benchmark run {n}", material=False)
            totals.append(time.perf_counter() - start)
    median = statistics.median(totals)
    share = statistics.median(p / t for p, t in zip(spent_in_pdf, totals, strict=True))
    return {
        "median_s": median,
        "runs": runs,
        "weasyprint_share": share,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def settle_database(budget_s=120):
    """Let PostgreSQL finish the upkeep that new tables cause before a load run.

    Creating schools leaves a checkpoint and autovacuum's first analyse of every new
    table to do. On a 2-core machine that work competes with the web workers, and the
    page it would slow down sends no query at all; so each page measurement starts on
    a quiet database, as a school's page would in term time. Bounded by `budget_s`.
    """
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        try:
            cursor.execute("CHECKPOINT")
        except DatabaseError:
            pass  # needs a superuser or pg_checkpoint; waiting for autovacuum still helps
        deadline = time.monotonic() + budget_s
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(1)


def provision(count, budget_s):
    """Create up to `count` schools on one connection, stopping early when `budget_s` runs out."""
    from tenants.models import Trust
    from tenants.provisioning import create_school

    trust = Trust.objects.get(slug="northfield")
    durations = []
    deadline = time.monotonic() + budget_s
    for n in range(count):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        create_school(trust=trust, name=f"Bench School {n}", slug=f"bench-{n:05d}", urn=f"{800000 + n}")
        durations.append(time.perf_counter() - start)
    window = max(1, min(10, len(durations) // 4))
    # Mean time per new school over each tenth of the run: flat means it does not grow with N.
    step = max(1, len(durations) // 10)
    curve = [[2 + end, statistics.mean(durations[end - step : end])] for end in range(step, len(durations) + 1, step)]
    return {
        "first_s": statistics.mean(durations[:window]),
        "last_s": statistics.mean(durations[-window:]),
        "mean_s": statistics.mean(durations),
        "count": len(durations),
        "curve": curve,
    }


# Worker processes x threads per worker tried by the layout sweep; threads > 1 is
# gunicorn's gthread worker, which also keeps connections alive.
LAYOUTS = [(2, 1), (4, 1), (8, 1), (2, 4), (4, 4), (2, 8)]


def sweep_layouts(env, rounds=REPEATS):
    """The current-notice page under each gunicorn layout.

    Layouts take turns, round after round, so that a slow phase of a shared machine
    falls on all of them rather than on one.
    """
    runs = {layout: [] for layout in LAYOUTS}
    for _ in range(rounds):
        for workers, threads in LAYOUTS:
            server = Server(env, workers, threads)
            try:
                server.start()
                fetch(NOTICE, SCHOOL_HOST)
                runs[(workers, threads)].append(wrk(NOTICE, SCHOOL_HOST))
            finally:
                server.stop()
    rows = []
    for (workers, threads), layout_runs in runs.items():
        rows.append({"workers": workers, "threads": threads, **median_of(layout_runs)})
        print(f"  layout {workers}x{threads}: {rows[-1]['rps']:.0f} req/s, p99 {rows[-1]['p99_ms']:.1f} ms", flush=True)
    return rows


def main():
    from bench.editor import measure_editor
    from bench.importing import measure_import
    from bench.spread import measure_spread
    from bench.templates import measure_template_release
    from bench.workers import measure_parallel_publish

    started = time.monotonic()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk (make bench installs it when run as root)")
    print(f"Preparing a fresh benchmark database ({SCHOOLS} schools at the end)...", flush=True)
    env = prepare()
    manage(env, "collectstatic", "--noinput", "-v", "0")

    server = Server(env)
    results, scenarios = {}, {}
    try:
        server.start()
        status, headers, page = fetch(NOTICE, SCHOOL_HOST)
        assert status == 200, status
        static_dir = ROOT / "var" / "static" / "bench"
        static_dir.mkdir(parents=True, exist_ok=True)
        (static_dir / "notice.html").write_bytes(page)
        server.stop()
        server.start()  # whitenoise indexes static files at start-up
        etag = headers["ETag"]
        assert fetch(NOTICE, SCHOOL_HOST, {"If-None-Match": etag})[0] == 304

        plan = {
            "static file (same bytes as the notice page)": ("/static/bench/notice.html", []),
            "minimal Django view (/healthz)": ("/healthz", []),
            "current notice page": (NOTICE, []),
            "versioned page": (f"{NOTICE}versions/2/", []),
            "archive page": (f"{NOTICE}versions/", []),
            "changes page": (f"{NOTICE}changes/1...2/", []),
            "current PDF": ("/privacy/pupils-and-parents.pdf", []),
            "conditional GET (304)": (NOTICE, [f"If-None-Match: {etag}"]),
        }
        settle_database()
        for name, (path, extra) in plan.items():
            fetch(path, SCHOOL_HOST, dict(h.split(": ", 1) for h in extra))
            scenarios[name] = median_of([wrk(path, SCHOOL_HOST, extra) for _ in range(REPEATS)])
            print(f"  {name}: {scenarios[name]['rps']:.0f} req/s, p99 {scenarios[name]['p99_ms']:.1f} ms", flush=True)

        queries = count_queries(
            {
                "current": NOTICE,
                "versioned": f"{NOTICE}versions/2/",
                "archive": f"{NOTICE}versions/",
                "changes": f"{NOTICE}changes/1...2/",
                "pdf": "/privacy/pupils-and-parents.pdf",
            }
        )
        publishing = measure_publishing()
        print(f"  publishing: median {publishing['median_s']:.2f} s", flush=True)
        small = scenarios["current notice page"]
        scale = provision(SCHOOLS, budget_s=PROVISION_BUDGET_S)
        schools = scale["count"] + 2
        print(f"  provisioned {scale['count']} schools: {scale['last_s']:.2f} s each at the end", flush=True)
        settle_database()
        at_scale = median_of([wrk(NOTICE, SCHOOL_HOST) for _ in range(REPEATS)])
        scenarios[f"current notice page at {schools} schools"] = at_scale
        start = time.perf_counter()
        out = manage(env, "migrate_schemas", "--noinput")
        noop_migrate = time.perf_counter() - start
        assert "migrating 0." in out.stdout, out.stdout[-500:]
    finally:
        server.stop()
    layouts = sweep_layouts(env)
    # Last: its trust's schools and publishes must not change what the scenarios above measured.
    template_release = measure_template_release(publishing["median_s"])
    parallel = measure_parallel_publish(env)
    spread = measure_spread(env)
    importing = measure_import()
    editor = measure_editor()

    static = scenarios["static file (same bytes as the notice page)"]
    results = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "schools": schools,
        "schools_asked": SCHOOLS + 2,
        "connections": CONNECTIONS,
        "seconds_per_scenario": SECONDS,
        "runs_per_scenario": REPEATS,
        "gunicorn": "{} workers x {} threads".format(*production_layout()),
        "page_vs_static": small["rps"] / static["rps"],
        "page_p99_ms": small["p99_ms"],
        "queries_per_page": queries["current"],
        "queries": queries,
        "pdf_vs_static": scenarios["current PDF"]["rps"] / static["rps"],
        "not_modified_vs_static": scenarios["conditional GET (304)"]["rps"] / static["rps"],
        "publish_median_s": publishing["median_s"],
        "publish_weasyprint_share": publishing["weasyprint_share"],
        "publish_peak_rss_mb": publishing["peak_rss_mb"],
        "provision_s_per_school": scale["last_s"],
        "provision_first_s_per_school": scale["first_s"],
        "provision_curve": scale["curve"],
        "p99_ratio_n_vs_2": at_scale["p99_ms"] / small["p99_ms"],
        "noop_migrate_s": noop_migrate,
        "noop_migrate_s_per_school": noop_migrate / schools,
        "scenarios": scenarios,
        "layouts": layouts,
        **template_release,
        **parallel,
        **spread,
        **importing,
        **editor,
        "total_s": time.monotonic() - started,
    }
    write_results(results)


TARGETS = [
    ("page_vs_static", "current-notice page req/s ÷ static file req/s", "≥ 0.8", lambda v: v >= 0.8),
    ("page_p99_ms", "p99 latency, current-notice page (ms)", "< 50", lambda v: v < 50),
    ("queries_per_page", "database queries per current-notice request", "≤ 1", lambda v: v <= 1),
    ("not_modified_vs_static", "304 req/s ÷ static file req/s", "≥ 1.0", lambda v: v >= 1.0),
    ("pdf_vs_static", "current PDF req/s ÷ static file req/s", "≥ 0.8", lambda v: v >= 0.8),
    ("publish_median_s", "publish one notice, median (s)", "≤ 1.0", lambda v: v <= 1.0),
    ("provision_s_per_school", "new school at the end of provisioning (s)", "≤ 1.0", lambda v: v <= 1.0),
    ("p99_ratio_n_vs_2", "page p99 at N schools ÷ at 2 schools", "≤ 1.1", lambda v: v <= 1.1),
    ("noop_migrate_s", "no-op migrate_schemas across all schools (s)", "≤ 10", lambda v: v <= 10),
]


def write_results(results):
    from bench.editor import editor_line
    from bench.importing import import_line
    from bench.spread import spread_line
    from bench.workers import parallel_line

    lines = [
        f"# Benchmark results, {results['date']}",
        "",
        f"Machine: {results['machine']}. gunicorn {results['gunicorn']}, DEBUG off, whitenoise; wrk with "
        f"{results['connections']} connections; each figure is the median of {results['runs_per_scenario']} runs of "
        f"{results['seconds_per_scenario']} s; "
        f"{results['schools']} schools at the end (asked for {results['schools_asked']}).",
        "",
        "| scenario | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, s in results["scenarios"].items():
        lines.append(f"| {name} | {s['rps']:.0f} | {s['p50_ms']:.2f} | {s['p99_ms']:.2f} | {s['errors']} |")
    lines += [
        "",
        "gunicorn layouts, current notice page (workers x threads; threads > 1 is the gthread worker):",
        "",
        "| layout | req/s | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in results["layouts"]:
        lines.append(
            f"| {row['workers']} x {row['threads']} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {row['errors']} |"
        )
    lines += ["", "| measure | value | target | met |", "|---|---:|---|---|"]
    for key, label, target, ok in TARGETS:
        lines.append(f"| {label} | {results[key]:.3g} | {target} | {'yes' if ok(results[key]) else '**no**'} |")
    q = results["queries"]
    lines += [
        "",
        f"Queries per request (warm caches): {', '.join(f'{k} {v}' for k, v in q.items())}.",
        f"Publishing: {results['publish_weasyprint_share']:.0%} of the time is inside WeasyPrint; "
        f"peak RSS of the publishing process {results['publish_peak_rss_mb']:.0f} MB.",
        f"Provisioning: {results['provision_first_s_per_school']:.2f} s per school at the start, "
        f"{results['provision_s_per_school']:.2f} s at the end; by schools in the database: "
        + ", ".join(f"{n}: {s:.2f} s" for n, s in results["provision_curve"])
        + ".",
        f"No-op migrate: {results['noop_migrate_s']:.2f} s, "
        f"{results['noop_migrate_s_per_school'] * 1000:.1f} ms per school.",
        template_release_line(results),
        parallel_line(results),
        spread_line(results),
        import_line(results),
        editor_line(results),
        f"Whole run: {results['total_s']:.0f} s.",
    ]
    table = "\n".join(lines) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.md").write_text(table)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(table)


def template_release_line(results):
    """The template release scenario (bench/templates.py) in one sentence."""
    r = {key.removeprefix("template_release_"): v for key, v in results.items() if key.startswith("template_release_")}
    when = f" (measured alone, {r['date']})" if "date" in r else ""
    return (
        f"Template release{when}: release 2 of a template followed by {r['schools']} schools of one trust, then "
        f"the trust's bulk publish, took {r['s']:.1f} s to the last school live: the release {r['release_s']:.1f} s, "
        f"the publish {r['publish_s']:.1f} s (planning {r['plan_s']:.1f} s, "
        f"{r['weasyprint_share']:.0%} inside WeasyPrint). {r['s_per_school']:.2f} s per school, "
        f"{r['ratio_to_publish']:.2f}x one ordinary publish ({r['baseline_publish_s']:.2f} s) in the same run; "
        f"one ordinary publish of this trust's notice took {r['single_publish_s']:.2f} s."
    )
