package edge

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// serverBundle is the edge's own http.Server on a random port, recording the protocol of
// each request.
type serverBundle struct {
	url    string
	mu     sync.Mutex
	protos []string
}

func (b *serverBundle) lastProto() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.protos[len(b.protos)-1]
}

func setupServer(t *testing.T, cfg Config) *serverBundle {
	t.Helper()
	e := MustModelEdge(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	b := &serverBundle{url: "http://" + ln.Addr().String()}
	srv := e.Server(ln.Addr().String())
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		b.protos = append(b.protos, r.Proto)
		b.mu.Unlock()
		e.ServeHTTP(w, r)
	})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		require.NoError(t, srv.Close())
		require.ErrorIs(t, <-done, http.ErrServerClosed)
	})
	return b
}

func httpClient(h2c bool) *http.Client {
	tr := &http.Transport{}
	if h2c {
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = &p
	}
	return &http.Client{Transport: tr}
}

// TestServerSDK drives the edge with aws-sdk-go-v2's SQS client over HTTP/1.1 and over
// h2c on the same port, in sigv4 mode.
func TestServerSDK(t *testing.T) {
	t.Parallel()
	b := setupServer(t, Config{
		Auth:        AuthSigV4,
		Credentials: map[string]Credential{testAccessKey: {Secret: testSecret}},
	})
	for _, mode := range []struct {
		name      string
		h2c       bool
		wantProto string
	}{{"http1", false, "HTTP/1.1"}, {"h2c", true, "HTTP/2.0"}} {
		// Sequential: the protocol check reads the server's last request.
		t.Run(mode.name, func(t *testing.T) {
			client := func(secret string) *sqs.Client {
				return sqs.New(sqs.Options{
					Region:       "eu-west-1",
					BaseEndpoint: aws.String(b.url),
					Credentials:  credentials.NewStaticCredentialsProvider(testAccessKey, secret, ""),
					HTTPClient:   httpClient(mode.h2c),
				})
			}
			ctx := context.Background()
			_, err := client(testSecret).ListQueues(ctx, &sqs.ListQueuesInput{})
			require.NoError(t, err)
			require.Equal(t, mode.wantProto, b.lastProto())

			_, err = client("wrong").ListQueues(ctx, &sqs.ListQueuesInput{})
			var apiErr smithy.APIError
			require.True(t, errors.As(err, &apiErr), "%v", err)
			require.Equal(t, "SignatureDoesNotMatch", apiErr.ErrorCode())
			require.Equal(t, smithy.FaultClient, apiErr.ErrorFault())
			require.Equal(t, mode.wantProto, b.lastProto())
		})
	}
}

func TestServerConfig(t *testing.T) {
	t.Parallel()
	srv := New(Config{}).Server("127.0.0.1:4566")
	require.True(t, srv.Protocols.HTTP1())
	require.True(t, srv.Protocols.UnencryptedHTTP2())
	// Long polls hold a response for 20 seconds.
	require.Zero(t, srv.WriteTimeout)
	require.Zero(t, srv.ReadTimeout)
	require.NotZero(t, srv.ReadHeaderTimeout)
}
