package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/store/storetest"
)

// BenchmarkWriteConcurrent measures durable (synchronous=FULL) single-row writes per second
// with 1 and 16 concurrent writers; with 16, group commit shares each fsync among many
// writes. writes/commit is the mean group size.
func BenchmarkWriteConcurrent(b *testing.B) {
	for _, mode := range []struct {
		name string
		opts func(b *testing.B) store.Options
	}{
		{"durable", func(b *testing.B) store.Options { return store.Options{DataDir: b.TempDir()} }},
		{"ephemeral", func(*testing.B) store.Options { return store.Options{Ephemeral: true} }},
	} {
		for _, writers := range []int{1, 16} {
			b.Run(fmt.Sprintf("%s/writers=%d", mode.name, writers), func(b *testing.B) {
				db := MustOpen(b, mode.opts(b))
				storetest.BenchWrites(b, db, writers)
			})
		}
	}
}
