package logs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/stretchr/testify/require"
)

func TestLogGroupLifecycle(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueName(t)
	before := nowMs()
	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name, Tags: map[string]string{"team": "core"}})
	require.NoError(t, err)
	_, err = c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name})
	requireError[*types.ResourceAlreadyExistsException](t, err, "ResourceAlreadyExistsException", msgGroupExists, "CreateLogGroup twice")

	out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &name})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	g := out.LogGroups[0]
	require.Equal(t, name, aws.ToString(g.LogGroupName))
	require.GreaterOrEqual(t, aws.ToInt64(g.CreationTime), before-1000)
	require.LessOrEqual(t, aws.ToInt64(g.CreationTime), nowMs()+1000)
	// The API Reference: arn carries a trailing ":*", logGroupArn does not.
	arn := "arn:aws:logs:us-east-1:" + defaultAccount + ":log-group:" + name
	require.Equal(t, arn+":*", aws.ToString(g.Arn))
	require.Equal(t, arn, aws.ToString(g.LogGroupArn))
	require.EqualValues(t, 0, aws.ToInt64(g.StoredBytes))
	require.Nil(t, g.RetentionInDays, "a new group never expires its events")
	require.Equal(t, types.LogGroupClassStandard, g.LogGroupClass)

	_, err = c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: &name})
	require.NoError(t, err)
	_, err = c.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: &name})
	requireNotFound(t, err, msgGroupNotFound, "DeleteLogGroup twice")
	out, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &name})
	require.NoError(t, err)
	require.Empty(t, out.LogGroups)
}

func TestLogGroupNameRules(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	base := uniqueName(t)
	// Letters, digits, '_', '-', '/', '.' and '#'; 1 to 512 characters.
	for _, ok := range []string{base + "/a_b-c.d#e", base + "/" + repeat("x", 512-len(base)-1)} {
		_, err := c.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(ok)})
		require.NoError(t, err, ok)
	}
	for _, bad := range []string{base + " space", base + "/colon:", base + "/star*", base + "/" + repeat("x", 512-len(base))} {
		_, err := c.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(bad)})
		requireInvalidParameter(t, err, "", "CreateLogGroup %q", bad)
	}
	_, err := c.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(base + "/" + repeat("x", 512-len(base)))})
	requireInvalidParameter(t, err, "Invalid LogGroup or LogStream, both must have length less than or equal to 512.", "a 513-character name")
	// Log group names can't start with "aws/".
	_, err = c.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("aws/" + base)})
	requireInvalidParameter(t, err, "", "a name starting with aws/")
}

func TestDescribeLogGroupsPagination(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	prefix := uniqueName(t)
	var want []string
	for i := range 7 {
		name := fmt.Sprintf("%s/%c-%d", prefix, "BaC"[i%3], i)
		_, err := c.CreateLogGroup(t.Context(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name})
		require.NoError(t, err)
		want = append(want, name)
	}
	sortASCII(want)

	var got []string
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &prefix, Limit: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		require.NoError(t, err)
		require.LessOrEqual(t, len(out.LogGroups), 3)
		pages++
		for _, g := range out.LogGroups {
			got = append(got, aws.ToString(g.LogGroupName))
		}
	}
	require.Equal(t, want, got, "ASCII-sorted by log group name")
	require.Equal(t, 3, pages)

	// logGroupNamePattern: a case-sensitive substring. AWS answers arn, creationTime,
	// logGroupArn, logGroupClass, logGroupName and metricFilterCount, without
	// storedBytes and deletionProtectionEnabled.
	suffix := prefix[len(prefix)-8:]
	out, err := c.DescribeLogGroups(t.Context(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String(suffix + "/B")})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 3, "names with /B- are %v", want)
	for _, g := range out.LogGroups {
		require.NotNil(t, g.Arn)
		require.NotNil(t, g.CreationTime)
		require.Equal(t, strings.TrimSuffix(*g.Arn, ":*"), aws.ToString(g.LogGroupArn))
		require.Equal(t, types.LogGroupClassStandard, g.LogGroupClass)
		require.Equal(t, int32(0), aws.ToInt32(g.MetricFilterCount))
		require.Nil(t, g.StoredBytes)
		require.Nil(t, g.DeletionProtectionEnabled)
	}
	out, err = c.DescribeLogGroups(t.Context(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String(suffix + "/b")})
	require.NoError(t, err)
	require.Empty(t, out.LogGroups)

	_, err = c.DescribeLogGroups(t.Context(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &prefix, LogGroupNamePattern: aws.String("x")})
	requireInvalidParameter(t, err, "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.", "prefix and pattern together")
	_, err = c.DescribeLogGroups(t.Context(), &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
	requireInvalidParameter(t, err, "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50", "limit 51")
}

func TestRetentionPolicy(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := mustGroup(t, c)
	retention := func() *int32 {
		out, err := c.DescribeLogGroups(t.Context(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &name})
		require.NoError(t, err)
		require.Len(t, out.LogGroups, 1)
		return out.LogGroups[0].RetentionInDays
	}
	// The possible values, from the PutRetentionPolicy API Reference.
	for _, d := range []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653} {
		_, err := c.PutRetentionPolicy(t.Context(), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &name, RetentionInDays: aws.Int32(d)})
		require.NoError(t, err, d)
		require.Equal(t, d, aws.ToInt32(retention()))
	}
	for _, d := range []int32{0, 2, 10, 4000} {
		_, err := c.PutRetentionPolicy(t.Context(), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &name, RetentionInDays: aws.Int32(d)})
		requireInvalidParameter(t, err, "", "retention %d", d)
	}
	_, err := c.DeleteRetentionPolicy(t.Context(), &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: &name})
	require.NoError(t, err)
	require.Nil(t, retention())

	_, err = c.PutRetentionPolicy(t.Context(), &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name + "-missing"), RetentionInDays: aws.Int32(1)})
	requireNotFound(t, err, msgGroupNotFound, "PutRetentionPolicy on a missing group")
	_, err = c.DeleteRetentionPolicy(t.Context(), &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name + "-missing")})
	requireNotFound(t, err, msgGroupNotFound, "DeleteRetentionPolicy on a missing group")
}

func TestTags(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	ctx := t.Context()
	name := uniqueName(t)
	_, err := c.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &name, Tags: map[string]string{"a": "1"}})
	require.NoError(t, err)
	// Tagging takes the ARN without the trailing ":*".
	arn := "arn:aws:logs:us-east-1:" + defaultAccount + ":log-group:" + name

	_, err = c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"b": "2", "a": "one"}})
	require.NoError(t, err)
	lt, err := c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"a": "one", "b": "2"}, lt.Tags)
	_, err = c.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"a"}})
	require.NoError(t, err)

	// The older name-based operations see the same tags.
	old, err := c.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: &name})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"b": "2"}, old.Tags)
	_, err = c.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: &name, Tags: map[string]string{"c": "3"}})
	require.NoError(t, err)
	_, err = c.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: &name, Tags: []string{"b"}})
	require.NoError(t, err)
	lt, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: &arn})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"c": "3"}, lt.Tags)

	// At most 50 tags.
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: &arn, Tags: many})
	requireError[*types.TooManyTagsException](t, err, "TooManyTagsException", "", "51 tags")

	missing := arn + "-missing"
	_, err = c.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: &missing})
	requireNotFound(t, err, "", "ListTagsForResource of a missing group")
	_, err = c.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: &missing, Tags: map[string]string{"a": "b"}})
	requireNotFound(t, err, "", "TagResource of a missing group")
	_, err = c.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String(name + "-missing")})
	requireNotFound(t, err, msgGroupNotFound, "ListTagsLogGroup of a missing group")
}

func repeat(s string, n int) string {
	out := make([]byte, 0, n*len(s))
	for range n {
		out = append(out, s...)
	}
	return string(out)
}

// sortASCII sorts by byte order, as DescribeLogGroups does.
func sortASCII(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
