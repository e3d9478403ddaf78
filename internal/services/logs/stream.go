package logs

import (
	"context"
	"errors"
	"strconv"

	"github.com/overcast/overcast/internal/store"
)

// CreateLogStream creates a log stream in a log group.
func (s *Service) CreateLogStream(ctx context.Context, in *CreateLogStreamInput) (*CreateLogStreamOutput, error) {
	c := callOf(ctx)
	if err := checkStreamName(*in.LogStreamName); err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	_, err = s.db.LogsStreamCreate(ctx, g.ID, *in.LogStreamName, s.now())
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceAlreadyExistsException(msgStreamExists)
	case errors.Is(err, store.ErrNotFound):
		return nil, errGroupNotFound()
	case err != nil:
		return nil, err
	}
	return &CreateLogStreamOutput{}, nil
}

// DeleteLogStream deletes a log stream with its events.
func (s *Service) DeleteLogStream(ctx context.Context, in *DeleteLogStreamInput) (*DeleteLogStreamOutput, error) {
	c := callOf(ctx)
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	err = s.db.LogsStreamDelete(ctx, g.ID, *in.LogStreamName)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errStreamNotFound()
	case err != nil:
		return nil, err
	}
	s.streams.forget(c.Account, c.Region, g.Name, *in.LogStreamName)
	return &DeleteLogStreamOutput{}, nil
}

// DescribeLogStreams lists the streams of a log group by name or by last event time.
func (s *Service) DescribeLogStreams(ctx context.Context, in *DescribeLogStreamsInput) (*DescribeLogStreamsOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	byLastEvent := in.OrderBy != nil && *in.OrderBy == OrderByLastEventTime
	if byLastEvent && in.LogStreamNamePrefix != nil {
		return nil, NewInvalidParameterException(msgOrderByWithPrefix)
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	p := &store.LogsStreamListParams{GroupID: g.ID, ByLastEvent: byLastEvent, Descending: in.Descending != nil && *in.Descending}
	if in.LogStreamNamePrefix != nil {
		p.Prefix = *in.LogStreamNamePrefix
	}
	if in.NextToken != nil {
		cur, ok := decodeStreamCursor(*in.NextToken, byLastEvent)
		if !ok {
			return nil, errInvalidNextToken()
		}
		p.After = &cur
	}
	limit := defaultDescribeLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	p.Limit = limit + 1
	streams, err := s.db.LogsStreamList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &DescribeLogStreamsOutput{LogStreams: make([]*LogStream, 0, min(len(streams), limit))}
	for i, st := range streams {
		if i == limit {
			tok := encodeStreamCursor(streams[i-1], byLastEvent)
			out.NextToken = &tok
			break
		}
		out.LogStreams = append(out.LogStreams, wireStream(c.Region, c.Account, g.Name, st))
	}
	return out, nil
}

// wireStream renders a log stream as DescribeLogStreams does. storedBytes is always 0:
// AWS stopped reporting it for streams in 2019.
func wireStream(region, account, group string, st *store.LogsStream) *LogStream {
	w := &LogStream{
		LogStreamName: ptr(st.Name),
		CreationTime:  ptr(st.CreatedAt),
		ARN:           ptr(StreamARN(region, account, group, st.Name)),
		StoredBytes:   ptr(int64(0)),
	}
	if st.HasEvents() {
		w.FirstEventTimestamp = ptr(st.FirstEventAt)
		w.LastEventTimestamp = ptr(st.LastEventAt)
		w.LastIngestionTime = ptr(st.LastIngestionAt)
	}
	if st.Seq > 0 {
		w.UploadSequenceToken = ptr(sequenceToken(st.Seq))
	}
	return w
}

func encodeStreamCursor(st *store.LogsStream, byLastEvent bool) string {
	if byLastEvent {
		return encodeToken("t", strconv.FormatInt(st.LastEventAt, 10), st.Name)
	}
	return encodeToken("n", "", st.Name)
}

func decodeStreamCursor(tok string, byLastEvent bool) (store.LogsStreamCursor, bool) {
	parts, ok := decodeToken(tok, 3)
	if !ok {
		return store.LogsStreamCursor{}, false
	}
	if byLastEvent {
		ts, err := strconv.ParseInt(parts[1], 10, 64)
		if parts[0] != "t" || err != nil {
			return store.LogsStreamCursor{}, false
		}
		return store.LogsStreamCursor{LastEventAt: ts, Name: parts[2]}, true
	}
	if parts[0] != "n" {
		return store.LogsStreamCursor{}, false
	}
	return store.LogsStreamCursor{Name: parts[2]}, true
}
