"""PTSP queue-ticket kiosk for the one-stop service desk of a Rutan."""

__version__ = "0.1.0"
