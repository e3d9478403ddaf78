-- Binary column: BLOB on SQLite (see 0002_payload.postgres.sql).
ALTER TABLE storetest_items ADD COLUMN payload BLOB;
