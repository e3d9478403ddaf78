package sns_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var shared = harness.Shared{Tag: "sns"}

func TestMain(m *testing.M) { harness.Main(m, shared.Close) }

// sharedServer returns the package's shared server: SQLite, real clock, auth off. Tests on
// it use names of their own and never move the clock or reset state.
func sharedServer(t *testing.T) *harness.Server {
	t.Helper()
	return shared.Server(t)
}

// snsClient returns an aws-sdk-go-v2 SNS client for s making one attempt per call.
func snsClient(s *harness.Server) *sns.Client {
	return sns.New(sns.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.Endpoint()),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		HTTPClient:       s.HTTPClient(),
		RetryMaxAttempts: 1,
	})
}

var nameCleaner = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// uniqueName returns a name unique to this test run.
func uniqueName(t *testing.T, tag string) string {
	t.Helper()
	base := strings.TrimPrefix(nameCleaner.ReplaceAllString(t.Name(), "-"), "Test")
	var b [4]byte
	_, _ = rand.Read(b[:])
	suffix := "-" + tag + "-" + hex.EncodeToString(b[:])
	if max := 70 - len(suffix); len(base) > max {
		base = base[:max]
	}
	return base + suffix
}

func newTopic(t *testing.T, c *sns.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateTopic(t.Context(), &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	require.NoError(t, err, "CreateTopic %s", name)
	return aws.ToString(out.TopicArn)
}

// newQueue creates a queue and returns its URL and ARN.
func newQueue(t *testing.T, q *sqs.Client, name string, attrs map[string]string) (string, string) {
	t.Helper()
	out, err := q.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	require.NoError(t, err)
	a, err := q.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: out.QueueUrl, AttributeNames: []sqsTypesName{"QueueArn"}})
	require.NoError(t, err)
	return aws.ToString(out.QueueUrl), a.Attributes["QueueArn"]
}

func subscribe(t *testing.T, c *sns.Client, topic, proto, endpoint string, attrs map[string]string) string {
	t.Helper()
	out, err := c.Subscribe(t.Context(), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(proto),
		Endpoint: aws.String(endpoint), Attributes: attrs, ReturnSubscriptionArn: true})
	require.NoError(t, err, "Subscribe %s %s", proto, endpoint)
	return aws.ToString(out.SubscriptionArn)
}

// receiveAll long-polls queueURL until n messages arrived (deleting them) or the deadline
// passes, and returns what arrived.
func receiveAll(t *testing.T, q *sqs.Client, queueURL string, n int, within time.Duration) []sqsMessage {
	t.Helper()
	var got []sqsMessage
	deadline := time.Now().Add(within)
	for len(got) < n && time.Now().Before(deadline) {
		out, err := q.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
			MessageAttributeNames: []string{"All"},
		})
		require.NoError(t, err)
		for _, m := range out.Messages {
			got = append(got, m)
			_, err := q.DeleteMessage(t.Context(), &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: m.ReceiptHandle})
			require.NoError(t, err)
		}
	}
	return got
}

// requireAPIError asserts err is an API error with code.
func requireAPIError(t *testing.T, err error, code string) smithy.APIError {
	t.Helper()
	require.Error(t, err)
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	require.Equal(t, code, ae.ErrorCode(), ae.ErrorMessage())
	return ae
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), s)
	return m
}

// verifySNSSignature verifies a message the way AWS tells subscribers to: fetch the
// certificate from SigningCertURL, build the canonical string of the message type's
// signed fields, and check the signature with SHA1withRSA (SignatureVersion 1) or
// SHA256withRSA (2).
// https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html
func verifySNSSignature(t *testing.T, client *http.Client, msg map[string]any) {
	t.Helper()
	str := func(k string) string { s, _ := msg[k].(string); return s }
	certURL := str("SigningCertURL")
	require.NotEmpty(t, certURL, "SigningCertURL")
	resp, err := client.Get(certURL)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	pemBytes, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	block, _ := pem.Decode(pemBytes)
	require.NotNil(t, block, "certificate is PEM")
	cert, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)

	var keys []string
	if str("Type") == "Notification" {
		keys = []string{"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}
	} else {
		keys = []string{"Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"}
	}
	var b strings.Builder
	for _, k := range keys {
		if _, ok := msg[k]; ok {
			fmt.Fprintf(&b, "%s\n%s\n", k, str(k))
		}
	}
	sig, err := base64.StdEncoding.DecodeString(str("Signature"))
	require.NoError(t, err)
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	require.True(t, ok)
	switch str("SignatureVersion") {
	case "1":
		sum := sha1.Sum([]byte(b.String()))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA1, sum[:], sig), "SignatureVersion 1")
	case "2":
		sum := sha256.Sum256([]byte(b.String()))
		require.NoError(t, rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig), "SignatureVersion 2")
	default:
		t.Fatalf("SignatureVersion %q", str("SignatureVersion"))
	}
}

func ctxT(t *testing.T) context.Context { return t.Context() }
