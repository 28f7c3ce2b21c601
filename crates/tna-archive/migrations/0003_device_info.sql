-- What admins say about a device: a name ("Reception entrance"), a location ("Dock 2") and tags,
-- shared by the relays of one archive. '' = not given; tags are a JSON array of strings.
CREATE TABLE device_info (
    device_id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    tags_json TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
