package logs

import (
	"context"
	"errors"
	"math"

	"github.com/overcast/overcast/internal/logfilter"
	"github.com/overcast/overcast/internal/store"
)

// filterChunk is how many events FilterLogEvents reads from the store at a time.
const filterChunk = 1000

// FilterLogEvents searches the events of a log group, across its streams in (timestamp,
// ingestion) order, for those matching a filter pattern. A call examines at most
// Config.FilterScanLimit events: past that it answers what it found with a nextToken,
// as AWS answers a partial (even empty) page when a search runs long.
func (s *Service) FilterLogEvents(ctx context.Context, in *FilterLogEventsInput) (*FilterLogEventsOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if len(in.LogStreamNames) > 0 && in.LogStreamNamePrefix != nil {
		return nil, NewInvalidParameterException(msgNamesAndPrefix)
	}
	pattern := logfilter.MustCompile("")
	if in.FilterPattern != nil {
		p, err := logfilter.Compile(*in.FilterPattern)
		if err != nil {
			var se *logfilter.SyntaxError
			if errors.As(err, &se) {
				return nil, NewInvalidParameterException(se.Error())
			}
			return nil, err
		}
		pattern = p
	}
	var cursor *store.LogsEventCursor
	if in.NextToken != nil {
		cur, ok := decodeCursor(*in.NextToken)
		if !ok {
			return nil, errInvalidNextToken()
		}
		cursor = &cur
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	for _, n := range in.LogStreamNames {
		if _, err := s.getStream(ctx, g, n); err != nil {
			return nil, err
		}
	}
	limit := defaultEventsLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	p := &store.LogsEventListParams{GroupID: g.ID, StreamNames: in.LogStreamNames, Start: s.retentionStart(g), End: math.MaxInt64, Limit: filterChunk}
	if in.LogStreamNamePrefix != nil {
		p.StreamPrefix = *in.LogStreamNamePrefix
	}
	if in.StartTime != nil {
		p.Start = max(p.Start, *in.StartTime)
	}
	if in.EndTime != nil && *in.EndTime < math.MaxInt64 {
		// FilterLogEvents includes events at endTime (GetLogEvents does not).
		p.End = *in.EndTime + 1
	}

	out := &FilterLogEventsOutput{Events: []*FilteredLogEvent{}, SearchedLogStreams: []*SearchedLogStream{}}
	var (
		last    store.LogsEventCursor // the last event examined
		scanned int
		size    int
		more    bool
	)
scan:
	for {
		p.After = cursor
		evs, err := s.db.LogsEventList(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			if !pattern.Match(e.Message) {
				last = e.Cursor()
				scanned++
				continue
			}
			size += len(e.Message) + eventOverhead
			if len(out.Events) == limit || (size > maxPageBytes && len(out.Events) > 0) {
				// Another match exists: the page ends at the previous one.
				more = true
				break scan
			}
			out.Events = append(out.Events, &FilteredLogEvent{
				LogStreamName: ptr(e.StreamName),
				Timestamp:     ptr(e.Timestamp),
				Message:       ptr(e.Message),
				IngestionTime: ptr(e.IngestedAt),
				EventID:       ptr(eventID(e)),
			})
			last = e.Cursor()
			scanned++
		}
		if len(evs) < p.Limit {
			break
		}
		cur := last
		cursor = &cur
		if scanned >= s.cfg.FilterScanLimit {
			more = true
			break
		}
	}
	if more {
		tok := encodeCursor(last)
		out.NextToken = &tok
	}
	return out, nil
}
