package sqs

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestValidQueueName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fifo bool
		want bool
	}{
		{"a", false, true},
		{"My_queue-1", false, true},
		{strings.Repeat("q", 80), false, true},
		{strings.Repeat("q", 81), false, false},
		{"", false, false},
		{"has space", false, false},
		{"dot.ted", false, false},
		{"q.fifo", false, false},
		{"q.fifo", true, true},
		{strings.Repeat("q", 75) + ".fifo", true, true},
		{strings.Repeat("q", 76) + ".fifo", true, false},
		{".fifo", true, false},
		{"q", true, false},
		{"ü", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, validQueueName(tt.name, tt.fifo))
		})
	}
}

func TestParseQueueURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want queueRef
		ok   bool
	}{
		{"http://localhost:4566/123456789012/q", queueRef{"123456789012", "q"}, true},
		{"http://sqs.eu-west-1.localhost:4566/123456789012/q.fifo", queueRef{"123456789012", "q.fifo"}, true},
		{"https://sqs.us-east-1.amazonaws.com/000000000000/orders", queueRef{"000000000000", "orders"}, true},
		{"http://localhost:4566/123456789012/q/", queueRef{"123456789012", "q"}, true},
		{"123456789012/q", queueRef{"123456789012", "q"}, true},
		{"/123456789012/q", queueRef{"123456789012", "q"}, true},
		{"q", queueRef{}, false},
		{"http://localhost:4566/q", queueRef{}, false},
		{"http://localhost:4566/12345/q", queueRef{}, false},
		{"http://localhost:4566/123456789012/a/b", queueRef{}, false},
		{"http://[::1", queueRef{}, false},
		{"", queueRef{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := parseQueueURL(tt.in)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestQueueURL(t *testing.T) {
	t.Parallel()
	require.Equal(t, "http://localhost:4566/123456789012/q", queueURL(URLStylePath, "http", "localhost:4566", "eu-west-1", "123456789012", "q"))
	require.Equal(t, "http://sqs.eu-west-1.localhost:4566/123456789012/q", queueURL(URLStyleHost, "http", "localhost:4566", "eu-west-1", "123456789012", "q"))
	require.Equal(t, "http://sqs.eu-west-1.localhost:4566/123456789012/q", queueURL(URLStyleHost, "http", "sqs.eu-west-1.localhost:4566", "eu-west-1", "123456789012", "q"),
		"a request that came in host style is not prefixed twice")
	require.Equal(t, "https://example.com:8443/123456789012/q", queueURL(URLStylePath, "https", "example.com:8443", "us-east-1", "123456789012", "q"))
	require.Equal(t, "http://localhost:4566/123456789012/q", queueURL(URLStylePath, "", "", "us-east-1", "123456789012", "q"))
	require.Equal(t, "http://sqs.us-east-1.localhost:4566/123456789012/q", queueURL(URLStyleHost, "http", "127.0.0.1:4566", "us-east-1", "123456789012", "q"),
		"an IP address cannot take the service prefix")
	require.Equal(t, "http://sqs.us-east-1.localhost:4566/123456789012/q", queueURL(URLStyleHost, "http", "[::1]:4566", "us-east-1", "123456789012", "q"))
	require.Equal(t, "http://127.0.0.1:4566/123456789012/q", queueURL(URLStylePath, "http", "127.0.0.1:4566", "us-east-1", "123456789012", "q"))
}

func TestQueueARN(t *testing.T) {
	t.Parallel()
	require.Equal(t, "arn:aws:sqs:us-east-1:123456789012:q", queueARN("us-east-1", "123456789012", "q"))
	require.Equal(t, "arn:aws-cn:sqs:cn-north-1:123456789012:q", queueARN("cn-north-1", "123456789012", "q"))
	require.Equal(t, "arn:aws-us-gov:sqs:us-gov-west-1:123456789012:q", queueARN("us-gov-west-1", "123456789012", "q"))
	ref, ok := parseQueueARN("arn:aws:sqs:eu-west-1:123456789012:q.fifo")
	require.True(t, ok)
	require.Equal(t, arnRef{"eu-west-1", "123456789012", "q.fifo"}, ref)
	for _, bad := range []string{"", "arn:aws:sns:us-east-1:123456789012:t", "arn:aws:sqs:us-east-1:1234:q", "arn:aws:sqs::123456789012:q", "arn:aws:sqs:us-east-1:123456789012:", "arn:aws:sqs:us-east-1:123456789012:q:extra"} {
		_, ok := parseQueueARN(bad)
		require.False(t, ok, bad)
	}
}

// TestPlainURLPath checks that the scan-only parse of plain queue URLs returns what
// url.Parse does, and leaves everything else to it.
func TestPlainURLPath(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"http://localhost:4566/000000000000/q",
		"https://sqs.us-east-1.localhost:4566/000000000000/q.fifo",
		"http://127.0.0.1/123456789012/my-queue_1",
		"http://host:/000000000000/q",
		"http://host:abc/000000000000/q",
		"http://host:123456/000000000000/q",
		"http://:4566/000000000000/q",
		"http://localhost",
		"http://local host/000000000000/q",
		"http://localhost/000000000000/q%20x",
		"http://localhost/000000000000/q?x=1",
		"http://localhost/000000000000/q#f",
		"http://user@localhost/000000000000/q",
		"http://[::1]:4566/000000000000/q",
		"ftp://localhost/000000000000/q",
		"HTTP://localhost/000000000000/q",
	} {
		path, ok := plainURLPath(raw)
		if !ok {
			continue
		}
		u, err := url.Parse(raw)
		require.NoError(t, err, raw)
		require.Equal(t, u.Path, path, raw)
	}
	for _, raw := range []string{"http://localhost/000000000000/q%20x", "http://host:abc/000000000000/q", "http://user@localhost/000000000000/q"} {
		_, ok := plainURLPath(raw)
		require.False(t, ok, raw)
	}
	path, ok := plainURLPath("http://sqs.us-east-1.localhost:4566/000000000000/q")
	require.True(t, ok)
	require.Equal(t, "/000000000000/q", path)
}
