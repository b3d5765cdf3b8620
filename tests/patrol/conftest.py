"""A real server per test module with cameras on two streets and accounts on each."""

from tests.markers.helpers import live, tokens

__all__ = ["live", "tokens"]
