// Package gentest checks what the generated service code does at run time: validation,
// the operation table and the modeled errors. It holds no code of its own.
package gentest
