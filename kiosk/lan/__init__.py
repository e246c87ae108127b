"""The kiosk's LAN server: the read-only feed for display boards and the staff page.

``state.LanState`` is the bridge to the main loop; ``server.LanServer`` serves it.
"""
