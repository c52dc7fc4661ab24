"""The school admin's pages for a notice that follows a trust template.

One trust item's page (replace, hide with a reason, go back to the trust's
version), the conflicts page (the trust's old and new wording beside the
school's, and the three ways to settle each), and the link page (what linking
would do, shown before it is done). Each POST calls one act of notices.following.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from notices import following, placeholders
from notices.admin.forms import HideForm, values_form
from notices.admin.sites import template_admin_path
from notices.following import FollowRefused
from notices.models import ItemState
from notices.registers import BY_ATTR, REGISTERS
from tenants.models import Template
from tenants.views import host_url


def describe(register, item, names, fill=str):
    """(reader label, text) for each field a reader sees of one document item; `names` maps uids to labels."""
    out = []
    for name, label in register.reader_fields.items():
        value = getattr(item, name)
        if name in register.refs:
            value = ", ".join(names.get(uid, "(not in this notice)") for uid in value) or "None"
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        out.append((label, fill(value) if isinstance(value, str) else value))
    return out


def _row_item(register, row):
    refs = {name: [str(t.uid) for t in getattr(row, field).all()] for name, (field, _) in register.refs.items()}
    return register.item_from_row(row, refs)


def _school_names(notice):
    return {str(row.uid): str(row) for register in REGISTERS for row in register.model.objects.filter(notice=notice)}


def _trust_names(document):
    return {
        item.uid: str(getattr(item, register.label))
        for register in REGISTERS
        for item in getattr(document, register.attr)
    }


class FollowViews:
    """Mixed into the school's NoticeAdmin."""

    def follow_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/trust-item/<str:attr>/<int:row_id>/",
                wrap(self.trust_item_view),
                name="notices_notice_trust_item",
            ),
            path("<int:pk>/conflicts/", wrap(self.conflicts_view), name="notices_notice_conflicts"),
            path(
                "<int:pk>/conflicts/<str:attr>/<int:row_id>/",
                wrap(require_POST(self.resolve_view)),
                name="notices_notice_resolve",
            ),
            path(
                "<int:pk>/conflicts/<str:attr>/<int:row_id>/edit/",
                wrap(self.resolve_edit_view),
                name="notices_notice_resolve_edit",
            ),
            path("<int:pk>/link/", wrap(self.link_view), name="notices_notice_link"),
        ]

    def follow_context(self, request, notice, current_version):
        """What the notice page shows of the template it follows, or could follow."""
        if notice.follows_id:
            status = following.follow_status(notice, current_version=current_version)
            template = status.template
            path = template_admin_path(template.trust.slug, f"notices/notice/{template.notice_id}/change/")
            return {"follow": status, "template_url": host_url(request, settings.PORTAL_DOMAIN, path)}
        templates = Template.objects.filter(trust_id=request.tenant.trust_id, releases__isnull=False).distinct()
        return {"can_link": templates.exists()}

    # --- helpers --------------------------------------------------------------

    def _change_url(self, notice):
        return reverse(f"{self.admin_site.name}:notices_notice_change", args=[notice.pk])

    def _row_url(self, row):
        return reverse(f"{self.admin_site.name}:notices_{row._meta.model_name}_change", args=[row.pk])

    def _register(self, attr):
        register = BY_ATTR.get(attr)
        if register is None:
            raise Http404("No such register.")
        return register

    def _editable_notice(self, request, pk):
        notice = self._notice(request, pk)
        if request.method == "POST" and not self.has_change_permission(request, notice):
            raise PermissionDenied
        return notice

    def _fill(self, request, notice):
        values = placeholders.values_for(request.tenant, notice)
        return lambda text: placeholders.fill(text, values)

    # --- one trust item -------------------------------------------------------

    def trust_item_view(self, request, pk, attr, row_id):
        notice = self._editable_notice(request, pk)
        register = self._register(attr)
        row = get_object_or_404(register.model, notice=notice, pk=row_id, template_uid__isnull=False)
        hide_form = HideForm(request.POST if request.POST.get("act") == "hide" else None)
        if request.method == "POST":
            act = request.POST.get("act")
            try:
                if act == "replace":
                    following.replace_item(notice, register, row.pk, user=request.user)
                    self.message_user(request, "This item is now the school's own wording: edit it below.")
                    return redirect(
                        reverse(
                            f"{self.admin_site.name}:{row._meta.app_label}_{row._meta.model_name}_change", args=[row.pk]
                        )
                    )
                if act == "restore":
                    kept = following.restore_item(notice, register, row.pk, user=request.user)
                    self.message_user(
                        request,
                        "Back to the trust's version." if kept else "The trust no longer has this item, so it is gone.",
                        messages.SUCCESS,
                    )
                    return redirect(self._change_url(notice))
                if act == "hide" and hide_form.is_valid():
                    following.hide_item(
                        notice, register, row.pk, user=request.user, reason=hide_form.cleaned_data["reason"]
                    )
                    self.message_user(request, "Hidden from this school's notice.", messages.SUCCESS)
                    return redirect(self._change_url(notice))
                if act not in ("replace", "restore", "hide"):
                    raise BadRequest("Unknown action.")
            except FollowRefused as exc:
                hide_form.add_error(None, str(exc))
        trust = following.trust_version(notice, register, row)
        release = notice.follows.releases.filter(number=notice.release).first() if notice.follows_id else None
        fill = self._fill(request, notice)
        return self._page(
            request,
            "admin/notices/notice/trust_item.html",
            f"{register.heading}: {row}",
            notice=notice,
            register=register,
            row=row,
            row_url=self._row_url(row),
            trust=describe(register, trust, _trust_names(following.release_document(release)), fill) if trust else None,
            ours=describe(register, _row_item(register, row), _school_names(notice)),
            hide_form=hide_form,
            conflicted=any(c.row.pk == row.pk and c.register is register for c in following.conflicts(notice)),
            may_change=self.has_change_permission(request, notice),
        )

    # --- conflicts ------------------------------------------------------------

    def conflicts_view(self, request, pk):
        notice = self._notice(request, pk)
        found = following.conflicts(notice)
        documents = (
            {
                r.number: following.release_document(r)
                for r in notice.follows.releases.filter(number__in={notice.release, *(c.row.based_on for c in found)})
            }
            if found
            else {}
        )
        trust_names = {uid: name for d in documents.values() for uid, name in _trust_names(d).items()}
        school_names = _school_names(notice) if found else {}
        fill = self._fill(request, notice)
        rows = [
            {
                "conflict": c,
                "attr": c.register.attr,
                "was": describe(c.register, c.was, trust_names, fill) if c.was else None,
                "now": describe(c.register, c.now, trust_names, fill) if c.now else None,
                "ours": describe(c.register, _row_item(c.register, c.row), school_names),
                "hidden": c.row.state == ItemState.HIDDEN,
            }
            for c in found
        ]
        return self._page(
            request,
            "admin/notices/notice/conflicts.html",
            f"Conflicts with the trust's template: {notice}",
            notice=notice,
            rows=rows,
            may_change=self.has_change_permission(request, notice),
        )

    def resolve_view(self, request, pk, attr, row_id):
        notice = self._editable_notice(request, pk)
        register = self._register(attr)
        choice = request.POST.get("choice")
        if choice not in (following.KEEP_OURS, following.TAKE_TRUST):
            raise BadRequest("Unknown action.")
        try:
            following.resolve_conflict(notice, register, row_id, user=request.user, choice=choice)
        except FollowRefused as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            said = "Kept the school's version." if choice == following.KEEP_OURS else "Took the trust's version."
            self.message_user(request, said, messages.SUCCESS)
        return redirect(reverse(f"{self.admin_site.name}:notices_notice_conflicts", args=[notice.pk]))

    def resolve_edit_view(self, request, pk, attr, row_id):
        notice = self._editable_notice(request, pk)
        register = self._register(attr)
        row = get_object_or_404(register.model, notice=notice, pk=row_id, template_uid__isnull=False)
        form = values_form(register)(request.POST if request.method == "POST" else None, instance=row)
        if request.method == "POST" and form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.fields}
            try:
                following.resolve_conflict(
                    notice, register, row.pk, user=request.user, choice=following.KEEP_OURS, values=values
                )
            except FollowRefused as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(request, "Saved the school's new wording; the conflict is settled.", messages.SUCCESS)
                return redirect(reverse(f"{self.admin_site.name}:notices_notice_conflicts", args=[notice.pk]))
        return self._page(
            request,
            "admin/notices/notice/resolve_edit.html",
            f"Edit the school's version: {row}",
            notice=notice,
            register=register,
            row=row,
            form=form,
        )

    # --- linking --------------------------------------------------------------

    def link_view(self, request, pk):
        notice = self._editable_notice(request, pk)
        school = request.tenant
        templates = list(Template.objects.filter(trust_id=school.trust_id, releases__isnull=False).distinct())
        wanted = request.POST.get("template") if request.method == "POST" else request.GET.get("template")
        template = next((t for t in templates if t.slug == wanted), None)
        plan, problem = None, ""
        if wanted and template is None:
            problem = "Choose one of your trust's released templates."
        elif template is not None:
            try:
                if request.method == "POST":
                    plan = following.link_notice(notice, template, school=school, user=request.user)
                    self.message_user(
                        request,
                        f"Linked to '{template.title}', release {plan.release.number}: "
                        f"{plan.count(following.INHERIT)} inherited, {plan.count(following.REPLACE)} replaced, "
                        f"{plan.count(following.LOCAL)} the school's own, {plan.count(following.ADD)} added.",
                        messages.SUCCESS,
                    )
                    return redirect(self._change_url(notice))
                plan = following.plan_link(notice, template, school=school)
            except FollowRefused as exc:
                problem, plan = str(exc), None
        return self._page(
            request,
            "admin/notices/notice/link.html",
            f"Follow a trust template: {notice}",
            notice=notice,
            templates=templates,
            template=template,
            plan=plan,
            outcomes=plan.by_outcome() if plan else {},
            problem=problem,
            may_change=self.has_change_permission(request, notice),
        )
