package events

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

const partnerAccount = "999999999999"

func TestPartnerEventSourceLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	partner := protocol.WithCall(b.ctx, &protocol.Call{Account: partnerAccount, Region: testRegion})
	other := protocol.WithCall(b.ctx, &protocol.Call{Account: "888888888888", Region: testRegion})
	customer := b.ctx
	name := "aws.partner/acme.com/app/orders"

	out, err := b.svc.CreatePartnerEventSource(partner, &CreatePartnerEventSourceInput{Name: ptr(name), Account: ptr(testAccount)})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:events:us-east-1::event-source/"+name, *out.EventSourceARN)
	_, err = b.svc.CreatePartnerEventSource(partner, &CreatePartnerEventSourceInput{Name: ptr(name), Account: ptr(testAccount)})
	requireCode(t, err, "ResourceAlreadyExistsException")
	_, err = b.svc.CreatePartnerEventSource(other, &CreatePartnerEventSourceInput{Name: ptr(name), Account: ptr(testAccount)})
	requireCode(t, err, "ResourceAlreadyExistsException")
	_, err = b.svc.CreatePartnerEventSource(partner, &CreatePartnerEventSourceInput{Name: ptr(name), Account: ptr("777777777777")})
	require.NoError(t, err, "one source may be offered to several accounts")

	pd, err := b.svc.DescribePartnerEventSource(partner, &DescribePartnerEventSourceInput{Name: ptr(name)})
	require.NoError(t, err)
	require.Equal(t, name, *pd.Name)
	_, err = b.svc.DescribePartnerEventSource(other, &DescribePartnerEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")
	pl, err := b.svc.ListPartnerEventSources(partner, &ListPartnerEventSourcesInput{NamePrefix: ptr("aws.partner/acme.com/")})
	require.NoError(t, err)
	require.Len(t, pl.PartnerEventSources, 1)

	state := func() string {
		t.Helper()
		d, err := b.svc.DescribeEventSource(customer, &DescribeEventSourceInput{Name: ptr(name)})
		require.NoError(t, err)
		return *d.State
	}
	d, err := b.svc.DescribeEventSource(customer, &DescribeEventSourceInput{Name: ptr(name)})
	require.NoError(t, err)
	require.Equal(t, "acme.com", *d.CreatedBy)
	require.Equal(t, EventSourceStatePENDING, *d.State)
	_, err = b.svc.DescribeEventSource(other, &DescribeEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")

	// The partner event bus must be named after the source.
	_, err = b.svc.CreateEventBus(customer, &CreateEventBusInput{Name: ptr("other"), EventSourceName: ptr(name)})
	requireCode(t, err, "ValidationException")
	_, err = b.svc.CreateEventBus(other, &CreateEventBusInput{Name: ptr(name), EventSourceName: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.CreateEventBus(customer, &CreateEventBusInput{Name: ptr(name), EventSourceName: ptr(name)})
	require.NoError(t, err)
	require.Equal(t, EventSourceStateACTIVE, state())

	accts, err := b.svc.ListPartnerEventSourceAccounts(partner, &ListPartnerEventSourceAccountsInput{EventSourceName: ptr(name)})
	require.NoError(t, err)
	got := map[string]string{}
	for _, a := range accts.PartnerEventSourceAccounts {
		got[*a.Account] = *a.State
	}
	require.Equal(t, map[string]string{testAccount: EventSourceStateACTIVE, "777777777777": EventSourceStatePENDING}, got)
	_, err = b.svc.ListPartnerEventSourceAccounts(other, &ListPartnerEventSourceAccountsInput{EventSourceName: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")

	_, err = b.svc.DeactivateEventSource(customer, &DeactivateEventSourceInput{Name: ptr(name)})
	require.NoError(t, err)
	require.Equal(t, EventSourceStatePENDING, state())
	_, err = b.svc.ActivateEventSource(customer, &ActivateEventSourceInput{Name: ptr(name)})
	require.NoError(t, err)
	require.Equal(t, EventSourceStateACTIVE, state())
	_, err = b.svc.ActivateEventSource(other, &ActivateEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")
	_, err = b.svc.DeactivateEventSource(other, &DeactivateEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")

	l, err := b.svc.ListEventSources(customer, &ListEventSourcesInput{NamePrefix: ptr("aws.partner/acme")})
	require.NoError(t, err)
	require.Len(t, l.EventSources, 1)
	require.Equal(t, EventSourceStateACTIVE, *l.EventSources[0].State)

	// Deleted by the partner while the bus exists: DELETED, and it cannot be activated.
	_, err = b.svc.DeletePartnerEventSource(partner, &DeletePartnerEventSourceInput{Name: ptr(name), Account: ptr(testAccount)})
	require.NoError(t, err)
	require.Equal(t, EventSourceStateDELETED, state())
	_, err = b.svc.ActivateEventSource(customer, &ActivateEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "InvalidStateException")
	_, err = b.svc.DeletePartnerEventSource(partner, &DeletePartnerEventSourceInput{Name: ptr(name), Account: ptr(testAccount)})
	require.NoError(t, err, "deleting again succeeds")
	// Deleting the bus forgets the deleted source.
	_, err = b.svc.DeleteEventBus(customer, &DeleteEventBusInput{Name: ptr(name)})
	require.NoError(t, err)
	_, err = b.svc.DescribeEventSource(customer, &DescribeEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")

	// The other account never created a bus: the source disappears with the partner's.
	_, err = b.svc.DeletePartnerEventSource(partner, &DeletePartnerEventSourceInput{Name: ptr(name), Account: ptr("777777777777")})
	require.NoError(t, err)
	_, err = b.svc.DescribePartnerEventSource(partner, &DescribePartnerEventSourceInput{Name: ptr(name)})
	requireCode(t, err, "ResourceNotFoundException")
}

func TestPutPartnerEvents(t *testing.T) {
	t.Parallel()
	b := setup(t)
	partner := protocol.WithCall(b.ctx, &protocol.Call{Account: partnerAccount, Region: testRegion})
	name := "aws.partner/acme.com/feed"
	_, err := b.svc.CreatePartnerEventSource(partner, &CreatePartnerEventSourceInput{Name: ptr(name), Account: ptr(testAccount)})
	require.NoError(t, err)

	put := func(detail string) *PutPartnerEventsOutput {
		t.Helper()
		out, err := b.svc.PutPartnerEvents(partner, &PutPartnerEventsInput{Entries: []*PutPartnerEventsRequestEntry{
			{Source: ptr(name), DetailType: ptr("Ticket"), Detail: ptr(detail), Resources: []string{"r1"}},
			{Source: ptr("aws.partner/acme.com/unknown"), DetailType: ptr("Ticket"), Detail: ptr(`{}`)},
			{Source: ptr(name), DetailType: ptr("Ticket"), Detail: ptr(`nope`)},
		}})
		require.NoError(t, err)
		require.Equal(t, int32(2), *out.FailedEntryCount)
		require.NotNil(t, out.Entries[0].EventID)
		require.Equal(t, "InvalidArgument", *out.Entries[1].ErrorCode)
		require.Equal(t, "MalformedDetail", *out.Entries[2].ErrorCode)
		return out
	}
	put(`{"n":0}`) // PENDING: accepted and dropped

	_, err = b.svc.CreateEventBus(b.ctx, &CreateEventBusInput{Name: ptr(name), EventSourceName: ptr(name)})
	require.NoError(t, err)
	b.MustRule(t, name, "tickets", `{"source":[{"prefix":"aws.partner/acme.com"}]}`, &Target{ID: ptr("q"), ARN: ptr(queueARN("tickets"))})
	out := put(`{"n":1}`)
	var ev map[string]any
	msgs := b.MustReceive(t, queueARN("tickets"), 1)
	require.Len(t, msgs, 1, "the event put while the source was PENDING is dropped")
	require.NoError(t, json.Unmarshal([]byte(msgs[0].body), &ev))
	require.Equal(t, *out.Entries[0].EventID, ev["id"])
	require.Equal(t, testAccount, ev["account"], "the event belongs to the customer's account")
	require.Equal(t, name, ev["source"])
	require.Equal(t, []any{"r1"}, ev["resources"])
	require.Equal(t, map[string]any{"n": 1.0}, ev["detail"])

	_, err = b.svc.DeactivateEventSource(b.ctx, &DeactivateEventSourceInput{Name: ptr(name)})
	require.NoError(t, err)
	put(`{"n":2}`)
	_, err = b.svc.ActivateEventSource(b.ctx, &ActivateEventSourceInput{Name: ptr(name)})
	require.NoError(t, err)
	put(`{"n":3}`)
	msgs = b.MustReceive(t, queueARN("tickets"), 2)
	require.Len(t, msgs, 2, "nothing reaches the bus while the source is deactivated")
	require.NoError(t, json.Unmarshal([]byte(msgs[1].body), &ev))
	require.Equal(t, map[string]any{"n": 3.0}, ev["detail"])

	// A customer cannot put events for a source it did not create.
	out2, err := b.svc.PutPartnerEvents(b.ctx, &PutPartnerEventsInput{Entries: []*PutPartnerEventsRequestEntry{
		{Source: ptr(name), DetailType: ptr("Ticket"), Detail: ptr(`{}`)}}})
	require.NoError(t, err)
	require.Equal(t, int32(1), *out2.FailedEntryCount)
}
