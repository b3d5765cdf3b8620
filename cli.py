"""`cityeye` command line: serve, user, probe, analyze, count, migrate."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config import ConfigError, Settings, format_validation_error


def prepare_runtime_env(data_dir: Path, offline: bool) -> None:
    """Keep Ultralytics' and matplotlib's caches inside the data dir, never let Ultralytics pip-
    install at run time, and keep it offline when weights come from a models dir (on a connected
    machine without one, Ultralytics downloads the official weights)."""
    data_dir = data_dir.resolve()
    yolo_dir = Path(os.environ.setdefault("YOLO_CONFIG_DIR", str(data_dir / "ultralytics")))
    os.environ.setdefault("MPLCONFIGDIR", str(data_dir / "matplotlib"))
    if offline:
        os.environ.setdefault("YOLO_OFFLINE", "1")
    os.environ.setdefault("YOLO_AUTOINSTALL", "False")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    font = yolo_dir / "Ultralytics" / "Arial.ttf"
    if not font.exists():
        try:
            import matplotlib
        except ImportError:
            return
        src = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
        font.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, font)


def _settings(**overrides: Any) -> Settings:
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        raise ConfigError(format_validation_error("settings (CITYEYE_* / options)", exc)) from exc


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from server import create_app

    settings = _settings(host=args.host, port=args.port, demo_dir=args.demo,
                         config_file=args.config, data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    prepare_runtime_env(settings.data_dir, offline=settings.models_dir is not None)
    settings.demo_clips()  # fail early with a clear message on a bad --demo folder
    if settings.config_file is not None:
        from config import load_site_config

        load_site_config(settings.config_file)
    print(f"CityEye 城区之眼: http://{settings.host}:{settings.port}/", flush=True)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port,
                log_level="info", ws="websockets-sansio")
    return 0


def _user_add(args: argparse.Namespace) -> int:
    from auth.accounts import (
        AccountError,
        Role,
        add_user,
        seed_site,
    )
    from db.database import Database
    from server import _site

    settings = _settings(data_dir=args.data_dir, config_file=args.config)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    password = args.password or os.environ.get("CITYEYE_NEW_PASSWORD")
    if not password:
        print("cityeye user add: give --password (or set CITYEYE_NEW_PASSWORD)", file=sys.stderr)
        return 2
    database = Database(settings.db_url)
    try:
        database.migrate()
        with database.session() as session:
            seed_site(session, _site(settings))
            session.flush()
            add_user(session, username=args.username, password=password, role=Role(args.role),
                     unit_id=args.unit, display_name=args.display_name)
    except AccountError as exc:
        print(f"cityeye user add: {exc}", file=sys.stderr)
        return 2
    finally:
        database.close()
    print(f"created user {args.username} ({args.role})")
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from db.database import Database

    settings = _settings(data_dir=args.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    database = Database(settings.db_url)
    try:
        database.migrate()
    finally:
        database.close()
    print(f"database at newest schema: {settings.db_url}")
    return 0


# Commands whose options belong to a package's own parser: `cityeye probe …` runs
# `streams.probe.main([...])`. The flag says whether it loads ML models.
DELEGATES: dict[str, tuple[str, str, bool]] = {
    "probe": ("streams.probe", "inspect a video source", False),
    "analyze": ("vision.analyze_cli", "run the vision pipeline over a clip", True),
    "count": ("vision.count_cli", "count people in images against ground truth", True),
    "train-density": ("models.density_train", "train the crowd-density model", True),
    "flow": ("flow.cli", "crowd flow: `flow backtest` of the forecast", False),
}


def _run_delegate(command: str, rest: list[str]) -> int:
    import importlib

    module, _, uses_models = DELEGATES[command]
    if uses_models:
        settings = _settings()
        prepare_runtime_env(settings.data_dir, offline=settings.models_dir is not None)
    entry: Callable[[list[str]], int] = importlib.import_module(module).main
    return entry(rest)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cityeye", description="CityEye 城区之眼")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("serve", help="start the web server")
    s.add_argument("--host", help="bind address (default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port (default 8000)")
    s.add_argument("--demo", type=Path, help="folder of clips: one looping demo camera per clip")
    s.add_argument("--config", type=Path, help="site file (cityeye.yaml)")
    s.add_argument("--data-dir", type=Path, help="data folder (default ./data)")
    s.set_defaults(func=_serve)

    u = sub.add_parser("user", help="manage accounts").add_subparsers(dest="action", required=True)
    ua = u.add_parser("add", help="create a user")
    ua.add_argument("--username", required=True)
    ua.add_argument("--password", help="at least 8 characters (or CITYEYE_NEW_PASSWORD)")
    ua.add_argument("--role", required=True,
                    choices=["patroller", "duty_officer", "commander", "admin"])
    ua.add_argument("--unit", help="unit id (default: the district)")
    ua.add_argument("--display-name")
    ua.add_argument("--config", type=Path, help="site file with the units")
    ua.add_argument("--data-dir", type=Path)
    ua.set_defaults(func=_user_add)

    m = sub.add_parser("migrate", help="bring the database schema up to date")
    m.add_argument("--data-dir", type=Path)
    m.set_defaults(func=_migrate)

    for name, (_, text, _) in DELEGATES.items():
        sub.add_parser(name, help=f"{text} (`cityeye {name} --help`)", add_help=False)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("alembic", "aioice", "aiortc"):  # chatty at INFO (every migration, ICE check)
        logging.getLogger(noisy).setLevel(logging.WARNING)
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in DELEGATES:
            return _run_delegate(argv[0], argv[1:])
        args = build_parser().parse_args(argv)
        code: int = args.func(args)
    except ConfigError as exc:
        print(f"cityeye: configuration error:\n{exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
