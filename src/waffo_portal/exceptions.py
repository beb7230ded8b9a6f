"""Moved to :mod:`waffo_portal.core.exceptions`; this name stays for merchants' imports."""

from __future__ import annotations

from .core.exceptions import *  # noqa: F403
from .core.exceptions import __all__ as __all__
