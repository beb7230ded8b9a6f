"""Framework adapters. Each module only translates between its framework and
:mod:`waffo_portal.web`; importing one without its framework raises ImportError naming
the extra to install (``pip install "waffo-portal[flask]"``).
"""
