"""The alert lifecycle as two tables: which action leads from which states to which state,
and which roles may take it. Pure functions; the service and the router apply them.

    new ──ack──▶ acknowledged ──dispatch──▶ dispatched ──resolve──▶ resolved ──close──▶ closed
     │  └──────────dispatch──────────────▲     │  ▲ (re-dispatch)        (verified)
     └──────── dismiss (from new / acknowledged / dispatched) ──▶ dismissed (false alarm)
    resolve is also allowed from acknowledged (handled without dispatch).
"""

from __future__ import annotations

from auth.accounts import Role
from desk.model import Action, AlertState

S = AlertState
TRANSITIONS: dict[Action, tuple[frozenset[AlertState], AlertState]] = {
    Action.ACK: (frozenset({S.NEW}), S.ACKNOWLEDGED),
    Action.DISPATCH: (frozenset({S.NEW, S.ACKNOWLEDGED, S.DISPATCHED}), S.DISPATCHED),
    Action.RESOLVE: (frozenset({S.ACKNOWLEDGED, S.DISPATCHED}), S.RESOLVED),
    Action.CLOSE: (frozenset({S.RESOLVED}), S.CLOSED),
    Action.DISMISS: (frozenset({S.NEW, S.ACKNOWLEDGED, S.DISPATCHED}), S.DISMISSED),
}

_ALL = frozenset(Role)
_OFFICERS = frozenset({Role.DUTY_OFFICER, Role.COMMANDER, Role.ADMIN})
ROLES: dict[Action, frozenset[Role]] = {
    Action.ACK: _ALL,  # a patroller on the street may acknowledge what they see
    Action.DISPATCH: _OFFICERS,
    Action.RESOLVE: _OFFICERS,
    Action.DISMISS: _OFFICERS,
    Action.CLOSE: frozenset({Role.COMMANDER, Role.ADMIN}),  # verification is the commander's
}
MAINTENANCE_ROLES = frozenset({Role.COMMANDER, Role.ADMIN})

STATE_NAMES_ZH = {
    S.NEW: "待确认",
    S.ACKNOWLEDGED: "已确认",
    S.DISPATCHED: "已派发",
    S.RESOLVED: "已处置",
    S.CLOSED: "已结案",
    S.DISMISSED: "已作误报处理",
}
ACTION_NAMES_ZH = {
    Action.ACK: "确认",
    Action.DISPATCH: "派发",
    Action.RESOLVE: "处置完毕",
    Action.CLOSE: "核查结案",
    Action.DISMISS: "误报排除",
}


class IllegalTransition(Exception):
    """The action does not apply to the alert's current state; the message says why."""


class NotAllowed(Exception):
    """The caller's role may not take this action."""


def allowed(role: Role, action: Action) -> bool:
    return role in ROLES[action]


def check_role(role: Role, action: Action) -> None:
    if not allowed(role, action):
        roles = ", ".join(r.value for r in Role if r in ROLES[action])
        raise NotAllowed(
            f"角色 {role.value} 无权{ACTION_NAMES_ZH[action]}告警 / your role {role.value!r} may"
            f" not {action.value} an alert; allowed: {roles}"
        )


def _why(state: AlertState, action: Action) -> str:
    if state == S.CLOSED:
        return "the alert is closed (verified); nothing more can be done"
    if state == S.DISMISSED:
        return "the alert was dismissed as a false alarm; nothing more can be done"
    if action == Action.ACK:
        return f"the alert is already {state.value}; only a new alert can be acknowledged"
    if action == Action.RESOLVE:
        if state == S.NEW:
            return "acknowledge or dispatch the alert before resolving it"
        return "the alert is already resolved; a commander verifies and closes it"
    if action == Action.CLOSE:
        return f"only a resolved alert can be closed; this one is {state.value}"
    if action == Action.DISMISS:
        return "the alert is already resolved; close it instead of dismissing it"
    return f"the alert is {state.value}; it can no longer be dispatched"


def next_state(state: AlertState, action: Action) -> AlertState:
    """The state after `action`, or IllegalTransition saying why it cannot be taken."""
    sources, target = TRANSITIONS[action]
    if state not in sources:
        raise IllegalTransition(
            f"告警{STATE_NAMES_ZH[state]}，不能{ACTION_NAMES_ZH[action]} / {_why(state, action)}"
        )
    return target
