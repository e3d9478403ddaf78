package events_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/require"
)

const testHealthCheck = "arn:aws:route53:::healthcheck/0123abcd-0000-1111-2222-333344445555"

func endpointBuses(bus string) []types.EndpointEventBus {
	return []types.EndpointEventBus{
		{EventBusArn: aws.String(fmt.Sprintf("arn:aws:events:us-east-1:%s:event-bus/%s", defaultAccount, bus))},
		{EventBusArn: aws.String(fmt.Sprintf("arn:aws:events:us-west-2:%s:event-bus/%s", defaultAccount, bus))},
	}
}

func routing(secondary string) *types.RoutingConfig {
	return &types.RoutingConfig{FailoverConfig: &types.FailoverConfig{Primary: &types.Primary{HealthCheck: aws.String(testHealthCheck)},
		Secondary: &types.Secondary{Route: aws.String(secondary)}}}
}

func TestGlobalEndpointLifecycle(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	name := uniqueName(t, "ep")
	bus := uniqueName(t, "bus")
	role := fmt.Sprintf("arn:aws:iam::%s:role/replication", defaultAccount)

	out, err := c.eb.CreateEndpoint(ctx(t), &eventbridge.CreateEndpointInput{Name: aws.String(name), RoutingConfig: routing("us-west-2"),
		EventBuses: endpointBuses(bus), RoleArn: aws.String(role), Description: aws.String("orders")})
	require.NoError(t, err)
	require.Equal(t, types.EndpointStateCreating, out.State)
	require.Equal(t, fmt.Sprintf("arn:aws:events:us-east-1:%s:endpoint/%s", defaultAccount, name), aws.ToString(out.Arn))
	require.Equal(t, types.ReplicationStateEnabled, out.ReplicationConfig.State)

	_, err = c.eb.CreateEndpoint(ctx(t), &eventbridge.CreateEndpointInput{Name: aws.String(name), RoutingConfig: routing("us-west-2"),
		EventBuses: endpointBuses(bus), RoleArn: aws.String(role)})
	requireCode(t, err, "ResourceAlreadyExistsException")

	d, err := c.eb.DescribeEndpoint(ctx(t), &eventbridge.DescribeEndpointInput{Name: aws.String(name)})
	require.NoError(t, err)
	require.Equal(t, types.EndpointStateActive, d.State)
	require.Regexp(t, `^[A-Za-z0-9\-]+[\.][A-Za-z0-9\-]+$`, aws.ToString(d.EndpointId))
	require.Equal(t, "orders", aws.ToString(d.Description))
	require.Equal(t, "us-west-2", aws.ToString(d.RoutingConfig.FailoverConfig.Secondary.Route))
	u, err := url.Parse(aws.ToString(d.EndpointUrl))
	require.NoError(t, err)
	require.Equal(t, srv.Endpoint(), u.Scheme+"://"+u.Host, "the endpoint URL is the server's own address")

	up, err := c.eb.UpdateEndpoint(ctx(t), &eventbridge.UpdateEndpointInput{Name: aws.String(name),
		ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled}})
	require.NoError(t, err)
	require.Equal(t, types.EndpointStateUpdating, up.State)
	require.Equal(t, aws.ToString(d.EndpointId), aws.ToString(up.EndpointId))

	list, err := c.eb.ListEndpoints(ctx(t), &eventbridge.ListEndpointsInput{NamePrefix: aws.String(name)})
	require.NoError(t, err)
	require.Len(t, list.Endpoints, 1)
	require.Equal(t, types.ReplicationStateDisabled, list.Endpoints[0].ReplicationConfig.State)
	list, err = c.eb.ListEndpoints(ctx(t), &eventbridge.ListEndpointsInput{NamePrefix: aws.String(name), HomeRegion: aws.String("eu-west-1")})
	require.NoError(t, err)
	require.Empty(t, list.Endpoints)

	_, err = c.eb.DeleteEndpoint(ctx(t), &eventbridge.DeleteEndpointInput{Name: aws.String(name)})
	require.NoError(t, err)
	_, err = c.eb.DescribeEndpoint(ctx(t), &eventbridge.DescribeEndpointInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.DeleteEndpoint(ctx(t), &eventbridge.DeleteEndpointInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.UpdateEndpoint(ctx(t), &eventbridge.UpdateEndpointInput{Name: aws.String(name), Description: aws.String("x")})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestGlobalEndpointPagination(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	prefix := uniqueName(t, "p")
	bus := uniqueName(t, "bus")
	for i := range 3 {
		_, err := c.eb.CreateEndpoint(ctx(t), &eventbridge.CreateEndpointInput{Name: aws.String(fmt.Sprintf("%s-%d", prefix, i)),
			RoutingConfig: routing("us-west-2"), EventBuses: endpointBuses(bus),
			ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled}})
		require.NoError(t, err)
	}
	var names []string
	pages := 0
	in := &eventbridge.ListEndpointsInput{NamePrefix: aws.String(prefix), MaxResults: aws.Int32(2)}
	for {
		page, err := c.eb.ListEndpoints(ctx(t), in)
		require.NoError(t, err)
		pages++
		for _, e := range page.Endpoints {
			names = append(names, aws.ToString(e.Name))
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	require.Equal(t, 2, pages)
	require.Equal(t, []string{prefix + "-0", prefix + "-1", prefix + "-2"}, names)
}

func TestGlobalEndpointErrors(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	bus := uniqueName(t, "bus")
	name := uniqueName(t, "ep")
	cases := map[string]*eventbridge.CreateEndpointInput{
		"one bus": {Name: aws.String(name), RoutingConfig: routing("us-west-2"), EventBuses: endpointBuses(bus)[:1],
			ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled}},
		"same region": {Name: aws.String(name), RoutingConfig: routing("us-west-2"),
			EventBuses:        []types.EndpointEventBus{endpointBuses(bus)[0], endpointBuses(bus)[0]},
			ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled}},
		"different names": {Name: aws.String(name), RoutingConfig: routing("us-west-2"),
			EventBuses:        []types.EndpointEventBus{endpointBuses(bus)[0], endpointBuses(bus + "x")[1]},
			ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled}},
		"secondary elsewhere": {Name: aws.String(name), RoutingConfig: routing("eu-west-1"), EventBuses: endpointBuses(bus),
			ReplicationConfig: &types.ReplicationConfig{State: types.ReplicationStateDisabled}},
		"replication without role": {Name: aws.String(name), RoutingConfig: routing("us-west-2"), EventBuses: endpointBuses(bus)},
		"bad health check": {Name: aws.String(name), EventBuses: endpointBuses(bus),
			RoutingConfig: &types.RoutingConfig{FailoverConfig: &types.FailoverConfig{Primary: &types.Primary{HealthCheck: aws.String("nope")},
				Secondary: &types.Secondary{Route: aws.String("us-west-2")}}}},
		"bad name": {Name: aws.String("no spaces"), RoutingConfig: routing("us-west-2"), EventBuses: endpointBuses(bus)},
	}
	for what, in := range cases {
		t.Run(what, func(t *testing.T) {
			_, err := c.eb.CreateEndpoint(ctx(t), in)
			requireCode(t, err, "ValidationException")
		})
	}
	_, err := c.eb.DescribeEndpoint(ctx(t), &eventbridge.DescribeEndpointInput{Name: aws.String(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = c.eb.ListEndpoints(ctx(t), &eventbridge.ListEndpointsInput{NextToken: aws.String("not-a-token")})
	requireCode(t, err, "ValidationException")
}

// TestPutEventsThroughGlobalEndpoint sends PutEvents with EndpointId as the SDK does (to
// the endpoint URL, signed with SigV4a) and sees the events on the primary region's bus
// and, replicated, on the secondary region's.
func TestPutEventsThroughGlobalEndpoint(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	c := clientsOf(srv)
	west := eventbridge.New(c.eb.Options(), func(o *eventbridge.Options) { o.Region = "us-west-2" })
	bus := uniqueName(t, "bus")
	src := uniqueName(t, "src")
	eastURL, eastARN := newQueue(t, c, "east")
	westURL, westARN := newQueue(t, c, "west")
	for _, x := range []struct {
		eb    *eventbridge.Client
		queue string
	}{{c.eb, eastARN}, {west, westARN}} {
		_, err := x.eb.CreateEventBus(ctx(t), &eventbridge.CreateEventBusInput{Name: aws.String(bus)})
		require.NoError(t, err)
		_, err = x.eb.PutRule(ctx(t), &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String(bus),
			EventPattern: aws.String(fmt.Sprintf(`{"source":[%q]}`, src))})
		require.NoError(t, err)
		_, err = x.eb.PutTargets(ctx(t), &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: aws.String(bus),
			Targets: []types.Target{{Id: aws.String("q"), Arn: aws.String(x.queue)}}})
		require.NoError(t, err)
	}
	name := uniqueName(t, "ep")
	_, err := c.eb.CreateEndpoint(ctx(t), &eventbridge.CreateEndpointInput{Name: aws.String(name), RoutingConfig: routing("us-west-2"),
		EventBuses: endpointBuses(bus), RoleArn: aws.String(fmt.Sprintf("arn:aws:iam::%s:role/replication", defaultAccount))})
	require.NoError(t, err)
	d, err := c.eb.DescribeEndpoint(ctx(t), &eventbridge.DescribeEndpointInput{Name: aws.String(name)})
	require.NoError(t, err)

	pe, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{EndpointId: d.EndpointId, Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("Order"), Detail: aws.String(`{"n":1}`), EventBusName: aws.String(bus)},
	}})
	require.NoError(t, err)
	require.Zero(t, pe.FailedEntryCount)
	var ev, rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, eastURL, 1)[0].Body)), &ev))
	require.Equal(t, "us-east-1", ev["region"])
	require.Equal(t, aws.ToString(pe.Entries[0].EventId), ev["id"])
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(receiveN(t, c, westURL, 1)[0].Body)), &rep))
	require.Equal(t, ev["id"], rep["id"], "the secondary region receives a replica of the event")

	_, err = c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{EndpointId: aws.String("nope.abc"), Entries: []types.PutEventsRequestEntry{
		{Source: aws.String(src), DetailType: aws.String("Order"), Detail: aws.String(`{}`)}}})
	requireCode(t, err, "ResourceNotFoundException")
}
