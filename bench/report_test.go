package main

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestMedian(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   []float64
		want float64
	}{
		{"empty", nil, 0},
		{"one", []float64{3}, 3},
		{"odd", []float64{9, 1, 5}, 5},
		{"even", []float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.InDelta(t, tt.want, median(tt.in), 1e-9)
		})
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	require.Equal(t, 50*time.Millisecond, percentile(ds, 0.50))
	require.Equal(t, 99*time.Millisecond, percentile(ds, 0.99))
	require.Equal(t, 100*time.Millisecond, percentile(ds, 1))
	require.Equal(t, time.Duration(0), percentile(nil, 0.5))
}

func TestFormat(t *testing.T) {
	t.Parallel()
	require.Equal(t, "1,234,567", thousands(1234567))
	require.Equal(t, "999", thousands(999))
	require.Equal(t, "12.3", fmtRate(12.34))
	require.Equal(t, "12,346", fmtRate(12345.6))
	require.Equal(t, "0.42", fmtMS(0.4211))
	require.Equal(t, "0.93x", fmtRatio(0.934))
	require.Equal(t, "257x", fmtRatio(257.2))
}

func TestProcReaders(t *testing.T) {
	t.Parallel()
	ticks, err := procCPUTicks(os.Getpid())
	require.NoError(t, err)
	require.GreaterOrEqual(t, ticks, int64(0))
	rss, err := procRSSKB(os.Getpid())
	require.NoError(t, err)
	require.Positive(t, rss)
	require.Positive(t, clockTicks())
}
