"""Issue 16: a start-of-term mix, requests spread over many school hosts and pages, with the file cache and Redis.

The earlier scenarios hit one hot page of one school; this one cycles through
every page of every school of the template scenario's trust (home, current
notice, archive, PDF) and the home page of each school the bench provisioned,
so the host map and the shared page cache are used at scale. The same mix is
served twice by gunicorn as `make serve` runs it: once with the default file
cache, once with CACHE_URL pointing at a real redis-server started here.
"""

import os
import shutil
import subprocess
import tempfile
import time

from bench.run import CONNECTIONS, PORT, REPEATS, ROOT, SECONDS, WORK, Server, manage, median_of, parse_wrk

PAGES = (
    "/",
    "/privacy/pupils-and-parents/",
    "/privacy/pupils-and-parents/versions/",
    "/privacy/pupils-and-parents.pdf",
)


def _targets():
    from tenants.models import School
    from tenants.provisioning import school_host

    lines = []
    for slug, trust in School.objects.values_list("slug", "trust__slug").order_by("slug"):
        pages = PAGES if trust == "bench-templates" else ("/",)
        lines += [f"{school_host(slug)} {page}" for page in pages]
    path = WORK / "spread-targets.txt"
    path.write_text("\n".join(lines) + "\n")
    return path, len(lines)


def _wrk_spread(targets):
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s"]
    command += ["-s", str(ROOT / "bench" / "spread.lua"), f"http://127.0.0.1:{PORT}/"]
    output = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=SECONDS + 30,
        check=True,
        env={**os.environ, "SPREAD_TARGETS": str(targets)},
    ).stdout
    return parse_wrk(output)


def _redis():
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    folder = tempfile.mkdtemp(prefix="bench-redis-", dir=WORK)
    port = PORT + 1
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def _serve_mix(env, targets):
    server = Server(env)
    server.start()
    try:
        return median_of([_wrk_spread(targets) for _ in range(REPEATS)])
    finally:
        server.stop()


def measure_spread(env):
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the pages name static files by their manifest
    targets, count = _targets()
    print(f"  spread mix: {count} host and page pairs, file cache then Redis...", flush=True)
    figures = {"spread_targets": count, "spread_file": _serve_mix(env, targets)}
    redis, url = _redis()
    if redis is None:
        print("  spread mix: redis-server is missing (apt-get install redis-server); Redis not measured", flush=True)
        return figures
    try:
        figures["spread_redis"] = _serve_mix({**env, "CACHE_URL": url}, targets)
    finally:
        redis.terminate()
        redis.wait(timeout=30)
    figures["spread_redis_vs_file"] = figures["spread_redis"]["rps"] / figures["spread_file"]["rps"]
    for name in ("file", "redis"):
        s = figures[f"spread_{name}"]
        print(f"  spread mix, {name}: {s['rps']:.0f} req/s, p99 {s['p99_ms']:.1f} ms, errors {s['errors']}", flush=True)
    return figures


def spread_line(results):
    if "spread_file" not in results:
        return ""
    file, redis = results["spread_file"], results.get("spread_redis")
    line = (
        f"Spread mix ({results['spread_targets']} host and page pairs, every school's pages): file cache "
        f"{file['rps']:.0f} req/s, p99 {file['p99_ms']:.1f} ms, {file['errors']} errors"
    )
    if redis:
        line += (
            f"; Redis {redis['rps']:.0f} req/s, p99 {redis['p99_ms']:.1f} ms, {redis['errors']} errors "
            f"({results['spread_redis_vs_file']:.2f}x the file cache)"
        )
    return line + "."
