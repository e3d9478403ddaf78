package s3_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

// TestChecksums: S3 checks the additional checksum an upload carries, answers it, and
// answers it again on reads of the whole object that ask for it (x-amz-checksum-mode).
func TestChecksums(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)
	body := []byte("checksummed body")
	sha := sha256.Sum256(body)
	want := base64.StdEncoding.EncodeToString(sha[:])

	put, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader(body),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToString(put.ChecksumSHA256))
	require.Equal(t, types.ChecksumTypeFullObject, put.ChecksumType)

	get, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	require.Equal(t, body, got)
	require.Equal(t, want, aws.ToString(get.ChecksumSHA256))
	head, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled})
	require.NoError(t, err)
	require.Equal(t, want, aws.ToString(head.ChecksumSHA256))
	ranged, _ := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), ChecksumMode: types.ChecksumModeEnabled,
		Range: aws.String("bytes=0-3")})
	require.Nil(t, ranged.ChecksumSHA256, "no full-object checksum on a range")

	list, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Equal(t, []types.ChecksumAlgorithm{types.ChecksumAlgorithmSha256}, list.Contents[0].ChecksumAlgorithm, "listings name the algorithm")

	// A checksum that does not match the body answers BadDigest and stores nothing.
	wrong := binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte("other")))
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad"), Body: bytes.NewReader(body),
		ChecksumCRC32: aws.String(base64.StdEncoding.EncodeToString(wrong))})
	ae := requireCode(t, err, "BadDigest", 400, "CRC32 mismatch")
	require.Equal(t, "The CRC32 you specified did not match the calculated checksum.", ae.ErrorMessage())
	_, err = c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("bad")})
	requireCode(t, err, "NotFound", 404, "nothing stored after a checksum mismatch")
}
