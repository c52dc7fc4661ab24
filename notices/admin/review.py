"""The school admin's "ready for review" page: an editor asks the trust's publishers to review and publish the draft.

GET shows what the publishers will see (the findings and the diff) and a
note to add; only the POST asks, through notices.review.request_review.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from notices.checks import check_document
from notices.publishing import pending_change
from notices.review import ReviewRefused, request_review, review_pending


class ReviewForm(forms.Form):
    note = forms.CharField(
        label="A note for the publishers (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="For example what you changed and why, or anything you would like them to check.",
    )


class ReviewViews:
    """Mixed into the school's NoticeAdmin."""

    def review_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/request-review/",
                wrap(require_http_methods(["GET", "POST"])(self.request_review_view)),
                name="notices_notice_request_review",
            )
        ]

    def request_review_view(self, request, pk):
        notice = self._notice(request, pk)
        form = ReviewForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if not self.has_change_permission(request, notice):
                raise PermissionDenied
            if form.is_valid():
                try:
                    request_review(notice, user=request.user, note=form.cleaned_data["note"])
                except ReviewRefused as exc:
                    for problem in exc.problems:
                        form.add_error(None, problem)
                else:
                    self.message_user(
                        request,
                        "Marked ready for review: the trust's publishers have been emailed, "
                        "and see it at the top of the trust console.",
                        messages.SUCCESS,
                    )
                    return redirect(reverse(f"{self.admin_site.name}:notices_notice_overview", args=[notice.pk]))
        change = pending_change(notice, school=request.tenant)
        return self._page(
            request,
            "admin/notices/notice/request_review.html",
            f"Ask for a review: {notice}",
            notice=notice,
            form=form,
            change=change,
            findings=check_document(change.document),
            review=review_pending(notice, change.latest),
        )
