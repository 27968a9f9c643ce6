"""TLS: an untrusted certificate is refused with a clear message, never ignored; the
user's CA file (``--ca-bundle`` or the ``ca_bundle`` setting) makes it trusted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tray_app.api.client import ApiClient
from tray_app.api.errors import TlsError
from tray_app.reference_server import RunningServer
from tray_app.ui.messages import login_error_text

from .harness import EMAIL, PASSWORD, Rows, TrayApp, run_cli, set_settings
from .results import RunResult
from .tls_certs import make_authority, make_leaf


@pytest.fixture
def tls_server(server_factory, tmp_path: Path) -> RunningServer:
    """A server whose certificate is signed by the test's own CA (tmp_path/test-ca.pem)."""
    ca = make_authority(tmp_path, "test-ca")
    leaf = make_leaf(tmp_path, "server", ca)
    server = server_factory(
        test_control=True,
        notification_stream=False,
        ssl_certfile=leaf.certfile,
        ssl_keyfile=leaf.keyfile,
    )
    server.create_user(EMAIL, PASSWORD)
    return server


def login_with(url: str, verify: bool | str) -> str:
    """Sign in with the API client; "ok", or the message of the TLS error raised."""

    async def attempt() -> str:
        async with ApiClient(url, verify=verify) as client:
            try:
                await client.login(EMAIL, PASSWORD)
            except TlsError as exc:
                return exc.message
            return "ok"

    return asyncio.run(attempt())


def test_certificates_are_checked_against_the_chosen_authority(
    tls_server: RunningServer,
    server_factory,
    tmp_path: Path,
) -> None:
    assert tls_server.url.startswith("https://")
    ca = str(tmp_path / "test-ca.pem")
    refused = login_with(tls_server.url, True)  # the system's authorities only
    assert refused != "ok" and "certificate" in refused
    assert login_with(tls_server.url, ca) == "ok"

    other = make_authority(tmp_path, "other-ca")
    assert login_with(tls_server.url, str(other.pem)) != "ok"  # trusting another CA

    for name, issuer, ip in (("self-signed", None, "127.0.0.1"), ("wrong-host", "ca", "")):
        authority = make_authority(tmp_path, f"{name}-ca") if issuer else None
        leaf = make_leaf(tmp_path, name, authority, ip=ip)
        server = server_factory(ssl_certfile=leaf.certfile, ssl_keyfile=leaf.keyfile)
        verify = str(authority.pem) if authority else True
        assert login_with(server.url, verify) != "ok", name

    # The login dialog says what happened, in words a user can act on.
    assert "certificate" in login_error_text(TlsError(refused), totp_sent=False)


@pytest.mark.desktop
@pytest.mark.timeout(120)
def test_the_app_needs_the_ca_file_to_trust_a_private_server(
    tls_server: RunningServer, make_app, session_bus, tmp_path: Path, results
) -> None:
    ca = str(tmp_path / "test-ca.pem")
    app: TrayApp = make_app()
    refused = run_cli(
        app.env,
        "login",
        "--server",
        tls_server.url,
        "--email",
        EMAIL,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert refused.returncode != 0
    assert "certificate could not be verified" in refused.stderr, refused.stderr

    accepted = run_cli(
        app.env,
        "--ca-bundle",
        ca,
        "login",
        "--server",
        tls_server.url,
        "--email",
        EMAIL,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert accepted.returncode == 0, accepted.stderr
    Rows(tls_server, verify=ca).add(2)

    # The stored session without the CA: offline, the reason in the log, no data shown.
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "Offline", timeout=60)
    assert "certificate could not be verified" in app.log_text()
    assert app.stop() == 0

    set_settings(app.env, ca_bundle=ca)  # the setting the preferences dialog writes
    app.start(session_bus).wait_item(session_bus)
    app.wait_tooltip(session_bus, "2 unread", timeout=60, absent="Offline")
    assert app.stop() == 0
    results.record(
        RunResult(
            "TLS with a private CA",
            group="security",
            notes="refused (clear message, no data) until --ca-bundle or the ca_bundle "
            "setting names the CA; other CAs, self-signed and wrong-host certificates refused",
        )
    )
