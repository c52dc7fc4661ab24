"""The subscription pages on a school's host: the form, the confirm and unsubscribe buttons, the privacy information.

No GET changes anything (mail scanners open every link): the links in emails
lead to a page with one button that POSTs. None of these pages is kept by the
page cache (notices.cache keeps only what the notice views hand it), and the
notice pages link here, so they carry no CSRF token and stay cacheable.
"""

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from notices import selectors as notice_selectors
from notices.views import chrome
from subscriptions import acts, selectors, tokens
from subscriptions.forms import SubscribeForm
from subscriptions.models import Subscriber


def _subscribable(slug):
    """The current version of the notice at `slug`: only a notice parents can read now can be subscribed to."""
    try:
        return notice_selectors.get_current_version(slug)
    except notice_selectors.Gone:
        # Said as notices.selectors says it for an address with no notice.
        raise Http404("There is no notice at this address.") from None


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request, slug):
    version = _subscribable(slug)
    form = SubscribeForm(request.POST if request.method == "POST" else None)
    context = {
        "chrome": chrome(version.document),
        "slug": slug,
        "form": form,
        "days": settings.SUBSCRIPTION_CONFIRM_DAYS,
    }
    if request.method == "POST":
        if form.is_valid():
            email = acts.normalise(form.cleaned_data["email"])
            acts.subscribe(version.notice, email, ip=get_client_ip_address(request))
            # The same page whatever the address's state: acts.subscribe tells nobody what it did.
            return render(request, "subscriptions/check_email.html", {**context, "email": email})
        return render(request, "subscriptions/subscribe.html", context, status=400)
    return render(request, "subscriptions/subscribe.html", context)


def _bad_link(request, status):
    return render(request, "subscriptions/bad_link.html", {"chrome": chrome(school=request.tenant)}, status=status)


def _link_page(request, template, subscriber, done):
    context = {
        "chrome": chrome(school=request.tenant),
        "title": selectors.notice_title(subscriber.notice),
        "slug": subscriber.notice.slug,
        "done": done,
    }
    return render(request, template, context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        pk = tokens.read_confirm(token)
    except tokens.BadToken:
        return _bad_link(request, 400)
    subscriber = Subscriber.objects.select_related("notice").filter(pk=pk, unsubscribed_at__isnull=True).first()
    if subscriber is None:  # expired and deleted, or unsubscribed since
        return _bad_link(request, 404)
    if request.method == "POST":
        acts.confirm(subscriber)
        return _link_page(request, "subscriptions/confirm.html", subscriber, done=True)
    return _link_page(request, "subscriptions/confirm.html", subscriber, done=subscriber.confirmed_at is not None)


# RFC 8058: a mail client's one-click POST carries no CSRF token. Exempt, this view does one thing only, to the
# token's own subscriber: unsubscribe. A forged request would need the signed token, which is the secret.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    try:
        pk = tokens.read_unsubscribe(token)
    except tokens.BadToken:
        return _bad_link(request, 400)
    subscriber = Subscriber.objects.select_related("notice").filter(pk=pk).first()
    if subscriber is None:
        return _bad_link(request, 404)
    if request.method == "POST":
        acts.unsubscribe(subscriber)
        return _link_page(request, "subscriptions/unsubscribe.html", subscriber, done=True)
    return _link_page(
        request, "subscriptions/unsubscribe.html", subscriber, done=subscriber.unsubscribed_at is not None
    )


@require_safe
def subscriber_privacy(request):
    school = request.tenant
    context = {
        "chrome": chrome(school=school),
        "school": school,
        "trust": school.trust,
        "days": settings.SUBSCRIPTION_CONFIRM_DAYS,
    }
    return render(request, "subscriptions/privacy.html", context)
