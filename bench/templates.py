"""Issue 13: a trust template release reaching every school of a trust, then the trust's bulk publish.

The trust (TEMPLATE_SCHOOLS schools, default 50) is built first, untimed: each
school has the demo notice in its own details, follows a template made from the
first school's notice, and is live at release 1. Timed: release 2 of the
template, then the bulk publish of every school, executed as the worker does,
until the last school is live at release 2. The figure is reported against one
ordinary publish measured in the same run; nothing here asserts a target.
"""

import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime

from bench.editor import editor_line, measure_editor
from bench.importing import import_line, measure_import
from bench.run import (
    RESULTS,
    manage,
    measure_publishing,
    prepare,
    settle_database,
    template_release_line,
    time_in_pdf,
)
from bench.spread import measure_spread, spread_line
from bench.workers import measure_parallel_publish, parallel_line

TEMPLATE_SCHOOLS = int(os.environ.get("TEMPLATE_SCHOOLS", "50"))
# Building the trust publishes every school once; fewer schools are reported if this runs out.
SETUP_BUDGET_S = int(os.environ.get("TEMPLATE_SETUP_BUDGET", "300"))


def build_trust(count, budget_s):
    """A trust of up to `count` schools, all following one template and live at its release 1.

    Also returns the seconds of each school's first publish, an ordinary one of the same notice.
    """
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from notices import demo_content
    from notices.demo import load_notice
    from notices.following import link_notice
    from notices.publishing import publish_notice
    from notices.releasing import release_template, template_from_school
    from tenants.memberships import grant_role
    from tenants.models import Membership, User
    from tenants.provisioning import create_school
    from tenants.services import add_trust

    northfield = demo_content.TRUSTS[0]
    trust = add_trust(
        slug="bench-templates",
        name="Bench Templates Trust",
        ico_registration="ZZ900301",
        **{k: northfield[k] for k in ("address", "dpo_name", "dpo_email", "complaints_contact")},
    )
    publisher = User.objects.create_user("publisher@bench-templates.example.org", demo_content.DEMO_PASSWORD)
    grant_role(publisher, Membership.Role.PUBLISHER, trust=trust)
    template, publishes = None, []
    deadline = time.monotonic() + budget_s
    for n in range(count):
        if time.monotonic() > deadline:
            break
        slug = f"bench-academy-{n:03d}"
        school = create_school(
            trust=trust,
            name=f"Bench Academy {n:03d}",
            slug=slug,
            urn=f"{700000 + n}",
            address=f"{n + 1} Bench Road\nNorthfield\nNF9 9ZZ",
            headteacher=f"Ms Rowan Ellis {n:03d}",
            contact_email=f"office@{slug}.example.org",
        )
        # Every school starts from the same demo notice, in its own details, as a trust's schools often do:
        # linking then finds the trust's wording in each, once its placeholders are filled.
        data = demo_content._northfield_notice(
            school.name,
            school.headteacher,
            f"head@{slug}.example.org",
            [dict(system) for system in demo_content._T1_SYSTEMS],
            "Ask the Headteacher if anything is unclear.",
        )
        with tenant_context(school):
            notice = load_notice(data, user=publisher)
        if template is None:
            template = template_from_school(school, notice, slug="pupils", title=data["title"], user=publisher)
            release_template(template, user=publisher, summary="First release.")
        with tenant_context(school), transaction.atomic():
            link_notice(notice, template, school=school, user=publisher)
            start = time.perf_counter()
            publish_notice(notice, user=publisher, summary="First published version of this notice.")
            publishes.append(time.perf_counter() - start)
    return trust, template, publisher, publishes


def edit_template(template, publisher):
    """A wording change in the template's draft, as trust staff would make it in the template admin."""
    from notices.models import Section
    from notices.releasing import template_notice, workspace_context

    with workspace_context(template):
        section = Section.objects.get(notice=template_notice(template), heading="Review of this notice")
        section.body = section.body.replace("every year", "at least once a year")
        section._history_user, section._change_reason = publisher, "Say how often we review the notice"
        section.save()


def live_at(trust, release):
    """The trust's schools whose live version was composed from `release`, and the others."""
    from django_tenants.utils import tenant_context

    from notices import selectors
    from notices.following import released_in
    from notices.models import Notice

    live, behind = [], []
    for school in trust.schools.order_by("name"):
        with tenant_context(school):
            notice = Notice.objects.get()
            version = selectors.current_version(notice)
        (live if released_in(version, release.template) == release.number else behind).append(school.name)
    return live, behind


def measure_template_release(publish_median_s, count=TEMPLATE_SCHOOLS, budget_s=SETUP_BUDGET_S):
    from notices.bulk import plan_trust_publish
    from notices.releasing import release_template
    from notices.tasks import run_trust_publish
    from tenants.models import PublishRun, PublishRunItem

    print(f"  template release: building a trust of {count} schools...", flush=True)
    setup_started = time.perf_counter()
    trust, template, publisher, publishes = build_trust(count, budget_s)
    setup_s = time.perf_counter() - setup_started
    edit_template(template, publisher)
    settle_database()

    with time_in_pdf() as spent_in_pdf:
        start = time.perf_counter()
        release = release_template(template, user=publisher, summary="We say how often we review this notice.")
        released = time.perf_counter()
        run = plan_trust_publish(trust, user=publisher, summary="Trust-wide update.", material=False)
        planned = time.perf_counter()
        run_trust_publish.call(run.pk)
        done = time.perf_counter()

    # A scenario that published nothing, or the wrong release, must not report a fast figure.
    run.refresh_from_db()
    live, behind = live_at(trust, release)
    if run.status != PublishRun.Status.DONE or behind or not live:
        unpublished = run.items.exclude(status=PublishRunItem.Status.PUBLISHED)
        items = [f"{i.school.name}: {i.status} {i.message}".strip() for i in unpublished]
        raise RuntimeError(
            f"Template release scenario: publish run {run.status}; not live at release {release.number}: "
            f"{', '.join(behind) or 'none'}. Unpublished items: {'; '.join(items) or 'none'}."
        )

    total = done - start
    per_school = total / len(live)
    figures = {
        "template_release_schools": len(live),
        "template_release_schools_asked": count,
        "template_release_setup_s": setup_s,
        "template_release_s": total,
        "template_release_release_s": released - start,
        "template_release_publish_s": done - released,
        "template_release_plan_s": planned - released,
        "template_release_weasyprint_share": sum(spent_in_pdf) / (done - released),
        "template_release_s_per_school": per_school,
        "template_release_baseline_publish_s": publish_median_s,
        # The suite's baseline publishes another school's notice; this is the scenario's own, published singly.
        "template_release_single_publish_s": statistics.median(publishes),
        "template_release_ratio_to_publish": per_school / publish_median_s,
    }
    print(
        f"  template release: trust built in {setup_s:.0f} s; {len(live)} schools live at release "
        f"{release.number} in {total:.1f} s "
        f"({per_school:.2f} s per school, {figures['template_release_ratio_to_publish']:.2f}x one publish)",
        flush=True,
    )
    return figures


def main():
    """The newer scenarios alone, on a fresh benchmark database; their figures are added to the last full run's."""
    _require_full_run()
    env = prepare()
    manage(env, "collectstatic", "--noinput", "-v", "0")  # the editor pages are served with DEBUG off
    publishing = measure_publishing()
    merge_into_latest(
        {
            **measure_template_release(publishing["median_s"]),
            "template_release_date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            **measure_parallel_publish(env),
            **measure_spread(env),
            **measure_import(),
            **measure_editor(),
        }
    )


def editor_main():
    """The editor pages alone (issue 17), added to the last full run's results the same way."""
    _require_full_run()
    manage(prepare(), "collectstatic", "--noinput", "-v", "0")
    merge_into_latest({**measure_editor(), "editor_date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")})


def _require_full_run():
    if not ((RESULTS / "latest.json").exists() and (RESULTS / "latest.md").exists()):
        sys.exit("bench/results/ holds no full run to add the scenario to: run `make bench` first.")


def merge_into_latest(figures):
    latest_json, latest_md = RESULTS / "latest.json", RESULTS / "latest.md"
    results = {**json.loads(latest_json.read_text()), **figures}
    latest_json.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    # Edited rather than written anew from the JSON, whose sorted keys would reorder the full run's tables.
    ours = ("Template release", "Parallel publishing", "Spread mix", "Import:", "Editor")
    lines = [line for line in latest_md.read_text().splitlines() if not line.startswith(ours)]
    end = next(n for n, line in enumerate(lines) if line.startswith("Whole run:"))
    ours_now = [
        template_release_line(results),
        parallel_line(results),
        spread_line(results),
        import_line(results),
        editor_line(results),
    ]
    lines[end:end] = [line for line in ours_now if line]
    latest_md.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[end:]))
