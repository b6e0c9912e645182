"""Subcommands for the web console."""
from __future__ import annotations

import os
import subprocess
import sys


def register(sub) -> None:
    p = sub.add_parser("demo", help="démonstration : données, PBX simulé, pont CTI, console web")
    p.add_argument("--calls-per-minute", type=float, help="appels simulés par minute")
    p.add_argument("--no-web", action="store_true", help="sans la console web (terminal seul)")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("web", help="lancer la console web (gunicorn)")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(handler=cmd_web)

    p = sub.add_parser("create-user", help="créer un compte (agent, supervisor, admin)")
    p.add_argument("username")
    p.add_argument("--name", required=True)
    p.add_argument("--role", default="agent", choices=["agent", "supervisor", "admin"])
    p.add_argument("--extension")
    p.add_argument("--queues", default="", help="files séparées par des virgules")
    p.set_defaults(handler=cmd_create_user)


def gunicorn_command(cfg, host: str | None = None, port: int | None = None) -> list[str]:
    """Served by gunicorn with threads: real websockets and no Nagle delay (see stack notes)."""
    bind = f"{host or cfg.get('web.host')}:{port or cfg.get('web.port')}"
    return [sys.executable, "-m", "gunicorn", "-w", "1", "--threads", "100", "-b", bind,
            "--access-logfile", "-", "web.wsgi:app"]


def cmd_web(cfg, args) -> int:
    from config.redis_service import redis_url
    env = {**os.environ, "RELAIS_REDIS__URL": redis_url(cfg)}
    return subprocess.call(gunicorn_command(cfg, args.host, args.port), env=env)


def cmd_create_user(cfg, args) -> int:
    import getpass

    from console.services import session_factory
    from console.users import UserError, create_user

    password = os.environ.get("RELAIS_NEW_PASSWORD") or getpass.getpass("Mot de passe : ")
    with session_factory(cfg)() as session:
        try:
            create_user(session, args.username, password, args.name, args.role, args.extension,
                        [q.strip() for q in args.queues.split(",") if q.strip()])
        except UserError as exc:
            print(f"relais: {exc}", file=sys.stderr)
            return 1
        session.commit()
    print(f"compte {args.username} créé")
    return 0


def demo_users(cfg) -> list[tuple[str, str, str]]:
    """Create the demo console accounts, or give them a new password: (username, role, pwd)."""
    import secrets

    from sqlalchemy import select

    from console.models import User
    from console.services import session_factory
    from console.users import create_user
    from werkzeug.security import generate_password_hash

    out = []
    with session_factory(cfg)() as session:
        for spec in cfg.get("demo.users", []):
            password = secrets.token_urlsafe(9)
            user = session.scalar(select(User).where(User.username == spec["username"]))
            if user is None:
                create_user(session, spec["username"], password, spec["name"], spec["role"],
                            spec.get("extension"), spec.get("queues", []))
            else:
                user.password_hash = generate_password_hash(password)
            out.append((spec["username"], spec["role"], password))
        session.commit()
    return out


def cmd_demo(cfg, args) -> int:
    """Everything at once: the demo PBX, the bridge and the web console as their own
    processes, simulated colleagues logged in to the queues, the live call flow in this
    terminal."""
    import signal
    import time

    from config.redis_service import connect, redis_url
    from console.cli import _Args, cmd_demo_data

    def interrupt(*_):
        raise KeyboardInterrupt
    # Ctrl-C, and also a plain kill, stop every part (a background shell ignores SIGINT).
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    from console.monitor import run_monitor
    from console.services import session_factory
    from cti.bus import CommandClient, CommandError

    cmd_demo_data(cfg, _Args(customers=None, seed=None, today=None, reset=False, if_empty=True,
                             no_progress=False))
    from console.cli import cmd_scores
    from console.segmentation.engine import latest_run
    with session_factory(cfg)() as session:
        scored = latest_run(session) is not None
    if not scored:
        cmd_scores(cfg, _Args(today=None, no_progress=False))
    accounts = [] if args.no_web else demo_users(cfg)
    env = {**os.environ, "RELAIS_REDIS__URL": redis_url(cfg)}
    base = [sys.executable, "-m", "relais"] + (["--config", args.config] if args.config else [])
    pbx_cmd = base + ["pbx"] + (["--calls-per-minute", str(args.calls_per_minute)]
                                if args.calls_per_minute is not None else [])
    children = [subprocess.Popen(pbx_cmd, env=env), subprocess.Popen(base + ["bridge"], env=env)]
    if not args.no_web:
        children.append(subprocess.Popen(gunicorn_command(cfg), env=env))
    try:
        client = CommandClient(connect(cfg), cfg.get("cti.commands_stream"), timeout=5)
        template = cfg.get("cti.agent_interface")
        for agent in cfg.get("demo.agents", []):
            for _ in range(40):
                try:
                    client.request("queue_login", interface=template.format(**agent),
                                   queues=agent["queues"], member_name=agent["name"])
                    print(f"{agent['name']} connecté(e) aux files {', '.join(agent['queues'])}")
                    break
                except CommandError:
                    time.sleep(0.5)
        if accounts:
            url = f"http://{cfg.get('web.host')}:{cfg.get('web.port')}/"
            print(f"\nConsole web : {url}")
            for username, role, password in accounts:
                print(f"  {role:<11} identifiant {username:<12} mot de passe {password}")
        print("\nAppels en direct (Ctrl-C pour arrêter) :", flush=True)
        run_monitor(cfg, connect(cfg), session_factory(cfg))
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0
