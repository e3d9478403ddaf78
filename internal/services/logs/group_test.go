package logs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

func TestCreateAndDescribeLogGroup(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateLogGroup(b.ctx, &CreateLogGroupInput{
		LogGroupName: ptr("/aws/lambda/fn"), Tags: map[string]string{"team": "a"},
		KmsKeyID: ptr("arn:aws:kms:us-east-1:123456789012:key/k"), LogGroupClass: ptr(LogGroupClassINFREQUENTACCESS),
	})
	require.NoError(t, err)
	_, err = b.svc.CreateLogGroup(b.ctx, &CreateLogGroupInput{LogGroupName: ptr("/aws/lambda/fn")})
	RequireCode(t, err, "ResourceAlreadyExistsException", "The specified log group already exists")
	_, err = b.svc.CreateLogGroup(b.ctx, &CreateLogGroupInput{LogGroupName: ptr("aws/reserved")})
	RequireCode(t, err, "InvalidParameterException", "")

	out, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	g := out.LogGroups[0]
	require.Equal(t, "/aws/lambda/fn", *g.LogGroupName)
	require.Equal(t, testStart.UnixMilli(), *g.CreationTime)
	require.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn:*", *g.ARN)
	require.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn", *g.LogGroupARN)
	require.Equal(t, LogGroupClassINFREQUENTACCESS, *g.LogGroupClass)
	require.Equal(t, "arn:aws:kms:us-east-1:123456789012:key/k", *g.KmsKeyID)
	require.EqualValues(t, 0, *g.StoredBytes)
	require.EqualValues(t, 0, *g.MetricFilterCount)
	require.Nil(t, g.RetentionInDays)
	require.Nil(t, out.NextToken)

	// Other accounts see nothing of it.
	other, err := b.svc.DescribeLogGroups(callContext(t.Context(), "210987654321"), &DescribeLogGroupsInput{})
	require.NoError(t, err)
	require.Empty(t, other.LogGroups)

	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("/aws/lambda/fn")})
	require.NoError(t, err)
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("/aws/lambda/fn")})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestDescribeLogGroupsFiltersAndPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	var names []string
	for i := range 7 {
		names = append(names, fmt.Sprintf("/app/svc-%d", i))
	}
	names = append(names, "/aws/lambda/DataLogs", "GroupDataLogs", "datalogs")
	for _, n := range names {
		b.MustGroup(t, n)
	}

	var got []string
	var tok *string
	pages := 0
	for {
		out, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{LogGroupNamePrefix: ptr("/app/"), Limit: ptr(int32(3)), NextToken: tok})
		require.NoError(t, err)
		pages++
		for _, g := range out.LogGroups {
			got = append(got, *g.LogGroupName)
		}
		if out.NextToken == nil {
			break
		}
		tok = out.NextToken
	}
	require.Equal(t, names[:7], got)
	require.Equal(t, 3, pages)

	// The name pattern is a case-sensitive substring; AWS leaves storedBytes and
	// deletionProtectionEnabled out of the answer.
	out, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{LogGroupNamePattern: ptr("DataLogs")})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 2)
	require.Equal(t, "/aws/lambda/DataLogs", *out.LogGroups[0].LogGroupName)
	require.Equal(t, "GroupDataLogs", *out.LogGroups[1].LogGroupName)
	require.NotNil(t, out.LogGroups[0].ARN)
	require.Nil(t, out.LogGroups[0].StoredBytes)
	require.Nil(t, out.LogGroups[0].DeletionProtectionEnabled)
	require.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/DataLogs", *out.LogGroups[0].LogGroupARN)
	require.Equal(t, "STANDARD", *out.LogGroups[0].LogGroupClass)
	require.Equal(t, int32(0), *out.LogGroups[0].MetricFilterCount)

	out, err = b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{LogGroupIdentifiers: []string{
		"datalogs", "arn:aws:logs:us-east-1:123456789012:log-group:GroupDataLogs", "arn:aws:logs:eu-west-1:123456789012:log-group:/app/svc-1",
	}})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 2)
	require.Equal(t, "GroupDataLogs", *out.LogGroups[0].LogGroupName)
	require.Equal(t, "datalogs", *out.LogGroups[1].LogGroupName)

	_, err = b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{LogGroupNamePrefix: ptr("a"), LogGroupNamePattern: ptr("b")})
	RequireCode(t, err, "InvalidParameterException", "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.")
	_, err = b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{NextToken: ptr("garbage!")})
	RequireCode(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
}

func TestRetentionPolicy(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.MustGroup(t, "g")
	for _, days := range retentionDays {
		_, err := b.svc.PutRetentionPolicy(b.ctx, &PutRetentionPolicyInput{LogGroupName: ptr("g"), RetentionInDays: ptr(days)})
		require.NoError(t, err, days)
	}
	out, err := b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{})
	require.NoError(t, err)
	require.EqualValues(t, 3653, *out.LogGroups[0].RetentionInDays)

	for _, days := range []int32{0, 2, 4, 366, 3654, -1} {
		_, err := b.svc.PutRetentionPolicy(b.ctx, &PutRetentionPolicyInput{LogGroupName: ptr("g"), RetentionInDays: ptr(days)})
		RequireCode(t, err, "InvalidParameterException", fmt.Sprintf("1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: "+
			"Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]", days))
	}
	_, err = b.svc.PutRetentionPolicy(b.ctx, &PutRetentionPolicyInput{LogGroupName: ptr("missing"), RetentionInDays: ptr(int32(1))})
	RequireCode(t, err, "ResourceNotFoundException", msgGroupNotFound)

	_, err = b.svc.DeleteRetentionPolicy(b.ctx, &DeleteRetentionPolicyInput{LogGroupName: ptr("g")})
	require.NoError(t, err)
	out, err = b.svc.DescribeLogGroups(b.ctx, &DescribeLogGroupsInput{})
	require.NoError(t, err)
	require.Nil(t, out.LogGroups[0].RetentionInDays)
	_, err = b.svc.DeleteRetentionPolicy(b.ctx, &DeleteRetentionPolicyInput{LogGroupName: ptr("missing")})
	RequireCode(t, err, "ResourceNotFoundException", msgGroupNotFound)
}

func TestDeletionProtection(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateLogGroup(b.ctx, &CreateLogGroupInput{LogGroupName: ptr("keep"), DeletionProtectionEnabled: ptr(true)})
	require.NoError(t, err)
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("keep")})
	RequireCode(t, err, "ValidationException", "")
	_, err = b.svc.PutLogGroupDeletionProtection(b.ctx, &PutLogGroupDeletionProtectionInput{
		LogGroupIdentifier: ptr("arn:aws:logs:us-east-1:123456789012:log-group:keep:*"), DeletionProtectionEnabled: ptr(false),
	})
	require.NoError(t, err)
	_, err = b.svc.DeleteLogGroup(b.ctx, &DeleteLogGroupInput{LogGroupName: ptr("keep")})
	require.NoError(t, err)
}

func TestTags(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateLogGroup(b.ctx, &CreateLogGroupInput{LogGroupName: ptr("g"), Tags: map[string]string{"a": "1"}})
	require.NoError(t, err)
	arn := "arn:aws:logs:us-east-1:123456789012:log-group:g"

	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: &arn, Tags: map[string]string{"b": "2", "a": "x"}})
	require.NoError(t, err)
	lt, err := b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: &arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "x", "b": "2"}, lt.Tags)

	_, err = b.svc.UntagResource(b.ctx, &UntagResourceInput{ResourceARN: &arn, TagKeys: []string{"a", "nope"}})
	require.NoError(t, err)
	old, err := b.svc.ListTagsLogGroup(b.ctx, &ListTagsLogGroupInput{LogGroupName: ptr("g")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"b": "2"}, old.Tags)

	_, err = b.svc.TagLogGroup(b.ctx, &TagLogGroupInput{LogGroupName: ptr("g"), Tags: map[string]string{"c": "3"}})
	require.NoError(t, err)
	_, err = b.svc.UntagLogGroup(b.ctx, &UntagLogGroupInput{LogGroupName: ptr("g"), Tags: []string{"b"}})
	require.NoError(t, err)
	lt, err = b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: ptr(arn + ":*")})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"c": "3"}, lt.Tags)

	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: &arn, Tags: many})
	perr := RequireCode(t, err, "TooManyTagsException", "A resource can have no more than 50 tags.")
	require.Equal(t, arn, perr.Fields["resourceName"])
	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: &arn, Tags: map[string]string{"bad*key": "v"}})
	RequireCode(t, err, "InvalidParameterException", "")

	_, err = b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: ptr("arn:aws:logs:us-east-1:123456789012:log-group:missing")})
	RequireCode(t, err, "ResourceNotFoundException", "")
	_, err = b.svc.ListTagsForResource(b.ctx, &ListTagsForResourceInput{ResourceARN: ptr("arn:aws:logs:us-east-1:999999999999:log-group:g")})
	RequireCode(t, err, "ResourceNotFoundException", "")
	_, err = b.svc.TagResource(b.ctx, &TagResourceInput{ResourceARN: ptr("not-an-arn"), Tags: map[string]string{"a": "b"}})
	RequireCode(t, err, "InvalidParameterException", "")
	_, err = b.svc.ListTagsLogGroup(b.ctx, &ListTagsLogGroupInput{LogGroupName: ptr("missing")})
	RequireCode(t, err, "ResourceNotFoundException", msgGroupNotFound)
}

func TestValidationErrorIsInvalidParameter(t *testing.T) {
	t.Parallel()
	in := &CreateLogGroupInput{LogGroupName: ptr("bad name!")}
	op := Info.Find("CreateLogGroup")
	New(Deps{})
	perr := protocol.Validate(Info, op, in)
	require.NotNil(t, perr)
	require.Equal(t, "InvalidParameterException", perr.Code)
	require.Equal(t, `1 validation error detected: Value 'bad name!' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+`, perr.Message)
}
