package schedule

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCronNext uses the examples of AWS's documentation
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html).
func TestCronNext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, expr, after string
		want              []string
	}{
		{"daily at 10:00", "cron(0 10 * * ? *)", "2026-03-01T09:00", []string{"2026-03-01T10:00", "2026-03-02T10:00"}},
		{"12:15 every day", "cron(15 12 * * ? *)", "2026-03-01T12:15", []string{"2026-03-02T12:15"}},
		{"18:00 weekdays", "cron(0 18 ? * MON-FRI *)", "2026-03-06T18:00", []string{"2026-03-09T18:00", "2026-03-10T18:00"}},
		{"first of month 8:00", "cron(0 8 1 * ? *)", "2026-03-01T08:00", []string{"2026-04-01T08:00", "2026-05-01T08:00"}},
		{"every 10 minutes weekdays", "cron(0/10 * ? * MON-FRI *)", "2026-03-06T23:55", []string{"2026-03-09T00:00", "2026-03-09T00:10"}},
		{"every 5 minutes 8-17 weekdays", "cron(0/5 8-17 ? * MON-FRI *)", "2026-03-09T17:55", []string{"2026-03-10T08:00"}},
		{"9am first monday", "cron(0 9 ? * 2#1 *)", "2026-03-01T00:00", []string{"2026-03-02T09:00", "2026-04-06T09:00"}},
		{"last day of month", "cron(0 0 L * ? *)", "2026-02-01T00:00", []string{"2026-02-28T00:00", "2026-03-31T00:00"}},
		{"last friday", "cron(0 12 ? * 6L *)", "2026-03-01T00:00", []string{"2026-03-27T12:00"}},
		{"nearest weekday to 1st", "cron(0 12 1W * ? *)", "2026-02-03T00:00", []string{"2026-03-02T12:00"}}, // Mar 1 2026 is a Sunday
		{"nearest weekday to 15th", "cron(0 12 15W * ? *)", "2026-03-01T00:00", []string{"2026-03-16T12:00"}},
		{"last weekday", "cron(0 12 LW * ? *)", "2026-05-01T00:00", []string{"2026-05-29T12:00"}},
		{"year list", "cron(0 0 1 1 ? 2027,2029)", "2026-06-01T00:00", []string{"2027-01-01T00:00", "2029-01-01T00:00"}},
		{"month names", "cron(30 6 1 JAN,JUL ? *)", "2026-02-01T00:00", []string{"2026-07-01T06:30"}},
		{"noon every day", "cron(0 12 * * ? *)", "2026-03-01T12:00", []string{"2026-03-02T12:00"}},
		// AWS accepts ranges of one value and steps over ranges.
		{"stepped range on weekends", "cron(1-31/30 1-1 ? * 1,7 *)", "2026-02-28T00:00", []string{"2026-02-28T01:01", "2026-02-28T01:31", "2026-03-01T01:01"}},
		{"one-value ranges", "cron(30-30 13-13 ? * 2,4,6 *)", "2026-03-02T13:30", []string{"2026-03-04T13:30"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := Parse(tt.expr, Rules)
			require.NoError(t, err)
			at := utc(tt.after)
			for _, w := range tt.want {
				got, ok := e.Next(at, time.Time{}, nil)
				require.True(t, ok)
				require.Equal(t, utc(w), got)
				at = got
			}
		})
	}
}

func TestCronTimezone(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	e, err := Parse("cron(0 9 * * ? *)", Rules)
	require.NoError(t, err)
	got, ok := e.Next(utc("2026-07-01T00:00"), time.Time{}, loc)
	require.True(t, ok)
	require.Equal(t, utc("2026-07-01T13:00"), got.UTC())
	got, ok = e.Next(utc("2026-12-01T00:00"), time.Time{}, loc)
	require.True(t, ok)
	require.Equal(t, utc("2026-12-01T14:00"), got.UTC())
}

func TestRateAndAt(t *testing.T) {
	t.Parallel()
	e, err := Parse("rate(5 minutes)", Rules)
	require.NoError(t, err)
	start := utc("2026-03-01T10:02")
	got, ok := e.Next(utc("2026-03-01T10:07"), start, nil)
	require.True(t, ok)
	require.Equal(t, utc("2026-03-01T10:12"), got)

	_, err = Parse("at(2026-03-01T10:00:00)", Rules)
	require.ErrorIs(t, err, ErrInvalid)
	a, err := Parse("at(2026-03-01T10:00:00)", Scheduler)
	require.NoError(t, err)
	got, ok = a.Next(utc("2026-03-01T09:00"), time.Time{}, nil)
	require.True(t, ok)
	require.Equal(t, utc("2026-03-01T10:00"), got)
	_, ok = a.Next(utc("2026-03-01T10:00"), time.Time{}, nil)
	require.False(t, ok)
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "rate()", "rate(5)", "rate(0 minutes)", "rate(5 weeks)", "rate(10 MINUTES)", "rate( 10 minutes )",
		"rate(-5 minutes)", "rate(05 minutes)", "cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * *)",
		"cron(60 12 * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 ? * 8 *)",
		"cron(0 0 ? * 2#6 *)", "cron(0 0 1 13 ? *)", "cron(0 0 1 * ? 1969)", "cron(0/0 * * * ? *)",
		"cron(a b c d e f)", "every(5 minutes)", "rate(5 minutes", "at(2026-13-01T00:00:00)",
	} {
		_, err := Parse(s, Scheduler)
		require.Truef(t, errors.Is(err, ErrInvalid), "%q: %v", s, err)
	}
	// Rules want the unit to agree with the value; Scheduler takes either.
	for _, s := range []string{"rate(1 minutes)", "rate(1 hours)", "rate(1 days)", "rate(10 minute)", "rate(10 hour)", "rate(10 day)"} {
		_, err := Parse(s, Rules)
		require.Truef(t, errors.Is(err, ErrInvalid), "%q: %v", s, err)
		e, err := Parse(s, Scheduler)
		require.NoErrorf(t, err, "%q", s)
		require.Equal(t, s, e.String())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"rate(5 minutes)", "cron(0 12 * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)",
		"cron(0 9 ? * 2#1 *)", "cron(0 0 LW * ? *)", "cron(0 0 ? * 6L 2030)", "at(2026-03-01T10:00:00)", "cron(0 0 15W NOV-FEB ? *)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s, Scheduler)
		if err != nil {
			return
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for range 3 {
			next, ok := e.Next(at, at, nil)
			if !ok {
				return
			}
			if !next.After(at) {
				t.Fatalf("%q: next %v not after %v", s, next, at)
			}
			at = next
		}
	})
}
