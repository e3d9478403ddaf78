package lambdart

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// jsonLogs is the JSON log format of a function (LoggingConfig.LogFormat JSON): the
// platform's lines become JSON records ({"time","type","record"}) as AWS writes them, and
// those below the system log level are left out.
type jsonLogs struct {
	initType    string
	systemLevel int
}

// System log levels, from most to least detailed.
var systemLevels = map[string]int{"DEBUG": 0, "INFO": 1, "WARN": 2}

func newJSONLogs(fn *Function, initType string) *jsonLogs {
	if !fn.jsonLogs() {
		return nil
	}
	return &jsonLogs{initType: initType, systemLevel: systemLevels[fn.systemLogLevel()]}
}

// platformRecord is one system log record in the JSON format.
type platformRecord struct {
	Time   string `json:"time"`
	Type   string `json:"type"`
	Record any    `json:"record"`
}

// render turns a text platform line into its JSON record. keep is false for a record below
// the system log level. Lines with no JSON record (the error lines of timeouts and runtime
// exits) are returned as they are.
func (j *jsonLogs) render(now time.Time, line string) (out string, keep bool) {
	typ, level, rec := platformRecordOf(line, j.initType)
	if typ == "" {
		return line, true
	}
	if level < j.systemLevel {
		return "", false
	}
	b, err := json.Marshal(platformRecord{Time: now.UTC().Format("2006-01-02T15:04:05.000Z"), Type: typ, Record: rec})
	if err != nil {
		return line, true
	}
	return string(b), true
}

// platformRecordOf parses the platform's text lines (see reportLine, initReportLine and
// the START, END and INIT_START lines) into the record of the same event. END becomes
// platform.runtimeDone, which AWS logs at DEBUG only.
func platformRecordOf(line, initType string) (typ string, level int, rec map[string]any) {
	info, debug := systemLevels["INFO"], systemLevels["DEBUG"]
	switch {
	case strings.HasPrefix(line, "INIT_START "):
		f := tabFields(strings.TrimPrefix(line, "INIT_START "))
		return "platform.initStart", info, map[string]any{
			"initializationType": initType, "phase": "init",
			"runtimeVersion": f["Runtime Version"], "runtimeVersionArn": f["Runtime Version ARN"],
		}
	case strings.HasPrefix(line, "START RequestId: "):
		id, version, _ := strings.Cut(strings.TrimPrefix(line, "START RequestId: "), " Version: ")
		return "platform.start", info, map[string]any{"requestId": id, "version": version}
	case strings.HasPrefix(line, "END RequestId: "):
		return "platform.runtimeDone", debug, map[string]any{"requestId": strings.TrimPrefix(line, "END RequestId: ")}
	case strings.HasPrefix(line, "REPORT RequestId: "):
		f := tabFields("RequestId: " + strings.TrimPrefix(line, "REPORT RequestId: "))
		metrics := map[string]any{
			"durationMs":       millisField(f["Duration"]),
			"billedDurationMs": millisField(f["Billed Duration"]),
			"memorySizeMB":     millisField(f["Memory Size"]),
			"maxMemoryUsedMB":  millisField(f["Max Memory Used"]),
		}
		if v, ok := f["Init Duration"]; ok {
			metrics["initDurationMs"] = millisField(v)
		}
		rec := map[string]any{"requestId": f["RequestId"], "metrics": metrics, "status": "success"}
		if s := f["Status"]; s != "" {
			rec["status"] = s
		}
		if t := f["Error Type"]; t != "" {
			rec["errorType"] = t
		}
		return "platform.report", info, rec
	case strings.HasPrefix(line, "INIT_REPORT "):
		f := tabFields(strings.TrimPrefix(line, "INIT_REPORT "))
		rec := map[string]any{
			"initializationType": initType, "phase": "init", "status": f["Status"],
			"metrics": map[string]any{"durationMs": millisField(f["Init Duration"])},
		}
		if t := f["Error Type"]; t != "" {
			rec["errorType"] = t
		}
		return "platform.initReport", info, rec
	}
	return "", 0, nil
}

// tabFields splits "Key: value\tKey: value" into a map.
func tabFields(s string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(s, "\t") {
		if k, v, ok := strings.Cut(kv, ": "); ok {
			out[k] = v
		}
	}
	return out
}

// millisField reads "12.34 ms" or "128 MB" as a number.
func millisField(s string) float64 {
	v, _, _ := strings.Cut(s, " ")
	f, _ := strconv.ParseFloat(v, 64)
	return f
}
