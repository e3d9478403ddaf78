-- Items of the store conformance suite (internal/store/storetest). Not used by any service.
CREATE TABLE storetest_items (
	id         TEXT   NOT NULL PRIMARY KEY,
	value      TEXT   NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL DEFAULT 0
);
