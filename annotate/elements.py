"""Reading the shared document: the `elements` Y.Map → validated `Element`s."""

from __future__ import annotations

import logging
from typing import Any

from pycrdt import Doc, Map
from pydantic import ValidationError

from annotate.schemas import Element

log = logging.getLogger(__name__)


def doc_from_update(update: bytes) -> Doc[Any]:
    doc: Doc[Any] = Doc()
    doc.apply_update(update)
    return doc


def read_elements(doc: Doc[Any]) -> list[Element]:
    elements = doc.get("elements", type=Map)
    out = []
    for key, value in elements.to_py().items():
        if not isinstance(value, dict):
            continue
        try:
            out.append(Element.model_validate({**value, "id": key}))
        except ValidationError:
            log.debug("skipping malformed board element %s", key)
    return sorted(out, key=lambda e: (e.z, e.id))
