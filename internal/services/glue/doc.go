// Package glue serves AWS Glue. No operation is implemented yet: every operation answers
// NotImplemented.
package glue
