package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

func md5ETag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func getBytes(t *testing.T, c *s3.Client, in *s3.GetObjectInput) (*s3.GetObjectOutput, []byte) {
	t.Helper()
	out, err := c.GetObject(ctx(t), in)
	require.NoError(t, err, "GetObject %s", aws.ToString(in.Key))
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	require.NoError(t, err)
	return out, b
}

func TestObjectRoundTrip(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)

	// Every byte value, and a 6 MB body.
	bin := make([]byte, 256*4)
	for i := range bin {
		bin[i] = byte(i)
	}
	big := make([]byte, 6<<20)
	for i := range big {
		big[i] = byte(i*7 + i/4096)
	}
	for key, body := range map[string][]byte{"bin/all-bytes": bin, "big/six-mb": big, "empty": {}, "dir/ünïcode key+plus": []byte("text")} {
		put, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		require.NoError(t, err, "PutObject %s", key)
		require.Equal(t, md5ETag(body), aws.ToString(put.ETag), "ETag is the MD5 of the body in quotes")
		get, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		require.True(t, bytes.Equal(body, got), "body of %s (%d bytes, got %d)", key, len(body), len(got))
		require.Equal(t, int64(len(body)), aws.ToInt64(get.ContentLength))
		require.Equal(t, md5ETag(body), aws.ToString(get.ETag))
	}

	// Content-Type, system headers and user metadata are kept; metadata names are lower case.
	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta"), Body: bytes.NewReader([]byte("{}")),
		ContentType: aws.String("application/json"), CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String("attachment"),
		Metadata: map[string]string{"Owner": "team-a", "purpose": "test"}})
	require.NoError(t, err)
	head, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta")})
	require.NoError(t, err)
	require.Equal(t, "application/json", aws.ToString(head.ContentType))
	require.Equal(t, "max-age=60", aws.ToString(head.CacheControl))
	require.Equal(t, "attachment", aws.ToString(head.ContentDisposition))
	require.Equal(t, map[string]string{"owner": "team-a", "purpose": "test"}, head.Metadata)
	require.Equal(t, int64(2), aws.ToInt64(head.ContentLength))
	require.Equal(t, "bytes", aws.ToString(head.AcceptRanges))
	require.Equal(t, types.ServerSideEncryptionAes256, head.ServerSideEncryption, "S3 encrypts every new object with SSE-S3")
	require.NotNil(t, head.LastModified)

	// A PUT replaces the object whole.
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta"), Body: bytes.NewReader([]byte("v2"))})
	require.NoError(t, err)
	head, err = c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("meta")})
	require.NoError(t, err)
	require.Empty(t, head.Metadata)
	require.Equal(t, md5ETag([]byte("v2")), aws.ToString(head.ETag))
}

func TestObjectErrors(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	missing := uniqueBucket(t) + "-missing"

	_, err := c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("nope")})
	ae := requireCode(t, err, "NoSuchKey", 404, "GetObject of a missing key")
	require.Equal(t, "The specified key does not exist.", ae.ErrorMessage())
	var nsk *types.NoSuchKey
	require.True(t, errors.As(err, &nsk), "modeled NoSuchKey")
	_, err = c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("nope")})
	requireCode(t, err, "NotFound", 404, "HeadObject of a missing key")
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(missing), Key: aws.String("k")})
	ae = requireCode(t, err, "NoSuchBucket", 404, "GetObject in a missing bucket")
	require.Equal(t, "The specified bucket does not exist", ae.ErrorMessage())
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(missing), Key: aws.String("k"), Body: bytes.NewReader([]byte("x"))})
	requireCode(t, err, "NoSuchBucket", 404, "PutObject in a missing bucket")

	// Deleting a missing key succeeds (204), as S3 does for unversioned buckets.
	_, err = c.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("nope")})
	require.NoError(t, err)

	// Content-MD5 that does not match the body answers BadDigest and stores nothing.
	wrong := md5.Sum([]byte("something else"))
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("md5"), Body: bytes.NewReader([]byte("body")),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(wrong[:]))})
	ae = requireCode(t, err, "BadDigest", 400, "Content-MD5 mismatch")
	require.Equal(t, "The Content-MD5 you specified did not match what we received.", ae.ErrorMessage())
	_, err = c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("md5")})
	requireCode(t, err, "NotFound", 404, "nothing stored after BadDigest")
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("md5"), Body: bytes.NewReader([]byte("body")),
		ContentMD5: aws.String("not-base64!")})
	requireCode(t, err, "InvalidDigest", 400, "malformed Content-MD5")
	right := md5.Sum([]byte("body"))
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("md5"), Body: bytes.NewReader([]byte("body")),
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(right[:]))})
	require.NoError(t, err, "matching Content-MD5")
}

func TestObjectRanges(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	body := []byte("0123456789abcdefghij")
	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("r"), Body: bytes.NewReader(body)})
	require.NoError(t, err)

	for _, tc := range []struct{ rng, want, contentRange string }{
		{"bytes=0-4", "01234", "bytes 0-4/20"},
		{"bytes=10-", "abcdefghij", "bytes 10-19/20"},
		{"bytes=-3", "hij", "bytes 17-19/20"},
		{"bytes=15-100", "fghij", "bytes 15-19/20"},
	} {
		out, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("r"), Range: aws.String(tc.rng)})
		require.Equal(t, tc.want, string(got), tc.rng)
		require.Equal(t, tc.contentRange, aws.ToString(out.ContentRange), tc.rng)
		require.Equal(t, int64(len(tc.want)), aws.ToInt64(out.ContentLength), tc.rng)
		raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response)
		require.True(t, ok, tc.rng)
		require.Equal(t, http.StatusPartialContent, raw.StatusCode, "%s: a ranged GET is partial content", tc.rng)
	}
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("r"), Range: aws.String("bytes=20-")})
	ae := requireCode(t, err, "InvalidRange", 416, "range starting past the end")
	require.Equal(t, "The requested range is not satisfiable", ae.ErrorMessage())
}

func TestObjectConditionalGet(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	put, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), Body: bytes.NewReader([]byte("cond"))})
	require.NoError(t, err)
	etag := aws.ToString(put.ETag)
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)

	requireStatus := func(err error, status int, what string) {
		t.Helper()
		require.Error(t, err, what)
		var re *awshttp.ResponseError
		require.True(t, errors.As(err, &re), "%s: %v", what, err)
		require.Equal(t, status, re.HTTPStatusCode(), what)
	}
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfNoneMatch: aws.String(etag)})
	requireStatus(err, 304, "If-None-Match with the current ETag")
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfModifiedSince: aws.Time(future)})
	requireStatus(err, 304, "If-Modified-Since after the last change")
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfMatch: aws.String(`"0000"`)})
	requireCode(t, err, "PreconditionFailed", 412, "If-Match with another ETag")
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfUnmodifiedSince: aws.Time(past)})
	requireCode(t, err, "PreconditionFailed", 412, "If-Unmodified-Since before the last change")
	_, err = c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfMatch: aws.String(`"0000"`)})
	requireStatus(err, 412, "HeadObject If-Match with another ETag")

	// Conditions that hold answer the object.
	_, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfMatch: aws.String(etag),
		IfNoneMatch: aws.String(`"0000"`), IfModifiedSince: aws.Time(past), IfUnmodifiedSince: aws.Time(future)})
	require.Equal(t, "cond", string(got))
	// If-Match true and If-Unmodified-Since false: S3 answers the object (RFC 7232 precedence).
	_, got = getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("c"), IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(past)})
	require.Equal(t, "cond", string(got))
}

func TestCopyObject(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	src, dst := newBucket(t, c), newBucket(t, c)
	body := []byte("copy me")
	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(src), Key: aws.String("dir/src key"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"a": "1"}})
	require.NoError(t, err)

	out, err := c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copied"), CopySource: aws.String(src + "/dir/src%20key")})
	require.NoError(t, err)
	require.Equal(t, md5ETag(body), aws.ToString(out.CopyObjectResult.ETag))
	require.NotNil(t, out.CopyObjectResult.LastModified)
	get, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(dst), Key: aws.String("copied")})
	require.Equal(t, body, got)
	require.Equal(t, "text/plain", aws.ToString(get.ContentType), "COPY keeps the source's Content-Type")
	require.Equal(t, map[string]string{"a": "1"}, get.Metadata, "COPY keeps the source's metadata")

	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("replaced"), CopySource: aws.String(src + "/dir/src%20key"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"b": "2"}, ContentType: aws.String("application/x-new")})
	require.NoError(t, err)
	get, _ = getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(dst), Key: aws.String("replaced")})
	require.Equal(t, "application/x-new", aws.ToString(get.ContentType))
	require.Equal(t, map[string]string{"b": "2"}, get.Metadata, "REPLACE takes the request's metadata")

	// Copying an object onto itself changes nothing, which S3 refuses.
	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copied"), CopySource: aws.String(dst + "/copied")})
	requireCode(t, err, "InvalidRequest", 400, "copy onto itself without changes")
	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("copied"), CopySource: aws.String(dst + "/copied"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"c": "3"}})
	require.NoError(t, err, "copy onto itself replacing the metadata")

	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("x"), CopySource: aws.String(src + "/missing")})
	requireCode(t, err, "NoSuchKey", 404, "copy of a missing key")
	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(dst), Key: aws.String("x"), CopySource: aws.String(src + "/dir/src%20key"),
		CopySourceIfMatch: aws.String(`"0000"`)})
	requireCode(t, err, "PreconditionFailed", 412, "x-amz-copy-source-if-match with another ETag")
}

func TestDeleteObjects(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	for _, k := range []string{"a", "b", "c"} {
		_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader([]byte(k))})
		require.NoError(t, err)
	}
	out, err := c.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("missing")}}}})
	require.NoError(t, err)
	var keys []string
	for _, d := range out.Deleted {
		keys = append(keys, aws.ToString(d.Key))
	}
	require.ElementsMatch(t, []string{"a", "missing"}, keys, "missing keys are reported deleted too")
	require.Empty(t, out.Errors)

	out, err = c.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("b")}}, Quiet: aws.Bool(true)}})
	require.NoError(t, err)
	require.Empty(t, out.Deleted, "Quiet answers only failures")

	list, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
	require.Equal(t, "c", aws.ToString(list.Contents[0].Key))
}
