package logs

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCreateAndDeleteLogStream(t *testing.T) {
	t.Parallel()
	b := setup(t)
	_, err := b.svc.CreateLogStream(b.ctx, &CreateLogStreamInput{LogGroupName: ptr("g"), LogStreamName: ptr("s")})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	b.MustStream(t, "g", "2026/03/01/[$LATEST]0123456789abcdef")
	_, err = b.svc.CreateLogStream(b.ctx, &CreateLogStreamInput{LogGroupName: ptr("g"), LogStreamName: ptr("2026/03/01/[$LATEST]0123456789abcdef")})
	RequireCode(t, err, "ResourceAlreadyExistsException", "The specified log stream already exists")
	_, err = b.svc.CreateLogStream(b.ctx, &CreateLogStreamInput{LogGroupName: ptr("g"), LogStreamName: ptr("nul\x00")})
	RequireCode(t, err, "InvalidParameterException", "")

	out, err := b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupName: ptr("g")})
	require.NoError(t, err)
	require.Len(t, out.LogStreams, 1)
	s := out.LogStreams[0]
	require.Equal(t, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:2026/03/01/[$LATEST]0123456789abcdef", *s.ARN)
	require.Equal(t, testStart.UnixMilli(), *s.CreationTime)
	require.EqualValues(t, 0, *s.StoredBytes)
	require.Nil(t, s.FirstEventTimestamp)
	require.Nil(t, s.LastEventTimestamp)
	require.Nil(t, s.LastIngestionTime)

	_, err = b.svc.DeleteLogStream(b.ctx, &DeleteLogStreamInput{LogGroupName: ptr("g"), LogStreamName: s.LogStreamName})
	require.NoError(t, err)
	_, err = b.svc.DeleteLogStream(b.ctx, &DeleteLogStreamInput{LogGroupName: ptr("g"), LogStreamName: s.LogStreamName})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
	_, err = b.svc.DeleteLogStream(b.ctx, &DeleteLogStreamInput{LogGroupName: ptr("nope"), LogStreamName: s.LogStreamName})
	RequireCode(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
}

func TestDescribeLogStreamsOrderAndPages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	now := b.nowMs()
	// Streams named s0..s5; their last events run the other way round.
	for i := range 6 {
		name := fmt.Sprintf("s%d", i)
		b.MustStream(t, "g", name)
		b.MustPut(t, "g", name, []int64{now - int64(i)*1000}, "m")
	}
	b.MustStream(t, "g", "other")

	collect := func(in DescribeLogStreamsInput) []string {
		t.Helper()
		in.LogGroupName = ptr("g")
		in.Limit = ptr(int32(2))
		var names []string
		for {
			out, err := b.svc.DescribeLogStreams(b.ctx, &in)
			require.NoError(t, err)
			require.LessOrEqual(t, len(out.LogStreams), 2)
			for _, s := range out.LogStreams {
				names = append(names, *s.LogStreamName)
			}
			if out.NextToken == nil {
				return names
			}
			in.NextToken = out.NextToken
		}
	}
	require.Equal(t, []string{"other", "s0", "s1", "s2", "s3", "s4", "s5"}, collect(DescribeLogStreamsInput{}))
	require.Equal(t, []string{"s5", "s4", "s3", "s2", "s1", "s0", "other"}, collect(DescribeLogStreamsInput{Descending: ptr(true)}))
	require.Equal(t, []string{"s0", "s1", "s2", "s3", "s4", "s5"}, collect(DescribeLogStreamsInput{LogStreamNamePrefix: ptr("s")}))
	require.Equal(t, []string{"other", "s5", "s4", "s3", "s2", "s1", "s0"}, collect(DescribeLogStreamsInput{OrderBy: ptr(OrderByLastEventTime)}))
	require.Equal(t, []string{"s0", "s1", "s2", "s3", "s4", "s5", "other"}, collect(DescribeLogStreamsInput{OrderBy: ptr(OrderByLastEventTime), Descending: ptr(true)}))

	out, err := b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupIdentifier: ptr("arn:aws:logs:us-east-1:123456789012:log-group:g:*"), LogStreamNamePrefix: ptr("s0")})
	require.NoError(t, err)
	require.Len(t, out.LogStreams, 1)
	s := out.LogStreams[0]
	require.Equal(t, now, *s.FirstEventTimestamp)
	require.Equal(t, now, *s.LastEventTimestamp)
	require.Equal(t, now, *s.LastIngestionTime)
	require.NotEmpty(t, *s.UploadSequenceToken)

	_, err = b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupName: ptr("g"), OrderBy: ptr(OrderByLastEventTime), LogStreamNamePrefix: ptr("s")})
	RequireCode(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
	_, err = b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{})
	RequireCode(t, err, "InvalidParameterException", "")
	_, err = b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupName: ptr("g"), LogGroupIdentifier: ptr("g")})
	RequireCode(t, err, "ValidationException", "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
	_, err = b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupName: ptr("missing")})
	RequireCode(t, err, "ResourceNotFoundException", msgGroupNotFound)
	_, err = b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupIdentifier: ptr("arn:aws:logs:us-east-1:999999999999:log-group:g")})
	RequireCode(t, err, "ResourceNotFoundException", msgGroupNotFound)
	_, err = b.svc.DescribeLogStreams(b.ctx, &DescribeLogStreamsInput{LogGroupName: ptr("g"), NextToken: ptr("x")})
	RequireCode(t, err, "InvalidParameterException", msgInvalidNextToken)
}
