package logs_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// serverNow reads the virtual clock of srv in unix milliseconds.
func serverNow(t *testing.T, srv *harness.Server) int64 {
	t.Helper()
	status, body := srv.Admin(t, http.MethodGet, "/_overcast/clock", nil)
	require.Equal(t, http.StatusOK, status, string(body))
	var st struct{ Now string }
	require.NoError(t, json.Unmarshal(body, &st))
	now, err := time.Parse(time.RFC3339Nano, st.Now)
	require.NoError(t, err)
	return now.UnixMilli()
}

// TestRetentionExpiry moves the virtual clock past a log group's retention: the
// PutRetentionPolicy reference says expired events are deleted within 72 hours, and that
// events marked for deletion no longer count in storedBytes.
func TestRetentionExpiry(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := client(srv)
	ctx := t.Context()
	group := mustGroup(t, c)
	mustStream(t, c, group, "s")
	now := serverNow(t, srv)
	mustPut(t, c, group, "s", events([]int64{now - 60_000, now}, "old one", "old two"))
	_, err := c.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: &group, RetentionInDays: aws.Int32(1)})
	require.NoError(t, err)
	storedBytes := func() int64 {
		out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &group})
		require.NoError(t, err)
		return aws.ToInt64(out.LogGroups[0].StoredBytes)
	}
	require.EqualValues(t, len("old one")+len("old two"), storedBytes())

	srv.AdvanceClock(t, 12*time.Hour)
	got, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s")})
	require.NoError(t, err)
	require.Equal(t, []string{"old one", "old two"}, outputMessages(got.Events), "within the retention")

	// One day of retention and the 72 hours AWS allows itself to delete them.
	srv.AdvanceClock(t, 12*time.Hour+72*time.Hour)
	require.Eventually(t, func() bool {
		srv.AdvanceClock(t, time.Minute)
		return storedBytes() == 0
	}, 30*time.Second, 20*time.Millisecond, "expired events leave storedBytes")
	got, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: &group, LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	require.NoError(t, err)
	require.Empty(t, got.Events)

	// New events are kept as before.
	now = serverNow(t, srv)
	mustPut(t, c, group, "s", events([]int64{now}, "new"))
	fl, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &group})
	require.NoError(t, err)
	require.Equal(t, []string{"new"}, filteredMessages(fl.Events))
}

// TestPutLogEventsWindowFollowsClock checks that the 14-day and 2-hour limits are
// measured from the server's clock.
func TestPutLogEventsWindowFollowsClock(t *testing.T) {
	t.Parallel()
	srv := virtualServer(t)
	c := client(srv)
	group := mustGroup(t, c)
	mustStream(t, c, group, "s")
	future := serverNow(t, srv) + 3*60*60*1000
	out := mustPut(t, c, group, "s", events([]int64{future}, "early"))
	require.EqualValues(t, 0, aws.ToInt32(out.RejectedLogEventsInfo.TooNewLogEventStartIndex))
	srv.AdvanceClock(t, 2*time.Hour)
	out = mustPut(t, c, group, "s", events([]int64{future}, "on time"))
	require.Nil(t, out.RejectedLogEventsInfo)
}
