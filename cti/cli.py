"""Subcommands for the telephony side: the demo PBX and the CTI bridge."""
from __future__ import annotations

import asyncio
import logging
import signal

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser("pbx", help="lancer le PBX de démonstration (serveur AMI)")
    p.add_argument("--port", type=int, help="port AMI (défaut : [demo_pbx] port)")
    p.add_argument("--calls-per-minute", type=float, help="appels entrants simulés par minute")
    p.set_defaults(handler=cmd_pbx)

    p = sub.add_parser("bridge", help="lancer le pont CTI (AMI → bus Redis)")
    p.set_defaults(handler=cmd_bridge)


def demo_callers(cfg, limit: int = 500) -> list[tuple[str, str]]:
    """(number, name) of demo customers, so that simulated calls pop known records."""
    from sqlalchemy import select

    from console.models import Customer, Phone
    from console.services import session_factory

    with session_factory(cfg)() as s:
        rows = s.execute(select(Phone.raw, Customer).join(Customer)
                         .where(Phone.contact_id.is_(None)).order_by(Phone.id).limit(limit)).all()
    return [(raw.replace(" ", "").replace(".", ""), c.display_name_plain) for raw, c in rows]


def build_pbx_server(cfg, port: int | None = None):
    from cti.demo_pbx.pbx import DemoPBX, Timing
    from cti.demo_pbx.server import AMIServer

    d = cfg.section("demo_pbx")
    timing = Timing(ring_seconds=d["ring_seconds"], talk_seconds=sum(d["talk_seconds"]) / 2,
                    member_timeout=d["member_timeout_seconds"], retry_seconds=d["retry_seconds"],
                    no_answer_odds=d["ring_no_answer_odds"])
    queues = {name: {"strategy": q.get("strategy", "rrmemory"),
                     "members": [tuple(m) for m in q.get("members", [])]}
              for name, q in d["queues"].items()}
    users = {cfg.get("ami.username"): cfg.get("ami.secret")}
    return AMIServer(lambda emit: DemoPBX(queues, emit, timing, seed=d["seed"]), users,
                     host=d["host"], port=port or d["port"],
                     trace_path=d.get("trace_file") or None)


async def run_pbx(cfg, port: int | None = None, calls_per_minute: float | None = None,
                  stop: asyncio.Event | None = None) -> None:
    from cti.demo_pbx.traffic import TrafficGenerator

    d = cfg.section("demo_pbx")
    server = await build_pbx_server(cfg, port).start()
    try:
        callers = demo_callers(cfg)
    except Exception as exc:  # no database yet: unknown callers only
        log.warning("demo PBX: no demo customers (%s)", exc)
        callers = []
    traffic = TrafficGenerator(server.pbx, list(d["queues"]), callers,
                               d["calls_per_minute"] if calls_per_minute is None
                               else calls_per_minute,
                               d["unknown_caller_odds"], d["abandon_odds"],
                               tuple(d["talk_seconds"]), tuple(d["patience_seconds"]),
                               seed=d["seed"])
    task = asyncio.create_task(traffic.run())
    print(f"PBX de démonstration : AMI sur {server.host}:{server.port}, "
          f"{traffic.rate:g} appels/min, {len(callers)} appelants connus", flush=True)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        task.cancel()
        await server.stop()


def _run_until_signal(coro_factory) -> int:
    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await coro_factory(stop)
    asyncio.run(main())
    return 0


def cmd_pbx(cfg, args) -> int:
    return _run_until_signal(lambda stop: run_pbx(cfg, args.port, args.calls_per_minute, stop))


def cmd_bridge(cfg, args) -> int:
    from config.redis_service import connect
    from cti.bridge import Bridge

    async def run(stop):
        bridge = Bridge(cfg, connect(cfg))
        print(f"Pont CTI : AMI {cfg.get('ami.host')}:{cfg.get('ami.port')} → bus Redis",
              flush=True)
        runner = asyncio.create_task(bridge.run())
        await stop.wait()
        bridge.stop()
        await runner
    return _run_until_signal(run)
