"""A fake Waffo Pancake for tests and the demo: ``FakeWaffo().start()``.

Needs the ``waffo`` and ``waffo-testing`` extras (httpx, cryptography, graphql-core).
"""

from __future__ import annotations

from .graphql import SCHEMA, SCHEMA_SDL
from .server import Delivery, FakeWaffo, Fault, generate_key
from .state import TAX_PERCENT, Books

__all__ = ["SCHEMA", "SCHEMA_SDL", "TAX_PERCENT", "Books", "Delivery", "FakeWaffo", "Fault",
           "generate_key"]
