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
