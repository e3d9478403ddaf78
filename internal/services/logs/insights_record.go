package logs

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/overcast/overcast/internal/store"
)

const (
	// fieldsWindow is how far back GetLogGroupFields looks: the 15 minutes before its
	// time, as AWS does.
	fieldsWindow = 15 * time.Minute
	// fieldsSample is how many of the latest events in the window GetLogGroupFields reads.
	fieldsSample = 10_000
)

// msgBadPointer answers a logRecordPointer that is not one of Overcast's @ptr values.
const msgBadPointer = "The specified log record pointer is invalid."

// GetLogRecord returns every field of the event a query's @ptr names. Times are unix
// milliseconds, as AWS returns them here.
func (s *Service) GetLogRecord(ctx context.Context, in *GetLogRecordInput) (*GetLogRecordOutput, error) {
	c := callOf(ctx)
	parts, ok := decodeToken(*in.LogRecordPointer, 7)
	if !ok || parts[0] != "ptr" {
		return nil, NewInvalidParameterException(msgBadPointer)
	}
	ts, err1 := strconv.ParseInt(parts[5], 10, 64)
	id, err2 := strconv.ParseInt(parts[6], 10, 64)
	if err1 != nil || err2 != nil || id < 1 {
		return nil, NewInvalidParameterException(msgBadPointer)
	}
	if parts[1] != c.Account || parts[2] != c.Region {
		return nil, NewResourceNotFoundException(msgGroupNotFound)
	}
	g, err := s.getGroup(ctx, c, parts[3])
	if err != nil {
		return nil, err
	}
	st, err := s.getStream(ctx, g, parts[4])
	if err != nil {
		return nil, err
	}
	from := store.LogsEventCursor{Timestamp: ts, ID: id - 1}
	evs, err := s.db.LogsEventList(ctx, &store.LogsEventListParams{
		StreamID: st.ID, Start: max(ts, s.retentionStart(g)), End: ts + 1, After: &from, Limit: 1,
	})
	if err != nil {
		return nil, err
	}
	if len(evs) == 0 || evs[0].ID != id {
		return nil, NewResourceNotFoundException("The specified log record does not exist.")
	}
	e := evs[0]
	rec := eventRecord(c, g.Name, e)
	out := make(map[string]string, len(rec))
	for k, v := range rec {
		switch t := v.(type) {
		case tsValue:
			out[k] = strconv.FormatInt(int64(t), 10)
		default:
			out[k] = formatValue(v)
		}
	}
	return &GetLogRecordOutput{LogRecord: out}, nil
}

// GetLogGroupFields lists the fields of the log group's events in the 15 minutes before
// time (default now), with the percentage of events that have each, most frequent first.
func (s *Service) GetLogGroupFields(ctx context.Context, in *GetLogGroupFieldsInput) (*GetLogGroupFieldsOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	end := s.now()
	if in.Time != nil {
		end = clampMul(*in.Time, 1000)
	}
	start := end - fieldsWindow.Milliseconds()
	endEx := end
	if endEx < math.MaxInt64 {
		endEx++
	}
	evs, err := s.db.LogsEventList(ctx, &store.LogsEventListParams{
		GroupID: g.ID, Start: max(start, s.retentionStart(g)), End: endEx, Descending: true, Limit: fieldsSample,
	})
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, e := range evs {
		for k := range eventRecord(c, g.Name, e) {
			if k == "@ptr" {
				continue
			}
			counts[k]++
		}
	}
	names := make([]string, 0, len(counts))
	for k := range counts {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		if a < b {
			return -1
		}
		if a > b {
			return 1
		}
		return 0
	})
	out := &GetLogGroupFieldsOutput{LogGroupFields: []*LogGroupField{}}
	for _, n := range names {
		pct := int32(math.Round(float64(counts[n]) * 100 / float64(len(evs))))
		out.LogGroupFields = append(out.LogGroupFields, &LogGroupField{Name: ptr(n), Percent: ptr(pct)})
	}
	return out, nil
}
