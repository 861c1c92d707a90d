"""``kinde-iac emulator``: serve the Kinde Management API emulator until SIGINT/SIGTERM."""
from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from kinde_iac.emulator.server import DEFAULT_CLIENT_ID, start_background
from kinde_iac.emulator.store import DataFileInUse

LISTENING = "Kinde emulator listening on"  # first line of output; scripts parse the URL from it

_RATE = click.FloatRange(0.0, 1.0)


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. Loopback unless you ask for more.")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one.")
@click.option("--data", "data", type=click.Path(dir_okay=False), default=None,
              help="SQLite file keeping state across restarts (default: in memory).")
@click.option("--rate-limit", type=click.FloatRange(0.0), default=0.0, metavar="RPS",
              help="Token-bucket limit in requests per second; 0 = off.")
@click.option("--latency-ms", type=click.FloatRange(0.0), default=0.0, metavar="MS", help="Added latency per request.")
@click.option("--fail-rate", type=_RATE, default=0.0, metavar="P", help="Fraction of requests answered 500.")
@click.option("--drop-rate", type=_RATE, default=0.0, metavar="P",
              help="Fraction of connections closed without a response.")
@click.option("--client-id", default=DEFAULT_CLIENT_ID, show_default=True, metavar="ID",
              help="M2M client id of the first environment (others get -<CODE> appended).")
@click.option("--client-secret", default=None, metavar="SECRET",
              help="M2M client secret (generated and kept in --data when omitted).")
@click.option("--environment", "environments", multiple=True, metavar="CODE",
              help="Environment code; repeat for several. The first is the default. [default: production]")
def emulator_command(host: str, port: int, data: str | None, rate_limit: float, latency_ms: float,
                     fail_rate: float, drop_rate: float, client_id: str, client_secret: str | None,
                     environments: tuple[str, ...]) -> None:
    """Run a local Kinde Management API emulator (for demos and tests)."""
    codes = list(dict.fromkeys(environments)) or ["production"]
    stop = threading.Event()

    def request_stop(signum: int, frame: Any) -> None:
        stop.set()

    # Installed before starting so a signal during start-up also ends in a clean exit.
    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        emulator = start_background(host=host, port=port, data=data, rate_limit=rate_limit or None,
                                    latency_ms=latency_ms, fail_rate=fail_rate, drop_rate=drop_rate,
                                    client_id=client_id, client_secret=client_secret, environments=codes)
    except DataFileInUse as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    out = [
        f"{LISTENING} {emulator.url}",
        f"Environments: {', '.join(emulator.environments)} (default: {emulator.environments[0]})",
    ]
    for code in emulator.environments:
        cid, secret = emulator.credentials(code)
        line = f"  {code}: client_id={cid}"
        if emulator.secret_generated:
            line += f" client_secret={secret}"
        out.append(line)
    out += [
        f"Token endpoint: {emulator.token_url} (audience {emulator.audience})",
        f"State: {data if data else 'in memory'}",
        "Control routes: /_emulator/reset, /_emulator/state, /_emulator/stats, /_emulator/faults",
        "Press Ctrl+C to stop.",
    ]
    click.echo("\n".join(out))
    sys.stdout.flush()
    try:
        # A timed wait so the main thread keeps running Python code and sees signals promptly.
        while not stop.wait(0.5):
            pass
    finally:
        emulator.stop()
    click.echo("Kinde emulator stopped.")
