package protocol

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type javaEntry struct {
	Time     *time.Time `name:"Time"`
	QueueURL *string    `name:"QueueUrl"`
	Wire     *string    `name:"wire" model:"Member"`
	Count    *int32     `name:"Count"`
	Ratio    *float64   `name:"Ratio"`
	On       *bool      `name:"On"`
	Data     []byte     `name:"Data"`
	Doc      Document   `name:"Doc"`
	Names    []string   `name:"Names"`
	Tags     map[string]string
	Inner    *javaEntry `name:"Inner"`
}

func TestJavaString(t *testing.T) {
	t.Parallel()
	ts := time.Date(2024, 12, 6, 16, 53, 20, 0, time.UTC)
	e := &javaEntry{Time: &ts, QueueURL: ptr("u"), Wire: ptr("w"), Count: ptr[int32](3), Ratio: ptr(2.0),
		On: ptr(true), Data: []byte("abc"), Doc: json.RawMessage(`{"a":1}`), Names: []string{}, Tags: map[string]string{"b": "2", "a": "1"}}
	require.Equal(t, "javaEntry(time=Fri Dec 06 16:53:20 UTC 2024, queueUrl=u, member=w, count=3, ratio=2.0, on=true, "+
		`data=java.nio.HeapByteBuffer[pos=0 lim=3 cap=3], doc={"a":1}, names=[], tags={a=1, b=2}, inner=null)`, JavaString(e))
	require.Equal(t, "[x86_64, arm64]", JavaString([]string{"x86_64", "arm64"}))
	require.Equal(t, "null", JavaString(nil))
	require.Equal(t, "[null]", JavaString([]*javaEntry{nil}))
}

func TestJavaDouble(t *testing.T) {
	t.Parallel()
	for f, want := range map[float64]string{
		2: "2.0", 0: "0.0", 0.5: "0.5", -1.25: "-1.25", 1e7: "1.0E7", 1.5e-4: "1.5E-4", 123456.789: "123456.789",
		math.Inf(1): "Infinity", 1e-3: "0.001",
	} {
		require.Equal(t, want, JavaDouble(f, 64), "%v", f)
	}
}
