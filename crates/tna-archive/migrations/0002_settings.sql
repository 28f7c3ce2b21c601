-- Settings the relays of one archive share (e.g. the timecard policy), one JSON text per name.
CREATE TABLE setting (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
