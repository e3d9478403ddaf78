package logs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	testDataProtectionPolicy = `{"Name":"account-dp","Version":"2021-06-01","Statement":[{"Sid":"audit","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Audit":{"FindingsDestination":{}}}},{"Sid":"redact","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Deidentify":{"MaskConfig":{}}}}]}`
	testSubscriptionPolicy   = `{"DestinationArn":"arn:aws:lambda:us-east-1:123456789012:function:shipper","FilterPattern":"","Distribution":"Random"}`
)

func accountPolicyInput(name, typ, doc string) *PutAccountPolicyInput {
	return &PutAccountPolicyInput{PolicyName: ptr(name), PolicyType: ptr(typ), PolicyDocument: ptr(doc)}
}

func TestAccountPolicyLifecycle(t *testing.T) {
	t.Parallel()
	b := setup(t)
	out, err := b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("dp", PolicyTypeDATAPROTECTIONPOLICY, testDataProtectionPolicy))
	require.NoError(t, err)
	p := out.AccountPolicy
	require.Equal(t, "dp", *p.PolicyName)
	require.Equal(t, testDataProtectionPolicy, *p.PolicyDocument)
	require.Equal(t, PolicyTypeDATAPROTECTIONPOLICY, *p.PolicyType)
	require.Equal(t, ScopeALL, *p.Scope)
	require.Equal(t, testAccount, *p.AccountID)
	require.Equal(t, b.nowMs(), *p.LastUpdatedTime)
	require.Nil(t, p.SelectionCriteria)

	sub := accountPolicyInput("sub", PolicyTypeSUBSCRIPTIONFILTERPOLICY, testSubscriptionPolicy)
	sub.Scope = ptr(ScopeALL)
	sub.SelectionCriteria = ptr(`LogGroupName NOT IN ["/app"]`)
	out, err = b.svc.PutAccountPolicy(b.ctx, sub)
	require.NoError(t, err)
	require.Equal(t, `LogGroupName NOT IN ["/app"]`, *out.AccountPolicy.SelectionCriteria)

	// Replacing a policy changes its document and update time.
	b.clock.Advance(60_000_000_000)
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("dp", PolicyTypeDATAPROTECTIONPOLICY, `{"Name":"v2"}`))
	require.NoError(t, err)

	for _, n := range []string{"idx-b", "idx-a"} {
		in := accountPolicyInput(n, PolicyTypeFIELDINDEXPOLICY, `{"Fields":["RequestId"]}`)
		in.SelectionCriteria = ptr(`LogGroupNamePrefix IN ["/aws/lambda"]`)
		_, err = b.svc.PutAccountPolicy(b.ctx, in)
		require.NoError(t, err)
	}

	list, err := b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeDATAPROTECTIONPOLICY)})
	require.NoError(t, err)
	require.Len(t, list.AccountPolicies, 1)
	require.Equal(t, `{"Name":"v2"}`, *list.AccountPolicies[0].PolicyDocument)
	require.Equal(t, b.nowMs(), *list.AccountPolicies[0].LastUpdatedTime)

	list, err = b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeFIELDINDEXPOLICY)})
	require.NoError(t, err)
	require.Len(t, list.AccountPolicies, 2)
	require.Equal(t, "idx-a", *list.AccountPolicies[0].PolicyName)
	require.Equal(t, "idx-b", *list.AccountPolicies[1].PolicyName)

	named, err := b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeFIELDINDEXPOLICY), PolicyName: ptr("idx-b")})
	require.NoError(t, err)
	require.Len(t, named.AccountPolicies, 1)
	require.Equal(t, "idx-b", *named.AccountPolicies[0].PolicyName)
	named, err = b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeFIELDINDEXPOLICY), PolicyName: ptr("idx")})
	require.NoError(t, err)
	require.Empty(t, named.AccountPolicies, "the name is matched whole")

	mine, err := b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeSUBSCRIPTIONFILTERPOLICY), AccountIdentifiers: []string{testAccount}})
	require.NoError(t, err)
	require.Len(t, mine.AccountPolicies, 1)
	theirs, err := b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeSUBSCRIPTIONFILTERPOLICY), AccountIdentifiers: []string{"210987654321"}})
	require.NoError(t, err)
	require.Empty(t, theirs.AccountPolicies)
	other, err := b.svc.DescribeAccountPolicies(callContext(b.ctx, "210987654321"), &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeSUBSCRIPTIONFILTERPOLICY)})
	require.NoError(t, err)
	require.Empty(t, other.AccountPolicies, "policies are per account")

	// The type is part of the key.
	_, err = b.svc.DeleteAccountPolicy(b.ctx, &DeleteAccountPolicyInput{PolicyName: ptr("dp"), PolicyType: ptr(PolicyTypeTRANSFORMERPOLICY)})
	RequireCode(t, err, ErrCodeResourceNotFoundException, "Policy with name [dp] does not exist")
	_, err = b.svc.DeleteAccountPolicy(b.ctx, &DeleteAccountPolicyInput{PolicyName: ptr("dp"), PolicyType: ptr(PolicyTypeDATAPROTECTIONPOLICY)})
	require.NoError(t, err)
	_, err = b.svc.DeleteAccountPolicy(b.ctx, &DeleteAccountPolicyInput{PolicyName: ptr("dp"), PolicyType: ptr(PolicyTypeDATAPROTECTIONPOLICY)})
	RequireCode(t, err, ErrCodeResourceNotFoundException, "Policy with name [dp] does not exist")
	list, err = b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeDATAPROTECTIONPOLICY)})
	require.NoError(t, err)
	require.Empty(t, list.AccountPolicies)
}

func TestAccountPolicyErrors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("p", PolicyTypeTRANSFORMERPOLICY, "{nope"))
	RequireCode(t, err, ErrCodeInvalidParameterException, "Policy document is not a valid JSON document.")
	in := accountPolicyInput("p", PolicyTypeDATAPROTECTIONPOLICY, testDataProtectionPolicy)
	in.SelectionCriteria = ptr(`LogGroupName NOT IN ["/app"]`)
	_, err = b.svc.PutAccountPolicy(b.ctx, in)
	RequireCode(t, err, ErrCodeInvalidParameterException, "Selection criteria is not supported for data protection policies.")

	// One data protection and one subscription filter policy per account; 20
	// transformer policies.
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("dp", PolicyTypeDATAPROTECTIONPOLICY, testDataProtectionPolicy))
	require.NoError(t, err)
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("dp2", PolicyTypeDATAPROTECTIONPOLICY, testDataProtectionPolicy))
	RequireCode(t, err, ErrCodeLimitExceededException, msgLimitExceeded)
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("s1", PolicyTypeSUBSCRIPTIONFILTERPOLICY, testSubscriptionPolicy))
	require.NoError(t, err)
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("s2", PolicyTypeSUBSCRIPTIONFILTERPOLICY, testSubscriptionPolicy))
	RequireCode(t, err, ErrCodeLimitExceededException, msgLimitExceeded)
	for i := range maxAccountPolicies[PolicyTypeTRANSFORMERPOLICY] {
		_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput(fmt.Sprintf("t%02d", i), PolicyTypeTRANSFORMERPOLICY, `{"transformerConfig":[]}`))
		require.NoError(t, err)
	}
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("t-extra", PolicyTypeTRANSFORMERPOLICY, `{}`))
	RequireCode(t, err, ErrCodeLimitExceededException, msgLimitExceeded)
	_, err = b.svc.PutAccountPolicy(b.ctx, accountPolicyInput("t00", PolicyTypeTRANSFORMERPOLICY, `{}`))
	require.NoError(t, err, "replacing a policy at the limit")

	list, err := b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeDATAPROTECTIONPOLICY)})
	require.NoError(t, err)
	require.Len(t, list.AccountPolicies, 1, "failed calls changed nothing")
	require.Equal(t, "dp", *list.AccountPolicies[0].PolicyName)

	_, err = b.svc.DescribeAccountPolicies(b.ctx, &DescribeAccountPoliciesInput{PolicyType: ptr(PolicyTypeDATAPROTECTIONPOLICY), NextToken: ptr("bogus")})
	RequireCode(t, err, ErrCodeInvalidParameterException, errInvalidNextToken().Message)
}
