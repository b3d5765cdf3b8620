"""Status changes the dispatch platform posts back (POST /api/desk/webhook), one body per
action, told apart by `action`. Each is the action's own body plus `alert_id` and `actor`
(the platform user who acted), so the same lifecycle rules apply as from the desk."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from desk.model import AckIn, Action, CloseIn, DismissIn, DispatchIn, ResolveIn


class _Who(BaseModel):
    alert_id: uuid.UUID
    actor: str = Field(min_length=1, max_length=64, description="the platform user")


class InboundAck(AckIn, _Who):
    action: Literal["ack"]


class InboundDispatch(DispatchIn, _Who):
    action: Literal["dispatch"]


class InboundResolve(ResolveIn, _Who):
    action: Literal["resolve"]


class InboundClose(CloseIn, _Who):
    action: Literal["close"]


class InboundDismiss(DismissIn, _Who):
    action: Literal["dismiss"]


InboundAny = InboundAck | InboundDispatch | InboundResolve | InboundClose | InboundDismiss
InboundStatus = Annotated[InboundAny, Field(discriminator="action")]
INBOUND: TypeAdapter[InboundAny] = TypeAdapter(InboundStatus)


def action_of(status: InboundAny) -> Action:
    return Action(status.action)
