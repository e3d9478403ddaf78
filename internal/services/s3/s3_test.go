package s3

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

func setup(t *testing.T) (*Service, context.Context) {
	t.Helper()
	db, err := store.Open(t.Context(), store.Options{Ephemeral: true})
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	svc := New(Deps{Store: db, Clock: clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))})
	ctx := protocol.WithCall(t.Context(), &protocol.Call{Account: "123456789012", Region: "us-east-1", Scheme: "http", Host: "localhost:4566"})
	return svc, ctx
}

func requireS3Error(t *testing.T, err error, code string, status int) *protocol.Error {
	t.Helper()
	var pe *protocol.Error
	require.True(t, errors.As(err, &pe), "want *protocol.Error %s, got %v", code, err)
	require.Equal(t, code, pe.Code)
	require.Equal(t, status, pe.HTTPStatus())
	return pe
}

func TestGetObjectBytes(t *testing.T) {
	t.Parallel()
	svc, ctx := setup(t)
	_, err := svc.GetObjectBytes(ctx, "123456789012", "us-east-1", "code-bucket", "fn.zip", "")
	pe := requireS3Error(t, err, "NoSuchBucket", 404)
	require.Equal(t, "code-bucket", pe.Fields["BucketName"])

	_, err = svc.CreateBucket(ctx, &CreateBucketInput{Bucket: ptr("code-bucket")})
	require.NoError(t, err)
	_, err = svc.GetObjectBytes(ctx, "123456789012", "us-east-1", "code-bucket", "fn.zip", "")
	pe = requireS3Error(t, err, "NoSuchKey", 404)
	require.Equal(t, "fn.zip", pe.Fields["Key"])

	zip := []byte("PK\x03\x04\x00\xff")
	_, err = svc.PutObject(ctx, &PutObjectInput{Bucket: ptr("code-bucket"), Key: ptr("fn.zip"), Body: zip})
	require.NoError(t, err)
	got, err := svc.GetObjectBytes(ctx, "123456789012", "us-east-1", "code-bucket", "fn.zip", "")
	require.NoError(t, err)
	require.Equal(t, zip, got)
	got, err = svc.GetObjectBytes(ctx, "123456789012", "us-east-1", "code-bucket", "fn.zip", "null")
	require.NoError(t, err, `"null" is the version id of objects in unversioned buckets`)
	require.Equal(t, zip, got)
}

func TestValidBucketName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"abc", "my-bucket.example", "a1b", strings.Repeat("a", 63)} {
		require.True(t, validBucketName(ok), ok)
	}
	for _, bad := range []string{"ab", strings.Repeat("a", 64), "ABC", "a_b", "-ab", "ab-", ".ab", "a..b", "10.0.0.1",
		"xn--abc", "sthree-abc", "amzn-s3-demo-x", "abc-s3alias", "abc--ol-s3", "abc.mrap", "abc--x-s3", "abc--table-s3"} {
		require.False(t, validBucketName(bad), bad)
	}
}

func TestParseRange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		h           string
		first, last int64
		whole       bool
	}{
		{h: "bytes=0-0", first: 0, last: 0},
		{h: "bytes=5-", first: 5, last: 9},
		{h: "bytes=-4", first: 6, last: 9},
		{h: "bytes=-40", first: 0, last: 9},
		{h: "bytes=3-1000", first: 3, last: 9},
		{h: "bytes=4-2", whole: true},
		{h: "bytes=0-1,3-4", whole: true},
		{h: "items=0-1", whole: true},
		{h: "bytes=a-b", whole: true},
	} {
		r, err := parseRange(tc.h, 10)
		require.NoError(t, err, tc.h)
		if tc.whole {
			require.Nil(t, r, "%s is ignored", tc.h)
			continue
		}
		require.Equal(t, &byteRange{tc.first, tc.last}, r, tc.h)
	}
	for _, h := range []string{"bytes=10-", "bytes=10-20", "bytes=-0"} {
		_, err := parseRange(h, 10)
		requireS3Error(t, err, "InvalidRange", 416)
	}
}

func TestCommonPrefix(t *testing.T) {
	t.Parallel()
	require.Equal(t, "a/", commonPrefix("a/b/c", "", "/"))
	require.Equal(t, "a/b/", commonPrefix("a/b/c", "a/", "/"))
	require.Equal(t, "", commonPrefix("a/b", "a/", "/"))
	require.Equal(t, "", commonPrefix("a/b", "", ""))
	require.Equal(t, "x--", commonPrefix("x--y", "", "--"), "multi-character delimiter")
}

func TestParseCopySource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ src, bucket, key, version string }{
		{"b/k", "b", "k", ""},
		{"/b/dir/k%20x", "b", "dir/k x", ""},
		{"b/k?versionId=v1", "b", "k", "v1"},
	} {
		b, k, v, ok := parseCopySource(tc.src)
		require.True(t, ok, tc.src)
		require.Equal(t, []string{tc.bucket, tc.key, tc.version}, []string{b, k, v}, tc.src)
	}
	for _, bad := range []string{"", "b", "b/", "/k"} {
		_, _, _, ok := parseCopySource(bad)
		require.False(t, ok, bad)
	}
}

func TestListSkipsResumedCommonPrefix(t *testing.T) {
	t.Parallel()
	svc, ctx := setup(t)
	_, err := svc.CreateBucket(ctx, &CreateBucketInput{Bucket: ptr("lst")})
	require.NoError(t, err)
	for _, k := range []string{"a/1", "a/2", "a/", "b", "c/"} {
		_, err := svc.PutObject(ctx, &PutObjectInput{Bucket: ptr("lst"), Key: ptr(k)})
		require.NoError(t, err)
	}
	// Resuming after common prefix "a/" skips every key under it.
	page, err := svc.list(ctx, listParams{bucket: "lst", delimiter: "/", after: "a/", max: 10})
	require.NoError(t, err)
	require.Len(t, page.objects, 1)
	require.Equal(t, "b", page.objects[0].Key)
	require.Equal(t, []string{"c/"}, page.prefixes)
	// Without a delimiter "a/" is a key like any other.
	page, err = svc.list(ctx, listParams{bucket: "lst", after: "a/", max: 10})
	require.NoError(t, err)
	require.Len(t, page.objects, 4)
}

func TestHeaderTags(t *testing.T) {
	t.Parallel()
	tags, err := headerTags(ptr("a=1&b=two%20words&c="))
	require.NoError(t, err)
	require.ElementsMatch(t, []*Tag{{Key: ptr("a"), Value: ptr("1")}, {Key: ptr("b"), Value: ptr("two words")}, {Key: ptr("c"), Value: ptr("")}},
		tagSet(tags))
	require.Equal(t, int32(3), *tagCount(tags))
	require.Nil(t, tagCount("[]"))

	_, err = headerTags(ptr("a=1&a=2"))
	requireS3Error(t, err, "InvalidTag", 400)
	_, err = headerTags(ptr(strings.Repeat("k", 129) + "=v"))
	requireS3Error(t, err, "InvalidTag", 400)
	_, err = headerTags(ptr("k=" + strings.Repeat("v", 257)))
	requireS3Error(t, err, "InvalidTag", 400)
	var many []string
	for i := 0; i < 11; i++ {
		many = append(many, "k"+strings.Repeat("x", i)+"=v")
	}
	_, err = headerTags(ptr(strings.Join(many, "&")))
	requireS3Error(t, err, "BadRequest", 400)
}

func TestCheckMD5(t *testing.T) {
	t.Parallel()
	require.NoError(t, checkMD5(nil, []byte("x")))
	require.NoError(t, checkMD5(ptr("XUFAKrxLKna5cZ2REBfFkg=="), []byte("hello")), "base64 of MD5(hello)")
	pe := requireS3Error(t, checkMD5(ptr("XUFAKrxLKna5cZ2REBfFkg=="), []byte("other")), "BadDigest", 400)
	require.Equal(t, "XUFAKrxLKna5cZ2REBfFkg==", pe.Fields["ExpectedDigest"])
	requireS3Error(t, checkMD5(ptr("bm90MTY="), []byte("x")), "InvalidDigest", 400)
	requireS3Error(t, checkMD5(ptr("%%%"), []byte("x")), "InvalidDigest", 400)
}

func TestCheckNewObject(t *testing.T) {
	t.Parallel()
	require.NoError(t, checkNewObject(strings.Repeat("k", 1024), map[string]string{"n": strings.Repeat("v", 2047)}))
	pe := requireS3Error(t, checkNewObject(strings.Repeat("k", 1025), nil), "KeyTooLongError", 400)
	require.Equal(t, "1024", pe.Fields["MaxSizeAllowed"])
	pe = requireS3Error(t, checkNewObject("k", map[string]string{"n": strings.Repeat("v", 2048)}), "MetadataTooLarge", 400)
	require.Equal(t, "2049", pe.Fields["Size"])
}

func TestComputeChecksum(t *testing.T) {
	t.Parallel()
	// The check values of each algorithm for "123456789".
	for alg, want := range map[string]string{
		"CRC32":     "cbf43926",
		"CRC32C":    "e3069283",
		"CRC64NVME": "ae8b14860a799888",
		"SHA1":      "f7c3bc1d808e04732adf679965ccc34ca7ae3441",
		"SHA256":    "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225",
	} {
		got, err := base64.StdEncoding.DecodeString(computeChecksum(alg, []byte("123456789")))
		require.NoError(t, err)
		require.Equal(t, want, hex.EncodeToString(got), alg)
	}
	alg, v, err := verifyChecksum(checksumHeaders{crc32: ptr("y/Q5Jg==")}, []byte("123456789"))
	require.NoError(t, err)
	require.Equal(t, "CRC32", alg)
	require.Equal(t, "y/Q5Jg==", v)
	_, _, err = verifyChecksum(checksumHeaders{crc32: ptr("AAAAAA==")}, []byte("123456789"))
	pe := requireS3Error(t, err, "BadDigest", 400)
	require.Equal(t, "The CRC32 you specified did not match the calculated checksum.", pe.Message)
	_, _, err = verifyChecksum(checksumHeaders{sha256: ptr("short")}, []byte("x"))
	requireS3Error(t, err, "InvalidRequest", 400)
}

func TestGetObjectBytesOtherAccount(t *testing.T) {
	t.Parallel()
	svc, ctx := setup(t)
	_, err := svc.CreateBucket(ctx, &CreateBucketInput{Bucket: ptr("owned")})
	require.NoError(t, err)
	_, err = svc.PutObject(ctx, &PutObjectInput{Bucket: ptr("owned"), Key: ptr("k"), Body: []byte("x")})
	require.NoError(t, err)
	// The context's call is another account's; the account argument is the one that counts.
	got, err := svc.GetObjectBytes(t.Context(), "123456789012", "us-east-1", "owned", "k", "")
	require.NoError(t, err)
	require.Equal(t, []byte("x"), got)
	_, err = svc.GetObjectBytes(ctx, "210987654321", "us-east-1", "owned", "k", "")
	requireS3Error(t, err, "AccessDenied", 403)
}

func TestParseCopyRange(t *testing.T) {
	t.Parallel()
	r, err := parseCopyRange("bytes=0-9", 10)
	require.NoError(t, err)
	require.Equal(t, &byteRange{0, 9}, r)
	for _, bad := range []string{"bytes=0-10", "bytes=5-", "bytes=-5", "bytes=4-2", "0-1", "bytes=a-b"} {
		_, err := parseCopyRange(bad, 10)
		requireS3Error(t, err, "InvalidArgument", 400)
	}
}

func TestVersionIDs(t *testing.T) {
	t.Parallel()
	svc := &Service{clock: clock.Real{}}
	a, seqA := svc.newVersion(versioningEnabled)
	b, seqB := svc.newVersion(versioningEnabled)
	require.Len(t, a, versionIDLen)
	require.NotEqual(t, a, b)
	require.Less(t, seqA, seqB)
	require.True(t, issuedVersionID(a))
	// An id S3 never gave, even of the right shape, is refused.
	require.False(t, issuedVersionID("HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"))
	require.False(t, issuedVersionID(a[:len(a)-1]))
	require.NoError(t, checkVersionID("", nullVersion))
	require.Error(t, checkVersionID("", a), "a bucket that never versioned has only the null version")
	require.NoError(t, checkVersionID(versioningSuspended, a))
	null, _ := svc.newVersion(versioningSuspended)
	require.Equal(t, nullVersion, null)
}
