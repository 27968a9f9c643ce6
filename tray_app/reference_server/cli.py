"""``tray-app-server``: run the reference server in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from .config import DEMO_EMAIL, DEMO_PASSWORD, FLAVORS, FaultConfig, ServerConfig
from .runner import RunningServer, start_in_thread


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tray-app-server",
        description="A local server that speaks the mail server's notification API.",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default %(default)s)"
    )
    parser.add_argument("--port", type=int, default=0, help="port; 0 picks a free one")
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    parser.add_argument("--db", metavar="PATH", help="SQLite file (default: a temporary one)")
    parser.add_argument("--flavor", choices=FLAVORS, default="observed")
    parser.add_argument(
        "--seed-demo", action="store_true", help=f"create {DEMO_EMAIL} with history"
    )
    parser.add_argument(
        "--simulate", type=float, default=0.0, metavar="RATE", help="events per minute"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the simulation and the demo")
    parser.add_argument("--token-ttl", type=int, default=900, metavar="SECONDS")
    parser.add_argument("--heartbeat", type=float, default=15.0, metavar="SECONDS")
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--rate-per-min", type=int, default=100)
    parser.add_argument(
        "--no-stream",
        action="store_true",
        help="answer 404 on /api/notifications/stream, like the deployed server",
    )
    parser.add_argument(
        "--test-control", action="store_true", help="serve /api/_test/* (loopback only)"
    )
    _add_fault_options(parser)
    parser.add_argument("--log-level", default="INFO")
    return parser


def _add_fault_options(parser: argparse.ArgumentParser) -> None:
    faults = parser.add_argument_group("fault injection")
    faults.add_argument("--latency", type=float, default=0.0, metavar="SECONDS")
    faults.add_argument("--error-rate", type=float, default=0.0, metavar="SHARE")
    faults.add_argument("--burst-429", type=int, default=0, metavar="N")
    faults.add_argument("--burst-retry-after", type=int, default=1, metavar="SECONDS")
    faults.add_argument("--drop-rate", type=float, default=0.0, metavar="SHARE")
    faults.add_argument("--malformed-rate", type=float, default=0.0, metavar="SHARE")
    faults.add_argument("--fault-path", action="append", default=[], metavar="PREFIX",
                        help="only inject faults under this path (repeatable)")  # fmt: skip


def config_from_args(args: argparse.Namespace) -> ServerConfig:
    faults = FaultConfig().updated(
        {
            "latency_s": args.latency,
            "error_rate": args.error_rate,
            "burst_429": args.burst_429,
            "burst_retry_after_s": args.burst_retry_after,
            "drop_rate": args.drop_rate,
            "malformed_rate": args.malformed_rate,
            "paths": list(args.fault_path),
        }
    )
    return ServerConfig(
        host=args.host,
        port=args.port,
        db_path=args.db,
        flavor=args.flavor,
        token_ttl_s=args.token_ttl,
        rate_limit=not args.no_rate_limit,
        rate_per_min=args.rate_per_min,
        heartbeat_s=args.heartbeat,
        seed_demo=args.seed_demo,
        simulate_rate=args.simulate,
        seed=args.seed,
        test_control=args.test_control,
        allow_remote=args.allow_remote,
        faults=faults,
        notification_stream=not args.no_stream,
    )


def _announce(server: RunningServer) -> None:
    print(f"Reference server listening on {server.url} ({server.config.flavor} flavor)")
    print(f"Database: {server.db_path}")
    if server.config.seed_demo:
        print(f"Demo account: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    print("Press Ctrl+C to stop.", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        config = config_from_args(args)
        server = start_in_thread(config)
    except ValueError as exc:
        print(f"tray-app-server: {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:
        print(f"tray-app-server: cannot start: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _announce(server)
        while not stop.wait(0.5):
            if not server.running:
                print("tray-app-server: the server stopped unexpectedly", file=sys.stderr)
                return 1
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.close()
