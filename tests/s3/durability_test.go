package s3_test

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// TestKillDurability checks that an acknowledged PUT survives the server being killed
// (SIGKILL, no clean shutdown).
func TestKillDurability(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	c := client(srv, "")
	bucket := newBucket(t, c)
	body := bytes.Repeat([]byte{0, 1, 2, 0xff}, 64<<10)
	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("durable"), Body: bytes.NewReader(body),
		Metadata: map[string]string{"k": "v"}})
	require.NoError(t, err)

	srv.Kill(t)
	srv.Restart(t)
	c = client(srv, "")

	_, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("durable")})
	require.True(t, bytes.Equal(body, got), "body after kill -9")
	head, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("durable")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"k": "v"}, head.Metadata)
	_, err = c.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
}

// TestReset checks that /_overcast/reset?service=s3 forgets buckets and objects.
func TestReset(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	c := client(srv, "")
	bucket := newBucket(t, c)
	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: bytes.NewReader([]byte("x"))})
	require.NoError(t, err)

	srv.Reset(t, "s3")
	list, err := c.ListBuckets(ctx(t), &s3.ListBucketsInput{})
	require.NoError(t, err)
	require.Empty(t, list.Buckets)
	_, err = c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	requireCode(t, err, "NoSuchBucket", 404, "GetObject after reset")
}
