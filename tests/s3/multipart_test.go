package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

func TestMultipartUpload(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	key := aws.String("mp/object")

	create, err := c.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: key,
		ContentType: aws.String("video/mp4"), Metadata: map[string]string{"m": "1"}})
	require.NoError(t, err)
	id := create.UploadId
	require.NotEmpty(t, aws.ToString(id))
	require.Equal(t, bucket, aws.ToString(create.Bucket))

	part1 := bytes.Repeat([]byte{'a', 0}, 5<<20/2) // exactly 5 MiB, the minimum for all but the last part
	part2 := []byte("tail")
	var etags []string
	for i, body := range [][]byte{part1, part2} {
		out, err := c.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: aws.String(bucket), Key: key, UploadId: id,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body)})
		require.NoError(t, err)
		require.Equal(t, md5ETag(body), aws.ToString(out.ETag), "a part's ETag is its MD5")
		etags = append(etags, aws.ToString(out.ETag))
	}
	parts, err := c.ListParts(ctx(t), &s3.ListPartsInput{Bucket: aws.String(bucket), Key: key, UploadId: id})
	require.NoError(t, err)
	require.Len(t, parts.Parts, 2)
	require.Equal(t, int64(len(part1)), aws.ToInt64(parts.Parts[0].Size))
	require.Equal(t, etags[1], aws.ToString(parts.Parts[1].ETag))

	_, err = c.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: aws.String(bucket), Key: key, UploadId: id, PartNumber: aws.Int32(10001), Body: bytes.NewReader(nil)})
	requireCode(t, err, "InvalidArgument", 400, "part number above 10000")

	completed := func(nums ...int32) *types.CompletedMultipartUpload {
		var ps []types.CompletedPart
		for _, n := range nums {
			ps = append(ps, types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etags[(n-1)%2])})
		}
		return &types.CompletedMultipartUpload{Parts: ps}
	}
	_, err = c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key, UploadId: id, MultipartUpload: completed(2, 1)})
	ae := requireCode(t, err, "InvalidPartOrder", 400, "parts out of order")
	require.Equal(t, "The list of parts was not in ascending order. Parts must be ordered by part number.", ae.ErrorMessage())
	_, err = c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key, UploadId: id, MultipartUpload: completed(1, 3)})
	ae = requireCode(t, err, "InvalidPart", 400, "a part never uploaded")
	require.Equal(t, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
		ae.ErrorMessage())
	_, err = c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key, UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(2), ETag: aws.String(etags[1])}, {PartNumber: aws.Int32(3), ETag: aws.String(etags[1])}}}})
	requireCode(t, err, "InvalidPart", 400, "part 3 missing")

	done, err := c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: key, UploadId: id, MultipartUpload: completed(1, 2)})
	require.NoError(t, err)
	// The ETag of a multipart object is the MD5 of the concatenated part MD5s, "-", the part count.
	var sums []byte
	for _, b := range [][]byte{part1, part2} {
		s := md5.Sum(b)
		sums = append(sums, s[:]...)
	}
	total := md5.Sum(sums)
	require.Equal(t, fmt.Sprintf(`"%s-2"`, hex.EncodeToString(total[:])), aws.ToString(done.ETag))

	get, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: key})
	require.True(t, bytes.Equal(append(append([]byte{}, part1...), part2...), got), "object is the parts in order")
	require.Equal(t, "video/mp4", aws.ToString(get.ContentType))
	require.Equal(t, map[string]string{"m": "1"}, get.Metadata)

	_, err = c.ListParts(ctx(t), &s3.ListPartsInput{Bucket: aws.String(bucket), Key: key, UploadId: id})
	requireCode(t, err, "NoSuchUpload", 404, "ListParts of a completed upload")

	// Parts below 5 MiB may only be last.
	small, err := c.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("small")})
	require.NoError(t, err)
	var smallParts []types.CompletedPart
	for i := int32(1); i <= 2; i++ {
		out, err := c.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("small"), UploadId: small.UploadId,
			PartNumber: aws.Int32(i), Body: bytes.NewReader([]byte("tiny"))})
		require.NoError(t, err)
		smallParts = append(smallParts, types.CompletedPart{PartNumber: aws.Int32(i), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("small"), UploadId: small.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: smallParts}})
	ae = requireCode(t, err, "EntityTooSmall", 400, "a first part below 5 MiB")
	require.Equal(t, "Your proposed upload is smaller than the minimum allowed object size.", ae.ErrorMessage())
	_, err = c.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("small"), UploadId: small.UploadId})
	require.NoError(t, err)
	_, err = c.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("small"), UploadId: small.UploadId,
		PartNumber: aws.Int32(3), Body: bytes.NewReader([]byte("x"))})
	ae = requireCode(t, err, "NoSuchUpload", 404, "UploadPart after abort")
	require.Equal(t, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", ae.ErrorMessage())
	_, err = c.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("small"), UploadId: small.UploadId})
	requireCode(t, err, "NoSuchUpload", 404, "abort twice")
	_, err = c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("small")})
	requireCode(t, err, "NotFound", 404, "an aborted upload leaves no object")
}

// TestCLILargeFile copies a file above the CLI's 8 MB multipart threshold up, within S3
// and down: a multipart upload, UploadPartCopy and ranged GETs.
func TestCLILargeFile(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	bucket := uniqueBucket(t)
	dir := t.TempDir()
	body := make([]byte, 20<<20)
	for i := range body {
		body[i] = byte(i ^ i>>11)
	}
	src := filepath.Join(dir, "big.bin")
	require.NoError(t, os.WriteFile(src, body, 0o600))
	srv.MustAWS(t, nil, "s3", "mb", "s3://"+bucket)
	srv.MustAWS(t, nil, "s3", "cp", src, "s3://"+bucket+"/big.bin")

	var head struct {
		ContentLength int64
		ETag          string
	}
	srv.MustAWS(t, &head, "s3api", "head-object", "--bucket", bucket, "--key", "big.bin")
	require.Equal(t, int64(len(body)), head.ContentLength)
	require.Regexp(t, `^"[0-9a-f]{32}-\d+"$`, head.ETag, "a multipart object's ETag")

	// An object above the threshold is copied within S3 by UploadPartCopy.
	srv.MustAWS(t, nil, "s3", "cp", "s3://"+bucket+"/big.bin", "s3://"+bucket+"/copy.bin")

	dst := filepath.Join(dir, "back.bin")
	srv.MustAWS(t, nil, "s3", "cp", "s3://"+bucket+"/copy.bin", dst)
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, got), "20 MB round trip through the CLI")
}

func TestListMultipartUploads(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	ids := map[string]string{}
	for _, k := range []string{"a/1", "a/2", "b", "c"} {
		out, err := c.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		require.NoError(t, err)
		ids[k] = aws.ToString(out.UploadId)
	}
	out, err := c.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, out.Uploads, 4)
	require.Equal(t, "a/1", aws.ToString(out.Uploads[0].Key))
	require.Equal(t, ids["a/1"], aws.ToString(out.Uploads[0].UploadId))
	require.NotNil(t, out.Uploads[0].Initiated)
	require.False(t, aws.ToBool(out.IsTruncated))

	out, err = c.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxUploads: aws.Int32(2)})
	require.NoError(t, err)
	require.Len(t, out.CommonPrefixes, 1)
	require.Equal(t, "a/", aws.ToString(out.CommonPrefixes[0].Prefix))
	require.Len(t, out.Uploads, 1)
	require.Equal(t, "b", aws.ToString(out.Uploads[0].Key))
	require.True(t, aws.ToBool(out.IsTruncated))
	require.Equal(t, "b", aws.ToString(out.NextKeyMarker))
	require.Equal(t, ids["b"], aws.ToString(out.NextUploadIdMarker))

	out, err = c.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxUploads: aws.Int32(2),
		KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker})
	require.NoError(t, err)
	require.Len(t, out.Uploads, 1)
	require.Equal(t, "c", aws.ToString(out.Uploads[0].Key))
	require.False(t, aws.ToBool(out.IsTruncated))

	// Completed and aborted uploads are no longer listed.
	_, err = c.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("c"), UploadId: aws.String(ids["c"])})
	require.NoError(t, err)
	out, err = c.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String("c")})
	require.NoError(t, err)
	require.Empty(t, out.Uploads)
}

func TestUploadPartCopy(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	src := []byte("0123456789")
	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("src"), Body: bytes.NewReader(src)})
	require.NoError(t, err)
	up, err := c.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("dst")})
	require.NoError(t, err)

	part, err := c.UploadPartCopy(ctx(t), &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("dst"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/src"), CopySourceRange: aws.String("bytes=2-5")})
	require.NoError(t, err)
	require.Equal(t, md5ETag([]byte("2345")), aws.ToString(part.CopyPartResult.ETag))
	_, err = c.UploadPartCopy(ctx(t), &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("dst"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String(bucket + "/src"), CopySourceRange: aws.String("bytes=5-10")})
	requireCode(t, err, "InvalidArgument", 400, "copy range past the end of the source")
	_, err = c.UploadPartCopy(ctx(t), &s3.UploadPartCopyInput{Bucket: aws.String(bucket), Key: aws.String("dst"), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String(bucket + "/missing")})
	requireCode(t, err, "NoSuchKey", 404, "copy of a missing source")

	_, err = c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("dst"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.CopyPartResult.ETag}}}})
	require.NoError(t, err)
	_, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dst")})
	require.Equal(t, "2345", string(got))
}
