"""Settings (environment, `CITYEYE_*`) and the `cityeye.yaml` site file, validated.

No I/O beyond reading the YAML file; callers pass the resulting objects on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from desk.policy import DeskPolicy
from flow.areas import FlowSettings
from vision.geometry import Line, Zone
from vision.rules.config import RulesConfig
from vision.rules.engine import check_references

PROJECT_DIR = Path(__file__).resolve().parent
VIDEO_SUFFIXES = (".mp4", ".mkv", ".mov", ".ts", ".flv", ".avi")
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "cityeye", "password"}

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Role = Literal["patroller", "duty_officer", "commander", "admin"]


class ConfigError(Exception):
    """A configuration problem, phrased for the person who must fix it."""


class Settings(BaseSettings):
    """Process settings. Every field can be set as `CITYEYE_<NAME>` in the environment."""

    model_config = SettingsConfigDict(env_prefix="CITYEYE_", extra="ignore")

    env: Literal["dev", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path("data")
    database_url: str | None = None
    config_file: Path | None = None
    models_dir: Path | None = None
    media_dir: Path | None = None
    demo_dir: Path | None = None
    secret_key: SecretStr | None = None
    admin_password: SecretStr | None = None
    token_ttl_minutes: int = Field(default=720, ge=1)
    webui_dir: Path = PROJECT_DIR / "webui" / "dist"
    stall_timeout_s: float = Field(default=10.0, gt=0)
    probe_timeout_s: float = Field(default=8.0, gt=0)
    vision_enabled: bool = True
    detector_model: str | None = None
    detector_device: str = "cpu"
    detector_imgsz: int = Field(default=640, ge=32, le=4096)
    density_enabled: bool = True
    flow_simulate: bool = True  # fill the demo shopping-district areas with simulated history
    webrtc_hosts: str = ""  # comma-separated ICE host addresses (empty: every interface)
    webrtc_ice_servers: str = ""  # comma-separated stun:/turn: URLs
    desk_webhook_url: str | None = None  # outbound alerts to the dispatch platform
    desk_webhook_secret: SecretStr | None = None  # signs them; verifies inbound ones
    # Recording (recording/): defaults of every camera's policy (admins override per camera).
    recording_enabled: bool = True
    recording_retain_days: float | None = Field(default=7.0, gt=0)
    recording_retain_gb: float | None = Field(default=20.0, gt=0)  # per camera (~11 h at 4 Mbit/s)
    recording_segment_s: int = Field(default=60, ge=2, le=3600)
    recording_clip_pre_s: float = Field(default=10.0, ge=0, le=300)
    recording_clip_post_s: float = Field(default=10.0, ge=0, le=300)
    recording_clip_retain_days: float | None = Field(default=90.0, gt=0)  # None: keep forever
    # Markers (markers/): per-user rate limit of new markers (弹幕).
    marker_rate_limit: int = Field(default=10, ge=1, le=1000)
    marker_rate_window_s: float = Field(default=10.0, gt=0, le=3600)

    @field_validator(
        "recording_retain_days", "recording_retain_gb", "recording_clip_retain_days",
        mode="before",
    )
    @classmethod
    def _unlimited(cls, value: object) -> object:
        """`none` or `forever` in the environment: no limit (keep recordings or clips)."""
        if isinstance(value, str) and value.strip().lower() in {"none", "forever"}:
            return None
        return value

    @model_validator(mode="after")
    def _webhook_is_usable(self) -> Settings:
        from desk.sender import webhook_settings

        webhook_settings(self.desk_webhook_url, self.desk_webhook_secret)  # ValueError: the fix
        return self

    @model_validator(mode="after")
    def _no_placeholder_secret_in_prod(self) -> Settings:
        if self.env == "prod":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 32:
                raise ValueError(
                    "CITYEYE_SECRET_KEY must be set to a random string of at least 32 characters"
                    " when CITYEYE_ENV=prod (e.g. `python -c 'import secrets;"
                    " print(secrets.token_urlsafe(48))'`)"
                )
        return self

    @property
    def webrtc_host_list(self) -> tuple[str, ...]:
        return tuple(h.strip() for h in self.webrtc_hosts.split(",") if h.strip())

    @property
    def webrtc_ice_server_list(self) -> tuple[str, ...]:
        return tuple(u.strip() for u in self.webrtc_ice_servers.split(",") if u.strip())

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cityeye.db').resolve()}"

    def demo_clips(self) -> list[Path]:
        """Clips that become demo cameras: `--demo DIR`, else `CITYEYE_MEDIA_DIR`'s videos."""
        root = self.demo_dir or self.media_dir
        if root is None:
            return []
        folder = root / "videos" if (root / "videos").is_dir() else root
        if not folder.is_dir():
            raise ConfigError(f"demo folder {folder} does not exist: pass a folder of video clips")
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)


class UnitConfig(BaseModel):
    """The district (no parent) or one of its streets (街镇)."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    name: str = Field(min_length=1, max_length=64)
    parent: Slug | None = None


class CameraConfig(BaseModel):
    """One camera as the site file and the API describe it."""

    model_config = ConfigDict(extra="forbid")

    id: Slug
    name: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=1, max_length=2048)
    unit: Slug
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    enabled: bool = True
    analysis_fps: float = Field(default=5.0, gt=0, le=60)
    analysis_width: int = Field(default=640, ge=64, le=3840)
    loop: bool = True
    transport: Literal["tcp", "udp"] = "tcp"
    zones: list[Zone] = Field(default_factory=list)
    lines: list[Line] = Field(default_factory=list)
    rules: RulesConfig = Field(default_factory=RulesConfig)

    @model_validator(mode="after")
    def _rules_refer_to_existing_zones(self) -> CameraConfig:
        check_references(self.rules, self.zones, self.lines)
        return self

    @field_validator("zones", "lines")
    @classmethod
    def _unique_ids(cls, items: list[Zone] | list[Line]) -> list[Zone] | list[Line]:
        seen: set[str] = set()
        for item in items:
            if item.id in seen:
                raise ValueError(f"id {item.id!r} is used twice")
            seen.add(item.id)
        return items


class UserConfig(BaseModel):
    """A user seeded from the site file. Passwords are never written in the file: give an argon2
    hash (`cityeye user hash`) or create the user with `cityeye user add`."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=r"^[A-Za-z0-9_.-]{2,32}$")
    display_name: str | None = None
    role: Role
    unit: Slug
    password_hash: str = Field(pattern=r"^\$argon2")


class SiteConfig(BaseModel):
    """Contents of `cityeye.yaml`."""

    model_config = ConfigDict(extra="forbid")

    units: list[UnitConfig] = Field(min_length=1)
    cameras: list[CameraConfig] = Field(default_factory=list)
    users: list[UserConfig] = Field(default_factory=list)
    desk: DeskPolicy = Field(default_factory=DeskPolicy)
    flow: FlowSettings = Field(default_factory=FlowSettings)

    @model_validator(mode="after")
    def _references(self) -> SiteConfig:
        unit_ids = [u.id for u in self.units]
        if len(set(unit_ids)) != len(unit_ids):
            raise ValueError("units: each unit id must be unique")
        roots = [u.id for u in self.units if u.parent is None]
        if len(roots) != 1:
            raise ValueError(f"units: exactly one unit (the district) has no parent; got {roots}")
        for u in self.units:
            if u.parent is not None and u.parent not in unit_ids:
                raise ValueError(f"units: {u.id}.parent {u.parent!r} is not a unit id")
        cam_ids = [c.id for c in self.cameras]
        if len(set(cam_ids)) != len(cam_ids):
            raise ValueError("cameras: each camera id must be unique")
        for c in self.cameras:
            if c.unit not in unit_ids:
                raise ValueError(f"cameras: {c.id}.unit {c.unit!r} is not one of {unit_ids}")
        for usr in self.users:
            if usr.unit not in unit_ids:
                raise ValueError(f"users: {usr.username}.unit {usr.unit!r} is not a unit id")
        return self

    @property
    def district(self) -> UnitConfig:
        return next(u for u in self.units if u.parent is None)


def format_validation_error(source: str, err: ValidationError) -> str:
    """One line per problem: `file: field.path: message`."""
    lines = []
    for e in err.errors():
        loc = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in e["loc"])
        loc = loc.replace(".[", "[")
        msg = e["msg"]
        if e["type"] == "extra_forbidden":
            msg = "unknown field (check the spelling; see README 'Configuration')"
        lines.append(f"{source}: {loc or '(top level)'}: {msg}")
    return "\n".join(lines)


def load_site_config(path: Path) -> SiteConfig:
    """Read and validate a site file; raise ConfigError naming the file, field and fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: file not found") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: invalid YAML{where}: {problem}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with 'units', 'cameras', 'users'")
    try:
        return SiteConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(str(path), exc)) from exc


def default_site_config() -> SiteConfig:
    """The district and streets CityEye starts with when no site file is given."""
    return load_site_config(PROJECT_DIR / "cityeye.example.yaml")


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (slug or "camera")[:64]


# Names of the shared demo clips in the 中山公园商圈 demo scenario (geo/demo.py places them).
DEMO_NAMES = {
    "pedestrians_street_yas-sim": "长宁路 高点",
    "pedestrians_street_amirhossein": "长宁路 步行街",
    "mall_entrance_zayed": "龙之梦 2号门",
    "traffic_highway_mihailrc": "凯旋路 高架",
}


def demo_cameras(clips: list[Path], site: SiteConfig) -> list[CameraConfig]:
    """One looping camera per clip, spread over the district's streets."""
    streets = [u for u in site.units if u.parent is not None] or [site.district]
    return [
        CameraConfig(
            id=f"demo-{slugify(clip.stem)}",
            name=DEMO_NAMES.get(clip.stem, f"演示 {i + 1} · {clip.stem}"),
            url=str(clip.resolve()),
            unit=streets[i % len(streets)].id,
            loop=True,
        )
        for i, clip in enumerate(clips)
    ]
