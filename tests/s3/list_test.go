package s3_test

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/require"
)

var listKeys = []string{"a/1", "a/2", "a/b/3", "b/1", "c", "d", "e/f/g", "e/h"}

func listBucket(t *testing.T, c *s3.Client) string {
	t.Helper()
	bucket := newBucket(t, c)
	for _, k := range listKeys {
		_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader([]byte(k))})
		require.NoError(t, err)
	}
	return bucket
}

func keysOf(out *s3.ListObjectsV2Output) (keys, prefixes []string) {
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	for _, p := range out.CommonPrefixes {
		prefixes = append(prefixes, aws.ToString(p.Prefix))
	}
	return keys, prefixes
}

func TestListObjectsV2(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := listBucket(t, c)

	out, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	keys, _ := keysOf(out)
	require.Equal(t, listKeys, keys, "all keys in order")
	require.Equal(t, int32(len(listKeys)), aws.ToInt32(out.KeyCount))
	require.False(t, aws.ToBool(out.IsTruncated))
	require.Equal(t, int32(1000), aws.ToInt32(out.MaxKeys))
	require.Equal(t, int64(3), aws.ToInt64(out.Contents[0].Size))
	require.Equal(t, md5ETag([]byte("a/1")), aws.ToString(out.Contents[0].ETag))
	require.Equal(t, "STANDARD", string(out.Contents[0].StorageClass))

	// Delimiter rolls keys up into CommonPrefixes, which count towards KeyCount.
	out, err = c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Delimiter: aws.String("/")})
	require.NoError(t, err)
	keys, prefixes := keysOf(out)
	require.Equal(t, []string{"c", "d"}, keys)
	require.Equal(t, []string{"a/", "b/", "e/"}, prefixes)
	require.Equal(t, int32(5), aws.ToInt32(out.KeyCount))

	out, err = c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String("a/"), Delimiter: aws.String("/")})
	require.NoError(t, err)
	keys, prefixes = keysOf(out)
	require.Equal(t, []string{"a/1", "a/2"}, keys)
	require.Equal(t, []string{"a/b/"}, prefixes)
	require.Equal(t, "a/", aws.ToString(out.Prefix))

	out, err = c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket), StartAfter: aws.String("b/1")})
	require.NoError(t, err)
	keys, _ = keysOf(out)
	require.Equal(t, []string{"c", "d", "e/f/g", "e/h"}, keys, "StartAfter")

	// Pages of two, with and without a delimiter, list every entry once.
	for _, delim := range []string{"", "/"} {
		var all []string
		var token *string
		pages := 0
		for {
			in := &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(2), ContinuationToken: token}
			if delim != "" {
				in.Delimiter = aws.String(delim)
			}
			out, err := c.ListObjectsV2(ctx(t), in)
			require.NoError(t, err)
			keys, prefixes := keysOf(out)
			require.LessOrEqual(t, len(keys)+len(prefixes), 2)
			require.Equal(t, int32(len(keys)+len(prefixes)), aws.ToInt32(out.KeyCount))
			all = append(append(all, keys...), prefixes...)
			pages++
			if !aws.ToBool(out.IsTruncated) {
				require.Nil(t, out.NextContinuationToken)
				break
			}
			require.NotEmpty(t, aws.ToString(out.NextContinuationToken))
			token = out.NextContinuationToken
		}
		if delim == "" {
			require.Equal(t, listKeys, all)
			require.Equal(t, 4, pages)
		} else {
			require.ElementsMatch(t, []string{"a/", "b/", "c", "d", "e/"}, all)
			require.Equal(t, 3, pages)
		}
	}

	_, err = c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket + "-missing")})
	requireCode(t, err, "NoSuchBucket", 404, "ListObjectsV2 of a missing bucket")
}

func TestListObjectsV1(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := listBucket(t, c)

	// Without a delimiter S3 answers no NextMarker: the next Marker is the last key.
	out, err := c.ListObjects(ctx(t), &s3.ListObjectsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(3)})
	require.NoError(t, err)
	require.True(t, aws.ToBool(out.IsTruncated))
	require.Nil(t, out.NextMarker)
	require.Len(t, out.Contents, 3)
	require.Equal(t, "a/b/3", aws.ToString(out.Contents[2].Key))
	require.NotNil(t, out.Contents[0].Owner, "ListObjects answers each object's owner")

	out, err = c.ListObjects(ctx(t), &s3.ListObjectsInput{Bucket: aws.String(bucket), Marker: aws.String("a/b/3"), MaxKeys: aws.Int32(100)})
	require.NoError(t, err)
	require.False(t, aws.ToBool(out.IsTruncated))
	require.Len(t, out.Contents, 5)
	require.Equal(t, "b/1", aws.ToString(out.Contents[0].Key))

	// With a delimiter NextMarker names the last key or common prefix answered.
	out, err = c.ListObjects(ctx(t), &s3.ListObjectsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	require.NoError(t, err)
	require.True(t, aws.ToBool(out.IsTruncated))
	require.Equal(t, "b/", aws.ToString(out.NextMarker))
	require.Len(t, out.CommonPrefixes, 2)
	out, err = c.ListObjects(ctx(t), &s3.ListObjectsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2), Marker: out.NextMarker})
	require.NoError(t, err)
	require.True(t, aws.ToBool(out.IsTruncated))
	require.Equal(t, "d", aws.ToString(out.NextMarker))
	require.Len(t, out.Contents, 2)
	require.Equal(t, "c", aws.ToString(out.Contents[0].Key))
}
