"""The address a room's phones and laptops can reach this server at, for the join link and QR code.

`brewslm serve` listens on 127.0.0.1 unless told otherwise: then only this computer can open the join
link, and the class panel says so. Served with `--host 0.0.0.0`, the server is reachable on the
machine's network address, which is found here without sending a packet (a UDP socket's `connect`
only picks the interface a packet would leave by).
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import Request

from app.settings import Settings

ALL_INTERFACES = {"0.0.0.0", "::", ""}
# Documentation and private ranges: connect() on UDP sends nothing, it only asks the routing table.
_PROBES = ("192.0.2.1", "10.255.255.255")


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses, the routed one first."""
    found: list[str] = []
    for probe in _PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((probe, 9))
                found.append(s.getsockname()[0])
        except OSError:
            continue
    try:
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    return [a for a in dict.fromkeys(found) if not is_loopback(a) and a != "0.0.0.0"]


def room_hosts(settings: Settings) -> set[str]:
    """Host names the room may use to reach this server, for the Host check (app/web/hosts.py): the
    machine's network addresses when it listens on every interface, and BREWSLM_PUBLIC_URL's name."""
    names = set(lan_addresses()) if settings.host in ALL_INTERFACES else set()
    if settings.public_url and urlsplit(settings.public_url).hostname:
        names.add(urlsplit(settings.public_url).hostname.lower())
    return names


@dataclass(frozen=True)
class RoomAddress:
    base: str              # e.g. "http://192.168.1.20:8000"
    reachable: bool        # False: only this computer can open it
    note: str              # what the instructor should know about it


def room_address(request: Request, settings: Settings) -> RoomAddress:
    """Where learners should go: the configured public URL; else the address the instructor used, when
    it is not this computer's loopback; else the machine's network address when the server listens on
    every interface; else the loopback address, marked unreachable."""
    if settings.public_url:
        return RoomAddress(settings.public_url.rstrip("/"), True, "the configured address (BREWSLM_PUBLIC_URL)")
    url = urlsplit(str(request.base_url))
    port = url.port or (443 if url.scheme == "https" else 80)
    if not is_loopback(url.hostname or ""):
        return RoomAddress(f"{url.scheme}://{url.netloc}", True, "the address this page was opened at")
    addresses = lan_addresses() if settings.host in ALL_INTERFACES else []
    if addresses:
        return RoomAddress(f"{url.scheme}://{addresses[0]}:{port}", True, "this computer's network address")
    return RoomAddress(f"{url.scheme}://{url.netloc}", False,
                       f"the server listens on {settings.host} only. Serve the class with "
                       "brewslm serve --host 0.0.0.0 so the room's phones and laptops can reach it")
