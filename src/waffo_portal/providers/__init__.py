"""Billing providers of record: their webhook formats and, later, their API clients.

``signed_json`` is the portal's own format: sync records as JSON, signed with a shared
secret. A merchant whose provider has no adapter here forwards its provider's events in
this format from its own code (see docs/providers.md).
"""
