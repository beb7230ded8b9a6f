"""Moved to :mod:`waffo_portal.ports`; this name stays for merchants' imports."""

from __future__ import annotations

from .ports import *  # noqa: F403
from .ports import __all__ as __all__
