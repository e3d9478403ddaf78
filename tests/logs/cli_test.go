package logs_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The AWS CLI (v1) for the operations users run by hand.

func TestCLI(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	group := uniqueName(t)
	srv.MustAWS(t, nil, "logs", "create-log-group", "--log-group-name", group, "--tags", "team=core")
	srv.MustAWS(t, nil, "logs", "create-log-stream", "--log-group-name", group, "--log-stream-name", "app")
	srv.MustAWS(t, nil, "logs", "put-retention-policy", "--log-group-name", group, "--retention-in-days", "30")

	now := nowMs()
	var evs []map[string]any
	for i := range 30 {
		level := "INFO"
		if i%10 == 0 {
			level = "ERROR"
		}
		evs = append(evs, map[string]any{"timestamp": now - 30_000 + int64(i)*1000, "message": fmt.Sprintf("%s request %d", level, i)})
	}
	b, err := json.Marshal(evs)
	require.NoError(t, err)
	file := filepath.Join(t.TempDir(), "events.json")
	require.NoError(t, os.WriteFile(file, b, 0o600))
	var put struct {
		NextSequenceToken string `json:"nextSequenceToken"`
	}
	srv.MustAWS(t, &put, "logs", "put-log-events", "--log-group-name", group, "--log-stream-name", "app", "--log-events", "file://"+file)
	require.NotEmpty(t, put.NextSequenceToken)

	var groups struct {
		LogGroups []struct {
			LogGroupName    string `json:"logGroupName"`
			RetentionInDays int    `json:"retentionInDays"`
			Arn             string `json:"arn"`
		} `json:"logGroups"`
	}
	srv.MustAWS(t, &groups, "logs", "describe-log-groups", "--log-group-name-prefix", group)
	require.Len(t, groups.LogGroups, 1)
	require.Equal(t, 30, groups.LogGroups[0].RetentionInDays)
	require.True(t, strings.HasSuffix(groups.LogGroups[0].Arn, ":log-group:"+group+":*"))

	type event struct {
		Timestamp     int64  `json:"timestamp"`
		Message       string `json:"message"`
		IngestionTime int64  `json:"ingestionTime"`
		LogStreamName string `json:"logStreamName"`
	}
	var got struct {
		Events            []event `json:"events"`
		NextForwardToken  string  `json:"nextForwardToken"`
		NextBackwardToken string  `json:"nextBackwardToken"`
	}
	srv.MustAWS(t, &got, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "app", "--start-from-head", "--limit", "10")
	require.Len(t, got.Events, 10)
	require.Equal(t, "ERROR request 0", got.Events[0].Message)
	require.Equal(t, now-30_000, got.Events[0].Timestamp)
	require.NotEmpty(t, got.NextForwardToken)
	require.NotEmpty(t, got.NextBackwardToken)
	next := got.NextForwardToken
	srv.MustAWS(t, &got, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "app", "--next-token", next, "--limit", "10")
	require.Len(t, got.Events, 10)
	require.Equal(t, "ERROR request 10", got.Events[0].Message)

	// filter-log-events pages through nextToken itself.
	var filtered struct {
		Events []event `json:"events"`
	}
	srv.MustAWS(t, &filtered, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "ERROR", "--page-size", "1")
	require.Len(t, filtered.Events, 3)
	for _, e := range filtered.Events {
		require.Equal(t, "app", e.LogStreamName)
		require.True(t, strings.HasPrefix(e.Message, "ERROR"))
	}
	srv.MustAWS(t, &filtered, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "?ERROR ?\"request 5\"",
		"--start-time", fmt.Sprint(now-30_000), "--end-time", fmt.Sprint(now-20_000))
	// Requests 0 and 10 (ERROR) and 5: endTime is inclusive.
	require.Len(t, filtered.Events, 3)

	var tags struct {
		Tags map[string]string `json:"tags"`
	}
	srv.MustAWS(t, &tags, "logs", "list-tags-log-group", "--log-group-name", group)
	require.Equal(t, map[string]string{"team": "core"}, tags.Tags)

	res := srv.AWS(t, "logs", "get-log-events", "--log-group-name", group, "--log-stream-name", "missing")
	require.NotZero(t, res.ExitCode)
	require.Contains(t, res.Stderr, "ResourceNotFoundException")
	require.Contains(t, res.Stderr, "The specified log stream does not exist.")
	res = srv.AWS(t, "logs", "filter-log-events", "--log-group-name", group, "--filter-pattern", "{ $.a = ")
	require.NotZero(t, res.ExitCode)
	require.Contains(t, res.Stderr, "InvalidParameterException")
	res = srv.AWS(t, "logs", "create-log-group", "--log-group-name", group)
	require.NotZero(t, res.ExitCode)
	require.Contains(t, res.Stderr, "ResourceAlreadyExistsException")

	srv.MustAWS(t, nil, "logs", "delete-log-stream", "--log-group-name", group, "--log-stream-name", "app")
	srv.MustAWS(t, nil, "logs", "delete-log-group", "--log-group-name", group)
	srv.MustAWS(t, &groups, "logs", "describe-log-groups", "--log-group-name-prefix", group)
	require.Empty(t, groups.LogGroups)
}
