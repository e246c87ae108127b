"""The waiting-room display board (`ptsp-kiosk display`): a client of the kiosk's LAN feed.

feed.py (long-poll client, backoff) -> model.py (state, highlights) -> render.py
(pygame picture, layout.py) and announce.py (each call id spoken once); app.py
runs the loop.
"""
