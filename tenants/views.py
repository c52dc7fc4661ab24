from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tenants.models import Domain, School, Trust


def host_url(request, domain, path="/"):
    """An address on another of the portal's hosts, keeping the scheme and port the visitor used (e.g. :8000 in dev)."""
    host = request.get_host()
    port = ":" + host.rsplit(":", 1)[1] if ":" in host else ""
    return f"{request.scheme}://{domain}{port}{path}"


def school_url(request, school):
    """The address of `school`'s own host."""
    domain = next((d.domain for d in school.domains.all() if d.is_primary), None)
    return host_url(request, domain) if domain else None


@require_safe
def directory(request):
    trusts = Trust.objects.prefetch_related(
        Prefetch(
            "schools", queryset=School.objects.prefetch_related(Prefetch("domains", queryset=Domain.objects.all()))
        )
    )
    listing = [(trust, [(school, school_url(request, school)) for school in trust.schools.all()]) for trust in trusts]
    return render(request, "tenants/directory.html", {"trusts": listing})


@require_safe
def healthz(request):
    """For load balancers and as the benchmark's minimal Django view: fixed bytes, no database."""
    return HttpResponse(b"ok\n", content_type="text/plain")
