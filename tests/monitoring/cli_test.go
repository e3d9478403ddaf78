package monitoring_test

import (
	"strings"
	"testing"
	"time"
)

// The AWS CLI through its own wire protocol and output formatting: put-metric-data with
// dimensions, get-metric-statistics aggregating one period, and AWS's MissingParameter for a
// datum without a value.
func TestCLIPutAndGetStatistics(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	ns := uniqueNamespace(t)
	now := time.Now().UTC().Truncate(time.Minute)
	ts := now.Add(-time.Minute).Format(time.RFC3339)
	srv.MustAWS(t, nil, "cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data",
		`[{"MetricName":"Bytes","Dimensions":[{"Name":"Host","Value":"a"}],"Timestamp":"`+ts+`","Value":512,"Unit":"Bytes"},`+
			`{"MetricName":"Bytes","Dimensions":[{"Name":"Host","Value":"a"}],"Timestamp":"`+ts+`","Value":1536,"Unit":"Bytes"}]`)
	var out struct {
		Label      string
		Datapoints []struct {
			Timestamp any
			Average   float64
			Maximum   float64
			Unit      string
		}
	}
	srv.MustAWS(t, &out, "cloudwatch", "get-metric-statistics", "--namespace", ns, "--metric-name", "Bytes",
		"--dimensions", "Name=Host,Value=a", "--start-time", now.Add(-5*time.Minute).Format(time.RFC3339),
		"--end-time", now.Format(time.RFC3339), "--period", "300", "--statistics", "Average", "Maximum")
	if out.Label != "Bytes" || len(out.Datapoints) != 1 {
		t.Fatalf("get-metric-statistics = %+v, want one datapoint labelled Bytes", out)
	}
	dp := out.Datapoints[0]
	if dp.Average != 1024 || dp.Maximum != 1536 || dp.Unit != "Bytes" {
		t.Fatalf("datapoint = %+v, want Average 1024, Maximum 1536, Unit Bytes", dp)
	}

	res := srv.AWS(t, "cloudwatch", "put-metric-data", "--namespace", ns, "--metric-data", `[{"MetricName":"Bytes"}]`)
	if res.ExitCode == 0 || !contains(res.Stderr, "MissingParameter") ||
		!contains(res.Stderr, "At least one of the parameters MetricData.member.1.Value or MetricData.member.1.StatisticValues must be specified.") {
		t.Fatalf("datum without a value: exit %d, %s; want AWS's MissingParameter", res.ExitCode, res.Stderr)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
