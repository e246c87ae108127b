"""The office side: the receiver kiosks sync to, its storage and the dashboard.

db/ (SQLite or PostgreSQL by URL, migrations), validate (strict request parsing),
ingest (exactly-once storage, daily aggregates), heartbeat, reports, tokens,
app (WSGI routing), server (waitress), receiver (documented entry points);
docs/OFFICE.md and docs/SYNC_PROTOCOL.md describe them.
"""
