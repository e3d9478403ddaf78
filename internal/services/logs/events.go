package logs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/overcast/overcast/internal/store"
)

// PutLogEvents limits, from the PutLogEvents API reference.
const (
	// maxBatchBytes caps a batch: message bytes plus eventOverhead per event. It also caps
	// one event.
	maxBatchBytes = 1_048_576
	eventOverhead = 26
	// maxFuture and maxPast bound accepted timestamps around the current time; events
	// outside are rejected, not failed.
	maxFuture = 2 * 60 * 60 * 1000
	maxPast   = 14 * 24 * 60 * 60 * 1000
	// maxSpan is the longest time span of the accepted events of one batch.
	maxSpan = 24 * 60 * 60 * 1000
	// dayMs is one day in milliseconds.
	dayMs = 24 * 60 * 60 * 1000
	// maxPageBytes caps one page of GetLogEvents or FilterLogEvents, counted like a batch.
	maxPageBytes = 1_048_576
	// defaultEventsLimit is the page size of GetLogEvents and FilterLogEvents.
	defaultEventsLimit = 10_000
)

// PutLogEvents appends a batch of events to a log stream. Events more than 14 days old,
// older than the group's retention or more than 2 hours in the future are rejected and
// reported in rejectedLogEventsInfo; the others are stored. The sequence token is
// ignored, as AWS now ignores it.
func (s *Service) PutLogEvents(ctx context.Context, in *PutLogEventsInput) (*PutLogEventsOutput, error) {
	c := callOf(ctx)
	evs := in.LogEvents
	total := 0
	for i, e := range evs {
		if i > 0 && *e.Timestamp < *evs[i-1].Timestamp {
			return nil, NewInvalidParameterException(msgNotChronological)
		}
		size := len(*e.Message) + eventOverhead
		if size > maxBatchBytes {
			return nil, NewInvalidParameterException(fmt.Sprintf("Log event too large: %d bytes exceeds limit of %d", size, maxBatchBytes))
		}
		total += size
	}
	if total > maxBatchBytes {
		return nil, NewInvalidParameterException(fmt.Sprintf("Upload too large: %d bytes exceeds limit of %d", total, maxBatchBytes))
	}
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	st, err := s.getStream(ctx, g, *in.LogStreamName)
	if err != nil {
		return nil, err
	}

	now := s.now()
	// The batch is in order, so the rejected events are a prefix (too old, expired) and a
	// suffix (too new). The old-end indexes are exclusive, the new-start index inclusive.
	tooOld, expired, tooNew := 0, 0, len(evs)
	for i, e := range evs {
		ts := *e.Timestamp
		if ts < now-maxPast {
			tooOld = i + 1
		}
		if g.RetentionDays > 0 && ts < now-int64(g.RetentionDays)*dayMs {
			expired = i + 1
		}
		if ts > now+maxFuture && tooNew == len(evs) {
			tooNew = i
		}
	}
	first := max(tooOld, expired)
	var accepted []store.LogsNewEvent
	if first < tooNew {
		if *evs[tooNew-1].Timestamp-*evs[first].Timestamp > maxSpan {
			return nil, NewInvalidParameterException(msgBatchSpan)
		}
		accepted = make([]store.LogsNewEvent, 0, tooNew-first)
		for _, e := range evs[first:tooNew] {
			accepted = append(accepted, store.LogsNewEvent{Timestamp: *e.Timestamp, Message: *e.Message})
		}
	}
	updated, err := s.db.LogsEventAppend(ctx, &store.LogsEventAppendParams{StreamID: st.ID, Events: accepted, Now: now})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errStreamNotFound()
	case err != nil:
		return nil, err
	}
	s.deliver(ctx, &appended{account: c.Account, region: c.Region, group: g.Name, stream: *in.LogStreamName,
		streamID: st.ID, seq: updated.Seq, events: accepted})
	out := &PutLogEventsOutput{NextSequenceToken: ptr(sequenceToken(updated.Seq))}
	if tooOld > 0 || expired > 0 || tooNew < len(evs) {
		info := &RejectedLogEventsInfo{}
		if tooOld > 0 {
			info.TooOldLogEventEndIndex = ptr(int32(tooOld))
		}
		if expired > 0 {
			info.ExpiredLogEventEndIndex = ptr(int32(expired))
		}
		if tooNew < len(evs) {
			info.TooNewLogEventStartIndex = ptr(int32(tooNew))
		}
		out.RejectedLogEventsInfo = info
	}
	return out, nil
}

// retentionStart returns the earliest event time a read may return: events past the
// group's retention are hidden before the sweep deletes them.
func (s *Service) retentionStart(g *store.LogsGroup) int64 {
	if g.RetentionDays == 0 {
		return 0
	}
	return s.now() - int64(g.RetentionDays)*dayMs
}

// GetLogEvents pages through the events of one log stream in either direction. Tokens
// behave as AWS documents: at either end of the stream the token passed in comes back
// unchanged, and the returned tokens are never null.
func (s *Service) GetLogEvents(ctx context.Context, in *GetLogEventsInput) (*GetLogEventsOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	var tok streamToken
	switch {
	case in.NextToken != nil:
		t, ok := parseStreamToken(*in.NextToken)
		if !ok {
			return nil, errInvalidNextToken()
		}
		tok = t
	case in.StartFromHead != nil && *in.StartFromHead:
		tok = streamToken{forward: true, pos: streamStart}
	default:
		tok = streamToken{forward: false, pos: streamEnd}
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	st, err := s.getStream(ctx, g, *in.LogStreamName)
	if err != nil {
		return nil, err
	}
	limit := defaultEventsLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	p := &store.LogsEventListParams{StreamID: st.ID, Start: s.retentionStart(g), End: math.MaxInt64, Limit: limit}
	if in.StartTime != nil {
		p.Start = max(p.Start, *in.StartTime)
	}
	if in.EndTime != nil {
		p.End = *in.EndTime
	}
	pos := tok.pos
	if tok.forward {
		p.After = &pos
	} else {
		p.Before = &pos
		p.Descending = true
	}
	evs, err := s.db.LogsEventList(ctx, p)
	if err != nil {
		return nil, err
	}
	evs = fitPage(evs)
	if !tok.forward {
		slices.Reverse(evs)
	}

	out := &GetLogEventsOutput{Events: make([]*OutputLogEvent, len(evs))}
	for i, e := range evs {
		out.Events[i] = &OutputLogEvent{Timestamp: ptr(e.Timestamp), Message: ptr(e.Message), IngestionTime: ptr(e.IngestedAt)}
	}
	var fwd, back streamToken
	switch {
	case len(evs) > 0:
		fwd = streamToken{forward: true, pos: evs[len(evs)-1].Cursor()}
		back = streamToken{forward: false, pos: evs[0].Cursor()}
	case in.NextToken == nil:
		// Nothing in range: forward from the start picks up whatever arrives later.
		fwd = streamToken{forward: true, pos: streamStart}
		back = streamToken{forward: false, pos: streamEnd}
	case tok.forward:
		fwd = tok
		back = streamToken{forward: false, pos: after(tok.pos)}
	default:
		back = tok
		fwd = streamToken{forward: true, pos: before(tok.pos)}
	}
	out.NextForwardToken = ptr(fwd.String())
	out.NextBackwardToken = ptr(back.String())
	if in.NextToken != nil && len(evs) == 0 {
		// At the end in the token's direction, AWS hands back the token it was given.
		if tok.forward {
			out.NextForwardToken = in.NextToken
		} else {
			out.NextBackwardToken = in.NextToken
		}
	}
	return out, nil
}

// after returns the position just past pos: the events before it are those at or
// before pos. Ids are integers, so no event lies between (ts, id) and (ts, id+1).
func after(pos store.LogsEventCursor) store.LogsEventCursor {
	if pos.ID == math.MaxInt64 {
		return pos
	}
	return store.LogsEventCursor{Timestamp: pos.Timestamp, ID: pos.ID + 1}
}

// before returns the position just before pos.
func before(pos store.LogsEventCursor) store.LogsEventCursor {
	if pos.ID == 0 {
		return pos
	}
	return store.LogsEventCursor{Timestamp: pos.Timestamp, ID: pos.ID - 1}
}

// fitPage keeps the leading events that fit in one response (1 MB, counted like a
// PutLogEvents batch); the first event always fits.
func fitPage(evs []*store.LogsEvent) []*store.LogsEvent {
	size := 0
	for i, e := range evs {
		size += len(e.Message) + eventOverhead
		if size > maxPageBytes && i > 0 {
			return evs[:i]
		}
	}
	return evs
}
