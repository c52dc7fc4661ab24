"""The trust console's webhook pages (/trust/<slug>/webhooks/): the trust's publishers set them up and watch them.

Every view asks tenants.access.trust_for_publisher first (403 for anyone but
the trust's publishers, 404 for an unknown trust), then finds the webhook
among that trust's own: another trust's webhook is a 404 here.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from announcements.models import Webhook
from announcements.webhooks import addresses, delivery
from tenants import access

LOG_LENGTH = 50


class WebhookForm(forms.Form):
    # Checked by create_webhook (addresses.validate), which knows what the portal may post to.
    url = forms.CharField(
        label="Address",
        max_length=addresses.MAX_LENGTH,
        help_text="An https:// address of the trust's own system, for example https://example.org/hooks/privacy.",
        widget=forms.URLInput(attrs={"aria-describedby": "url-help"}),
    )


def _webhook(trust, pk):
    return get_object_or_404(Webhook.objects.select_related("created_by", "disabled_by"), trust=trust, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request, slug):
    trust = access.trust_for_publisher(request, slug)
    form = WebhookForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = delivery.create_webhook(trust, form.cleaned_data["url"], by=request.user)
        except ValidationError as exc:
            form.add_error("url", exc)
        else:
            messages.success(request, "Webhook added. Give its secret to the receiving system to verify signatures.")
            return redirect("console_webhook", slug=trust.slug, pk=webhook.pk)
    context = {
        "trust": trust,
        "form": form,
        "webhooks": trust.webhooks.select_related("created_by").order_by("-active", "created_at", "pk"),
    }
    return render(request, "announcements/webhooks.html", context, status=400 if form.errors else 200)


@never_cache  # the page shows the secret
@login_required
@require_safe
def webhook_detail(request, slug, pk):
    trust = access.trust_for_publisher(request, slug)
    webhook = _webhook(trust, pk)
    context = {
        "trust": trust,
        "webhook": webhook,
        "log": webhook.deliveries.order_by("-created_at", "-pk")[:LOG_LENGTH],
        "total": webhook.deliveries.count(),
        "log_length": LOG_LENGTH,
    }
    return render(request, "announcements/webhook_detail.html", context)


@login_required
@require_POST
def webhook_test(request, slug, pk):
    trust = access.trust_for_publisher(request, slug)
    webhook = _webhook(trust, pk)
    try:
        delivery.enqueue_test(webhook)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Test event queued: the worker sends it shortly; reload this page to see how it went."
        )
    return redirect("console_webhook", slug=trust.slug, pk=webhook.pk)


@login_required
@require_POST
def webhook_disable(request, slug, pk):
    trust = access.trust_for_publisher(request, slug)
    webhook = delivery.disable_webhook(_webhook(trust, pk), by=request.user)
    messages.success(request, f"Disabled the webhook to {webhook.url}: nothing more is sent to it.")
    return redirect("console_webhook", slug=trust.slug, pk=webhook.pk)
