package events

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

const healthCheck = "arn:aws:route53:::healthcheck/0123abcd-0000-1111-2222-333344445555"

func busARNIn(region, name string) string {
	return "arn:aws:events:" + region + ":" + testAccount + ":event-bus/" + name
}

func endpointInput(name, bus string) *CreateEndpointInput {
	return &CreateEndpointInput{Name: ptr(name),
		RoutingConfig: &RoutingConfig{FailoverConfig: &FailoverConfig{Primary: &Primary{HealthCheck: ptr(healthCheck)},
			Secondary: &Secondary{Route: ptr("us-west-2")}}},
		EventBuses: []*EndpointEventBus{{EventBusARN: ptr(busARNIn("us-east-1", bus))}, {EventBusARN: ptr(busARNIn("us-west-2", bus))}},
		RoleARN:    ptr("arn:aws:iam::" + testAccount + ":role/replication"),
	}
}

func TestEndpointLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := protocol.WithCall(b.ctx, &protocol.Call{Account: testAccount, Region: testRegion, Scheme: "http", Host: "localhost:4566"})
	out, err := b.svc.CreateEndpoint(ctx, endpointInput("ep-1", "orders"))
	require.NoError(t, err)
	require.Equal(t, EndpointStateCREATING, *out.State)
	require.Equal(t, "arn:aws:events:us-east-1:"+testAccount+":endpoint/ep-1", *out.ARN)
	require.Equal(t, ReplicationStateENABLED, *out.ReplicationConfig.State, "replication is ENABLED by default")

	_, err = b.svc.CreateEndpoint(ctx, endpointInput("ep-1", "orders"))
	requireCode(t, err, "ResourceAlreadyExistsException")

	d, err := b.svc.DescribeEndpoint(ctx, &DescribeEndpointInput{Name: ptr("ep-1")})
	require.NoError(t, err)
	require.Equal(t, EndpointStateACTIVE, *d.State)
	require.Regexp(t, regexp.MustCompile(`^[a-z0-9]+\.[a-z0-9]+$`), *d.EndpointID)
	require.Equal(t, "http://localhost:4566", *d.EndpointURL, "the endpoint is served where the request came in")
	require.Equal(t, healthCheck, *d.RoutingConfig.FailoverConfig.Primary.HealthCheck)
	require.Equal(t, "us-west-2", *d.RoutingConfig.FailoverConfig.Secondary.Route)
	require.Len(t, d.EventBuses, 2)

	_, err = b.svc.DescribeEndpoint(ctx, &DescribeEndpointInput{Name: ptr("ep-1"), HomeRegion: ptr("eu-west-1")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.DescribeEndpoint(ctx, &DescribeEndpointInput{Name: ptr("ep-1"), HomeRegion: ptr("us-east-1")})
	require.NoError(t, err)

	up, err := b.svc.UpdateEndpoint(ctx, &UpdateEndpointInput{Name: ptr("ep-1"), Description: ptr("orders, twice"),
		ReplicationConfig: &ReplicationConfig{State: ptr(ReplicationStateDISABLED)}})
	require.NoError(t, err)
	require.Equal(t, EndpointStateUPDATING, *up.State)
	require.Equal(t, *d.EndpointID, *up.EndpointID)
	d, err = b.svc.DescribeEndpoint(ctx, &DescribeEndpointInput{Name: ptr("ep-1")})
	require.NoError(t, err)
	require.Equal(t, "orders, twice", *d.Description)
	require.Equal(t, ReplicationStateDISABLED, *d.ReplicationConfig.State)

	_, err = b.svc.UpdateEndpoint(ctx, &UpdateEndpointInput{Name: ptr("nope")})
	requireCode(t, err, "ResourceNotFoundException")

	for _, name := range []string{"ep-2", "ep-3", "other"} {
		_, err := b.svc.CreateEndpoint(ctx, endpointInput(name, "orders"))
		require.NoError(t, err)
	}
	l, err := b.svc.ListEndpoints(ctx, &ListEndpointsInput{NamePrefix: ptr("ep-"), MaxResults: ptr(int32(2))})
	require.NoError(t, err)
	require.Len(t, l.Endpoints, 2)
	require.NotNil(t, l.NextToken)
	l2, err := b.svc.ListEndpoints(ctx, &ListEndpointsInput{NamePrefix: ptr("ep-"), NextToken: l.NextToken})
	require.NoError(t, err)
	require.Len(t, l2.Endpoints, 1)
	require.Nil(t, l2.NextToken)
	l3, err := b.svc.ListEndpoints(ctx, &ListEndpointsInput{HomeRegion: ptr("us-west-2")})
	require.NoError(t, err)
	require.Empty(t, l3.Endpoints, "no endpoint has its home in us-west-2")
	_, err = b.svc.ListEndpoints(ctx, &ListEndpointsInput{NextToken: ptr("garbage!")})
	requireCode(t, err, "ValidationException")

	_, err = b.svc.DeleteEndpoint(ctx, &DeleteEndpointInput{Name: ptr("ep-1")})
	require.NoError(t, err)
	_, err = b.svc.DeleteEndpoint(ctx, &DeleteEndpointInput{Name: ptr("ep-1")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.DescribeEndpoint(ctx, &DescribeEndpointInput{Name: ptr("ep-1")})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.PutEvents(ctx, &PutEventsInput{EndpointID: d.EndpointID, Entries: []*PutEventsRequestEntry{
		{Source: ptr("app"), DetailType: ptr("t"), Detail: ptr(`{}`)}}})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestEndpointValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name   string
		change func(in *CreateEndpointInput)
	}{
		{"same region", func(in *CreateEndpointInput) { in.EventBuses[1].EventBusARN = ptr(busARNIn("us-east-1", "orders")) }},
		{"different names", func(in *CreateEndpointInput) { in.EventBuses[1].EventBusARN = ptr(busARNIn("us-west-2", "other")) }},
		{"no bus in home region", func(in *CreateEndpointInput) {
			in.EventBuses[0].EventBusARN = ptr(busARNIn("eu-west-1", "orders"))
		}},
		{"secondary not a bus region", func(in *CreateEndpointInput) { in.RoutingConfig.FailoverConfig.Secondary.Route = ptr("eu-west-1") }},
		{"secondary is home", func(in *CreateEndpointInput) { in.RoutingConfig.FailoverConfig.Secondary.Route = ptr("us-east-1") }},
		{"other account", func(in *CreateEndpointInput) {
			in.EventBuses[1].EventBusARN = ptr("arn:aws:events:us-west-2:111111111111:event-bus/orders")
		}},
		{"replication without role", func(in *CreateEndpointInput) { in.RoleARN = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := endpointInput("bad", "orders")
			tt.change(in)
			_, err := b.svc.CreateEndpoint(b.ctx, in)
			requireCode(t, err, "ValidationException")
		})
	}
	l, err := b.svc.ListEndpoints(b.ctx, &ListEndpointsInput{})
	require.NoError(t, err)
	require.Empty(t, l.Endpoints, "a refused endpoint is not created")

	in := endpointInput("norole", "orders")
	in.RoleARN = nil
	in.ReplicationConfig = &ReplicationConfig{State: ptr(ReplicationStateDISABLED)}
	_, err = b.svc.CreateEndpoint(b.ctx, in)
	require.NoError(t, err, "without replication no role is needed")
	_, err = b.svc.UpdateEndpoint(b.ctx, &UpdateEndpointInput{Name: ptr("norole"), ReplicationConfig: &ReplicationConfig{State: ptr(ReplicationStateENABLED)}})
	requireCode(t, err, "ValidationException")
}

func TestPutEventsThroughEndpoint(t *testing.T) {
	t.Parallel()
	b := setup(t)
	west := protocol.WithCall(b.ctx, &protocol.Call{Account: testAccount, Region: "us-west-2"})
	for _, ctx := range []context.Context{b.ctx, west} {
		_, err := b.svc.CreateEventBus(ctx, &CreateEventBusInput{Name: ptr("orders")})
		require.NoError(t, err)
	}
	b.MustRule(t, "orders", "east", `{"source":["shop"]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("east"))})
	_, err := b.svc.PutRule(west, &PutRuleInput{Name: ptr("west"), EventBusName: ptr("orders"), EventPattern: ptr(`{"source":["shop"]}`)})
	require.NoError(t, err)
	_, err = b.svc.PutTargets(west, &PutTargetsInput{Rule: ptr("west"), EventBusName: ptr("orders"),
		Targets: []*Target{{ID: ptr("q"), ARN: ptr(queueARN("west"))}}})
	require.NoError(t, err)

	ep, err := b.svc.CreateEndpoint(b.ctx, endpointInput("orders-ep", "orders"))
	require.NoError(t, err)
	d, err := b.svc.DescribeEndpoint(b.ctx, &DescribeEndpointInput{Name: ep.Name})
	require.NoError(t, err)

	// The endpoint is found by id from any region: SDKs sign these calls for all regions.
	pe, err := b.svc.PutEvents(west, &PutEventsInput{EndpointID: d.EndpointID, Entries: []*PutEventsRequestEntry{
		{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{"n":1}`)},
		{Source: ptr("shop"), DetailType: ptr("Order")},
	}})
	require.NoError(t, err)
	require.Equal(t, int32(1), *pe.FailedEntryCount)
	var ev map[string]any
	require.NoError(t, json.Unmarshal([]byte(b.MustReceive(t, queueARN("east"), 1)[0].body), &ev))
	require.Equal(t, "us-east-1", ev["region"], "the primary region receives the event")
	require.Equal(t, *pe.Entries[0].EventID, ev["id"])
	var rep map[string]any
	require.NoError(t, json.Unmarshal([]byte(b.MustReceive(t, queueARN("west"), 1)[0].body), &rep))
	require.Equal(t, ev["id"], rep["id"], "replication copies the event to the secondary region")

	// Without replication only the primary region sees the events.
	_, err = b.svc.UpdateEndpoint(b.ctx, &UpdateEndpointInput{Name: ep.Name, ReplicationConfig: &ReplicationConfig{State: ptr(ReplicationStateDISABLED)}})
	require.NoError(t, err)
	_, err = b.svc.PutEvents(b.ctx, &PutEventsInput{EndpointID: d.EndpointID, Entries: []*PutEventsRequestEntry{
		{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{"n":2}`)}}})
	require.NoError(t, err)
	require.Len(t, b.MustReceive(t, queueARN("east"), 2), 2)
	b.mu.Lock()
	west2 := 0
	for _, m := range b.sent {
		if m.queue == queueARN("west") {
			west2++
		}
	}
	b.mu.Unlock()
	require.Equal(t, 1, west2, "no replication once it is DISABLED")

	_, err = b.svc.PutEvents(b.ctx, &PutEventsInput{EndpointID: ptr("nope.abc"), Entries: []*PutEventsRequestEntry{
		{Source: ptr("shop"), DetailType: ptr("Order"), Detail: ptr(`{}`)}}})
	requireCode(t, err, "ResourceNotFoundException")
}
