"""Command line: ``tray-app`` runs the tray app; ``login``, ``logout`` and ``status`` script it.

``tray-app login`` works like ``docker login``: it signs in once (the password from
standard input with ``--password-stdin``), stores the token and the password in the OS
keyring, and a plain ``tray-app`` then starts signed in with no dialog. The GUI modules
are imported only when the GUI runs, so the scripting commands stay quick.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from collections.abc import Sequence
from typing import Any

from tray_app import __version__
from tray_app.api.client import ApiClient
from tray_app.api.errors import ApiError, NetworkError, TotpRequired
from tray_app.core.urls import normalize_server_url
from tray_app.credentials import KeyringCredentialStore
from tray_app.paths import AppPaths
from tray_app.services.account import AccountManager
from tray_app.settings import SettingsStore

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_SIGNED_OUT = 3
EXIT_UNREACHABLE = 4


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tray-app",
        description="Unread notifications of your mail-management server in the system tray.",
    )
    parser.add_argument("--version", action="version", version=f"tray-app {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="run a built-in demo server with sample data and sign in to it (nothing is saved)",
    )
    parser.add_argument("--server", metavar="URL", help="server to sign in to (prefills the login)")
    parser.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log verbosity (default: the log_level setting, INFO)",
    )
    parser.add_argument(
        "--ca-bundle", metavar="PATH", help="CA certificates to trust for the server (PEM file)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    login = sub.add_parser("login", help="sign in and store the credentials in the keyring")
    login.add_argument("--server", dest="login_server", metavar="URL", required=True)
    login.add_argument("--email", required=True)
    login.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    login.add_argument("--totp", metavar="CODE", help="two-factor code, if the account needs one")
    login.add_argument(
        "--no-remember",
        action="store_true",
        help="store only the token (15 minutes); the app will ask again later",
    )

    sub.add_parser("logout", help="sign out and delete the stored credentials")
    status = sub.add_parser("status", help="show the account, the unread count and the connection")
    status.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in ("login", "logout", "status"):
        return asyncio.run(_run_command(args))
    from tray_app.app import run_app  # the GUI is imported only when it runs

    return run_app(args)


def _accounts(ca_bundle: str | None = None) -> AccountManager:
    paths = AppPaths()
    settings = SettingsStore(paths.config_file("settings.json"))
    verify: bool | str = ca_bundle or settings.load().ca_bundle or True

    def factory(url: str) -> ApiClient:
        return ApiClient(url, verify=verify)

    return AccountManager(settings, KeyringCredentialStore(), factory)


async def _run_command(args: argparse.Namespace) -> int:
    accounts = _accounts(args.ca_bundle)
    if args.command == "login":
        return await _login(accounts, args)
    if args.command == "logout":
        restored = await accounts.restore()
        await accounts.sign_out(restored[0] if restored else None)
        if restored:
            await restored[0].aclose()
        print("Signed out.")
        return EXIT_OK
    return await _status(accounts, as_json=args.json)


async def _login(accounts: AccountManager, args: argparse.Namespace) -> int:
    try:
        server = normalize_server_url(args.login_server)
    except ValueError as exc:
        print(f"tray-app: invalid server URL: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.email}: ")
    try:
        client, _ = await accounts.sign_in(
            server, args.email, password, totp=args.totp, remember=not args.no_remember
        )
    except TotpRequired:
        print("tray-app: this account needs a two-factor code: add --totp CODE", file=sys.stderr)
        return EXIT_ERROR
    except ApiError as exc:
        print(f"tray-app: sign-in failed: {exc.message}", file=sys.stderr)
        return EXIT_UNREACHABLE if isinstance(exc, NetworkError) else EXIT_ERROR
    await client.aclose()
    if accounts.keyring_problem:
        print(
            f"tray-app: warning: no usable keyring ({accounts.keyring_problem}); "
            "the credentials were not saved",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(f"Signed in to {server} as {args.email}.")
    return EXIT_OK


async def _status(accounts: AccountManager, *, as_json: bool) -> int:
    account = accounts.account
    report: dict[str, Any] = {
        "server": account.server_url if account else None,
        "user": account.email if account else None,
        "unread": None,
        "connection": "signed_out",
    }
    code = EXIT_SIGNED_OUT
    try:
        restored = await accounts.restore()
        if restored is not None:
            client = restored[0]
            try:
                page = await client.list_notifications(limit=1)
                report["unread"] = page.unread_count
                report["connection"] = "online"
                code = EXIT_OK
            finally:
                await client.aclose()
    except NetworkError as exc:
        report["connection"] = "unreachable"
        report["error"] = exc.message
        code = EXIT_UNREACHABLE
    except ApiError as exc:
        report["connection"] = "error"
        report["error"] = exc.message
        code = EXIT_ERROR
    _print_status(report, as_json=as_json)
    return code


def _print_status(report: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report))
        return
    print(f"Server:     {report['server'] or '-'}")
    print(f"User:       {report['user'] or '-'}")
    print(f"Connection: {report['connection']}")
    if report["unread"] is not None:
        print(f"Unread:     {report['unread']}")
    if "error" in report:
        print(f"Error:      {report['error']}")
