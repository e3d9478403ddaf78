package s3_test

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// TestVirtualHostedStyle drives the SDK's default addressing, which names the bucket in the
// Host ("<bucket>.s3.localhost"), as S3's virtual-hosted-style requests do.
func TestVirtualHostedStyle(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	if srv.External() {
		t.Skip(harness.ErrExternal)
	}
	c := s3.New(s3.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String("http://s3.localhost:" + srv.Port()),
		Credentials:      credentials.NewStaticCredentialsProvider(harness.DefaultIdentity.AccessKey, harness.DefaultIdentity.Secret, ""),
		HTTPClient:       harness.DialAllTo("127.0.0.1:" + srv.Port()),
		RetryMaxAttempts: 1,
	})
	bucket := uniqueBucket(t)
	_, err := c.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/k"), Body: bytes.NewReader([]byte("vh"))})
	require.NoError(t, err)
	_, got := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/k")})
	require.Equal(t, "vh", string(got))

	// The same bucket is reachable path-style.
	_, got = getBytes(t, client(srv, ""), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("dir/k")})
	require.Equal(t, "vh", string(got))
	list, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Len(t, list.Contents, 1)
}
