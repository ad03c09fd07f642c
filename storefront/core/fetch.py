"""Fetching a picture from an address a seller gave, without letting the address reach inside our network.

Server-side request forgery: a URL can name (or resolve to, or redirect to) the loopback interface, the private
network, the cloud's metadata service (169.254.169.254) and so on. Every address a host name resolves to is
checked before connecting, the connection goes to the checked address itself (so a second DNS answer cannot
swap it: DNS rebinding), and every redirect is checked the same way. Size and time are bounded.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 3
USER_AGENT = "StorefrontImageFetcher/1.0"

# Reasons, stored with a failed fetch and shown translated to the seller (catalog/image_fetches.py).
BAD_URL = "bad_url"
REFUSED_ADDRESS = "refused_address"
UNREACHABLE = "unreachable"
HTTP_ERROR = "http_error"
TOO_LARGE = "too_large"
TOO_SLOW = "too_slow"
TOO_MANY_REDIRECTS = "too_many_redirects"


class FetchRefused(Exception):
    """The address may not or could not be fetched; `reason` is one of this module's codes."""

    def __init__(self, reason: str, detail: str = "") -> None:
        """Keep the reason code and a detail for the log."""
        super().__init__(f"{reason}{': ' + detail if detail else ''}")
        self.reason = reason
        self.detail = detail

    @property
    def retryable(self) -> bool:
        """True for failures that may pass later (network, server errors); refusals are final."""
        return self.reason in (UNREACHABLE, TOO_SLOW) or (self.reason == HTTP_ERROR and self.detail.startswith("5"))


@dataclass(frozen=True)
class Policy:
    """Limits for one fetch. `allowed_networks` lets private ranges through: for tests only (a local server)."""

    max_bytes: int
    timeout: float = 10.0        # seconds per connect/read
    deadline: float = 30.0       # seconds for the whole fetch, redirects included
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


def parse_networks(text: str) -> tuple:
    """CIDR networks from a comma-separated setting ("" gives none).

    :raises ValueError: an entry is not a network.
    """
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def check_url(url: str) -> None:
    """Refuse what is not an http(s) address with a host and no credentials (no network used).

    :raises FetchRefused: BAD_URL.
    """
    _split(url)


def _split(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL.

    :raises FetchRefused: BAD_URL for anything else, or credentials in the URL.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(BAD_URL, str(exc)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise FetchRefused(BAD_URL, "only http(s) addresses with a host and no credentials")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address, policy: Policy) -> bool:
    """True for an address on the public internet, or in a network the policy allows."""
    if any(address in network for network in policy.allowed_networks):
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return address.is_global and not (address.is_multicast or address.is_reserved or address.is_loopback
                                      or address.is_link_local or address.is_private)


def resolve_public(url: str, policy: Policy) -> tuple[str, str, int, str]:
    """Check an address before anything is sent: (scheme, host, port, the IP to connect to).

    :raises FetchRefused: BAD_URL; UNREACHABLE when the host does not resolve; REFUSED_ADDRESS when any
        address it resolves to is loopback, private, link-local, multicast or reserved.
    """
    scheme, host, port = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchRefused(UNREACHABLE, f"{host}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise FetchRefused(UNREACHABLE, host)
    refused = [str(a) for a in addresses if not _public(a, policy)]
    if refused:  # every answer must be public: otherwise a second lookup could pick the private one
        raise FetchRefused(REFUSED_ADDRESS, f"{host} resolves to {', '.join(refused)}")
    return scheme, host, port, str(addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an already checked IP, verifying the certificate for the host name."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        """Connect to `ip`, speak TLS for `host`."""
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._ip = ip

    def connect(self) -> None:
        """Open the TCP connection to the checked IP, then wrap it with SNI and verification for the host."""
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to an already checked IP, with the host name in the Host header."""

    def __init__(self, host: str, ip: str, port: int, timeout: float) -> None:
        """Connect to `ip`, name `host`."""
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        """Open the TCP connection to the checked IP."""
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


def fetch(url: str, policy: Policy) -> bytes:
    """GET a public http(s) address and return its body, following up to MAX_REDIRECTS checked redirects.

    :raises FetchRefused: see resolve_public; HTTP_ERROR for a status other than 200; TOO_LARGE beyond
        policy.max_bytes; TOO_SLOW past the deadline; TOO_MANY_REDIRECTS.
    """
    started = time.monotonic()
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, ip = resolve_public(url, policy)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
        connection = connection_class(host, ip, port, policy.timeout)
        try:
            connection.request("GET", target, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchRefused(HTTP_ERROR, f"{response.status} without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchRefused(HTTP_ERROR, str(response.status))
            declared = response.getheader("Content-Length")
            if declared and declared.isdigit() and int(declared) > policy.max_bytes:
                raise FetchRefused(TOO_LARGE, f"{declared} bytes declared")
            body = bytearray()
            while len(body) <= policy.max_bytes:
                if time.monotonic() - started > policy.deadline:
                    raise FetchRefused(TOO_SLOW, f"over {policy.deadline:.0f} s")
                chunk = response.read(64 * 1024)
                if not chunk:
                    return bytes(body)
                body += chunk
            raise FetchRefused(TOO_LARGE, f"over {policy.max_bytes} bytes")
        except (TimeoutError, socket.timeout) as exc:
            raise FetchRefused(TOO_SLOW, str(exc)) from None
        except (OSError, http.client.HTTPException) as exc:
            raise FetchRefused(UNREACHABLE, f"{type(exc).__name__}: {exc}") from None
        finally:
            connection.close()
    raise FetchRefused(TOO_MANY_REDIRECTS, f"more than {MAX_REDIRECTS}")
