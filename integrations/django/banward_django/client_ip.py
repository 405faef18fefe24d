"""The client's address, with the semantics of @banward/web (proxy-addr): never a raw header.

Start at the socket peer (REMOTE_ADDR) and walk X-Forwarded-For from the right while the hop is a
trusted proxy; the first untrusted hop is the client. A hop a trusted proxy wrote that is not an address
makes the client unknown (None): never the proxy, which would lock out everyone behind it.
"""

import ipaddress
import re
from typing import Callable, Iterable, List, Optional, Union

IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# proxy-addr's named ranges, plus "unix": a peer without an IP address (an upstream on a Unix socket).
NAMED_RANGES = {
    "loopback": ("127.0.0.0/8", "::1/128"),
    "linklocal": ("169.254.0.0/16", "fe80::/10"),
    "uniquelocal": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
}
UNIX_PEER = "unix"


def normalize_ip(raw: Optional[str]) -> Optional[str]:
    """Canonical text of an address (IPv4-mapped IPv6 becomes IPv4, zone dropped), or None if not one."""
    if not raw:
        return None
    text = raw.strip()
    if ":" in text:  # an IPv6 zone ("fe80::1%eth0") names the host's interface, not the client
        text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


# `[v6]` or `[v6]:port`, and `v4:port`: how some proxies and load balancers write a hop. ASCII digits only;
# one quantifier before each literal, so a long hop of colons costs linear time.
_BRACKETED = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::([0-9]{1,5}))?")
_V4_PORT = re.compile(r"([0-9.]+):([0-9]{1,5})")


def parse_hop(raw: str) -> Optional[str]:
    """One X-Forwarded-For entry as an address: bare, `ip:port` or `[v6]:port` (the port dropped), else None.

    Leading zeros (`010.0.0.1`) are refused, as `ipaddress` does: inet_aton and some proxies read them as
    octal, so the entry names no one address for certain.
    """
    text = raw.strip()
    match = _BRACKETED.fullmatch(text) or _V4_PORT.fullmatch(text)
    if match:
        if match.group(2) is not None and int(match.group(2)) > 65535:
            return None
        if text.startswith("[") and ":" not in match.group(1):  # brackets hold IPv6 only
            return None
        text = match.group(1)
    return normalize_ip(text)


def parse_networks(entries: Iterable[str], setting: str) -> List[IPNetwork]:
    """CIDRs, single addresses and the named ranges above; ValueError naming `setting` on a bad entry."""
    networks: List[IPNetwork] = []
    for entry in entries:
        if not isinstance(entry, str):
            raise ValueError(f"{setting}: {entry!r} is not a string")
        for text in NAMED_RANGES.get(entry.strip().lower(), (entry.strip(),)):
            try:
                networks.append(ipaddress.ip_network(text, strict=False))
            except ValueError:
                raise ValueError(
                    f"{setting}: {entry!r} is not an address, a CIDR range or one of "
                    f"{', '.join(sorted(NAMED_RANGES))}"
                ) from None
    return networks


def in_networks(ip: str, networks: Iterable[IPNetwork]) -> bool:
    address = ipaddress.ip_address(ip)
    return any(address.version == net.version and address in net for net in networks)


class TrustedProxies:
    """Which hops may speak for the client; built once from BANWARD_TRUSTED_PROXIES."""

    def __init__(self, entries: Iterable[str] = (), setting: str = "BANWARD_TRUSTED_PROXIES"):
        entries = list(entries)
        self.trusts_unix_peer = any(isinstance(e, str) and e.strip().lower() == UNIX_PEER for e in entries)
        named = [e for e in entries if not (isinstance(e, str) and e.strip().lower() == UNIX_PEER)]
        self.networks = parse_networks(named, setting)

    @property
    def empty(self) -> bool:
        return not self.networks and not self.trusts_unix_peer

    def __call__(self, ip: str) -> bool:
        return in_networks(ip, self.networks)


def split_forwarded_for(header: Optional[str]) -> List[str]:
    """The hops of X-Forwarded-For, left to right, empty entries dropped (several headers arrive joined by ',')."""
    if not header:
        return []
    return [hop.strip() for hop in header.split(",") if hop.strip()]


def resolve_client_ip(remote_addr: Optional[str], forwarded_for: Optional[str], trusted: Callable[[str], bool],
                      trusts_unix_peer: bool = False) -> Optional[str]:
    """The client address; None when it is unknown: the peer has no address (and no Unix-socket upstream is
    trusted), or the walk reached an entry a trusted proxy wrote that is not an address."""
    client = normalize_ip(remote_addr)
    hops = list(reversed(split_forwarded_for(forwarded_for)))
    if client is None:
        if not (trusts_unix_peer and hops):
            return None
        client = parse_hop(hops.pop(0))
    for hop in hops:
        if client is None or not trusted(client):
            break
        client = parse_hop(hop)
    return client
