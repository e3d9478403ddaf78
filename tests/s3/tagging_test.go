package s3_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"
)

func tagMap(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestBucketTagging(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)

	_, err := c.GetBucketTagging(ctx(t), &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	ae := requireCode(t, err, "NoSuchTagSet", 404, "GetBucketTagging of a bucket without tags")
	require.Equal(t, "The TagSet does not exist", ae.ErrorMessage())

	_, err = c.PutBucketTagging(ctx(t), &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("team"), Value: aws.String("core")}, {Key: aws.String("env"), Value: aws.String("")}}}})
	require.NoError(t, err)
	out, err := c.GetBucketTagging(ctx(t), &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "core", "env": ""}, tagMap(out.TagSet))

	_, err = c.PutBucketTagging(ctx(t), &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &types.Tagging{TagSet: []types.Tag{
		{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("k"), Value: aws.String("2")}}}})
	ae = requireCode(t, err, "InvalidTag", 400, "duplicate tag keys")
	require.Equal(t, "Cannot provide multiple Tags with the same key", ae.ErrorMessage())

	_, err = c.DeleteBucketTagging(ctx(t), &s3.DeleteBucketTaggingInput{Bucket: aws.String(bucket)})
	require.NoError(t, err)
	_, err = c.GetBucketTagging(ctx(t), &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	requireCode(t, err, "NoSuchTagSet", 404, "after DeleteBucketTagging")
	_, err = c.PutBucketTagging(ctx(t), &s3.PutBucketTaggingInput{Bucket: aws.String(bucket + "-missing"), Tagging: &types.Tagging{TagSet: []types.Tag{}}})
	requireCode(t, err, "NoSuchBucket", 404, "PutBucketTagging of a missing bucket")
}

func TestObjectTagging(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	bucket := newBucket(t, c)

	_, err := c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("o"), Body: bytes.NewReader([]byte("x")),
		Tagging: aws.String("a=1&b=two%20words")})
	require.NoError(t, err)
	got, err := c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "1", "b": "two words"}, tagMap(got.TagSet), "tags from x-amz-tagging")
	head, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.NoError(t, err)
	require.Equal(t, int32(2), aws.ToInt32(head.TagCount), "HeadObject x-amz-tagging-count")
	get, _ := getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.Equal(t, int32(2), aws.ToInt32(get.TagCount), "x-amz-tagging-count")

	_, err = c.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("o"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("c"), Value: aws.String("3")}}}})
	require.NoError(t, err)
	got, err = c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"c": "3"}, tagMap(got.TagSet), "PutObjectTagging replaces the set")

	// Copies keep the source's tags unless the tagging directive is REPLACE.
	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy"), CopySource: aws.String(bucket + "/o")})
	require.NoError(t, err)
	got, err = c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("copy")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"c": "3"}, tagMap(got.TagSet))
	_, err = c.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy2"), CopySource: aws.String(bucket + "/o"),
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("d=4")})
	require.NoError(t, err)
	got, err = c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("copy2")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"d": "4"}, tagMap(got.TagSet))

	var eleven []types.Tag
	for i := 0; i < 11; i++ {
		eleven = append(eleven, types.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
	}
	_, err = c.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("o"), Tagging: &types.Tagging{TagSet: eleven}})
	ae := requireCode(t, err, "BadRequest", 400, "11 object tags")
	require.Equal(t, "Object tags cannot be greater than 10", ae.ErrorMessage())

	_, err = c.DeleteObjectTagging(ctx(t), &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.NoError(t, err)
	got, err = c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.NoError(t, err)
	require.Empty(t, got.TagSet, "an object without tags answers an empty TagSet")
	get, _ = getBytes(t, c, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("o")})
	require.Nil(t, get.TagCount, "no x-amz-tagging-count without tags")

	_, err = c.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("missing")})
	requireCode(t, err, "NoSuchKey", 404, "GetObjectTagging of a missing key")
}
