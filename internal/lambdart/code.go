package lambdart

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Limits on deployment packages, as AWS sets them.
const (
	// MaxUnzippedSize is the largest unzipped size of a function's code and layers together.
	MaxUnzippedSize = 262144000
	// MaxLayers is the most layers a function can use.
	MaxLayers = 5
)

// A directory in the cache is complete once "<dir>.complete" exists beside it, holding the
// unzipped size; the marker sits outside so that functions never see it in /var/task.
const completeSuffix = ".complete"

// Code is one unpacked deployment package or layer in the cache.
type Code struct {
	// SHA256 is the hex SHA-256 of the zip file; it names the cache directory.
	SHA256 string
	// Dir is the unpacked directory. Environments mount it read-only where they can; it must
	// not be modified.
	Dir string
	// Size is the unzipped size in bytes (the sum of the files' sizes).
	Size int64
}

// CodeSha256 returns the digest as the Lambda API reports it (base64 of the raw SHA-256).
func (c *Code) CodeSha256() string {
	raw, err := hex.DecodeString(c.SHA256)
	if err != nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// CodeCache unpacks zip files once per content into a content-addressed directory tree, and
// merges layer sets into /opt trees. It is safe for concurrent use and across restarts: a
// directory is only published, by rename, once it is complete.
type CodeCache struct {
	dir   string
	limit int64

	mu       sync.Mutex
	inflight map[string]*cacheCall
}

type cacheCall struct {
	done chan struct{}
	code *Code
	err  error
}

// NewCodeCache returns a cache rooted at dir that refuses packages whose unzipped size
// exceeds maxUnzipped bytes (zero means MaxUnzippedSize).
func NewCodeCache(dir string, maxUnzipped int64) (*CodeCache, error) {
	if maxUnzipped <= 0 {
		maxUnzipped = MaxUnzippedSize
	}
	for _, sub := range []string{"code", "opt", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("create code cache: %w", err)
		}
	}
	return &CodeCache{dir: dir, limit: maxUnzipped, inflight: map[string]*cacheCall{}}, nil
}

// Limit returns the unzipped size limit in bytes.
func (c *CodeCache) Limit() int64 { return c.limit }

// Unpack unpacks a zip file held in memory. Unpacking the same bytes again returns the
// cached directory without unzipping. It returns an error wrapping ErrInvalidZip for a
// malformed zip or an entry escaping the root (zip-slip, through ".." or a symlink), and a
// *CodeSizeError (ErrCodeTooLarge) when the unzipped size exceeds the limit.
func (c *CodeCache) Unpack(zipData []byte) (*Code, error) {
	sum := sha256.Sum256(zipData)
	return c.unpack(hex.EncodeToString(sum[:]), func() (*zip.Reader, error) {
		return zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	})
}

// UnpackFile is Unpack for a zip file on disk.
func (c *CodeCache) UnpackFile(zipPath string) (*Code, error) {
	f, err := os.Open(zipPath)
	if err != nil {
		return nil, fmt.Errorf("open package: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		return nil, fmt.Errorf("hash package: %w", err)
	}
	return c.unpack(hex.EncodeToString(h.Sum(nil)), func() (*zip.Reader, error) {
		return zip.NewReader(f, size)
	})
}

// Lookup returns the unpacked code for a hex SHA-256 if the cache holds it, e.g. after a
// restart.
func (c *CodeCache) Lookup(sha256Hex string) (*Code, bool) {
	if !isHex(sha256Hex) {
		return nil, false
	}
	dir := filepath.Join(c.dir, "code", sha256Hex)
	size, err := readComplete(dir)
	if err != nil {
		return nil, false
	}
	return &Code{SHA256: sha256Hex, Dir: dir, Size: size}, true
}

// Remove deletes unpacked code from the cache. Environments already using it keep working
// where the directory is mounted; others will fail to start, so the control plane removes
// only code no function version or layer version refers to.
func (c *CodeCache) Remove(sha256Hex string) error {
	if !isHex(sha256Hex) {
		return fmt.Errorf("remove code: bad digest %q", sha256Hex)
	}
	dir := filepath.Join(c.dir, "code", sha256Hex)
	if err := os.Remove(dir + completeSuffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove code: %w", err)
	}
	trash := filepath.Join(c.dir, "tmp", "rm-"+sha256Hex+"-"+randomHex(4))
	if err := os.Rename(dir, trash); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("remove code: %w", err)
	}
	return os.RemoveAll(trash)
}

// CheckCombinedSize returns a *CodeSizeError when the code and its layers together exceed
// the cache's limit. AWS answers InvalidParameterValueException "Function code combined
// with layers exceeds the maximum allowed size of 262144000 bytes. The actual size is N
// bytes.".
func (c *CodeCache) CheckCombinedSize(code *Code, layers []*Code) error {
	var total int64
	if code != nil {
		total += code.Size
	}
	for _, l := range layers {
		if l != nil {
			total += l.Size
		}
	}
	if total > c.limit {
		return &CodeSizeError{Size: total, Limit: c.limit}
	}
	return nil
}

func (c *CodeCache) unpack(digest string, open func() (*zip.Reader, error)) (*Code, error) {
	if code, ok := c.Lookup(digest); ok {
		return code, nil
	}
	c.mu.Lock()
	if call, ok := c.inflight[digest]; ok {
		c.mu.Unlock()
		<-call.done
		return call.code, call.err
	}
	call := &cacheCall{done: make(chan struct{})}
	c.inflight[digest] = call
	c.mu.Unlock()

	call.code, call.err = c.unpackNew(digest, open)
	c.mu.Lock()
	delete(c.inflight, digest)
	c.mu.Unlock()
	close(call.done)
	return call.code, call.err
}

func (c *CodeCache) unpackNew(digest string, open func() (*zip.Reader, error)) (*Code, error) {
	if code, ok := c.Lookup(digest); ok {
		return code, nil
	}
	zr, err := open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	tmp, err := os.MkdirTemp(filepath.Join(c.dir, "tmp"), "unzip-")
	if err != nil {
		return nil, fmt.Errorf("unpack: %w", err)
	}
	defer os.RemoveAll(tmp)
	size, err := extractZip(zr, tmp, c.limit)
	if err != nil {
		return nil, err
	}
	final := filepath.Join(c.dir, "code", digest)
	if err := c.publish(tmp, final, size); err != nil {
		return nil, fmt.Errorf("unpack: %w", err)
	}
	return &Code{SHA256: digest, Dir: final, Size: size}, nil
}

// extractZip writes the entries of zr under root, refusing entries that would land outside
// it, and returns the unzipped size. Symlinks are recreated as they are; no entry is ever
// written through one.
func extractZip(zr *zip.Reader, root string, limit int64) (int64, error) {
	var declared uint64
	for _, f := range zr.File {
		declared += f.UncompressedSize64
		if declared > uint64(limit) {
			return int64(declared), &CodeSizeError{Size: int64(min(declared, 1<<62)), Limit: limit}
		}
	}
	links := map[string]bool{}
	var total int64
	for _, f := range zr.File {
		name, err := cleanEntryName(f.Name)
		if err != nil {
			return 0, err
		}
		if name == "" {
			continue
		}
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if links[dir] {
				return 0, fmt.Errorf("%w: entry %q is inside symlink %q", ErrInvalidZip, f.Name, dir)
			}
		}
		target := filepath.Join(root, filepath.FromSlash(name))
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := mkdirAll(target, root); err != nil {
				return 0, err
			}
			continue
		case mode&fs.ModeSymlink != 0:
			dest, err := readEntry(f, 4096)
			if err != nil {
				return 0, err
			}
			if err := mkdirAll(filepath.Dir(target), root); err != nil {
				return 0, err
			}
			_ = os.RemoveAll(target)
			if err := os.Symlink(string(dest), target); err != nil {
				return 0, fmt.Errorf("%w: symlink %q: %v", ErrInvalidZip, f.Name, err)
			}
			links[name] = true
			continue
		case !mode.IsRegular():
			// Devices, pipes and sockets have no place in a deployment package.
			continue
		}
		if err := mkdirAll(filepath.Dir(target), root); err != nil {
			return 0, err
		}
		perm := fs.FileMode(0o644)
		if mode.Perm()&0o111 != 0 {
			perm = 0o755
		}
		n, err := writeEntry(f, target, perm, limit-total)
		total += n
		if err != nil {
			if errors.Is(err, ErrCodeTooLarge) {
				return total, &CodeSizeError{Size: total, Limit: limit}
			}
			return total, err
		}
	}
	return total, nil
}

// cleanEntryName turns a zip entry name into a clean relative slash path, or rejects it.
func cleanEntryName(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if strings.ContainsRune(n, 0) {
		return "", fmt.Errorf("%w: entry name %q", ErrInvalidZip, name)
	}
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return "", fmt.Errorf("%w: absolute entry %q", ErrInvalidZip, name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", fmt.Errorf("%w: entry %q escapes the package root", ErrInvalidZip, name)
		}
	}
	c := path.Clean(n)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// mkdirAll creates dir (under root) refusing to pass through a symlink.
func mkdirAll(dir, root string) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("%w: directory %q escapes the package root", ErrInvalidZip, dir)
	}
	if rel == "." {
		return nil
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, part)
		fi, err := os.Lstat(cur)
		switch {
		case err == nil && fi.IsDir():
			continue
		case err == nil:
			return fmt.Errorf("%w: %q is not a directory", ErrInvalidZip, cur)
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(cur, 0o755); err != nil {
				return fmt.Errorf("unpack: %w", err)
			}
		default:
			return fmt.Errorf("unpack: %w", err)
		}
	}
	return nil
}

func readEntry(f *zip.File, max int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidZip, err)
	}
	return b, nil
}

func writeEntry(f *zip.File, target string, perm fs.FileMode, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %v", ErrInvalidZip, f.Name, err)
	}
	defer rc.Close()
	if fi, err := os.Lstat(target); err == nil && !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%w: %q collides with a directory or symlink", ErrInvalidZip, f.Name)
	}
	out, err := os.OpenFile(target, os.O_CREATE|os.O_TRUNC|os.O_WRONLY|syscallNoFollow, perm)
	if err != nil {
		return 0, fmt.Errorf("unpack %q: %w", f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("%w: %q: %v", ErrInvalidZip, f.Name, err)
	}
	if n > budget {
		return n, ErrCodeTooLarge
	}
	// The process umask may have trimmed the mode; the runtime needs it exactly.
	if err := os.Chmod(target, perm); err != nil {
		return n, fmt.Errorf("unpack %q: %w", f.Name, err)
	}
	return n, nil
}

// MergeLayers returns a directory holding the layers merged as /opt sees them: each
// layer's files in order, later layers overwriting earlier ones. Merges are cached by the
// layers' digests; with no layers it returns an empty directory.
func (c *CodeCache) MergeLayers(layers []*Code) (string, error) {
	if len(layers) > MaxLayers {
		return "", fmt.Errorf("%w: %d layers, at most %d", ErrInvalidFunction, len(layers), MaxLayers)
	}
	h := sha256.New()
	for _, l := range layers {
		h.Write([]byte(l.SHA256 + "\n"))
	}
	key := hex.EncodeToString(h.Sum(nil))
	if len(layers) == 0 {
		key = "empty"
	}
	final := filepath.Join(c.dir, "opt", key)
	if _, err := readComplete(final); err == nil {
		return final, nil
	}

	c.mu.Lock()
	if call, ok := c.inflight["opt:"+key]; ok {
		c.mu.Unlock()
		<-call.done
		if call.err != nil {
			return "", call.err
		}
		return final, nil
	}
	call := &cacheCall{done: make(chan struct{})}
	c.inflight["opt:"+key] = call
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.inflight, "opt:"+key)
		c.mu.Unlock()
		close(call.done)
	}()

	tmp, err := os.MkdirTemp(filepath.Join(c.dir, "tmp"), "opt-")
	if err != nil {
		call.err = fmt.Errorf("merge layers: %w", err)
		return "", call.err
	}
	defer os.RemoveAll(tmp)
	for _, l := range layers {
		if err := overlayTree(l.Dir, tmp); err != nil {
			call.err = fmt.Errorf("merge layer %s: %w", l.SHA256, err)
			return "", call.err
		}
	}
	if err := c.publish(tmp, final, 0); err != nil {
		call.err = fmt.Errorf("merge layers: %w", err)
		return "", call.err
	}
	return final, nil
}

// overlayTree copies src over dst: files are hard-linked (copied across devices), a file
// replaces whatever dst had at its path, and directories merge.
func overlayTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "." {
			return nil
		}
		target := filepath.Join(dst, rel)
		existing, lerr := os.Lstat(target)
		switch {
		case d.IsDir():
			if lerr == nil && existing.IsDir() {
				return nil
			}
			if lerr == nil {
				if err := os.RemoveAll(target); err != nil {
					return err
				}
			}
			return os.Mkdir(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			if lerr == nil {
				if err := os.RemoveAll(target); err != nil {
					return err
				}
			}
			dest, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(dest, target)
		default:
			if lerr == nil {
				if err := os.RemoveAll(target); err != nil {
					return err
				}
			}
			if err := os.Link(p, target); err == nil {
				return nil
			}
			return copyFile(p, target)
		}
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// publish moves a finished tree to its final name and marks it complete. A leftover tree
// without a marker (a crash mid-publish) is replaced; a complete one published meanwhile by
// another process is kept, being identical.
func (c *CodeCache) publish(tmp, final string, size int64) error {
	if _, err := readComplete(final); err == nil {
		return nil
	}
	if _, err := os.Lstat(final); err == nil {
		trash := filepath.Join(c.dir, "tmp", "stale-"+randomHex(6))
		if err := os.Rename(final, trash); err != nil {
			return err
		}
		_ = os.RemoveAll(trash)
	}
	if err := os.Rename(tmp, final); err != nil {
		if _, rerr := readComplete(final); rerr == nil {
			return nil
		}
		return err
	}
	marker := final + completeSuffix
	if err := os.WriteFile(marker+".tmp", []byte(fmt.Sprint(size)), 0o644); err != nil {
		return err
	}
	return os.Rename(marker+".tmp", marker)
}

func readComplete(dir string) (int64, error) {
	b, err := os.ReadFile(dir + completeSuffix)
	if err != nil {
		return 0, err
	}
	var n int64
	_, err = fmt.Sscan(string(b), &n)
	return n, err
}

func isHex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
