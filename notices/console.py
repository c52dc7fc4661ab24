"""The trust console (/trust/<slug>/ on the portal host): publishers see and publish every school of their trust."""

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Max
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe
from django_tenants.utils import tenant_context

from announcements.wording import announcement_of
from notices.admin.sites import template_admin_path
from notices.bulk import plan_trust_publish
from notices.checks import check_document, failures
from notices.following import follow_status
from notices.forms import PublishForm, WhenFields
from notices.models import Notice, NoticeVersion
from notices.publishing import PublishRefused, pending_change, publish_notice
from notices.readability import assess_document
from notices.releasing import ReleaseRefused, template_from_school
from notices.review import review_pending
from notices.tasks import start_trust_publish, stopped_workers
from notices.withdrawal import withdraw_upcoming
from tenants import access
from tenants.models import PublishRun, School, Trust
from tenants.services import update_trust
from tenants.views import school_url


class TrustPublishForm(WhenFields):
    summary = forms.CharField(label="What changed (shown to parents)", widget=forms.Textarea(attrs={"rows": 2}))
    material = forms.BooleanField(required=False, initial=True, label="Material change (untick for a wording fix)")

    field_order = ["summary", "material", "effective_at", "urgent", "urgent_reason"]


def _rows(request, trust):
    today = timezone.localdate()
    rows = []
    schools = trust.schools.select_related("trust").prefetch_related("domains").order_by("name")
    for school in schools:
        site = school_url(request, school)
        with tenant_context(school):
            # The asker is a user in public, which the school's search path also reaches: joined, not one query each.
            for notice in Notice.objects.select_related("follows", "review_requested_by").order_by("title"):
                change = pending_change(notice, school=school)
                rows.append(
                    {
                        "school": school,
                        "notice": notice,
                        "latest": change.latest,
                        "live": change.live,
                        "upcoming": change.upcoming,
                        "status": change.status,
                        "missing": [f.item for f in failures(change.document)],
                        "readability": assess_document(change.document),
                        "review": review_pending(notice, change.latest),
                        "overdue": notice.review_by < today,
                        "review_soon": today <= notice.review_by < today + datetime.timedelta(days=30),
                        "follow": follow_status(notice, current_version=change.latest) if notice.follows_id else None,
                        "admin": f"{site}admin/notices/notice/{notice.pk}/" if site else None,
                        # Parents' page exists once a version does.
                        "public": f"{site}privacy/{notice.slug}/" if site and change.latest else None,
                    }
                )
    return rows


def _templates(trust):
    found = trust.templates.annotate(latest=Max("releases__number")).order_by("title")
    return [(t, template_admin_path(trust.slug, f"notices/notice/{t.notice_id}/change/")) for t in found]


@login_required
@require_http_methods(["GET", "POST"])
def console(request, slug):
    trust = access.trust_for_publisher(request, slug)
    form = TrustPublishForm(request.POST if request.method == "POST" else None)
    form.set_notice_period(trust.min_notice_days)
    if request.method == "POST" and form.is_valid():
        try:
            run = plan_trust_publish(
                trust,
                user=request.user,
                summary=form.cleaned_data["summary"],
                material=form.cleaned_data["material"],
                **form.when_kwargs(),
            )
        except PublishRefused as exc:
            form.add_error(None, " ".join(exc.problems))
        else:
            transaction.on_commit(lambda: start_trust_publish(run))
            return redirect("console_run", slug=trust.slug, run_id=run.pk)
    rows = _rows(request, trust)
    context = {
        "trust": trust,
        "rows": rows,
        "form": form,
        "pending": sum(1 for row in rows if row["status"] not in ("live", "upcoming")),
        "waiting": sorted((row for row in rows if row["review"]), key=lambda row: row["review"].at),
        "runs": trust.publish_runs.order_by("-created_at")[:5],
        "templates": _templates(trust),
    }
    return render(request, "notices/console.html", context)


class NewTemplateForm(forms.Form):
    source = forms.ChoiceField(label="Start from this school's notice")
    title = forms.CharField(max_length=200, initial="Privacy notice for pupils and parents")
    slug = forms.SlugField(max_length=80, initial="pupils-and-parents", help_text="Letters, numbers and hyphens.")

    def __init__(self, data=None, *, sources):
        super().__init__(data)
        self.sources = sources  # "school-slug/notice-slug" -> (school, notice)
        self.fields["source"].choices = [(key, f"{s.name}: {n.title}") for key, (s, n) in sources.items()]


@login_required
@require_http_methods(["GET", "POST"])
def new_template(request, slug):
    """Make a template of the trust from one of its schools' notices (releasing.template_from_school)."""
    trust = access.trust_for_publisher(request, slug)
    sources = {}
    for school in trust.schools.select_related("trust").order_by("name"):
        with tenant_context(school):
            for notice in Notice.objects.order_by("title"):
                sources[f"{school.slug}/{notice.slug}"] = (school, notice)
    form = NewTemplateForm(request.POST if request.method == "POST" else None, sources=sources)
    if request.method == "POST" and form.is_valid():
        school, notice = sources[form.cleaned_data["source"]]
        try:
            template = template_from_school(
                school, notice, slug=form.cleaned_data["slug"], title=form.cleaned_data["title"], user=request.user
            )
        except ReleaseRefused as exc:
            form.add_error("slug", " ".join(exc.problems))
        else:
            messages.success(
                request,
                f"Made the template '{template.title}' from {school.name}'s notice. "
                "Check it, then release it so schools can follow it.",
            )
            return redirect(template_admin_path(trust.slug, f"notices/notice/{template.notice_id}/change/"))
    return render(request, "notices/console_new_template.html", {"trust": trust, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def publish_one(request, slug, school_slug, notice_slug):
    trust = access.trust_for_publisher(request, slug)
    school = get_object_or_404(School, trust=trust, slug=school_slug)
    with tenant_context(school):
        notice = get_object_or_404(Notice, slug=notice_slug)
        change = pending_change(notice, school=school)
        form = PublishForm(
            request.POST if request.method == "POST" else None, change=change, notice_days=trust.min_notice_days
        )
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
            "change": change,
            "findings": check_document(change.document),
            "review": review_pending(notice, change.latest),
        }
        # Rendered inside the school's schema: the review reads its versions.
        return render(request, "notices/console_publish.html", context)


class TrustSettingsForm(forms.ModelForm):
    class Meta:
        model = Trust
        fields = ["min_notice_days", "email_when_in_force"]


@login_required
@require_http_methods(["GET", "POST"])
def trust_settings(request, slug):
    """How much notice the trust gives families of a material change, and whether they are emailed again."""
    trust = access.trust_for_publisher(request, slug)
    form = TrustSettingsForm(
        request.POST if request.method == "POST" else None, instance=Trust.objects.get(pk=trust.pk)
    )
    if request.method == "POST" and form.is_valid():
        update_trust(trust, by=request.user, **{name: form.cleaned_data[name] for name in form.changed_data})
        messages.success(request, "Saved the trust's notice settings.")
        return redirect("console", slug=trust.slug)
    return render(request, "notices/console_settings.html", {"trust": trust, "form": form})


class WithdrawUpcomingForm(forms.Form):
    reason = forms.CharField(
        label="Why it is withdrawn",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown to parents where the version was: it was public, so it stays in the record as withdrawn.",
    )


def _school_version(trust, school_slug, notice_slug, number):
    """The school of `trust` and its version `number` of `notice_slug` (404 for another trust's school)."""
    school = get_object_or_404(School.objects.select_related("trust"), trust=trust, slug=school_slug)
    with tenant_context(school):
        version = get_object_or_404(
            NoticeVersion.objects.select_related("notice"), notice__slug=notice_slug, number=number
        )
    return school, version


@login_required
@require_safe
def announcement(request, slug, school_slug, notice_slug, number):
    """The ready-to-paste announcement of a material version, for the school's own messaging tool."""
    trust = access.trust_for_publisher(request, slug)
    school, version = _school_version(trust, school_slug, notice_slug, number)
    with tenant_context(school):
        text = announcement_of(school, version)
    if text is None:
        raise Http404("Wording fixes need no announcement.")
    context = {"trust": trust, "school": school, "version": version, "text": text}
    return render(request, "notices/console_announcement.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw_upcoming_view(request, slug, school_slug, notice_slug, number):
    trust = access.trust_for_publisher(request, slug)
    school, version = _school_version(trust, school_slug, notice_slug, number)
    form = WithdrawUpcomingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with tenant_context(school):
            try:
                withdraw_upcoming(version, by=request.user, reason=form.cleaned_data["reason"])
            except PublishRefused as exc:
                form.add_error(None, " ".join(exc.problems))
            else:
                messages.success(
                    request, f"Withdrew version {version.number} of {school.name}'s notice before it took effect."
                )
                return redirect("console", slug=trust.slug)
    context = {"trust": trust, "school": school, "version": version, "form": form}
    return render(request, "notices/console_withdraw.html", context)


def _run_progress(run):
    items = list(run.items.select_related("school"))
    finished = sum(1 for item in items if item.status != item.Status.PENDING)
    return items, finished


@login_required
@require_safe
def run_detail(request, slug, run_id):
    trust = access.trust_for_publisher(request, slug)
    run = get_object_or_404(PublishRun, trust=trust, pk=run_id)
    items, finished = _run_progress(run)
    context = {
        "trust": trust,
        "run": run,
        "items": items,
        "finished": finished,
        "ended": run.status in (PublishRun.Status.DONE, PublishRun.Status.FAILED),
        "max_attempts": settings.PUBLISH_RUN_MAX_ATTEMPTS,
        "stopped_workers": stopped_workers(run),
    }
    return render(request, "notices/console_run.html", context)


@login_required
@require_safe
def run_progress(request, slug, run_id):
    trust = access.trust_for_publisher(request, slug)
    try:
        run = PublishRun.objects.get(trust=trust, pk=run_id)
    except PublishRun.DoesNotExist:
        raise Http404 from None
    items, finished = _run_progress(run)
    return JsonResponse({"status": run.status, "finished": finished, "total": len(items)})
