-- The user directory: which device holds which user under which name (one row per device and
-- user, replaced as a whole when the device's list is read), and one row per user derived from
-- those rows in the same transaction: the chosen name ('' = none), the search keys (ID and name
-- lower-cased, accents stripped: `users::search_key`), the devices and the differing names as
-- JSON arrays ('[]' = none).
CREATE TABLE user_device (
    device_id BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    synced_at BIGINT NOT NULL,
    PRIMARY KEY (device_id, user_id)
);
CREATE INDEX user_device_user ON user_device (user_id, device_id);

CREATE TABLE directory_user (
    user_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    id_key TEXT NOT NULL,
    name_key TEXT NOT NULL,
    devices_json TEXT NOT NULL,
    conflict_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Directory writers take this row first (a no-op update), so two relays on one PostgreSQL
-- archive never derive a user's row from each other's unfinished device lists.
INSERT INTO id_counter (name, last_id) VALUES ('user_directory', 0);
