package logs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	testRole       = "arn:aws:iam::123456789012:role/CWLtoKinesisRole"
	testStreamARN  = "arn:aws:kinesis:us-east-1:123456789012:stream/RecipientStream"
	testAccessPoly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"logs:PutSubscriptionFilter","Resource":"arn:aws:logs:us-east-1:123456789012:destination:testDestination"}]}`
)

func destinationInput(name, target string) *PutDestinationInput {
	return &PutDestinationInput{DestinationName: ptr(name), TargetARN: ptr(target), RoleARN: ptr(testRole)}
}

func TestDestinationLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	created := b.nowMs()
	out, err := b.svc.PutDestination(b.ctx, destinationInput("testDestination", testStreamARN))
	require.NoError(t, err)
	d := out.Destination
	require.Equal(t, "testDestination", *d.DestinationName)
	require.Equal(t, "arn:aws:logs:us-east-1:123456789012:destination:testDestination", *d.ARN)
	require.Equal(t, testStreamARN, *d.TargetARN)
	require.Equal(t, testRole, *d.RoleARN)
	require.Equal(t, created, *d.CreationTime)
	require.Nil(t, d.AccessPolicy)

	_, err = b.svc.PutDestinationPolicy(b.ctx, &PutDestinationPolicyInput{DestinationName: ptr("testDestination"), AccessPolicy: ptr(testAccessPoly)})
	require.NoError(t, err)

	// Putting again changes target and role; creation time and access policy stay.
	b.clock.Advance(60_000_000_000)
	const firehose = "arn:aws:firehose:us-east-1:123456789012:deliverystream/ds"
	out, err = b.svc.PutDestination(b.ctx, &PutDestinationInput{DestinationName: ptr("testDestination"), TargetARN: ptr(firehose), RoleARN: ptr(testRole + "2")})
	require.NoError(t, err)
	require.Equal(t, firehose, *out.Destination.TargetARN)
	require.Equal(t, testRole+"2", *out.Destination.RoleARN)
	require.Equal(t, created, *out.Destination.CreationTime)
	require.Equal(t, testAccessPoly, *out.Destination.AccessPolicy)

	for _, n := range []string{"a-dest", "b-dest", "b-other"} {
		_, err = b.svc.PutDestination(b.ctx, destinationInput(n, testStreamARN))
		require.NoError(t, err)
	}
	list, err := b.svc.DescribeDestinations(b.ctx, &DescribeDestinationsInput{})
	require.NoError(t, err)
	var names []string
	for _, d := range list.Destinations {
		names = append(names, *d.DestinationName)
	}
	require.Equal(t, []string{"a-dest", "b-dest", "b-other", "testDestination"}, names)
	require.Nil(t, list.NextToken)
	require.Equal(t, testAccessPoly, *list.Destinations[3].AccessPolicy)

	prefixed, err := b.svc.DescribeDestinations(b.ctx, &DescribeDestinationsInput{DestinationNamePrefix: ptr("b-")})
	require.NoError(t, err)
	require.Len(t, prefixed.Destinations, 2)

	var paged []string
	in := &DescribeDestinationsInput{Limit: ptr(int32(3))}
	for {
		page, err := b.svc.DescribeDestinations(b.ctx, in)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Destinations), 3)
		for _, d := range page.Destinations {
			paged = append(paged, *d.DestinationName)
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	require.Equal(t, names, paged)

	// Destinations are per account.
	other, err := b.svc.DescribeDestinations(callContext(b.ctx, "210987654321"), &DescribeDestinationsInput{})
	require.NoError(t, err)
	require.Empty(t, other.Destinations)

	_, err = b.svc.DeleteDestination(b.ctx, &DeleteDestinationInput{DestinationName: ptr("testDestination")})
	require.NoError(t, err)
	_, err = b.svc.DeleteDestination(b.ctx, &DeleteDestinationInput{DestinationName: ptr("testDestination")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgDestinationNotFound)
}

func TestDestinationErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.PutDestination(b.ctx, destinationInput("d", "not-an-arn"))
	RequireCode(t, err, ErrCodeInvalidParameterException, "Invalid targetArn: not-an-arn")

	tags := map[string]string{}
	for i := range maxTags + 1 {
		tags[fmt.Sprintf("k%d", i)] = "v"
	}
	in := destinationInput("d", testStreamARN)
	in.Tags = tags
	_, err = b.svc.PutDestination(b.ctx, in)
	RequireCode(t, err, ErrCodeInvalidParameterException, msgTooManyTags)

	_, err = b.svc.PutDestinationPolicy(b.ctx, &PutDestinationPolicyInput{DestinationName: ptr("missing"), AccessPolicy: ptr(testAccessPoly)})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgDestinationNotFound)

	_, err = b.svc.PutDestination(b.ctx, destinationInput("d", testStreamARN))
	require.NoError(t, err)
	_, err = b.svc.PutDestinationPolicy(b.ctx, &PutDestinationPolicyInput{DestinationName: ptr("d"), AccessPolicy: ptr("{not json")})
	RequireCode(t, err, ErrCodeInvalidParameterException, "Access policy is not a valid JSON document.")

	_, err = b.svc.DescribeDestinations(b.ctx, &DescribeDestinationsInput{NextToken: ptr("bogus")})
	RequireCode(t, err, ErrCodeInvalidParameterException, errInvalidNextToken().Message)

	list, err := b.svc.DescribeDestinations(b.ctx, &DescribeDestinationsInput{})
	require.NoError(t, err)
	require.Len(t, list.Destinations, 1, "failed calls changed nothing")
	require.Nil(t, list.Destinations[0].AccessPolicy)
}

func TestSubscriptionToDestination(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	b.MustStream(t, "/app", "web-1")
	destARN := destinationARN(testRegion, testAccount, "to-lambda")

	// A destination that does not exist is refused.
	_, err := b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "f", "ERROR", destARN))
	RequireCode(t, err, ErrCodeInvalidParameterException, msgTestMessageNotDelivered)

	// A destination forwarding to Kinesis or Firehose is refused as those targets are.
	_, err = b.svc.PutDestination(b.ctx, destinationInput("to-kinesis", testStreamARN))
	require.NoError(t, err)
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "f", "ERROR", destinationARN(testRegion, testAccount, "to-kinesis")))
	RequireCode(t, err, ErrCodeInvalidParameterException, "Kinesis Data Streams destinations of subscription filters are not served by Overcast yet; use a Lambda function.")

	// A destination forwarding to a function that does not exist is refused.
	_, err = b.svc.PutDestination(b.ctx, destinationInput("to-nothing", "arn:aws:lambda:us-east-1:123456789012:function:missing"))
	require.NoError(t, err)
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "f", "ERROR", destinationARN(testRegion, testAccount, "to-nothing")))
	RequireCode(t, err, ErrCodeInvalidParameterException, msgLambdaNotInvocable)

	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "f", "ERROR", "arn:aws:logs:us-east-1:123456789012:log-group:x"))
	RequireCode(t, err, ErrCodeInvalidParameterException, "Invalid destinationArn: arn:aws:logs:us-east-1:123456789012:log-group:x")

	// A destination forwarding to a function: events reach the function.
	_, err = b.svc.PutDestination(b.ctx, destinationInput("to-lambda", testFunction))
	require.NoError(t, err)
	_, err = b.svc.PutSubscriptionFilter(b.ctx, subscriptionInput("/app", "f", "ERROR", destARN))
	require.NoError(t, err)
	filters, err := b.svc.DescribeSubscriptionFilters(b.ctx, &DescribeSubscriptionFiltersInput{LogGroupName: ptr("/app")})
	require.NoError(t, err)
	require.Equal(t, destARN, *filters.SubscriptionFilters[0].DestinationARN)

	now := b.nowMs()
	b.MustPut(t, "/app", "web-1", []int64{now - 1, now}, "INFO start", "ERROR boom")
	got := fns.take()
	require.Len(t, got, 1)
	require.Equal(t, testFunction, got[0].arn)
	msg := decodeDelivery(t, got[0].payload)
	require.Equal(t, "/app", msg.LogGroup)
	require.Equal(t, []string{"f"}, msg.SubscriptionFilters)
	require.Len(t, msg.LogEvents, 1)
	require.Equal(t, "ERROR boom", msg.LogEvents[0].Message)

	// Retargeting the destination moves the delivery; deleting it stops it.
	_, err = b.svc.PutDestination(b.ctx, destinationInput("to-lambda", otherFunc))
	require.NoError(t, err)
	b.MustPut(t, "/app", "web-1", []int64{now}, "ERROR again")
	got = fns.take()
	require.Len(t, got, 1)
	require.Equal(t, otherFunc, got[0].arn)

	_, err = b.svc.DeleteDestination(b.ctx, &DeleteDestinationInput{DestinationName: ptr("to-lambda")})
	require.NoError(t, err)
	b.MustPut(t, "/app", "web-1", []int64{now}, "ERROR once more")
	require.Empty(t, fns.take())
}

func TestSubscriptionToDestinationOfOtherAccount(t *testing.T) {
	t.Parallel()
	b, fns := setupSubscriptions(t)
	_, err := b.svc.PutDestination(b.ctx, destinationInput("shared", testFunction))
	require.NoError(t, err)

	sender := callContext(b.ctx, "210987654321")
	_, err = b.svc.CreateLogGroup(sender, &CreateLogGroupInput{LogGroupName: ptr("/sender")})
	require.NoError(t, err)
	_, err = b.svc.CreateLogStream(sender, &CreateLogStreamInput{LogGroupName: ptr("/sender"), LogStreamName: ptr("s")})
	require.NoError(t, err)
	sharedARN := destinationARN(testRegion, testAccount, "shared")
	denied := "User with accountId: 210987654321 is not authorized to perform: logs:PutSubscriptionFilter on resource: " + sharedARN

	// Without an access policy, and with one that names other accounts, the sender is
	// refused; a destination that does not exist answers the same.
	_, err = b.svc.PutSubscriptionFilter(sender, subscriptionInput("/sender", "f", "", sharedARN))
	RequireCode(t, err, ErrCodeAccessDeniedException, denied)
	_, err = b.svc.PutDestinationPolicy(b.ctx, &PutDestinationPolicyInput{DestinationName: ptr("shared"), AccessPolicy: ptr(testAccessPoly)})
	require.NoError(t, err)
	_, err = b.svc.PutSubscriptionFilter(sender, subscriptionInput("/sender", "f", "", sharedARN))
	RequireCode(t, err, ErrCodeAccessDeniedException, denied)
	missing := destinationARN(testRegion, testAccount, "missing")
	_, err = b.svc.PutSubscriptionFilter(sender, subscriptionInput("/sender", "f", "", missing))
	RequireCode(t, err, ErrCodeAccessDeniedException, "User with accountId: 210987654321 is not authorized to perform: logs:PutSubscriptionFilter on resource: "+missing)

	// The recipient account lets the sender subscribe.
	allow := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["111111111111","210987654321"]},"Action":"logs:PutSubscriptionFilter","Resource":"*"}}`
	_, err = b.svc.PutDestinationPolicy(b.ctx, &PutDestinationPolicyInput{DestinationName: ptr("shared"), AccessPolicy: ptr(allow), ForceUpdate: ptr(true)})
	require.NoError(t, err)
	_, err = b.svc.PutSubscriptionFilter(sender, subscriptionInput("/sender", "f", "", sharedARN))
	require.NoError(t, err)
	_, err = b.svc.PutLogEvents(sender, putInput("/sender", "s", []int64{b.nowMs()}, "hello"))
	require.NoError(t, err)
	got := fns.take()
	require.Len(t, got, 1)
	require.Equal(t, testFunction, got[0].arn)
	msg := decodeDelivery(t, got[0].payload)
	require.Equal(t, "210987654321", msg.Owner)
	require.Equal(t, "/sender", msg.LogGroup)
}

func TestPolicyAllowsSubscription(t *testing.T) {
	t.Parallel()
	const acct = "210987654321"
	tests := []struct {
		name, policy string
		want         bool
	}{
		{"account id", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"logs:PutSubscriptionFilter"}]}`, true},
		{"root arn", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":["logs:PutSubscriptionFilter"]}]}`, true},
		{"anyone", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"logs:*"}]}`, true},
		{"wildcard action", `{"Statement":{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*"}}`, true},
		{"other account", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"logs:PutSubscriptionFilter"}]}`, false},
		{"other action", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"logs:PutLogEvents"}]}`, false},
		{"deny", `{"Statement":[{"Effect":"Deny","Principal":{"AWS":"210987654321"},"Action":"logs:PutSubscriptionFilter"}]}`, false},
		{"none", ``, false},
		{"not statements", `{"Statement":7}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, policyAllowsSubscription(tt.policy, acct))
		})
	}
}

func TestDestinationTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	in := destinationInput("tagged", testStreamARN)
	in.Tags = map[string]string{"team": "logs"}
	out, err := b.svc.PutDestination(b.ctx, in)
	require.NoError(t, err)
	arn := out.Destination.ARN

	list, err := b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"team": "logs"}, list.Tags)

	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: arn, Tags: map[string]string{"env": "dev"}})
	require.NoError(t, err)
	_, err = b.svc.UntagResource(b.ctx, &UntagResourceInput{ResourceARN: arn, TagKeys: []string{"team"}})
	require.NoError(t, err)
	// Putting the destination again keeps its tags.
	_, err = b.svc.PutDestination(b.ctx, destinationInput("tagged", testStreamARN))
	require.NoError(t, err)
	list, err = b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"env": "dev"}, list.Tags)

	tooMany := map[string]string{}
	for i := range maxTags {
		tooMany[fmt.Sprintf("k%d", i)] = "v"
	}
	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: arn, Tags: tooMany})
	RequireCode(t, err, ErrCodeTooManyTagsException, msgTooManyTags)

	for _, missing := range []string{
		destinationARN(testRegion, testAccount, "missing"),
		destinationARN(testRegion, "210987654321", "tagged"),
		destinationARN("eu-west-1", testAccount, "tagged"),
	} {
		_, err = b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: &missing})
		RequireCode(t, err, ErrCodeResourceNotFoundException, "The specified resource does not exist.")
		_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: &missing, Tags: map[string]string{"a": "b"}})
		RequireCode(t, err, ErrCodeResourceNotFoundException, "The specified resource does not exist.")
		_, err = b.svc.UntagResource(b.ctx, &UntagResourceInput{ResourceARN: &missing, TagKeys: []string{"a"}})
		RequireCode(t, err, ErrCodeResourceNotFoundException, "The specified resource does not exist.")
	}
}
