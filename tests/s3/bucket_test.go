package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func TestBucketLifecycle(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := client(srv, "")
	name := newBucket(t, c)

	// us-east-1 answers success to the owner creating its bucket again (AWS keeps this
	// for compatibility); other regions answer BucketAlreadyOwnedByYou.
	_, err := c.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err, "CreateBucket again in us-east-1")

	_, err = c.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err)
	loc, err := c.GetBucketLocation(ctx(t), &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.BucketLocationConstraint(""), loc.LocationConstraint, "us-east-1 buckets answer an empty LocationConstraint")

	list, err := c.ListBuckets(ctx(t), &s3.ListBucketsInput{})
	require.NoError(t, err)
	found := false
	for _, b := range list.Buckets {
		if aws.ToString(b.Name) == name {
			found = true
			require.NotNil(t, b.CreationDate)
		}
	}
	require.True(t, found, "ListBuckets lists %s", name)
	require.NotNil(t, list.Owner)
	require.Len(t, aws.ToString(list.Owner.ID), 64, "the owner's canonical id is 64 hex digits")

	_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
	require.NoError(t, err)
	_, err = c.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: aws.String(name)})
	requireCode(t, err, "BucketNotEmpty", 409, "DeleteBucket of a bucket with an object")
	_, err = c.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: aws.String(name), Key: aws.String("k")})
	require.NoError(t, err)
	_, err = c.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err)

	_, err = c.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: aws.String(name)})
	requireCode(t, err, "NotFound", 404, "HeadBucket of a deleted bucket (HEAD answers have no body)")
	_, err = c.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: aws.String(name)})
	requireCode(t, err, "NoSuchBucket", 404, "DeleteBucket of a deleted bucket")
	_, err = c.GetBucketLocation(ctx(t), &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	requireCode(t, err, "NoSuchBucket", 404, "GetBucketLocation of a deleted bucket")
}

func TestBucketRegions(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	eu := client(srv, "eu-west-1")
	name := uniqueBucket(t)

	// Outside us-east-1 the LocationConstraint must name the endpoint's region.
	_, err := eu.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
	ae := requireCode(t, err, "IllegalLocationConstraintException", 400, "no LocationConstraint in eu-west-1")
	require.Equal(t, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.", ae.ErrorMessage())
	_, err = eu.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintUsWest2}})
	ae = requireCode(t, err, "IllegalLocationConstraintException", 400, "us-west-2 constraint in eu-west-1")
	require.Equal(t, "The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to.", ae.ErrorMessage())
	_, err = client(srv, "").CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	requireCode(t, err, "InvalidLocationConstraint", 400, "us-east-1 named as LocationConstraint")

	_, err = eu.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	require.NoError(t, err)
	_, err = eu.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	requireCode(t, err, "BucketAlreadyOwnedByYou", 409, "CreateBucket again in eu-west-1")

	loc, err := eu.GetBucketLocation(ctx(t), &s3.GetBucketLocationInput{Bucket: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.BucketLocationConstraintEuWest1, loc.LocationConstraint)
	head, err := eu.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, "eu-west-1", aws.ToString(head.BucketRegion), "x-amz-bucket-region")
	_, err = eu.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: aws.String(name)})
	require.NoError(t, err)
}

func TestBucketNames(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t), "")
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
	for _, name := range []string{"ab", strings.Repeat("a", 64),
		"-starts-with-hyphen", "ends-with-hyphen-", "two..dots", "192.168.5.4", "xn--prefix", "name-s3alias", "under_score"} {
		_, err := c.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(name)})
		ae := requireCode(t, err, "InvalidBucketName", 400, name)
		require.Equal(t, "The specified bucket is not valid.", ae.ErrorMessage(), name)
	}
}

// TestAccountIsolation: bucket names are global, but a bucket belongs to its account;
// without a bucket policy another account is denied it.
func TestAccountIsolation(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	owner := client(srv, "")
	other := clientAs(srv, harness.Identity{AccessKey: "111122223333", Secret: "test", Region: "us-east-1"})
	bucket := newBucket(t, owner)
	_, err := owner.PutObject(ctx(t), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), Body: strings.NewReader("x")})
	require.NoError(t, err)

	_, err = other.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	ae := requireCode(t, err, "BucketAlreadyExists", 409, "another account creating a taken name")
	require.Equal(t, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
		ae.ErrorMessage())
	list, err := other.ListBuckets(ctx(t), &s3.ListBucketsInput{})
	require.NoError(t, err)
	for _, b := range list.Buckets {
		require.NotEqual(t, bucket, aws.ToString(b.Name), "ListBuckets lists the caller's buckets only")
	}
	_, err = other.GetObject(ctx(t), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	requireCode(t, err, "AccessDenied", 403, "GetObject in another account's bucket")
	_, err = other.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
	requireCode(t, err, "AccessDenied", 403, "DeleteBucket of another account's bucket")
	_, err = other.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	requireCode(t, err, "AccessDenied", 403, "ListObjectsV2 of another account's bucket")
}
