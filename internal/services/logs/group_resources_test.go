package logs

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	testKey        = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testDataPolicy = `{"Name":"data-protection","Version":"2021-06-01","Statement":[{"Sid":"audit","DataIdentifier":["arn:aws:dataprotection::aws:data-identifier/EmailAddress"],"Operation":{"Audit":{"FindingsDestination":{}}}}]}`
)

// describeGroup returns the one log group named name.
func (b *testBundle) describeGroup(t *testing.T, name string) *LogGroup {
	t.Helper()
	out, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{LogGroupNamePrefix: &name})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	return out.LogGroups[0]
}

func TestKMSKey(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "g")
	_, err := b.svc.AssociateKmsKey(b.ctx, &AssociateKmsKeyInput{LogGroupName: ptr("g"), KmsKeyID: ptr(testKey)})
	require.NoError(t, err)
	require.Equal(t, testKey, *b.describeGroup(t, "g").KmsKeyID)
	_, err = b.svc.DisassociateKmsKey(b.ctx, &DisassociateKmsKeyInput{LogGroupName: ptr("g")})
	require.NoError(t, err)
	require.Nil(t, b.describeGroup(t, "g").KmsKeyID)

	tests := []struct {
		name, code string
		call       func() error
	}{
		{"missing group", ErrCodeResourceNotFoundException, func() error {
			_, err := b.svc.AssociateKmsKey(b.ctx, &AssociateKmsKeyInput{LogGroupName: ptr("nope"), KmsKeyID: ptr(testKey)})
			return err
		}},
		{"not a key ARN", ErrCodeInvalidParameterException, func() error {
			_, err := b.svc.AssociateKmsKey(b.ctx, &AssociateKmsKeyInput{LogGroupName: ptr("g"), KmsKeyID: ptr("alias/mine")})
			return err
		}},
		{"no group", ErrCodeInvalidParameterException, func() error {
			_, err := b.svc.AssociateKmsKey(b.ctx, &AssociateKmsKeyInput{KmsKeyID: ptr(testKey)})
			return err
		}},
		{"query results", ErrCodeInvalidParameterException, func() error {
			_, err := b.svc.DisassociateKmsKey(b.ctx, &DisassociateKmsKeyInput{ResourceIdentifier: ptr("arn:aws:logs:us-east-1:123456789012:query-result:*")})
			return err
		}},
		{"both", ErrCodeInvalidParameterException, func() error {
			_, err := b.svc.DisassociateKmsKey(b.ctx, &DisassociateKmsKeyInput{LogGroupName: ptr("g"), ResourceIdentifier: ptr("x")})
			return err
		}},
		{"disassociate missing group", ErrCodeResourceNotFoundException, func() error {
			_, err := b.svc.DisassociateKmsKey(b.ctx, &DisassociateKmsKeyInput{LogGroupName: ptr("nope")})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { RequireCode(t, tt.call(), tt.code, "") })
	}
}

func TestDataProtectionPolicy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "g")
	arn := GroupARN(testRegion, testAccount, "g")

	got, err := b.svc.GetDataProtectionPolicy(b.ctx, &GetDataProtectionPolicyInput{LogGroupIdentifier: ptr("g")})
	require.NoError(t, err)
	require.Nil(t, got.PolicyDocument)
	require.Nil(t, b.describeGroup(t, "g").DataProtectionStatus)

	put, err := b.svc.PutDataProtectionPolicy(b.ctx, &PutDataProtectionPolicyInput{LogGroupIdentifier: ptr("g"), PolicyDocument: ptr(testDataPolicy)})
	require.NoError(t, err)
	require.Equal(t, b.nowMs(), *put.LastUpdatedTime)
	got, err = b.svc.GetDataProtectionPolicy(b.ctx, &GetDataProtectionPolicyInput{LogGroupIdentifier: ptr(arn)})
	require.NoError(t, err)
	require.Equal(t, testDataPolicy, *got.PolicyDocument)
	require.Equal(t, arn, *got.LogGroupIdentifier)
	require.Equal(t, DataProtectionStatusACTIVATED, *b.describeGroup(t, "g").DataProtectionStatus)

	_, err = b.svc.DeleteDataProtectionPolicy(b.ctx, &DeleteDataProtectionPolicyInput{LogGroupIdentifier: ptr("g")})
	require.NoError(t, err)
	_, err = b.svc.DeleteDataProtectionPolicy(b.ctx, &DeleteDataProtectionPolicyInput{LogGroupIdentifier: ptr("g")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgNoDataProtectionPolicy)
	require.Nil(t, b.describeGroup(t, "g").DataProtectionStatus)

	_, err = b.svc.PutDataProtectionPolicy(b.ctx, &PutDataProtectionPolicyInput{LogGroupIdentifier: ptr("nope"), PolicyDocument: ptr(testDataPolicy)})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
	_, err = b.svc.PutDataProtectionPolicy(b.ctx, &PutDataProtectionPolicyInput{LogGroupIdentifier: ptr("g"), PolicyDocument: ptr("{")})
	RequireCode(t, err, ErrCodeInvalidParameterException, "")
	_, err = b.svc.GetDataProtectionPolicy(b.ctx, &GetDataProtectionPolicyInput{LogGroupIdentifier: ptr("nope")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
	_, err = b.svc.DeleteDataProtectionPolicy(b.ctx, &DeleteDataProtectionPolicyInput{LogGroupIdentifier: ptr("arn:aws:logs:us-east-1:999999999999:log-group:g")})
	RequireCode(t, err, ErrCodeResourceNotFoundException, msgGroupNotFound)
}

func TestDescribeLogGroupsCountsMetricFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "a")
	b.MustGroup(t, "b")
	for _, name := range []string{"f1", "f2"} {
		_, err := b.svc.PutMetricFilter(b.ctx, metricFilterInput("a", name, "ERROR", "Errors"))
		require.NoError(t, err)
	}
	require.Equal(t, int32(2), *b.describeGroup(t, "a").MetricFilterCount)
	require.Equal(t, int32(0), *b.describeGroup(t, "b").MetricFilterCount)
}
