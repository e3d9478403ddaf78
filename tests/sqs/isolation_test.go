package sqs_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

func TestAccountIsolation(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	if srv.External() {
		t.Skip("accounts from 12-digit access keys are an Overcast convention")
	}
	one := srv.SQSAs(harness.Identity{AccessKey: "111111111111"})
	two := srv.SQSAs(harness.Identity{AccessKey: "222222222222"})
	name := uniqueName(t, "")

	u1 := createQueue(t, one, name, nil)
	require.Contains(t, u1, "/111111111111/"+name)
	require.Equal(t, "arn:aws:sqs:us-east-1:111111111111:"+name, queueArn(t, one, u1))

	_, err := two.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	requireQueueDoesNotExist(t, err, "another account's queue by name")
	out, err := two.ListQueues(ctx(t), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(name)})
	require.NoError(t, err)
	require.Empty(t, out.QueueUrls, "another account's queues are not listed")

	// The same name in the second account is a different queue.
	u2 := createQueue(t, two, name, map[string]string{"VisibilityTimeout": "99"})
	require.NotEqual(t, u1, u2)
	require.Contains(t, u2, "/222222222222/"+name)
	send(t, one, u1, "for account one")
	requireEmpty(t, two, u2, "account two's queue of the same name is empty")
	require.Equal(t, []string{"for account one"}, bodies(receiveN(t, one, u1, 1)))
	require.Equal(t, "30", queueAttrs(t, one, u1)["VisibilityTimeout"])

	// The owner's id finds the queue by name for the owner.
	gu, err := one.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name), QueueOwnerAWSAccountId: aws.String("111111111111")})
	require.NoError(t, err)
	require.Equal(t, u1, aws.ToString(gu.QueueUrl))
}

func TestRegionIsolation(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	east := srv.SQS()
	west := srv.SQSAs(harness.Identity{Region: "eu-west-1"})
	name := uniqueName(t, "")

	ue := createQueue(t, east, name, nil)
	require.Equal(t, "arn:aws:sqs:us-east-1:"+defaultAccount+":"+name, queueArn(t, east, ue))
	_, err := west.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	requireQueueDoesNotExist(t, err, "a us-east-1 queue from eu-west-1")
	out, err := west.ListQueues(ctx(t), &sqs.ListQueuesInput{QueueNamePrefix: aws.String(name)})
	require.NoError(t, err)
	require.Empty(t, out.QueueUrls)

	uw := createQueue(t, west, name, nil)
	require.Equal(t, "arn:aws:sqs:eu-west-1:"+defaultAccount+":"+name, queueArn(t, west, uw))
	send(t, west, uw, "west")
	requireEmpty(t, east, ue, "the us-east-1 queue of the same name")
	require.Equal(t, []string{"west"}, bodies(receiveN(t, west, uw, 1)))
}

func TestHostStyleQueueURL(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{SQSURLStyle: "host"})
	c := srv.SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(parsed.Hostname(), "sqs.us-east-1."), "host-style QueueUrl %s", u)
	require.Equal(t, srv.Port(), parsed.Port(), "QueueUrl keeps the port the request came in on")
	require.Equal(t, "/"+defaultAccount+"/"+name, parsed.Path)

	// An SDK configured with the host-style endpoint, every connection going to 127.0.0.1:
	// the Host header carries sqs.us-east-1.<host>.
	hc := srv.SQS(func(o *sqs.Options) {
		o.BaseEndpoint = aws.String(parsed.Scheme + "://" + parsed.Host)
		o.HTTPClient = harness.DialAllTo("127.0.0.1:" + srv.Port())
	})
	send(t, hc, u, "host style")
	m := receiveN(t, hc, u, 1)[0]
	require.Equal(t, "host style", aws.ToString(m.Body))
	out, err := hc.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, u, aws.ToString(out.QueueUrl))

	// The query protocol addressed to the host-style queue URL itself.
	status, body := rawQuery(t, harness.DialAllTo("127.0.0.1:"+srv.Port()), u, "", url.Values{
		"Action": {"SendMessage"}, "Version": {"2012-11-05"}, "MessageBody": {"query to host-style url"},
	})
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.Equal(t, "SendMessageResponse", parseXML(t, body).Root)

	// Path-style URLs keep working on a host-style server.
	pathURL := srv.Endpoint() + "/" + defaultAccount + "/" + name
	send(t, c, pathURL, "path style")
	require.ElementsMatch(t, []string{"path style", "query to host-style url"}, bodies(receiveN(t, c, u, 2)))
}

func TestPathStyleQueueURLFromHostHeader(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	if srv.External() {
		t.Skip("Overcast's URL rules")
	}
	// The QueueUrl is built from the host the request came in on.
	status, _, body := rawJSONTo(t, srv.HTTPClient(), srv.Endpoint()+"/", "localhost:"+srv.Port(), "CreateQueue", map[string]any{"QueueName": uniqueName(t, "")})
	require.Equal(t, 200, status, "%v", body)
	qurl, _ := body["QueueUrl"].(string)
	require.True(t, strings.HasPrefix(qurl, "http://localhost:"+srv.Port()+"/"+defaultAccount+"/"), "QueueUrl %q follows the Host header", qurl)
}

func TestReset(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	c := srv.SQS()
	name := uniqueName(t, "")
	u := createQueue(t, c, name, nil)
	send(t, c, u, "doomed")

	srv.Reset(t, "sqs")
	_, err := c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	requireQueueDoesNotExist(t, err, "after POST /_overcast/reset?service=sqs")
	out, err := c.ListQueues(ctx(t), &sqs.ListQueuesInput{})
	require.NoError(t, err)
	require.Empty(t, out.QueueUrls)

	// The same name can be created at once, empty.
	u = createQueue(t, c, name, nil)
	requireEmpty(t, c, u, "a new queue after reset")
	send(t, c, u, "again")

	srv.Reset(t, "")
	_, err = c.GetQueueUrl(ctx(t), &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
	requireQueueDoesNotExist(t, err, "after POST /_overcast/reset")

	status, body := srv.Admin(t, http.MethodPost, "/_overcast/reset?service=no-such-service", nil)
	require.Equal(t, http.StatusBadRequest, status, "%s", body)

	status, body = srv.Admin(t, http.MethodGet, "/_overcast/health", nil)
	require.Equal(t, http.StatusOK, status, "%s", body)
}

func TestHostStyleQueueURLHostName(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{SQSURLStyle: "host"})
	for _, host := range []string{"localhost:" + srv.Port(), "127.0.0.1:" + srv.Port()} {
		status, _, body := rawJSONTo(t, srv.HTTPClient(), srv.Endpoint()+"/", host, "CreateQueue", map[string]any{"QueueName": uniqueName(t, "")})
		require.Equal(t, 200, status, "%v", body)
		qurl, _ := body["QueueUrl"].(string)
		parsed, err := url.Parse(qurl)
		require.NoError(t, err)
		// sqs.us-east-1.127.0.0.1 names no host; localhost does (and *.localhost resolves to
		// loopback on most systems).
		require.Equal(t, "sqs.us-east-1.localhost:"+srv.Port(), parsed.Host, "host-style QueueUrl for a request to %s", host)
	}
}

func TestUnsignedRequests(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	if srv.External() {
		t.Skip("Overcast accepts unsigned requests with auth off")
	}
	name := uniqueName(t, "")
	// awsJson without any signature: the default account and region.
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, srv.Endpoint()+"/", strings.NewReader(`{"QueueName":"`+name+`"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AmazonSQS.CreateQueue")
	resp, err := srv.HTTPClient().Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	// awsQuery without any signature, to / and to the queue's path.
	post := func(target string, form url.Values) (int, []byte) {
		req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, target, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := srv.HTTPClient().Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, b
	}
	status, body := post(srv.Endpoint()+"/", url.Values{"Action": {"GetQueueUrl"}, "Version": {"2012-11-05"}, "QueueName": {name}})
	require.Equal(t, http.StatusOK, status, "%s", body)
	qurl := parseXML(t, body).get("GetQueueUrlResult/QueueUrl")
	require.Equal(t, srv.Endpoint()+"/"+defaultAccount+"/"+name, qurl)
	status, body = post(qurl, url.Values{"Action": {"SendMessage"}, "Version": {"2012-11-05"}, "MessageBody": {"unsigned"}})
	require.Equal(t, http.StatusOK, status, "%s", body)
	require.Equal(t, []string{"unsigned"}, bodies(receiveN(t, srv.SQS(), qurl, 1)))
}

func TestJSONErrorShape(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	status, hdr, body := rawJSON(t, srv, "GetQueueUrl", map[string]any{"QueueName": uniqueName(t, "missing")})
	require.Equal(t, http.StatusBadRequest, status)
	require.Contains(t, []string{"com.amazonaws.sqs#QueueDoesNotExist", "QueueDoesNotExist"}, body["__type"], "%v", body)
	require.NotEmpty(t, body["message"], "%v", body)
	require.Equal(t, "AWS.SimpleQueueService.NonExistentQueue;Sender", hdr.Get("x-amzn-query-error"))
	require.Equal(t, "application/x-amz-json-1.0", hdr.Get("Content-Type"))
	require.NotEmpty(t, hdr.Get("x-amzn-RequestId"))

	status, hdr, body = rawJSON(t, srv, "ReceiveMessage", map[string]any{"QueueUrl": srv.Endpoint() + "/" + defaultAccount + "/" + uniqueName(t, "m"), "MaxNumberOfMessages": 11})
	require.Equal(t, http.StatusBadRequest, status, "%v", body)
	require.Contains(t, hdr.Get("x-amzn-query-error"), ";Sender")

	status, _, body = rawJSON(t, srv, "NoSuchOperation", map[string]any{})
	require.Equal(t, http.StatusBadRequest, status, "an unknown operation is the client's mistake: %v", body)
}
