-- Binary column: BYTEA on PostgreSQL (see 0002_payload.sqlite.sql).
ALTER TABLE storetest_items ADD COLUMN payload BYTEA;
