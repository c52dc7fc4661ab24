"""Which addresses the portal posts webhooks to: public https hosts only.

A webhook makes the portal's worker send requests wherever a trust's staff
point it, so an address must not reach the portal's own machine or network
(server-side request forgery): every address a host name resolves to must be a
public one. The check runs when the webhook is set up, for a clear message,
and again before every attempt, whose connection then goes to the very
addresses checked (DNS could answer differently a second time). Plain http is
accepted only for this machine's loopback, and only with WEBHOOK_ALLOW_LOOPBACK
(development and tests; settings refuse it in production).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

MAX_LENGTH = 500
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """Where one attempt goes: the URL's parts and the checked IP addresses to connect to, in order."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple


def _invalid(message):
    return ValidationError(message, code="webhook_address")


def _parts(url):
    if not url or len(url) > MAX_LENGTH:
        raise _invalid(f"Give an address of at most {MAX_LENGTH} characters.")
    if not url.isascii() or any(ch <= " " or ch == "\x7f" for ch in url):
        raise _invalid("The address must not contain spaces or non-ASCII characters (international names in punycode).")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _invalid("The address is not a web address such as https://example.org/hooks/privacy.") from None
    if parts.scheme not in _DEFAULT_PORTS:
        raise _invalid("The address must start with https://.")
    if parts.username is not None or parts.password is not None:
        raise _invalid("The address must not contain a user name or password: the signature proves who is sending.")
    if not parts.hostname:
        raise _invalid("The address must name a host.")
    try:
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise _invalid("The address's port must be a number from 1 to 65535.") from None
    return parts, port


def _resolve(host, port):
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _invalid(f"The host {host} could not be found.") from None
    addresses = []
    for _family, _type, _proto, _name, sockaddr in found:
        address = ipaddress.ip_address(sockaddr[0].split("%")[0])
        # An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
        addresses.append(getattr(address, "ipv4_mapped", None) or address)
    return addresses


def _public(address):
    # is_global is False for private, loopback, link-local, shared (CGNAT), documentation and reserved ranges.
    return address.is_global and not address.is_multicast


def check(url):
    """The Target for `url` if the portal may post to it now; ValidationError with a plain message if not."""
    parts, port = _parts(url)
    host = parts.hostname
    loopback = settings.WEBHOOK_ALLOW_LOOPBACK and host in LOOPBACK_HOSTS
    if parts.scheme != "https" and not loopback:
        raise _invalid("The address must start with https://.")
    addresses = _resolve(host, port)
    if not addresses or not all(address.is_loopback if loopback else _public(address) for address in addresses):
        raise _invalid(
            f"The host {host} is on a private, local or reserved network: webhooks go only to public https addresses."
        )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    unique = tuple(dict.fromkeys(str(address) for address in addresses))
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=unique)


def validate(url):
    """For forms: raise ValidationError unless `url` is an address the portal may post to."""
    check(url)
