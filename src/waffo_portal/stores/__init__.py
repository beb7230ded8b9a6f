"""Store implementations. ``memory`` has no dependencies; ``sql`` needs the ``sql`` extra."""
