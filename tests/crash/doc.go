// Package crash holds Overcast's durability tests: the built binary is killed with
// SIGKILL under SQS traffic, SNS fan-out and EventBridge fan-out, and restarted on the
// same store, and nothing it acknowledged may be lost or come back. It runs on SQLite and
// on PostgreSQL with two nodes sharing one database.
package crash
