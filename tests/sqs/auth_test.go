package sqs_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var (
	goodKey    = harness.Identity{AccessKey: "AKIDOVERCASTTEST", Secret: "good-secret"}
	accountKey = harness.Identity{AccessKey: "111111111111", Secret: "secret-one"}
)

func sigv4Server(t *testing.T) *harness.Server {
	t.Helper()
	return harness.Start(t, harness.Options{
		Auth:        "sigv4",
		Credentials: goodKey.AccessKey + ":" + goodKey.Secret + "," + accountKey.AccessKey + ":" + accountKey.Secret,
	})
}

func TestSigV4Credentials(t *testing.T) {
	t.Parallel()
	srv := sigv4Server(t)

	good := srv.SQSAs(goodKey)
	u := createQueue(t, good, uniqueName(t, ""), nil)
	require.Contains(t, u, "/"+defaultAccount+"/", "a key that is not an account id belongs to the default account")
	send(t, good, u, "signed")

	acct := srv.SQSAs(accountKey)
	ua := createQueue(t, acct, uniqueName(t, ""), nil)
	require.Contains(t, ua, "/111111111111/")

	wrongSecret := srv.SQSAs(harness.Identity{AccessKey: goodKey.AccessKey, Secret: "not-the-secret"})
	_, err := wrongSecret.ListQueues(ctx(t), &sqs.ListQueuesInput{})
	requireCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden, "a known key with the wrong secret")
	_, err = wrongSecret.SendMessage(ctx(t), &sqs.SendMessageInput{QueueUrl: aws.String(u), MessageBody: aws.String("x")})
	requireCode(t, err, "SignatureDoesNotMatch", http.StatusForbidden, "SendMessage with the wrong secret")

	unknown := srv.SQSAs(harness.Identity{AccessKey: "AKIDUNKNOWN", Secret: "whatever"})
	_, err = unknown.ListQueues(ctx(t), &sqs.ListQueuesInput{})
	requireCode(t, err, "InvalidClientTokenId", http.StatusForbidden, "an unknown access key")

	// "test", the default credential, is not configured on this server.
	_, err = srv.SQS().ListQueues(ctx(t), &sqs.ListQueuesInput{})
	requireCode(t, err, "InvalidClientTokenId", http.StatusForbidden, "the test key when only other keys are configured")

	// Nothing was sent by the rejected calls.
	require.Equal(t, []string{"signed"}, bodies(receiveN(t, good, u, 1)))

	// An unsigned request is refused.
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, srv.Endpoint()+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.ListQueues")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusForbidden, resp.StatusCode, "unsigned request: %s", body)
}

func TestSigV4QueryProtocol(t *testing.T) {
	t.Parallel()
	srv := sigv4Server(t)
	form := url.Values{"Action": {"ListQueues"}, "Version": {"2012-11-05"}}

	status, body := rawQueryAs(t, srv.HTTPClient(), srv.Endpoint()+"/", "", form, goodKey)
	require.Equal(t, http.StatusOK, status, "%s", body)

	status, body = rawQueryAs(t, srv.HTTPClient(), srv.Endpoint()+"/", "", form, harness.Identity{AccessKey: goodKey.AccessKey, Secret: "wrong"})
	doc := parseXML(t, body)
	require.Equal(t, http.StatusForbidden, status, "%s", body)
	require.Equal(t, "ErrorResponse", doc.Root)
	require.Equal(t, "SignatureDoesNotMatch", doc.get("Error/Code"), "%s", body)
	require.Equal(t, "Sender", doc.get("Error/Type"))

	status, body = rawQueryAs(t, srv.HTTPClient(), srv.Endpoint()+"/", "", form, harness.Identity{AccessKey: "AKIDUNKNOWN", Secret: "x"})
	require.Equal(t, http.StatusForbidden, status, "%s", body)
	require.Equal(t, "InvalidClientTokenId", parseXML(t, body).get("Error/Code"), "%s", body)
}

// presign returns a presigned GET URL for a query-protocol ListQueues, signed at signedAt
// and valid for expires.
func presign(t *testing.T, srv *harness.Server, id harness.Identity, signedAt time.Time, expires time.Duration) string {
	t.Helper()
	q := url.Values{"Action": {"ListQueues"}, "Version": {"2012-11-05"}, "X-Amz-Expires": {strconv.Itoa(int(expires.Seconds()))}}
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, srv.Endpoint()+"/?"+q.Encode(), nil)
	require.NoError(t, err)
	sum := sha256.Sum256(nil)
	u, _, err := v4.NewSigner().PresignHTTP(ctx(t), aws.Credentials{AccessKeyID: id.AccessKey, SecretAccessKey: id.Secret}, req, hex.EncodeToString(sum[:]), "sqs", "us-east-1", signedAt)
	require.NoError(t, err)
	return u
}

func getURL(t *testing.T, srv *harness.Server, u string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, u, nil)
	require.NoError(t, err)
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, body
}

func TestSigV4PresignedURL(t *testing.T) {
	t.Parallel()
	srv := sigv4Server(t)

	status, body := getURL(t, srv, presign(t, srv, goodKey, time.Now(), 300*time.Second))
	require.Equal(t, http.StatusOK, status, "a fresh presigned URL: %s", body)
	require.Equal(t, "ListQueuesResponse", parseXML(t, body).Root)

	status, body = getURL(t, srv, presign(t, srv, goodKey, time.Now().Add(-time.Hour), 60*time.Second))
	require.Equal(t, http.StatusForbidden, status, "a presigned URL that expired 59 minutes ago: %s", body)
	doc := parseXML(t, body)
	require.Equal(t, "ErrorResponse", doc.Root)
	require.NotEmpty(t, doc.get("Error/Code"))

	tampered := strings.Replace(presign(t, srv, goodKey, time.Now(), 300*time.Second), "Action=ListQueues", "Action=CreateQueue&QueueName=evil", 1)
	status, body = getURL(t, srv, tampered)
	require.Equal(t, http.StatusForbidden, status, "a presigned URL with a changed query: %s", body)
	require.Equal(t, "SignatureDoesNotMatch", parseXML(t, body).get("Error/Code"), "%s", body)

	status, body = getURL(t, srv, presign(t, srv, harness.Identity{AccessKey: goodKey.AccessKey, Secret: "wrong"}, time.Now(), 300*time.Second))
	require.Equal(t, http.StatusForbidden, status, "%s", body)
	require.Equal(t, "SignatureDoesNotMatch", parseXML(t, body).get("Error/Code"), "%s", body)
}

func TestSigV4Subprocesses(t *testing.T) {
	t.Parallel()
	srv := sigv4Server(t)
	srv.PythonAs(t, goodKey, "testdata/boto3_auth.py", "ok")
	srv.PythonAs(t, harness.Identity{AccessKey: goodKey.AccessKey, Secret: "wrong"}, "testdata/boto3_auth.py", "SignatureDoesNotMatch")
	srv.PythonAs(t, harness.Identity{AccessKey: "AKIDUNKNOWN", Secret: "x"}, "testdata/boto3_auth.py", "InvalidClientTokenId")

	res := srv.AWSAs(t, harness.Identity{AccessKey: "AKIDUNKNOWN", Secret: "x"}, "sqs", "list-queues")
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "InvalidClientTokenId")
	res = srv.AWSAs(t, goodKey, "sqs", "list-queues")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
}

// TestSigV4WithVirtualClock: signatures are checked against the wall clock, so a client
// signing with its own time keeps working after the virtual clock has been moved on.
func TestSigV4WithVirtualClock(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{
		Auth:        "sigv4",
		Clock:       "virtual",
		Credentials: goodKey.AccessKey + ":" + goodKey.Secret,
	})
	good := srv.SQSAs(goodKey)
	u := createQueue(t, good, uniqueName(t, ""), nil)
	srv.AdvanceClock(t, 3*time.Hour)
	send(t, good, u, "after three virtual hours")
	_, err := good.ListQueues(ctx(t), &sqs.ListQueuesInput{})
	require.NoError(t, err)
}
