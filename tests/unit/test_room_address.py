"""The join address a room can reach, and what `brewslm serve --host 0.0.0.0` says about it."""
from __future__ import annotations

import pytest
from starlette.requests import Request

from app.settings import Settings
from app.web import room
from app.web.room import is_loopback, room_address


def request_for(host: str, scheme: str = "http") -> Request:
    name, _, port = host.partition(":")
    return Request({"type": "http", "scheme": scheme, "server": (name, int(port or 80)), "path": "/api/classes",
                    "root_path": "", "query_string": b"", "headers": [(b"host", host.encode())]})


def test_a_configured_public_address_wins():
    address = room_address(request_for("127.0.0.1:8000"), Settings(public_url="https://class.example.org/"))
    assert address.base == "https://class.example.org" and address.reachable


def test_the_address_the_instructor_used_when_it_is_not_this_computer():
    address = room_address(request_for("192.168.1.20:8000"), Settings())
    assert address.base == "http://192.168.1.20:8000" and address.reachable


def test_listening_everywhere_offers_the_machines_network_address(monkeypatch):
    monkeypatch.setattr(room, "lan_addresses", lambda: ["10.0.0.7", "172.17.0.1"])
    address = room_address(request_for("localhost:8123"), Settings(host="0.0.0.0"))
    assert address.base == "http://10.0.0.7:8123" and address.reachable


def test_loopback_only_is_said_plainly(monkeypatch):
    monkeypatch.setattr(room, "lan_addresses", lambda: ["10.0.0.7"])     # ignored: the server listens on 127.0.0.1
    address = room_address(request_for("127.0.0.1:8000"), Settings(host="127.0.0.1"))
    assert address.base == "http://127.0.0.1:8000" and not address.reachable
    assert "brewslm serve --host 0.0.0.0" in address.note


@pytest.mark.parametrize("host,loop", [("127.0.0.1", True), ("127.8.9.1", True), ("localhost", True), ("[::1]", True),
                                       ("::1", True), ("192.168.1.20", False), ("class.example.org", False)])
def test_loopback_names(host, loop):
    assert is_loopback(host) is loop


def test_lan_addresses_are_real_non_loopback_ipv4_addresses():
    import ipaddress

    for address in room.lan_addresses():
        parsed = ipaddress.ip_address(address)
        assert parsed.version == 4 and not parsed.is_loopback and not parsed.is_unspecified


def test_serving_on_every_interface_prints_where_the_room_joins(monkeypatch, capsys):
    from app import cli

    monkeypatch.setattr(room, "lan_addresses", lambda: ["192.168.1.20"])
    cli._say_where_the_room_can_reach("0.0.0.0", 8000)
    out = capsys.readouterr().out
    assert "http://192.168.1.20:8000" in out and "http://192.168.1.20:8000/join" in out
    cli._say_where_the_room_can_reach("127.0.0.1", 8000)
    assert capsys.readouterr().out == ""


def test_the_rooms_addresses_are_hosts_the_app_answers(monkeypatch, test_settings):
    import httpx

    from app.main import create_app
    from tests.live_server import serve

    monkeypatch.setattr(room, "lan_addresses", lambda: ["192.168.1.20"])
    assert room.room_hosts(Settings(host="0.0.0.0", public_url="http://Class.Example.org:8000")) == \
        {"192.168.1.20", "class.example.org"}
    assert room.room_hosts(Settings(host="127.0.0.1")) == set()
    with serve(create_app(test_settings.model_copy(update={"host": "0.0.0.0"}))) as url:
        assert httpx.get(f"{url}/healthz", headers={"host": "192.168.1.20:8000"}).status_code == 200
        assert httpx.get(f"{url}/healthz", headers={"host": "192.168.1.99:8000"}).status_code == 400
