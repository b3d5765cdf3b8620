"""Accounts, units and what each user may see (their unit and every unit below it)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.orm import UnitRow, UserRow
from auth.passwords import hash_password, verify_password
from config import SiteConfig


class Role(StrEnum):
    PATROLLER = "patroller"  # 巡查员
    DUTY_OFFICER = "duty_officer"  # 值班员
    COMMANDER = "commander"  # 指挥员
    ADMIN = "admin"  # 管理员


class AccountError(Exception):
    """A user-facing problem with an account operation."""


@dataclass(frozen=True)
class Principal:
    """The authenticated user and the units whose cameras they may see."""

    username: str
    display_name: str
    role: Role
    unit_id: str
    unit_name: str
    visible_units: frozenset[str]

    def can_see_unit(self, unit_id: str) -> bool:
        return unit_id in self.visible_units


class UserOut(BaseModel):
    username: str
    display_name: str
    role: Role
    unit_id: str
    unit_name: str


class UnitOut(BaseModel):
    id: str
    name: str
    parent_id: str | None
    # False for the units above the user's own: listed so their names can be shown (alerts
    # escalate upwards and notify them), but outside the user's scope (no dispatching there)
    in_scope: bool = True


def descendants(session: Session, unit_id: str) -> frozenset[str]:
    """The unit and every unit below it."""
    children: dict[str | None, list[str]] = {}
    for row in session.scalars(select(UnitRow)):
        children.setdefault(row.parent_id, []).append(row.id)
    out, todo = {unit_id}, [unit_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return frozenset(out)


def principal_for(session: Session, username: str) -> Principal | None:
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None or user.disabled:
        return None
    unit = session.get(UnitRow, user.unit_id)
    return Principal(
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        unit_id=user.unit_id,
        unit_name=unit.name if unit else user.unit_id,
        visible_units=descendants(session, user.unit_id),
    )


def authenticate(session: Session, username: str, password: str) -> Principal | None:
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None or user.disabled or not verify_password(user.password_hash, password):
        return None
    return principal_for(session, username)


def add_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: Role,
    unit_id: str | None = None,
    display_name: str | None = None,
) -> UserRow:
    """Create a user; the unit defaults to the district (root unit)."""
    if session.scalar(select(UserRow).where(UserRow.username == username)) is not None:
        raise AccountError(f"user {username!r} already exists")
    if unit_id is None:
        root = session.scalar(select(UnitRow).where(UnitRow.parent_id.is_(None)))
        if root is None:
            raise AccountError("no district unit exists yet: start the server once first")
        unit_id = root.id
    elif session.get(UnitRow, unit_id) is None:
        known = ", ".join(session.scalars(select(UnitRow.id)))
        raise AccountError(f"unknown unit {unit_id!r}; known units: {known}")
    try:
        hashed = hash_password(password)
    except ValueError as exc:
        raise AccountError(str(exc)) from exc
    row = UserRow(
        username=username,
        display_name=display_name or username,
        password_hash=hashed,
        role=role.value,
        unit_id=unit_id,
    )
    session.add(row)
    session.flush()
    return row


def set_password(session: Session, username: str, password: str) -> None:
    user = session.scalar(select(UserRow).where(UserRow.username == username))
    if user is None:
        raise AccountError(f"user {username!r} does not exist")
    user.password_hash = hash_password(password)


def seed_site(session: Session, site: SiteConfig) -> None:
    """Insert the site file's units and users that the database does not have yet."""
    for unit in sorted(site.units, key=lambda u: u.parent is not None):
        if session.get(UnitRow, unit.id) is None:
            session.add(UnitRow(id=unit.id, name=unit.name, parent_id=unit.parent))
            session.flush()
    for u in site.users:
        if session.scalar(select(UserRow).where(UserRow.username == u.username)) is None:
            session.add(
                UserRow(
                    username=u.username,
                    display_name=u.display_name or u.username,
                    password_hash=u.password_hash,
                    role=u.role,
                    unit_id=u.unit,
                )
            )


def list_units(session: Session, principal: Principal) -> list[UnitOut]:
    """The units in the user's scope, and the chain of units above the user's own."""
    rows = list(session.scalars(select(UnitRow).order_by(UnitRow.id)))
    parent = {r.id: r.parent_id for r in rows}
    above: set[str] = set()
    up = parent.get(principal.unit_id)
    while up is not None and up not in above:
        above.add(up)
        up = parent.get(up)
    return [
        UnitOut(id=r.id, name=r.name, parent_id=r.parent_id, in_scope=principal.can_see_unit(r.id))
        for r in rows
        if principal.can_see_unit(r.id) or r.id in above
    ]


def user_out(p: Principal) -> UserOut:
    return UserOut(
        username=p.username,
        display_name=p.display_name,
        role=p.role,
        unit_id=p.unit_id,
        unit_name=p.unit_name,
    )
