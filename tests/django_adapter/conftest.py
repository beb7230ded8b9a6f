from __future__ import annotations

from ..django_settings import configure_django

configure_django()
