package lambdart

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

type zipEntry struct {
	name string
	data string
	mode fs.FileMode
}

func mustZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.data))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func newTestCache(t testing.TB, limit int64) *CodeCache {
	t.Helper()
	c, err := NewCodeCache(t.TempDir(), limit)
	require.NoError(t, err)
	return c
}

func TestUnpack(t *testing.T) {
	t.Parallel()
	c := newTestCache(t, 0)
	data := mustZip(t,
		zipEntry{name: "lambda_function.py", data: "def h(e, c): return 1\n"},
		zipEntry{name: "bin/tool", data: "#!/bin/sh\n", mode: 0o700},
		zipEntry{name: "lib/", mode: fs.ModeDir | 0o755},
		zipEntry{name: "lib/data.txt", data: "hello"},
		zipEntry{name: `win\style.txt`, data: "backslashes"},
		zipEntry{name: "link", data: "lib/data.txt", mode: fs.ModeSymlink | 0o777},
	)
	code, err := c.Unpack(data)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	require.Equal(t, hex.EncodeToString(sum[:]), code.SHA256)
	require.Equal(t, int64(len("def h(e, c): return 1\n")+len("#!/bin/sh\n")+len("hello")+len("backslashes")), code.Size)
	require.NotEmpty(t, code.CodeSha256())

	b, err := os.ReadFile(filepath.Join(code.Dir, "lib/data.txt"))
	require.NoError(t, err)
	require.Equal(t, "hello", string(b))
	fi, err := os.Stat(filepath.Join(code.Dir, "bin/tool"))
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o755), fi.Mode().Perm(), "executables stay executable and become world-readable")
	fi, err = os.Stat(filepath.Join(code.Dir, "lambda_function.py"))
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o644), fi.Mode().Perm())
	_, err = os.Stat(filepath.Join(code.Dir, "win/style.txt"))
	require.NoError(t, err)
	target, err := os.Readlink(filepath.Join(code.Dir, "link"))
	require.NoError(t, err)
	require.Equal(t, "lib/data.txt", target)
	entries, err := os.ReadDir(code.Dir)
	require.NoError(t, err)
	for _, e := range entries {
		require.NotContains(t, e.Name(), "complete", "no bookkeeping inside the code directory")
	}

	// Same bytes: same directory, no second unzip.
	again, err := c.Unpack(data)
	require.NoError(t, err)
	require.Equal(t, code, again)
	found, ok := c.Lookup(code.SHA256)
	require.True(t, ok)
	require.Equal(t, code, found)

	require.NoError(t, c.Remove(code.SHA256))
	_, ok = c.Lookup(code.SHA256)
	require.False(t, ok)
	_, err = os.Stat(code.Dir)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestUnpackFileAndConcurrency(t *testing.T) {
	t.Parallel()
	c := newTestCache(t, 0)
	data := mustZip(t, zipEntry{name: "index.js", data: "exports.handler = async () => 1"})
	p := filepath.Join(t.TempDir(), "code.zip")
	require.NoError(t, os.WriteFile(p, data, 0o644))
	var wg sync.WaitGroup
	codes := make([]*Code, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				codes[i], err = c.Unpack(data)
			} else {
				codes[i], err = c.UnpackFile(p)
			}
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	for _, code := range codes {
		require.Equal(t, codes[0], code)
	}
}

func TestUnpackRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    []byte
		limit   int64
		wantErr error
	}{
		{"NotAZip", []byte("this is not a zip file"), 0, ErrInvalidZip},
		{"Empty", nil, 0, ErrInvalidZip},
		{"Truncated", mustZip(t, zipEntry{name: "a", data: "hello"})[:20], 0, ErrInvalidZip},
		{"DotDot", mustZip(t, zipEntry{name: "../../etc/passwd", data: "x"}), 0, ErrInvalidZip},
		{"DotDotInside", mustZip(t, zipEntry{name: "a/../../b", data: "x"}), 0, ErrInvalidZip},
		{"Absolute", mustZip(t, zipEntry{name: "/etc/passwd", data: "x"}), 0, ErrInvalidZip},
		{"WindowsAbsolute", mustZip(t, zipEntry{name: `C:\evil`, data: "x"}), 0, ErrInvalidZip},
		{"ThroughSymlink", mustZip(t,
			zipEntry{name: "escape", data: "/tmp", mode: fs.ModeSymlink | 0o777},
			zipEntry{name: "escape/owned", data: "x"}), 0, ErrInvalidZip},
		{"ThroughSymlinkDir", mustZip(t,
			zipEntry{name: "d/escape", data: "../..", mode: fs.ModeSymlink | 0o777},
			zipEntry{name: "d/escape/x/owned", data: "x"}), 0, ErrInvalidZip},
		{"TooLarge", mustZip(t, zipEntry{name: "big", data: string(bytes.Repeat([]byte("a"), 2048))}), 1024, ErrCodeTooLarge},
		{"TooLargeTotal", mustZip(t,
			zipEntry{name: "a", data: string(bytes.Repeat([]byte("a"), 600))},
			zipEntry{name: "b", data: string(bytes.Repeat([]byte("b"), 600))}), 1024, ErrCodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newTestCache(t, tt.limit)
			_, err := c.Unpack(tt.data)
			require.ErrorIs(t, err, tt.wantErr)
			// Nothing escaped and nothing half-written was published.
			_, statErr := os.Stat("/tmp/owned")
			require.ErrorIs(t, statErr, fs.ErrNotExist)
			entries, err := os.ReadDir(filepath.Join(c.dir, "code"))
			require.NoError(t, err)
			require.Empty(t, entries)
		})
	}
	var se *CodeSizeError
	_, err := newTestCache(t, 1024).Unpack(tests[9].data)
	require.ErrorAs(t, err, &se)
	require.Equal(t, int64(1024), se.Limit)
	require.Greater(t, se.Size, int64(1024))
}

// TestUnpackLyingSizes covers a zip whose headers understate the unzipped size: the limit
// holds on the bytes actually written.
func TestUnpackLyingSizes(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "bomb", Method: zip.Store, CompressedSize64: 4096, UncompressedSize64: 10, CRC32: 0})
	require.NoError(t, err)
	_, err = w.Write(bytes.Repeat([]byte("z"), 4096))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	_, err = newTestCache(t, 1024).Unpack(buf.Bytes())
	require.Error(t, err)
	require.True(t, errorsIsAny(err, ErrCodeTooLarge, ErrInvalidZip), "err: %v", err)
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errorsIs(err, t) {
			return true
		}
	}
	return false
}

func TestMergeLayers(t *testing.T) {
	t.Parallel()
	c := newTestCache(t, 0)
	l1, err := c.Unpack(mustZip(t,
		zipEntry{name: "python/a.py", data: "one"},
		zipEntry{name: "python/shared.py", data: "from layer 1"},
		zipEntry{name: "bin/tool", data: "#!/bin/sh\n", mode: 0o755},
		zipEntry{name: "thing", data: "file in layer 1"},
	))
	require.NoError(t, err)
	l2, err := c.Unpack(mustZip(t,
		zipEntry{name: "python/b.py", data: "two"},
		zipEntry{name: "python/shared.py", data: "from layer 2"},
		zipEntry{name: "thing/inside", data: "a directory in layer 2"},
		zipEntry{name: "lnk", data: "python/b.py", mode: fs.ModeSymlink | 0o777},
	))
	require.NoError(t, err)

	dir, err := c.MergeLayers([]*Code{l1, l2})
	require.NoError(t, err)
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(dir, p))
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, "one", read("python/a.py"))
	require.Equal(t, "two", read("python/b.py"))
	require.Equal(t, "from layer 2", read("python/shared.py"), "later layers overwrite earlier ones")
	require.Equal(t, "a directory in layer 2", read("thing/inside"))
	require.Equal(t, "two", read("lnk"))
	fi, err := os.Stat(filepath.Join(dir, "bin/tool"))
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o755), fi.Mode().Perm())

	again, err := c.MergeLayers([]*Code{l1, l2})
	require.NoError(t, err)
	require.Equal(t, dir, again, "merges are cached")
	reversed, err := c.MergeLayers([]*Code{l2, l1})
	require.NoError(t, err)
	require.NotEqual(t, dir, reversed, "order matters")
	b, err := os.ReadFile(filepath.Join(reversed, "python/shared.py"))
	require.NoError(t, err)
	require.Equal(t, "from layer 1", string(b))

	empty, err := c.MergeLayers(nil)
	require.NoError(t, err)
	entries, err := os.ReadDir(empty)
	require.NoError(t, err)
	require.Empty(t, entries)

	_, err = c.MergeLayers(make([]*Code, MaxLayers+1))
	require.ErrorIs(t, err, ErrInvalidFunction)

	require.NoError(t, c.CheckCombinedSize(l1, []*Code{l2}))
	small := newTestCache(t, 10)
	var se *CodeSizeError
	require.ErrorAs(t, small.CheckCombinedSize(l1, []*Code{l2}), &se)
	require.Equal(t, l1.Size+l2.Size, se.Size)
}

func FuzzUnpack(f *testing.F) {
	f.Add(mustZip(f, zipEntry{name: "a.py", data: "x"}))
	f.Add(mustZip(f, zipEntry{name: "../x", data: "x"}))
	f.Add(mustZip(f, zipEntry{name: "l", data: "/", mode: fs.ModeSymlink | 0o777}, zipEntry{name: "l/x", data: "x"}))
	f.Add(mustZip(f, zipEntry{name: "d/", mode: fs.ModeDir | 0o755}, zipEntry{name: "d", data: "x"}))
	f.Add([]byte("PK\x03\x04garbage"))
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := NewCodeCache(filepath.Join(root, randomHex(8)), 1<<20)
		require.NoError(t, err)
		code, err := c.Unpack(data)
		if err != nil {
			require.True(t, errorsIsAny(err, ErrInvalidZip, ErrCodeTooLarge), "unexpected error kind: %v", err)
			return
		}
		// Every file the cache wrote is inside the code directory.
		err = filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
			require.NoError(t, err)
			rel, rerr := filepath.Rel(c.dir, p)
			require.NoError(t, rerr)
			require.NotContains(t, rel, "..")
			return nil
		})
		require.NoError(t, err)
		require.LessOrEqual(t, code.Size, int64(1<<20))
	})
}
