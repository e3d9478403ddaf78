package s3

import "testing"

// FuzzRanges feeds arbitrary Range and x-amz-copy-source-range headers and copy sources
// to their parsers: a range they accept lies inside the object, and nothing panics.
func FuzzRanges(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=10-", "bytes=-3", "bytes=15-100", "bytes=20-", "bytes=-0", "bytes=1-2,4-5", "bytes=a-b", "", "bytes=-", "bytes=5-1"} {
		f.Add(s, int64(20))
	}
	f.Add("bytes=0-0", int64(0))
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		for name, parse := range map[string]func(string, int64) (*byteRange, error){"Range": parseRange, "copy range": parseCopyRange} {
			r, err := parse(h, size)
			if err == nil && r != nil && (r.first < 0 || r.first > r.last || r.last >= size) {
				t.Fatalf("%s %q of a %d-byte object gave %d-%d", name, h, size, r.first, r.last)
			}
		}
		parseCopySource(h)
	})
}
