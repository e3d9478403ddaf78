// Package sts serves AWS Security Token Service. No operation is implemented yet: every
// operation answers NotImplemented.
package sts
