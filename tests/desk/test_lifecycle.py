"""The lifecycle as tables: every state × action, every role × action, and the same rules
applied by the service (who and when recorded; a refused action changes nothing)."""

from __future__ import annotations

import re

import pytest

from auth.accounts import Principal, Role
from desk.lifecycle import IllegalTransition, NotAllowed, allowed, check_role, next_state
from desk.model import (
    AckIn,
    Action,
    ActionBody,
    AlertOut,
    AlertState,
    CloseIn,
    DismissIn,
    DispatchIn,
    ResolveIn,
)
from desk.service import DeskService
from tests.desk.conftest import FakeClock, make_event

S, A = AlertState, Action
# (state, action) -> the next state, or a phrase of the reason it is refused
TABLE: dict[tuple[AlertState, Action], AlertState | str] = {
    (S.NEW, A.ACK): S.ACKNOWLEDGED,
    (S.NEW, A.DISPATCH): S.DISPATCHED,
    (S.NEW, A.RESOLVE): "acknowledge or dispatch the alert before resolving it",
    (S.NEW, A.CLOSE): "only a resolved alert can be closed",
    (S.NEW, A.DISMISS): S.DISMISSED,
    (S.ACKNOWLEDGED, A.ACK): "already acknowledged",
    (S.ACKNOWLEDGED, A.DISPATCH): S.DISPATCHED,
    (S.ACKNOWLEDGED, A.RESOLVE): S.RESOLVED,
    (S.ACKNOWLEDGED, A.CLOSE): "only a resolved alert can be closed",
    (S.ACKNOWLEDGED, A.DISMISS): S.DISMISSED,
    (S.DISPATCHED, A.ACK): "already dispatched",
    (S.DISPATCHED, A.DISPATCH): S.DISPATCHED,  # re-dispatch (改派)
    (S.DISPATCHED, A.RESOLVE): S.RESOLVED,
    (S.DISPATCHED, A.CLOSE): "only a resolved alert can be closed",
    (S.DISPATCHED, A.DISMISS): S.DISMISSED,
    (S.RESOLVED, A.ACK): "already resolved",
    (S.RESOLVED, A.DISPATCH): "can no longer be dispatched",
    (S.RESOLVED, A.RESOLVE): "already resolved",
    (S.RESOLVED, A.CLOSE): S.CLOSED,
    (S.RESOLVED, A.DISMISS): "close it instead",
    **{(S.CLOSED, a): "closed (verified)" for a in A},
    **{(S.DISMISSED, a): "dismissed as a false alarm" for a in A},
}
ROLE_TABLE = {
    Role.PATROLLER: {A.ACK},
    Role.DUTY_OFFICER: {A.ACK, A.DISPATCH, A.RESOLVE, A.DISMISS},
    Role.COMMANDER: set(A),
    Role.ADMIN: set(A),
}
BODIES: dict[Action, ActionBody] = {
    A.ACK: AckIn(note="收到"),
    A.DISPATCH: DispatchIn(unit="north", assignee="张队", instructions="到场查看"),
    A.RESOLVE: ResolveIn(note="已劝离"),
    A.CLOSE: CloseIn(note="复核无误"),
    A.DISMISS: DismissIn(reason="树影晃动"),
}


def test_the_table_covers_every_state_and_action() -> None:
    assert set(TABLE) == {(s, a) for s in S for a in A}


@pytest.mark.parametrize(("state", "action"), list(TABLE))
def test_transition(state: AlertState, action: Action) -> None:
    expected = TABLE[(state, action)]
    if isinstance(expected, AlertState):
        assert next_state(state, action) == expected
    else:
        with pytest.raises(IllegalTransition, match=re.escape(expected)):
            next_state(state, action)


@pytest.mark.parametrize("role", list(Role))
def test_roles(role: Role) -> None:
    for action in A:
        assert allowed(role, action) == (action in ROLE_TABLE[role]), (role, action)
        if action not in ROLE_TABLE[role]:
            with pytest.raises(NotAllowed, match=f"may not {action.value}"):
                check_role(role, action)


async def _raise(desk: DeskService) -> AlertOut:
    (change,) = await desk.handle([make_event()])
    return change.alert


PATHS = [
    [A.ACK, A.DISPATCH, A.RESOLVE, A.CLOSE],
    [A.DISPATCH, A.DISPATCH, A.RESOLVE, A.CLOSE],
    [A.ACK, A.RESOLVE, A.CLOSE],
    [A.DISMISS],
    [A.ACK, A.DISPATCH, A.DISMISS],
]


@pytest.mark.parametrize("path", PATHS, ids=["-".join(a.value for a in p) for p in PATHS])
async def test_paths_record_who_and_when(
    desk: DeskService, clock: FakeClock, users: dict[str, Principal], path: list[Action]
) -> None:
    alert = await _raise(desk)
    state = S.NEW
    for i, action in enumerate(path):
        clock.advance(minutes=1)
        user = users["commander"] if action == A.CLOSE else users["officer"]
        alert = await desk.act(alert.id, action, BODIES[action], user)
        state = next_state(state, action)
        assert alert.state == state
        assert alert.version == i + 2  # raised as version 1
    detail = desk.queries.get(alert.id, None)
    assert detail is not None
    steps = detail.steps[1:]  # after "created"
    assert [s.kind for s in steps] == [a.value for a in path]
    assert [s.to_state for s in steps][-1] == state
    assert steps[-1].at == clock.now()
    assert all(s.actor in ("officer", "commander") for s in steps)
    if A.DISPATCH in path:
        assert alert.acknowledged_at is not None  # dispatching acknowledges
        assert alert.dispatch_unit_name == "北街道"
        assert alert.due_at is not None
    if state == S.DISMISSED:
        assert alert.dismiss_reason == "树影晃动"
        assert alert.dismissed_by == "officer-name"


async def test_a_refused_action_changes_nothing(
    desk: DeskService, users: dict[str, Principal]
) -> None:
    alert = await _raise(desk)
    with pytest.raises(IllegalTransition, match="before resolving"):
        await desk.act(alert.id, A.RESOLVE, BODIES[A.RESOLVE], users["officer"])
    with pytest.raises(NotAllowed):
        await desk.act(alert.id, A.CLOSE, BODIES[A.CLOSE], users["north-patroller"])
    detail = desk.queries.get(alert.id, None)
    assert detail is not None
    assert detail.state == S.NEW
    assert detail.version == alert.version
    assert [s.kind for s in detail.steps] == ["created"]
    ack = await desk.act(alert.id, A.ACK, AckIn(), users["north-patroller"])  # may acknowledge
    assert ack.acknowledged_by == "north-patroller-name"
