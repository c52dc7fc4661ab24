"""The trust console (/trust/<slug>/ on the portal host): publishers see and publish every school of their trust."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django_tenants.utils import tenant_context

from notices.bulk import plan_trust_publish
from notices.checks import failures
from notices.forms import PublishForm
from notices.models import Notice
from notices.publishing import PublishRefused, pending_change, publish_notice
from notices.tasks import run_trust_publish
from tenants import access
from tenants.models import PublishRun, School, Trust


class TrustPublishForm(forms.Form):
    summary = forms.CharField(label="What changed (shown to parents)", widget=forms.Textarea(attrs={"rows": 2}))
    material = forms.BooleanField(required=False, initial=True, label="Material change (untick for a wording fix)")


def _trust_for_publisher(request, slug):
    """The trust at `slug`, if the user publishes for it; 403 otherwise (404 if no such trust)."""
    trust = get_object_or_404(Trust, slug=slug)
    if not access.can_publish_trust(request.user, trust):
        raise PermissionDenied("Only the trust's publishers can use its console.")
    return trust


def _rows(trust):
    today = timezone.localdate()
    rows = []
    for school in trust.schools.select_related("trust").order_by("name"):
        with tenant_context(school):
            for notice in Notice.objects.order_by("title"):
                change = pending_change(notice, school=school)
                rows.append(
                    {
                        "school": school,
                        "notice": notice,
                        "latest": change.current,
                        "status": change.status,
                        "missing": [f.item for f in failures(change.document)],
                        "overdue": notice.review_by < today,
                        "review_soon": today <= notice.review_by < today + datetime.timedelta(days=30),
                    }
                )
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def console(request, slug):
    trust = _trust_for_publisher(request, slug)
    form = TrustPublishForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = plan_trust_publish(
                trust, user=request.user, summary=form.cleaned_data["summary"], material=form.cleaned_data["material"]
            )
        except PublishRefused as exc:
            form.add_error("summary", " ".join(exc.problems))
        else:
            transaction.on_commit(lambda: run_trust_publish.enqueue(run.pk))
            return redirect("console_run", slug=trust.slug, run_id=run.pk)
    rows = _rows(trust)
    pending = sum(1 for row in rows if row["status"] != "live")
    runs = trust.publish_runs.order_by("-created_at")[:5]
    return render(
        request, "notices/console.html", {"trust": trust, "rows": rows, "form": form, "pending": pending, "runs": runs}
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish_one(request, slug, school_slug, notice_slug):
    trust = _trust_for_publisher(request, slug)
    school = get_object_or_404(School, trust=trust, slug=school_slug)
    with tenant_context(school):
        notice = get_object_or_404(Notice, slug=notice_slug)
        change = pending_change(notice, school=school)
        problems = failures(change.document)
        form = PublishForm(request.POST if request.method == "POST" else None, change=change)
        if request.method == "POST" and form.is_valid():
            try:
                version = publish_notice(notice, user=request.user, **form.publish_kwargs())
            except PublishRefused as exc:
                for problem in exc.problems:
                    form.add_error(None, problem)
            else:
                messages.success(request, f"Published {school.name}: {notice.title}, version {version.number}.")
                return redirect("console", slug=trust.slug)
        context = {
            "trust": trust,
            "school": school,
            "notice": notice,
            "form": form,
            "problems": problems,
            "change": change,
        }
        # Rendered inside the school's schema: the review reads its versions.
        return render(request, "notices/console_publish.html", context)


def _run_progress(run):
    items = list(run.items.select_related("school"))
    finished = sum(1 for item in items if item.status != item.Status.PENDING)
    return items, finished


@login_required
@require_safe
def run_detail(request, slug, run_id):
    trust = _trust_for_publisher(request, slug)
    run = get_object_or_404(PublishRun, trust=trust, pk=run_id)
    items, finished = _run_progress(run)
    context = {
        "trust": trust,
        "run": run,
        "items": items,
        "finished": finished,
        "ended": run.status in (PublishRun.Status.DONE, PublishRun.Status.FAILED),
        "max_attempts": settings.PUBLISH_RUN_MAX_ATTEMPTS,
    }
    return render(request, "notices/console_run.html", context)


@login_required
@require_safe
def run_progress(request, slug, run_id):
    trust = _trust_for_publisher(request, slug)
    try:
        run = PublishRun.objects.get(trust=trust, pk=run_id)
    except PublishRun.DoesNotExist:
        raise Http404 from None
    items, finished = _run_progress(run)
    return JsonResponse({"status": run.status, "finished": finished, "total": len(items)})
