package protocol_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/services/s3"
)

var s3Time = time.Date(2024, 2, 29, 12, 30, 45, 123e6, time.UTC)

type fakeS3 struct {
	s3.UnimplementedAPI
	mu      sync.Mutex
	put     *s3.PutObjectInput
	copied  *s3.CopyObjectInput
	deleted *s3.DeleteObjectsInput
	tagging *s3.PutBucketTaggingInput
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput) (*s3.PutObjectOutput, error) {
	f.mu.Lock()
	f.put = in
	f.mu.Unlock()
	return &s3.PutObjectOutput{ETag: ptr(`"5d41402abc4b2a76b9719d911017c592"`), VersionID: ptr("v1")}, nil
}

func (f *fakeS3) CopyObject(_ context.Context, in *s3.CopyObjectInput) (*s3.CopyObjectOutput, error) {
	f.mu.Lock()
	f.copied = in
	f.mu.Unlock()
	t := s3Time
	return &s3.CopyObjectOutput{
		CopyObjectResult: &s3.CopyObjectResult{ETag: ptr(`"abc"`), LastModified: &t},
		VersionID:        ptr("v2"),
	}, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput) (*s3.GetObjectOutput, error) {
	if *in.Key == "missing" {
		e := s3.NewNoSuchKey("The specified key does not exist.")
		e.Fields = map[string]any{"Key": *in.Key}
		return nil, e
	}
	body := "contents of " + *in.Key
	t := s3Time.Truncate(time.Second)
	return &s3.GetObjectOutput{
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: ptr(int64(len(body))),
		ContentType:   ptr("text/plain; charset=utf-8"),
		ETag:          ptr(`"e"`),
		LastModified:  &t,
		Metadata:      map[string]string{"color": "blue", "x": "y z"},
		VersionID:     in.VersionID,
	}, nil
}

func (f *fakeS3) HeadObject(_ context.Context, in *s3.HeadObjectInput) (*s3.HeadObjectOutput, error) {
	if *in.Key == "missing" {
		return nil, s3.NewNoSuchKey("The specified key does not exist.")
	}
	t := s3Time.Truncate(time.Second)
	return &s3.HeadObjectOutput{ContentLength: ptr(int64(12345)), LastModified: &t, Metadata: map[string]string{"a": "b"}}, nil
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input) (*s3.ListObjectsV2Output, error) {
	t := s3Time
	return &s3.ListObjectsV2Output{
		Name:        in.Bucket,
		Prefix:      in.Prefix,
		Delimiter:   in.Delimiter,
		MaxKeys:     in.MaxKeys,
		IsTruncated: ptr(true),
		KeyCount:    ptr(int32(2)),
		Contents: []*s3.Object{
			{Key: ptr("dir/a & b.txt"), LastModified: &t, Size: ptr(int64(3)), ETag: ptr(`"x"`), Owner: &s3.Owner{ID: ptr("o"), DisplayName: ptr("me")}},
			{Key: ptr("dir/c"), LastModified: &t, Size: ptr(int64(0))},
		},
		CommonPrefixes:        []*s3.CommonPrefix{{Prefix: ptr("dir/sub/")}},
		NextContinuationToken: ptr("tok"),
	}, nil
}

func (f *fakeS3) DeleteObjects(_ context.Context, in *s3.DeleteObjectsInput) (*s3.DeleteObjectsOutput, error) {
	f.mu.Lock()
	f.deleted = in
	f.mu.Unlock()
	out := &s3.DeleteObjectsOutput{}
	for _, o := range in.Delete.Objects {
		if *o.Key == "locked" {
			out.Errors = append(out.Errors, &s3.Error{Key: o.Key, Code: ptr("AccessDenied"), Message: ptr("Access Denied")})
			continue
		}
		out.Deleted = append(out.Deleted, &s3.DeletedObject{Key: o.Key, VersionID: o.VersionID})
	}
	return out, nil
}

func (f *fakeS3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput) (*s3.PutBucketTaggingOutput, error) {
	f.mu.Lock()
	f.tagging = in
	f.mu.Unlock()
	return &s3.PutBucketTaggingOutput{}, nil
}

func (f *fakeS3) GetBucketTagging(context.Context, *s3.GetBucketTaggingInput) (*s3.GetBucketTaggingOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &s3.GetBucketTaggingOutput{TagSet: f.tagging.Tagging.TagSet}, nil
}

func (f *fakeS3) GetBucketLocation(_ context.Context, in *s3.GetBucketLocationInput) (*s3.GetBucketLocationOutput, error) {
	if *in.Bucket == "us-east-1-bucket" {
		return &s3.GetBucketLocationOutput{}, nil
	}
	return &s3.GetBucketLocationOutput{LocationConstraint: ptr("eu-west-1")}, nil
}

func (f *fakeS3) ListBuckets(context.Context, *s3.ListBucketsInput) (*s3.ListBucketsOutput, error) {
	t := s3Time
	return &s3.ListBucketsOutput{
		Buckets: []*s3.Bucket{{Name: ptr("a"), CreationDate: &t}, {Name: ptr("b"), CreationDate: &t, BucketRegion: ptr("eu-west-1")}},
		Owner:   &s3.Owner{ID: ptr("owner")},
	}, nil
}

func TestSDKS3RestXML(t *testing.T) {
	t.Parallel()
	fake := &fakeS3{}
	srv := startEdge(t, s3.Info, fake)
	client := awss3.New(awss3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds, RetryMaxAttempts: 1,
		UsePathStyle: true,
		// Checksummed uploads use aws-chunked bodies, which the edge (not the codec)
		// unwraps.
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	ctx := t.Context()

	t.Run("PutObject", func(t *testing.T) {
		expires := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		out, err := client.PutObject(ctx, &awss3.PutObjectInput{
			Bucket:       aws.String("my-bucket"),
			Key:          aws.String("dir/a b+c/ü.txt"),
			Body:         bytes.NewReader([]byte("hello")),
			ContentType:  aws.String("text/plain"),
			CacheControl: aws.String("no-cache"),
			Expires:      &expires,
			Metadata:     map[string]string{"Color": "blue", "empty": ""},
			Tagging:      aws.String("a=b&c=d"),
			StorageClass: s3types.StorageClassStandardIa,
		})
		require.NoError(t, err)
		require.Equal(t, `"5d41402abc4b2a76b9719d911017c592"`, aws.ToString(out.ETag))
		require.Equal(t, "v1", aws.ToString(out.VersionId))
		fake.mu.Lock()
		in := fake.put
		fake.mu.Unlock()
		require.Equal(t, "my-bucket", *in.Bucket)
		require.Equal(t, "dir/a b+c/ü.txt", *in.Key)
		require.Equal(t, []byte("hello"), in.Body)
		require.Equal(t, "text/plain", *in.ContentType)
		require.Equal(t, "no-cache", *in.CacheControl)
		require.Equal(t, int64(5), *in.ContentLength)
		require.Equal(t, "a=b&c=d", *in.Tagging)
		require.Equal(t, "STANDARD_IA", *in.StorageClass)
		require.Equal(t, "blue", in.Metadata["color"])
	})

	t.Run("CopyObject", func(t *testing.T) {
		out, err := client.CopyObject(ctx, &awss3.CopyObjectInput{
			Bucket: aws.String("dst"), Key: aws.String("k"), CopySource: aws.String("src/orig.txt"),
		})
		require.NoError(t, err)
		require.Equal(t, `"abc"`, aws.ToString(out.CopyObjectResult.ETag))
		require.Equal(t, s3Time, out.CopyObjectResult.LastModified.UTC())
		require.Equal(t, "v2", aws.ToString(out.VersionId))
		fake.mu.Lock()
		in := fake.copied
		fake.mu.Unlock()
		require.Equal(t, "src/orig.txt", *in.CopySource)
	})

	t.Run("GetObject", func(t *testing.T) {
		out, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("dir/f.txt"), VersionId: aws.String("v9")})
		require.NoError(t, err)
		body, err := io.ReadAll(out.Body)
		require.NoError(t, err)
		require.NoError(t, out.Body.Close())
		require.Equal(t, "contents of dir/f.txt", string(body))
		require.Equal(t, int64(len(body)), aws.ToInt64(out.ContentLength))
		require.Equal(t, "text/plain; charset=utf-8", aws.ToString(out.ContentType))
		require.Equal(t, s3Time.Truncate(time.Second), out.LastModified.UTC())
		require.Equal(t, map[string]string{"color": "blue", "x": "y z"}, out.Metadata)
		require.Equal(t, "v9", aws.ToString(out.VersionId))
	})

	t.Run("HeadObject", func(t *testing.T) {
		out, err := client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
		require.NoError(t, err)
		require.Equal(t, int64(12345), aws.ToInt64(out.ContentLength))
		require.Equal(t, map[string]string{"a": "b"}, out.Metadata)

		_, err = client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String("missing")})
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		// A HEAD error has no body: the SDK names it by its status.
		require.Equal(t, "NotFound", apiErr.ErrorCode())
	})

	t.Run("NoSuchKey", func(t *testing.T) {
		_, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("missing")})
		var nsk *s3types.NoSuchKey
		require.ErrorAs(t, err, &nsk)
		require.Equal(t, "The specified key does not exist.", nsk.ErrorMessage())
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "NoSuchKey", apiErr.ErrorCode())
		var withID interface{ ServiceRequestID() string }
		require.ErrorAs(t, err, &withID)
		require.NotEmpty(t, withID.ServiceRequestID())
	})

	t.Run("ListObjectsV2", func(t *testing.T) {
		out, err := client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{
			Bucket: aws.String("b"), Prefix: aws.String("dir/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(50),
		})
		require.NoError(t, err)
		require.Equal(t, "b", aws.ToString(out.Name))
		require.Equal(t, "dir/", aws.ToString(out.Prefix))
		require.Equal(t, "/", aws.ToString(out.Delimiter))
		require.Equal(t, int32(50), aws.ToInt32(out.MaxKeys))
		require.True(t, aws.ToBool(out.IsTruncated))
		require.Equal(t, int32(2), aws.ToInt32(out.KeyCount))
		require.Len(t, out.Contents, 2)
		require.Equal(t, "dir/a & b.txt", aws.ToString(out.Contents[0].Key))
		require.Equal(t, s3Time, out.Contents[0].LastModified.UTC())
		require.Equal(t, int64(3), aws.ToInt64(out.Contents[0].Size))
		require.Equal(t, "me", aws.ToString(out.Contents[0].Owner.DisplayName))
		require.Equal(t, int64(0), aws.ToInt64(out.Contents[1].Size))
		require.Len(t, out.CommonPrefixes, 1)
		require.Equal(t, "dir/sub/", aws.ToString(out.CommonPrefixes[0].Prefix))
		require.Equal(t, "tok", aws.ToString(out.NextContinuationToken))
	})

	t.Run("DeleteObjects", func(t *testing.T) {
		out, err := client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{
			Bucket: aws.String("b"),
			Delete: &s3types.Delete{Objects: []s3types.ObjectIdentifier{
				{Key: aws.String("a.txt")}, {Key: aws.String("locked")}, {Key: aws.String("c"), VersionId: aws.String("v3")},
			}, Quiet: aws.Bool(false)},
		})
		require.NoError(t, err)
		require.Len(t, out.Deleted, 2)
		require.Equal(t, "a.txt", aws.ToString(out.Deleted[0].Key))
		require.Equal(t, "v3", aws.ToString(out.Deleted[1].VersionId))
		require.Len(t, out.Errors, 1)
		require.Equal(t, "AccessDenied", aws.ToString(out.Errors[0].Code))
		fake.mu.Lock()
		in := fake.deleted
		fake.mu.Unlock()
		require.Len(t, in.Delete.Objects, 3)
		require.False(t, *in.Delete.Quiet)
	})

	t.Run("GetBucketLocation", func(t *testing.T) {
		out, err := client.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String("b")})
		require.NoError(t, err)
		require.Equal(t, s3types.BucketLocationConstraintEuWest1, out.LocationConstraint)
		out, err = client.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: aws.String("us-east-1-bucket")})
		require.NoError(t, err)
		require.Empty(t, out.LocationConstraint)
	})

	t.Run("ListBuckets", func(t *testing.T) {
		out, err := client.ListBuckets(ctx, &awss3.ListBucketsInput{})
		require.NoError(t, err)
		require.Len(t, out.Buckets, 2)
		require.Equal(t, "b", aws.ToString(out.Buckets[1].Name))
		require.Equal(t, s3Time, out.Buckets[1].CreationDate.UTC())
		require.Equal(t, "eu-west-1", aws.ToString(out.Buckets[1].BucketRegion))
		require.Equal(t, "owner", aws.ToString(out.Owner.ID))
	})

	t.Run("Tagging", func(t *testing.T) {
		_, err := client.PutBucketTagging(ctx, &awss3.PutBucketTaggingInput{
			Bucket: aws.String("b"),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{
				{Key: aws.String("env"), Value: aws.String("prod & <test>")}, {Key: aws.String("empty"), Value: aws.String("")},
			}},
		})
		require.NoError(t, err)
		out, err := client.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: aws.String("b")})
		require.NoError(t, err)
		require.Len(t, out.TagSet, 2)
		require.Equal(t, "prod & <test>", aws.ToString(out.TagSet[0].Value))
		require.Equal(t, "", aws.ToString(out.TagSet[1].Value))
	})
}
