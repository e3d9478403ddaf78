package events_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

var sigV4aKey = harness.Identity{AccessKey: "AKIDEVENTSSIGV4A", Secret: "sigv4a-secret", Region: "us-east-1"}

// authRecorder remembers the Authorization header of every request it passes on.
type authRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (a *authRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.seen = append(a.seen, r.Header.Get("Authorization"))
	a.mu.Unlock()
	return a.next.RoundTrip(r)
}

func (a *authRecorder) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.seen) == 0 {
		return ""
	}
	return a.seen[len(a.seen)-1]
}

// clientsAs returns the clients of srv signing as id, their HTTP requests going through
// rec.
func clientsAs(srv *harness.Server, id harness.Identity, rec *authRecorder) clients {
	creds := credentials.NewStaticCredentialsProvider(id.AccessKey, id.Secret, "")
	hc := &http.Client{Transport: rec, Timeout: srv.HTTPClient().Timeout}
	return clients{
		eb: eventbridge.New(eventbridge.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
			HTTPClient: hc, RetryMaxAttempts: 1}),
		sch: scheduler.New(scheduler.Options{Region: id.Region, BaseEndpoint: aws.String(srv.Endpoint()), Credentials: creds,
			HTTPClient: hc, RetryMaxAttempts: 1}),
		sqs: srv.SQSAs(id),
	}
}

// TestSigV4aGlobalEndpoint runs a server with --auth=sigv4: PutEvents with an EndpointId,
// which aws-sdk-go-v2 signs with SigV4a (AWS4-ECDSA-P256-SHA256, X-Amz-Region-Set: *), is
// verified and delivered; a wrong secret or an unknown key gets EventBridge's errors and
// delivers nothing.
func TestSigV4aGlobalEndpoint(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{Auth: "sigv4", Credentials: sigV4aKey.AccessKey + ":" + sigV4aKey.Secret})
	rec := &authRecorder{next: srv.HTTPClient().Transport}
	if rec.next == nil {
		rec.next = http.DefaultTransport
	}
	c := clientsAs(srv, sigV4aKey, rec)
	bus := uniqueName(t, "bus")
	src := uniqueName(t, "src")
	queueURL, queueARN := newQueue(t, c, "q")
	_, err := c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(bus)})
	require.NoError(t, err)
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String(bus),
		EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: aws.String(bus),
		Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(queueARN)}}})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(rec.last(), "AWS4-HMAC-SHA256 "), "regional calls are signed with SigV4: %s", rec.last())

	name := uniqueName(t, "ep")
	_, err = c.eb.CreateEndpoint(ctx(t), &eventbridge.CreateEndpointInput{Name: aws.String(name), RoutingConfig: routing("us-west-2"),
		EventBuses: endpointBuses(bus), RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/replication", defaultAccount))})
	require.NoError(t, err)
	d, err := c.eb.DescribeEndpoint(ctx(t), &eventbridge.DescribeEndpointInput{Name: aws.String(name)})
	require.NoError(t, err)

	put := func(c clients, detail string) error {
		_, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{EndpointId: d.EndpointId, Entries: []types.PutEventsRequestEntry{
			{Source: aws.String(src), DetailType: aws.String("Order"), Detail: aws.String(detail), EventBusName: aws.String(bus)},
		}})
		return err
	}
	require.NoError(t, put(c, `{"n":1}`))
	require.True(t, strings.HasPrefix(rec.last(), "AWS4-ECDSA-P256-SHA256 Credential="+sigV4aKey.AccessKey+"/"), "global endpoint calls are signed with SigV4a: %s", rec.last())
	msgs := receiveN(t, c, queueURL, 1)
	require.Contains(t, aws.ToString(msgs[0].Body), `"detail":{"n":1}`)

	wrong := clientsAs(srv, harness.Identity{AccessKey: sigV4aKey.AccessKey, Secret: "not-the-secret", Region: "us-east-1"}, rec)
	err = put(wrong, `{"n":2}`)
	ae := requireCode(t, err, "InvalidSignatureException")
	require.Equal(t, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.", ae.ErrorMessage())
	require.True(t, strings.HasPrefix(rec.last(), "AWS4-ECDSA-P256-SHA256 "))

	unknown := clientsAs(srv, harness.Identity{AccessKey: "AKIDUNKNOWN", Secret: "whatever", Region: "us-east-1"}, rec)
	ae = requireCode(t, put(unknown, `{"n":3}`), "UnrecognizedClientException")
	require.Equal(t, "The security token included in the request is invalid.", ae.ErrorMessage())

	requireEmpty(t, c, queueURL, "rejected calls deliver nothing")
}
