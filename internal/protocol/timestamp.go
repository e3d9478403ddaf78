package protocol

import (
	"errors"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
)

var errBadTimestamp = errors.New("bad timestamp")

// appendEpoch writes t as epoch seconds with millisecond precision: "1700000000" or
// "1700000000.123", never exponent notation.
//
// SDKs turn the number back into milliseconds by multiplying by 1000 and truncating
// (smithy-go time.ParseEpochSeconds, and its CBOR decoder likewise), so a plain decimal
// such as 1700000000.123, whose nearest float64 lies just below, would come back one
// millisecond early. When that happens we write the next representable double instead,
// which every client reads as the intended millisecond.
func appendEpoch(b []byte, t time.Time) []byte {
	ms := t.UnixMilli()
	if ms%1000 == 0 {
		return strconv.AppendInt(b, ms/1000, 10)
	}
	return strconv.AppendFloat(b, epochFloat(ms), 'f', -1, 64)
}

// epochFloat returns ms/1000 as the double closest to it whose product with 1000
// truncates back to ms.
func epochFloat(ms int64) float64 {
	f := float64(ms) / 1e3
	dir := math.Inf(1)
	if ms < 0 {
		dir = math.Inf(-1)
	}
	for i := 0; i < 8 && int64(f*1e3) != ms; i++ {
		f = math.Nextafter(f, dir)
	}
	return f
}

// appendISO writes t as an ISO 8601 UTC timestamp. With millis the fraction is always
// three digits (2006-01-02T15:04:05.000Z, as query and rest-xml bodies carry it);
// without, the fraction appears only when non-zero.
func appendISO(b []byte, t time.Time, millis bool) []byte {
	t = t.UTC()
	if millis {
		return t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
	}
	if t.Nanosecond()/1e6 == 0 {
		return t.AppendFormat(b, "2006-01-02T15:04:05Z")
	}
	return t.AppendFormat(b, "2006-01-02T15:04:05.000Z")
}

// appendHTTPDate writes t as an HTTP date (RFC 7231 IMF-fixdate).
func appendHTTPDate(b []byte, t time.Time) []byte {
	return t.UTC().AppendFormat(b, http.TimeFormat)
}

// appendTime writes t in format f.
func appendTime(b []byte, t time.Time, f tsFormat, millis bool) []byte {
	switch f {
	case tsEpoch:
		return appendEpoch(b, t)
	case tsHTTP:
		return appendHTTPDate(b, t)
	default:
		return appendISO(b, t, millis)
	}
}

// parseTime reads a timestamp in any of the three wire formats: clients are not always
// faithful to the model, and the text tells the formats apart.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errBadTimestamp
	}
	if c := s[0]; c == '-' || c >= '0' && c <= '9' {
		if t, err := parseISO(s); err == nil {
			return t, nil
		}
		if t, ok := parseEpochText(s); ok {
			return t, nil
		}
		return time.Time{}, errBadTimestamp
	}
	if t, err := http.ParseTime(s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, errBadTimestamp
}

// parseISO reads an RFC 3339 date-time, with or without fractional seconds or offset
// colon.
func parseISO(s string) (time.Time, error) {
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errBadTimestamp
}

var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999",
	"20060102T150405Z",
}

// parseEpochText reads epoch seconds from decimal text exactly ("1515531081.123"); an
// exponent form falls back to float arithmetic rounded to the millisecond.
func parseEpochText(s string) (time.Time, bool) {
	neg := false
	p := s
	if p != "" && (p[0] == '-' || p[0] == '+') {
		neg = p[0] == '-'
		p = p[1:]
	}
	intPart, frac, _ := strings.Cut(p, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) || strings.ContainsAny(p, "eE") {
		return epochFromFloatText(s)
	}
	if len(intPart) > 12 {
		return time.Time{}, false
	}
	sec, _ := strconv.ParseInt("0"+intPart, 10, 64)
	var nsec int64
	for i := 0; i < 9; i++ {
		nsec *= 10
		if i < len(frac) {
			nsec += int64(frac[i] - '0')
		}
	}
	if neg {
		sec, nsec = -sec, -nsec
	}
	return time.Unix(sec, nsec).UTC(), true
}

func epochFromFloatText(s string) (time.Time, bool) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false
	}
	return epochFromFloat(f)
}

// epochFromFloat converts epoch seconds to a time, rounded to the millisecond (the
// precision of every AWS epoch timestamp).
func epochFromFloat(f float64) (time.Time, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
		return time.Time{}, false
	}
	ms := int64(math.Round(f * 1e3))
	return time.UnixMilli(ms).UTC(), true
}

// timeOf returns the time.Time held in v.
func timeOf(v reflect.Value) time.Time {
	t, _ := v.Interface().(time.Time)
	return t
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
