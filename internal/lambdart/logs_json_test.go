package lambdart

import (
	"encoding/binary"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/clock"
)

const jsonLogsHandler = `import logging, os

logger = logging.getLogger()

def handler(event, context):
    logger.debug("debug record")
    logger.info("info record")
    logger.warning("warn record")
    print("plain print")
    if event.get("fail"):
        raise ValueError("boom")
    return {"format": os.environ.get("AWS_LAMBDA_LOG_FORMAT"), "level": os.environ.get("AWS_LAMBDA_LOG_LEVEL"),
            "fd": os.environ.get("_LAMBDA_TELEMETRY_LOG_FD")}
`

// TestJSONLogFormat checks the JSON log format (LoggingConfig.LogFormat JSON) end to end
// with the Python runtime: AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL, the platform's
// JSON records, the runtime's JSON records and level filtering.
func TestJSONLogFormat(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "python3.12")
	b := setup(t)
	code := mustZipDir(t, "testdata/python/basic", map[string]fileSpec{"logs_json.py": {data: jsonLogsHandler}})

	t.Run("INFO", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "py-json", "python3.12", "logs_json.handler", code, func(f *Function) { f.LogFormat = "JSON" })
		var out map[string]any
		res := mustSucceed(t, b.m, f, `{}`, &out)
		// AWS sets the format and the application level; the descriptor is the runtime's own.
		require.Equal(t, map[string]any{"format": "JSON", "level": "INFO", "fd": nil}, out)

		types := map[string]map[string]any{}
		var app []map[string]any
		var plain []string
		for _, l := range b.sink.rawLines("/aws/lambda/py-json") {
			var rec map[string]any
			if json.Unmarshal([]byte(l), &rec) != nil {
				plain = append(plain, l)
				continue
			}
			if typ, ok := rec["type"].(string); ok {
				types[typ] = rec
				continue
			}
			app = append(app, rec)
		}
		require.Equal(t, []string{"plain print\n"}, plain, "print is not a record")
		require.Contains(t, types, "platform.initStart")
		require.Equal(t, map[string]any{"requestId": res.RequestID, "version": "$LATEST"}, types["platform.start"]["record"])
		report := types["platform.report"]["record"].(map[string]any)
		require.Equal(t, res.RequestID, report["requestId"])
		require.Equal(t, "success", report["status"])
		metrics := report["metrics"].(map[string]any)
		require.Equal(t, float64(128), metrics["memorySizeMB"])
		require.Contains(t, metrics, "initDurationMs")
		require.NotContains(t, types, "platform.runtimeDone", "DEBUG only")
		require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, types["platform.start"]["time"])

		// INFO and above, as the Python runtime formats them.
		require.Len(t, app, 2, "%v", app)
		require.Equal(t, "INFO", app[0]["level"])
		require.Equal(t, "info record", app[0]["message"])
		require.Equal(t, "root", app[0]["logger"])
		require.Equal(t, res.RequestID, app[0]["requestId"])
		require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, app[0]["timestamp"])
		require.Equal(t, "WARNING", app[1]["level"])
	})

	t.Run("Levels", func(t *testing.T) {
		t.Parallel()
		f := b.function(t, "py-json-levels", "python3.12", "logs_json.handler", code, func(f *Function) {
			f.LogFormat, f.ApplicationLogLevel, f.SystemLogLevel = "JSON", "DEBUG", "WARN"
		})
		res := mustInvoke(t, b.m, f, `{"fail":true}`)
		require.Equal(t, "ValueError", res.ErrorType)
		var levels []string
		var errRec map[string]any
		for _, l := range b.sink.rawLines("/aws/lambda/py-json-levels") {
			require.NotContains(t, l, `"type":"platform.`, "WARN leaves out the platform's INFO records")
			var rec map[string]any
			if json.Unmarshal([]byte(l), &rec) == nil {
				levels = append(levels, rec["level"].(string))
				if rec["errorType"] == "ValueError" {
					errRec = rec
				}
			}
		}
		require.Equal(t, []string{"DEBUG", "INFO", "WARNING", "ERROR"}, levels)
		// The unhandled error is one JSON record with the error document's fields.
		require.Equal(t, "boom", errRec["errorMessage"])
		require.Equal(t, res.RequestID, errRec["requestId"])
		require.NotEmpty(t, errRec["stackTrace"])
	})
}

const jsonLogsNode = `exports.handler = async () => {
  console.debug('debug record');
  console.log('multi\nline');
  console.error('failed:', new TypeError('bad type'));
  return process.env.AWS_LAMBDA_LOG_LEVEL;
};
`

// TestJSONLogFormatNode checks the Node.js runtime's JSON records: console.* with its
// level, the application level filtering them, an Error's fields.
func TestJSONLogFormatNode(t *testing.T) {
	t.Parallel()
	requireInterpreter(t, "nodejs20.x")
	b := setup(t)
	code := mustZipDir(t, "testdata/node/cjs", map[string]fileSpec{"json_logs.js": {data: jsonLogsNode}})
	f := b.function(t, "node-json", "nodejs20.x", "json_logs.handler", code, func(f *Function) { f.LogFormat = "JSON" })
	var level string
	res := mustSucceed(t, b.m, f, `{}`, &level)
	require.Equal(t, "INFO", level)
	var app []map[string]any
	for _, l := range b.sink.rawLines("/aws/lambda/node-json") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &rec), "every event is a JSON record: %q", l)
		if _, ok := rec["type"]; !ok {
			app = append(app, rec)
		}
	}
	require.Len(t, app, 2, "DEBUG is below the default INFO: %v", app)
	require.Equal(t, "INFO", app[0]["level"])
	require.Equal(t, "multi\nline", app[0]["message"])
	require.Equal(t, res.RequestID, app[0]["requestId"])
	require.Regexp(t, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`, app[0]["timestamp"])
	require.Equal(t, "ERROR", app[1]["level"])
	require.Equal(t, "TypeError", app[1]["errorType"])
	require.Equal(t, "bad type", app[1]["errorMessage"])
	require.NotEmpty(t, app[1]["stackTrace"])
}

// TestLogPipeFrames checks the telemetry frames: split across reads, after an unterminated
// line, and a false start that is plain output.
func TestLogPipeFrames(t *testing.T) {
	t.Parallel()
	frame := func(s string) []byte {
		h := make([]byte, frameHeaderLen, frameHeaderLen+len(s))
		binary.BigEndian.PutUint32(h[0:4], 0xA55A0017)
		binary.BigEndian.PutUint32(h[4:8], uint32(len(s)))
		binary.BigEndian.PutUint64(h[8:16], uint64(time.Now().UnixMicro()))
		return append(h, s...)
	}
	d := newLogDispatcher(DiscardLogs)
	defer d.close()
	p := &logPipe{out: d, clock: clock.Real{}}
	var in []byte
	in = append(in, "line one\npartial"...)
	in = append(in, frame("[ERROR] boom\nTraceback\n\u00a0\u00a0File")...)
	in = append(in, "after\n\xc2"...)
	in = append(in, "\xa5 yen\n"...)
	in = append(in, frame("rec\n")...)
	// Byte by byte: every split of a frame and of its magic is met.
	for i := range in {
		p.splitLocked(in[i : i+1])
	}
	var got []string
	for _, e := range p.events {
		got = append(got, e.Message)
	}
	require.Equal(t, []string{
		"line one\n",
		"partial\n",
		"[ERROR] boom\nTraceback\n\u00a0\u00a0File",
		"after\n",
		"\u00a5 yen\n",
		"rec\n",
	}, got)
	require.False(t, strings.Contains(strings.Join(got, ""), "\xa5\x5a"))
}
