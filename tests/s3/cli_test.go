package s3_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	bucket := uniqueBucket(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "in.bin")
	body := bytes.Repeat([]byte("overcast\x00\xff"), 1000)
	require.NoError(t, os.WriteFile(src, body, 0o600))

	srv.MustAWS(t, nil, "s3", "mb", "s3://"+bucket)
	srv.MustAWS(t, nil, "s3", "cp", src, "s3://"+bucket+"/dir/in.bin")
	srv.MustAWS(t, nil, "s3", "cp", src, "s3://"+bucket+"/top.bin")

	res := srv.AWS(t, "s3", "ls", "s3://"+bucket+"/")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	out := string(res.Stdout)
	require.Contains(t, out, "PRE dir/", "aws s3 ls shows the common prefix")
	require.Contains(t, out, "10000 top.bin", "aws s3 ls shows the object and its size")
	require.NotContains(t, out, "in.bin", "keys under the prefix are rolled up")

	dst := filepath.Join(dir, "out.bin")
	srv.MustAWS(t, nil, "s3", "cp", "s3://"+bucket+"/dir/in.bin", dst)
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.True(t, bytes.Equal(body, got), "aws s3 cp round trip")

	var head struct {
		ContentLength int64
		ETag          string
	}
	srv.MustAWS(t, &head, "s3api", "head-object", "--bucket", bucket, "--key", "top.bin")
	require.Equal(t, int64(len(body)), head.ContentLength)
	require.Equal(t, md5ETag(body), head.ETag)

	var list struct {
		Contents []struct{ Key string }
	}
	srv.MustAWS(t, &list, "s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "dir/")
	require.Len(t, list.Contents, 1)
	require.Equal(t, "dir/in.bin", list.Contents[0].Key)

	res = srv.AWS(t, "s3api", "get-object", "--bucket", bucket, "--key", "nope", filepath.Join(dir, "nope"))
	require.NotEqual(t, 0, res.ExitCode)
	require.True(t, strings.Contains(res.Stderr, "NoSuchKey"), "stderr names NoSuchKey: %s", res.Stderr)

	res = srv.AWS(t, "s3", "rb", "s3://"+bucket)
	require.NotEqual(t, 0, res.ExitCode, "rb of a bucket with objects fails")
	require.Contains(t, res.Stderr, "BucketNotEmpty")
	srv.MustAWS(t, nil, "s3", "rb", "s3://"+bucket, "--force")
	res = srv.AWS(t, "s3api", "head-bucket", "--bucket", bucket)
	require.NotEqual(t, 0, res.ExitCode, "bucket gone")
}

// TestCLIBucketConfigsAndVersioning drives bucket configurations and versioning through the
// AWS CLI, as infrastructure tools read them after creating a bucket.
func TestCLIBucketConfigsAndVersioning(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	bucket := uniqueBucket(t)
	srv.MustAWS(t, nil, "s3api", "create-bucket", "--bucket", bucket)

	// AWS answers SSE-S3 for a bucket without an encryption configuration.
	var enc struct {
		ServerSideEncryptionConfiguration struct {
			Rules []struct {
				ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm string }
				BucketKeyEnabled                   bool
			}
		}
	}
	srv.MustAWS(t, &enc, "s3api", "get-bucket-encryption", "--bucket", bucket)
	require.Len(t, enc.ServerSideEncryptionConfiguration.Rules, 1)
	require.Equal(t, "AES256", enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm)

	var own struct {
		OwnershipControls struct {
			Rules []struct{ ObjectOwnership string }
		}
	}
	srv.MustAWS(t, &own, "s3api", "get-bucket-ownership-controls", "--bucket", bucket)
	require.Equal(t, "BucketOwnerEnforced", own.OwnershipControls.Rules[0].ObjectOwnership)

	res := srv.AWS(t, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "NoSuchLifecycleConfiguration")
	srv.MustAWS(t, nil, "s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration",
		`{"Rules":[{"ID":"abort","Status":"Enabled","Filter":{},"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7}}]}`)
	var lc struct {
		Rules []struct {
			ID     string
			Status string
		}
	}
	srv.MustAWS(t, &lc, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
	require.Len(t, lc.Rules, 1)
	require.Equal(t, "abort", lc.Rules[0].ID)

	srv.MustAWS(t, nil, "s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
	var ver struct{ Status string }
	srv.MustAWS(t, &ver, "s3api", "get-bucket-versioning", "--bucket", bucket)
	require.Equal(t, "Enabled", ver.Status)

	dir := t.TempDir()
	src := filepath.Join(dir, "v.txt")
	require.NoError(t, os.WriteFile(src, []byte("one"), 0o600))
	var put1, put2 struct{ VersionId string }
	srv.MustAWS(t, &put1, "s3api", "put-object", "--bucket", bucket, "--key", "v.txt", "--body", src)
	srv.MustAWS(t, &put2, "s3api", "put-object", "--bucket", bucket, "--key", "v.txt", "--body", src)
	require.NotEmpty(t, put1.VersionId)
	require.NotEqual(t, put1.VersionId, put2.VersionId)
	var del struct {
		DeleteMarker bool
		VersionId    string
	}
	srv.MustAWS(t, &del, "s3api", "delete-object", "--bucket", bucket, "--key", "v.txt")
	require.True(t, del.DeleteMarker)

	var versions struct {
		Versions []struct {
			VersionId string
			IsLatest  bool
		}
		DeleteMarkers []struct {
			VersionId string
			IsLatest  bool
		}
	}
	srv.MustAWS(t, &versions, "s3api", "list-object-versions", "--bucket", bucket)
	require.Len(t, versions.Versions, 2)
	require.Equal(t, put2.VersionId, versions.Versions[0].VersionId, "newest version first")
	require.Len(t, versions.DeleteMarkers, 1)
	require.Equal(t, del.VersionId, versions.DeleteMarkers[0].VersionId)
	require.True(t, versions.DeleteMarkers[0].IsLatest)
}
