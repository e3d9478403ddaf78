package logs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

const testPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"route53.amazonaws.com"},"Action":["logs:PutLogEvents","logs:CreateLogStream"],"Resource":"*"}]}`

func TestResourcePolicyLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out, err := b.svc.PutResourcePolicy(b.ctx, &PutResourcePolicyInput{PolicyName: ptr("route53"), PolicyDocument: ptr(testPolicy)})
	require.NoError(t, err)
	require.Equal(t, "route53", *out.ResourcePolicy.PolicyName)
	require.Equal(t, testPolicy, *out.ResourcePolicy.PolicyDocument)
	require.Equal(t, b.nowMs(), *out.ResourcePolicy.LastUpdatedTime)
	require.Equal(t, PolicyScopeACCOUNT, *out.ResourcePolicy.PolicyScope)

	b.clock.Advance(60_000_000_000)
	_, err = b.svc.PutResourcePolicy(b.ctx, &PutResourcePolicyInput{PolicyName: ptr("route53"), PolicyDocument: ptr(`{"Version":"2012-10-17","Statement":[]}`)})
	require.NoError(t, err)
	_, err = b.svc.PutResourcePolicy(b.ctx, &PutResourcePolicyInput{PolicyName: ptr("a-first"), PolicyDocument: ptr(testPolicy)})
	require.NoError(t, err)

	list, err := b.svc.DescribeResourcePolicies(b.ctx, &DescribeResourcePoliciesInput{})
	require.NoError(t, err)
	require.Len(t, list.ResourcePolicies, 2)
	require.Equal(t, "a-first", *list.ResourcePolicies[0].PolicyName)
	require.Equal(t, "route53", *list.ResourcePolicies[1].PolicyName)
	require.Equal(t, `{"Version":"2012-10-17","Statement":[]}`, *list.ResourcePolicies[1].PolicyDocument)
	require.Equal(t, b.nowMs(), *list.ResourcePolicies[1].LastUpdatedTime)

	page, err := b.svc.DescribeResourcePolicies(b.ctx, &DescribeResourcePoliciesInput{Limit: ptr(int32(1))})
	require.NoError(t, err)
	require.Len(t, page.ResourcePolicies, 1)
	page, err = b.svc.DescribeResourcePolicies(b.ctx, &DescribeResourcePoliciesInput{Limit: ptr(int32(1)), NextToken: page.NextToken})
	require.NoError(t, err)
	require.Equal(t, "route53", *page.ResourcePolicies[0].PolicyName)
	require.Nil(t, page.NextToken)
	scoped, err := b.svc.DescribeResourcePolicies(b.ctx, &DescribeResourcePoliciesInput{PolicyScope: ptr(PolicyScopeRESOURCE)})
	require.NoError(t, err)
	require.Empty(t, scoped.ResourcePolicies)

	// Policies are per account.
	other, err := b.svc.DescribeResourcePolicies(callContext(b.ctx, "210987654321"), &DescribeResourcePoliciesInput{})
	require.NoError(t, err)
	require.Empty(t, other.ResourcePolicies)

	_, err = b.svc.DeleteResourcePolicy(b.ctx, &DeleteResourcePolicyInput{PolicyName: ptr("route53")})
	require.NoError(t, err)
	_, err = b.svc.DeleteResourcePolicy(b.ctx, &DeleteResourcePolicyInput{PolicyName: ptr("route53")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, "Policy with name [route53] does not exist.")
}

func TestResourcePolicyErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name string
		in   *PutResourcePolicyInput
	}{
		{"no name", &PutResourcePolicyInput{PolicyDocument: ptr(testPolicy)}},
		{"no document", &PutResourcePolicyInput{PolicyName: ptr("p")}},
		{"not JSON", &PutResourcePolicyInput{PolicyName: ptr("p"), PolicyDocument: ptr("{nope")}},
		{"resource-scoped", &PutResourcePolicyInput{PolicyDocument: ptr(testPolicy), ResourceARN: ptr("arn:aws:logs:us-east-1:123456789012:log-group:g")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.PutResourcePolicy(b.ctx, tt.in)
			RequireCode(t, err, ErrCodeInvalidParameterException, "")
		})
	}
	_, err := b.svc.DeleteResourcePolicy(b.ctx, &DeleteResourcePolicyInput{})
	RequireCode(t, err, ErrCodeInvalidParameterException, "")
	_, err = b.svc.DescribeResourcePolicies(b.ctx, &DescribeResourcePoliciesInput{NextToken: ptr("bogus")})
	RequireCode(t, err, ErrCodeInvalidParameterException, msgInvalidNextToken)

	for i := range maxResourcePolicies {
		_, err := b.svc.PutResourcePolicy(b.ctx, &PutResourcePolicyInput{PolicyName: ptr(fmt.Sprintf("p%d", i)), PolicyDocument: ptr(testPolicy)})
		require.NoError(t, err)
	}
	_, err = b.svc.PutResourcePolicy(b.ctx, &PutResourcePolicyInput{PolicyName: ptr("eleventh"), PolicyDocument: ptr(testPolicy)})
	RequireCode(t, err, ErrCodeLimitExceededException, msgLimitExceeded)
	_, err = b.svc.PutResourcePolicy(b.ctx, &PutResourcePolicyInput{PolicyName: ptr("p0"), PolicyDocument: ptr(testPolicy)})
	require.NoError(t, err, "replacing a policy is not a new one")
	list, err := b.svc.DescribeResourcePolicies(b.ctx, &DescribeResourcePoliciesInput{})
	require.NoError(t, err)
	require.Len(t, list.ResourcePolicies, maxResourcePolicies)
}
