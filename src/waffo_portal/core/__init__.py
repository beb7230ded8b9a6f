"""The pure core: models, money, proration, lifecycle, billing-details rules, tax ids.

Nothing in this package does I/O, reads a clock or imports a framework, SQL toolkit,
template engine or PDF library; ``make lint`` (import-linter) fails if it does.
"""
