// Package iam serves AWS Identity and Access Management. No operation is implemented yet:
// every operation answers NotImplemented.
package iam
