package events_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// partnerAccount is the account of the SaaS partner in these tests: a 12-digit access key
// is that account.
const partnerAccount = "999999999999"

func partnerClient(srv *harness.Server) *eventbridge.Client {
	return eventbridge.New(clientsOf(srv).eb.Options(), func(o *eventbridge.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(partnerAccount, "test", "")
	})
}

func TestPartnerEventSourceToCustomerBus(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	partner := partnerClient(srv)
	name := "aws.partner/acme.com/" + uniqueName(t, "src")

	out, err := partner.CreatePartnerEventSource(ctx(t), &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(name), Account: aws.String(defaultAccount)})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:events:us-east-1::event-source/"+name, aws.ToString(out.EventSourceArn))
	_, err = partner.CreatePartnerEventSource(ctx(t), &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(name), Account: aws.String(defaultAccount)})
	requireCode(t, err, "ResourceAlreadyExistsException")

	pd, err := partner.DescribePartnerEventSource(ctx(t), &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, name, aws.ToString(pd.Name))
	pl, err := partner.ListPartnerEventSources(ctx(t), &eventbridge.ListPartnerEventSourcesInput{NamePrefix: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, pl.PartnerEventSources, 1)

	d, err := c.eb.DescribeEventSource(ctx(t), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.EventSourceStatePending, d.State)
	require.Equal(t, "acme.com", aws.ToString(d.CreatedBy))

	_, err = c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(uniqueName(t, "bus")), EventSourceName: aws.String(name)})
	requireCode(t, err, "ValidationException")
	_, err = c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(name), EventSourceName: aws.String(name)})
	require.NoError(t, err)
	d, err = c.eb.DescribeEventSource(ctx(t), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.EventSourceStateActive, d.State)
	ls, err := c.eb.ListEventSources(ctx(t), &eventbridge.ListEventSourcesInput{NamePrefix: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, ls.EventSources, 1)
	accts, err := partner.ListPartnerEventSourceAccounts(ctx(t), &eventbridge.ListPartnerEventSourceAccountsInput{EventSourceName: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, accts.PartnerEventSourceAccounts, 1)
	require.Equal(t, defaultAccount, aws.ToString(accts.PartnerEventSourceAccounts[0].Account))
	require.Equal(t, types.EventSourceStateActive, accts.PartnerEventSourceAccounts[0].State)

	url, arn := newQueue(t, c, "q")
	_, err = c.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("tickets"), EventBusName: aws.String(name),
		EventPattern: aws.String(`{"source":[{"prefix":"aws.partner/acme.com/"}]}`)})
	require.NoError(t, err)
	_, err = c.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("tickets"), EventBusName: aws.String(name),
		Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(arn)}}})
	require.NoError(t, err)

	pe, err := partner.PutPartnerEvents(ctx(t), &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{
		{Source: aws.String(name), DetailType: aws.String("Ticket Created"), Detail: aws.String(`{"ticket":42}`)},
		{Source: aws.String(name + "-unknown"), DetailType: aws.String("Ticket Created"), Detail: aws.String(`{}`)},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(1), pe.FailedEntryCount)
	require.NotEmpty(t, aws.ToString(pe.Entries[1].ErrorCode))
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, url, 1)[0].Body)), &ev))
	require.Equal(t, aws.ToString(pe.Entries[0].EventId), ev["id"])
	require.Equal(t, defaultAccount, ev["account"])
	require.Equal(t, name, ev["source"])
	require.Equal(t, "Ticket Created", ev["detail-type"])

	// Deactivated: the bus stays, the events stop.
	_, err = c.eb.DeactivateEventSource(ctx(t), &eventbridge.DeactivateEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)
	d, err = c.eb.DescribeEventSource(ctx(t), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.EventSourceStatePending, d.State)
	_, err = partner.PutPartnerEvents(ctx(t), &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{
		{Source: aws.String(name), DetailType: aws.String("Ticket Created"), Detail: aws.String(`{"ticket":43}`)}}})
	require.NoError(t, err)
	requireEmpty(t, c, url, "a deactivated source delivers nothing")
	_, err = c.eb.ActivateEventSource(ctx(t), &eventbridge.ActivateEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)

	_, err = partner.DeletePartnerEventSource(ctx(t), &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(name), Account: aws.String(defaultAccount)})
	require.NoError(t, err)
	d, err = c.eb.DescribeEventSource(ctx(t), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.EventSourceStateDeleted, d.State)
	_, err = c.eb.ActivateEventSource(ctx(t), &eventbridge.ActivateEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "InvalidStateException")
	_, err = partner.DescribePartnerEventSource(ctx(t), &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.DeleteEventBus(ctx(t), &eventbridge.DeleteEventBusInput{Name: aws.String(name)})
	require.NoError(t, err)
	_, err = c.eb.DescribeEventSource(ctx(t), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestPartnerEventSourceErrors(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	partner := partnerClient(srv)
	name := "aws.partner/acme.com/" + uniqueName(t, "src")

	_, err := partner.CreatePartnerEventSource(ctx(t), &eventbridge.CreatePartnerEventSourceInput{Name: aws.String("acme.com/app"), Account: aws.String(defaultAccount)})
	requireCode(t, err, "ValidationException")
	_, err = partner.CreatePartnerEventSource(ctx(t), &eventbridge.CreatePartnerEventSourceInput{Name: aws.String(name), Account: aws.String("123")})
	requireCode(t, err, "ValidationException")
	_, err = partner.DescribePartnerEventSource(ctx(t), &eventbridge.DescribePartnerEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = partner.ListPartnerEventSourceAccounts(ctx(t), &eventbridge.ListPartnerEventSourceAccountsInput{EventSourceName: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = partner.ListPartnerEventSources(ctx(t), &eventbridge.ListPartnerEventSourcesInput{NamePrefix: aws.String("acme")})
	requireCode(t, err, "ValidationException")
	_, err = partner.DeletePartnerEventSource(ctx(t), &eventbridge.DeletePartnerEventSourceInput{Name: aws.String(name), Account: aws.String(defaultAccount)})
	require.NoError(t, err, "deleting a source that does not exist succeeds")

	_, err = c.eb.DescribeEventSource(ctx(t), &eventbridge.DescribeEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.ActivateEventSource(ctx(t), &eventbridge.ActivateEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.DeactivateEventSource(ctx(t), &eventbridge.DeactivateEventSourceInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(name), EventSourceName: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.DescribeEventBus(ctx(t), &eventbridge.DescribeEventBusInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")

	pe, err := partner.PutPartnerEvents(ctx(t), &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{
		{Source: aws.String(name), DetailType: aws.String("T"), Detail: aws.String(`{}`)},
		{Source: aws.String(name), DetailType: aws.String("T"), Detail: aws.String(`not json`)},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(2), pe.FailedEntryCount)
	require.Equal(t, "MalformedDetail", aws.ToString(pe.Entries[1].ErrorCode))
	_, err = partner.PutPartnerEvents(ctx(t), &eventbridge.PutPartnerEventsInput{Entries: []types.PutPartnerEventsRequestEntry{}})
	requireCode(t, err, "ValidationException")
}

func TestPartnerAndEndpointBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/partner_endpoint_boto3.py", uniqueName(t, "py"), partnerAccount, defaultAccount)
	require.Contains(t, out, "ok")
}

func TestPartnerAndEndpointCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	bus := uniqueName(t, "bus")
	name := uniqueName(t, "ep")
	var created struct {
		State string
		Arn   string
	}
	srv.MustAWS(t, &created, "events", "create-endpoint", "--name", name,
		"--routing-config", `{"FailoverConfig":{"Primary":{"HealthCheck":"`+testHealthCheck+`"},"Secondary":{"Route":"us-west-2"}}}`,
		"--event-buses", "EventBusArn=arn:aws:events:us-east-1:"+defaultAccount+":event-bus/"+bus,
		"EventBusArn=arn:aws:events:us-west-2:"+defaultAccount+":event-bus/"+bus,
		"--replication-config", "State=DISABLED")
	require.Equal(t, "CREATING", created.State)
	var listed struct {
		Endpoints []struct{ Name, State string }
	}
	srv.MustAWS(t, &listed, "events", "list-endpoints", "--name-prefix", name)
	require.Len(t, listed.Endpoints, 1)
	require.Equal(t, "ACTIVE", listed.Endpoints[0].State)
	res := srv.AWS(t, "events", "describe-endpoint", "--name", name+"-missing")
	require.NotZero(t, res.ExitCode)
	require.Contains(t, res.Stderr, "ResourceNotFoundException")
	srv.MustAWS(t, nil, "events", "delete-endpoint", "--name", name)

	var sources struct{ EventSources []any }
	srv.MustAWS(t, &sources, "events", "list-event-sources", "--name-prefix", "aws.partner/"+name)
	require.Empty(t, sources.EventSources)
	res = srv.AWS(t, "events", "describe-event-source", "--name", "aws.partner/acme.com/"+name)
	require.NotZero(t, res.ExitCode)
	require.Contains(t, res.Stderr, "ResourceNotFoundException")
}
