-- The directory search reads the keys in user-ID order: from this index alone, without a visit
-- to the table row of every user that does not match (on SQLite a lookup by rowid each).
CREATE INDEX directory_user_search ON directory_user (user_id, id_key, name_key);
