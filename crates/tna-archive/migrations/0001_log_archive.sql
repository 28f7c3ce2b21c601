-- The log archive. This one file is run unchanged by SQLite and by PostgreSQL, so it keeps to
-- what both accept: BIGINT for every number (it is INTEGER affinity in SQLite and int8 in
-- PostgreSQL, so the `Any` driver sees the same 64-bit integer in both), TEXT for strings and
-- JSON, composite primary keys, plain CREATE INDEX, and no auto-increment column (the two
-- spell it differently): ids that need one come from `id_counter`.

-- One row per T&A event a device ever reported. A device numbers its events itself and may
-- start again from 0 (firmware reset, database wipe): each restart opens a new `epoch`, so
-- (device_id, epoch, event_id) identifies a record for ever.
CREATE TABLE tna_log (
    device_id BIGINT NOT NULL,
    epoch BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    event_code BIGINT NOT NULL,
    sub_code BIGINT NOT NULL,
    tna_key BIGINT,
    PRIMARY KEY (device_id, epoch, event_id)
);

-- The archive's reading order, and the keyset-paging key: range scans by time over all devices.
CREATE INDEX tna_log_ts ON tna_log (ts, device_id, epoch, event_id);
-- One user's events over time, already in reading order.
CREATE INDEX tna_log_user_ts ON tna_log (user_id, ts, device_id, epoch, event_id);

-- The same for job-code events.
CREATE TABLE job_code_log (
    device_id BIGINT NOT NULL,
    epoch BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    event_code BIGINT NOT NULL,
    sub_code BIGINT NOT NULL,
    job_code BIGINT NOT NULL,
    PRIMARY KEY (device_id, epoch, event_id)
);

CREATE INDEX job_code_log_ts ON job_code_log (ts, device_id, epoch, event_id);
CREATE INDEX job_code_log_user_ts ON job_code_log (user_id, ts, device_id, epoch, event_id);

-- How far the archive has read each (device, stream): `stream` is 'tna' or 'job_code'.
-- Times are Unix seconds.
CREATE TABLE log_cursor (
    device_id BIGINT NOT NULL,
    stream TEXT NOT NULL,
    epoch BIGINT NOT NULL,
    next_event_id BIGINT NOT NULL,
    stored BIGINT NOT NULL,
    last_sync_at BIGINT,
    last_error TEXT,
    last_error_at BIGINT,
    reset_detected_at BIGINT,
    PRIMARY KEY (device_id, stream)
);

-- Who changed what on which devices. JSON is kept as TEXT so both backends share one schema.
CREATE TABLE audit_log (
    id BIGINT NOT NULL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    method TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT,
    results_json TEXT NOT NULL
);

CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_method ON audit_log (method, id);

-- The devices an audit entry touched, in the order given.
CREATE TABLE audit_device (
    audit_id BIGINT NOT NULL REFERENCES audit_log (id),
    position BIGINT NOT NULL,
    device_id BIGINT NOT NULL,
    PRIMARY KEY (audit_id, position)
);

CREATE INDEX audit_device_device ON audit_device (device_id, audit_id);

-- Portable sequences: `UPDATE … SET last_id = last_id + 1 … RETURNING last_id` inside the
-- inserting transaction (a row lock in PostgreSQL, the write lock in SQLite).
CREATE TABLE id_counter (
    name TEXT NOT NULL PRIMARY KEY,
    last_id BIGINT NOT NULL
);

INSERT INTO id_counter (name, last_id) VALUES ('audit_log', 0);
