"""Views, one module per area. Each takes a ``Page`` (and URL parameters) and returns a
``Response``; the rules live in the ``Portal`` use cases they call."""
