package logs

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Query statuses, as GetQueryResults and DescribeQueries report them.
const (
	queryScheduled = "Scheduled"
	queryRunning   = "Running"
	queryComplete  = "Complete"
	queryFailed    = "Failed"
	queryCancelled = "Cancelled"
	queryTimeout   = "Timeout"
)

// queryLanguageCWLI is the Logs Insights query language, the only one served.
const queryLanguageCWLI = "CWLI"

const (
	// queryRetention is how long the results of a query can be read: seven days, as AWS
	// keeps them.
	queryRetention = 7 * 24 * time.Hour
	// maxKeptQueries bounds the queries one node keeps in memory; the oldest go first.
	maxKeptQueries = 1000
	// queryScanPage is how many events one store read of a query fetches.
	queryScanPage = 5000
	// defaultQueryScanLimit is how many events one query examines at most.
	defaultQueryScanLimit = 1_000_000
)

// Messages of the query operations' errors. AWS does not document these texts; they are
// Overcast's wording.
const (
	msgQueryNotFound    = "Query does not exist."
	msgQueryGroupsOne   = "Specify exactly one of logGroupName, logGroupNames or logGroupIdentifiers."
	msgQueryEndBefore   = "End time should not be before start time."
	msgQueryLanguage    = "Only the CloudWatch Logs Insights query language (CWLI) is served by Overcast."
	msgQueryNotRunning  = "The specified query is not running."
	msgQueryDefNotFound = "The specified query definition does not exist."
)

// insightsQuery is one query a node ran, kept in memory until it expires.
type insightsQuery struct {
	account, region string
	id              string
	queryString     string
	groups          []string
	status          string
	createTime      int64 // unix milliseconds
	duration        int64 // milliseconds
	rows            [][]*ResultField
	stats           QueryStatistics
}

// queryRegistry holds the queries of this node: at most maxKeptQueries, each for
// queryRetention after it started.
type queryRegistry struct {
	mu    sync.Mutex
	byID  map[string]*insightsQuery
	order []string // ids, oldest first
}

func newQueryRegistry() *queryRegistry {
	return &queryRegistry{byID: map[string]*insightsQuery{}}
}

// add keeps q, dropping expired queries and, when full, the oldest.
func (r *queryRegistry) add(q *insightsQuery, now int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	for len(r.order) >= maxKeptQueries {
		delete(r.byID, r.order[0])
		r.order = r.order[1:]
	}
	r.byID[q.id] = q
	r.order = append(r.order, q.id)
}

// clear forgets every query.
func (r *queryRegistry) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.byID = map[string]*insightsQuery{}
	r.order = nil
}

// expire drops the queries older than queryRetention. r.mu is held.
func (r *queryRegistry) expire(now int64) {
	cut := 0
	for cut < len(r.order) && now-r.byID[r.order[cut]].createTime > queryRetention.Milliseconds() {
		delete(r.byID, r.order[cut])
		cut++
	}
	r.order = r.order[cut:]
}

// get returns a copy of the caller's query id, or nil.
func (r *queryRegistry) get(c *protocol.Call, id string, now int64) *insightsQuery {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	q, ok := r.byID[id]
	if !ok || q.account != c.Account || q.region != c.Region {
		return nil
	}
	cp := *q
	return &cp
}

// list returns copies of the caller's queries, newest first.
func (r *queryRegistry) list(c *protocol.Call, now int64) []*insightsQuery {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.expire(now)
	var out []*insightsQuery
	for i := len(r.order) - 1; i >= 0; i-- {
		q := r.byID[r.order[i]]
		if q.account == c.Account && q.region == c.Region {
			cp := *q
			out = append(out, &cp)
		}
	}
	return out
}

// malformedQuery answers a query that does not compile, with the queryCompileError
// member of AWS's MalformedQueryException: where the offending symbol is, and why.
func malformedQuery(err error) error {
	var qe *queryError
	if !errors.As(err, &qe) {
		return err
	}
	e := NewMalformedQueryException(qe.msg)
	e.Fields = map[string]any{"queryCompileError": map[string]any{
		"location": map[string]any{"startCharOffset": qe.pos, "endCharOffset": qe.end},
		"message":  qe.msg,
	}}
	return e
}

// queryGroupNames picks the log groups of a StartQuery: exactly one of the three ways to
// name them. Identifiers may be names or ARNs of the caller's account and region.
func queryGroupNames(c *protocol.Call, in *StartQueryInput) ([]string, error) {
	given := 0
	if in.LogGroupName != nil {
		given++
	}
	if len(in.LogGroupNames) > 0 {
		given++
	}
	if len(in.LogGroupIdentifiers) > 0 {
		given++
	}
	if given != 1 {
		return nil, NewInvalidParameterException(msgQueryGroupsOne)
	}
	switch {
	case in.LogGroupName != nil:
		return []string{*in.LogGroupName}, nil
	case len(in.LogGroupNames) > 0:
		return slices.Compact(slices.Clone(in.LogGroupNames)), nil
	}
	var names []string
	for _, id := range in.LogGroupIdentifiers {
		n, err := groupName(c, nil, &id)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names, nil
}

// StartQuery compiles a Logs Insights query and runs it over the events of the log
// groups between startTime and endTime (epoch seconds, both included). The query runs
// before StartQuery answers, so GetQueryResults finds it Complete.
func (s *Service) StartQuery(ctx context.Context, in *StartQueryInput) (*StartQueryOutput, error) {
	c := callOf(ctx)
	if in.QueryLanguage != nil && *in.QueryLanguage != queryLanguageCWLI {
		return nil, NewInvalidParameterException(msgQueryLanguage)
	}
	names, err := queryGroupNames(c, in)
	if err != nil {
		return nil, err
	}
	if *in.EndTime < *in.StartTime {
		return nil, NewInvalidParameterException(msgQueryEndBefore)
	}
	q, err := parseQuery(*in.QueryString)
	if err != nil {
		return nil, malformedQuery(err)
	}
	groups := make([]*store.LogsGroup, 0, len(names))
	for _, n := range names {
		g, err := s.db.LogsGroupGet(ctx, c.Account, c.Region, n)
		if errors.Is(err, store.ErrNotFound) {
			return nil, errQueryGroupNotFound(c, n)
		}
		if err != nil {
			return nil, fmt.Errorf("get log group: %w", err)
		}
		groups = append(groups, g)
	}
	limit := maxQueryLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	started := s.clock.Now()
	iq := &insightsQuery{
		account: c.Account, region: c.Region, id: uuid.NewString(), groups: names,
		status: queryComplete, createTime: started.UnixMilli(),
	}
	iq.queryString = sourcedQuery(names, *in.StartTime, *in.EndTime, *in.QueryString)
	start := clampMul(*in.StartTime, 1000)
	end := clampMul(*in.EndTime, 1000)
	if end < math.MaxInt64-1000 {
		end += 1000
	}
	events, scanned, bytes, err := s.scanForQuery(ctx, c, groups, start, end)
	if err != nil {
		return nil, err
	}
	res := q.run(events, limit)
	iq.rows = res.rows
	iq.stats = QueryStatistics{
		RecordsMatched:   ptr(float64(res.matched)),
		RecordsScanned:   ptr(float64(scanned)),
		BytesScanned:     ptr(float64(bytes)),
		LogGroupsScanned: ptr(float64(len(groups))),
	}
	iq.duration = s.clock.Now().Sub(started).Milliseconds()
	s.queries.add(iq, s.now())
	return &StartQueryOutput{QueryID: ptr(iq.id)}, nil
}

// sourcedQuery is the query string as DescribeQueries shows it: AWS prefixes the query
// with a SOURCE command naming the log groups and the time range in milliseconds, the
// end inclusive to its last millisecond.
func sourcedQuery(groups []string, start, end int64, query string) string {
	var b strings.Builder
	b.WriteString("SOURCE")
	for _, g := range groups {
		b.WriteString(` "` + g + `"`)
	}
	fmt.Fprintf(&b, " START=%d000 END=%d999 | %s", start, end, query)
	return b.String()
}

// errQueryGroupNotFound is StartQuery's answer for a missing log group: AWS passes on
// the message of its query backend, request id included.
func errQueryGroupNotFound(c *protocol.Call, name string) *protocol.Error {
	return NewResourceNotFoundException(fmt.Sprintf(
		"Log group '%s' does not exist for account ID '%s' (Service: AWSLogs; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: %s; Proxy: null)",
		name, c.Account, uuid.NewString()))
}

// clampMul multiplies without overflowing.
func clampMul(v, by int64) int64 {
	switch {
	case v > math.MaxInt64/by:
		return math.MaxInt64
	case v < 0:
		return 0
	}
	return v * by
}

// scanForQuery reads the events of groups in [start, end) as query records.
func (s *Service) scanForQuery(ctx context.Context, c *protocol.Call, groups []*store.LogsGroup, start, end int64) ([]queryInput, int, int, error) {
	var (
		out     []queryInput
		scanned int
		bytes   int
	)
	for _, g := range groups {
		p := &store.LogsEventListParams{GroupID: g.ID, Start: max(start, s.retentionStart(g)), End: end, Limit: queryScanPage}
		for scanned < defaultQueryScanLimit {
			evs, err := s.db.LogsEventList(ctx, p)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("scan %s for query: %w", g.Name, err)
			}
			for _, e := range evs {
				scanned++
				bytes += len(e.Message)
				out = append(out, queryInput{rec: eventRecord(c, g.Name, e), bytes: len(e.Message)})
			}
			if len(evs) < queryScanPage {
				break
			}
			pos := evs[len(evs)-1].Cursor()
			p.After = &pos
		}
	}
	return out, scanned, bytes, nil
}

// eventRecord is an event as a query sees it: the system fields and, for a JSON
// message, its fields.
func eventRecord(c *protocol.Call, group string, e *store.LogsEvent) record {
	r := record{
		"@timestamp":     tsValue(e.Timestamp),
		"@ingestionTime": tsValue(e.IngestedAt),
		"@message":       e.Message,
		"@logStream":     e.StreamName,
		"@log":           c.Account + ":" + group,
		"@ptr":           recordPointer(c, group, e),
	}
	flattenJSON(r, e.Message)
	return r
}

// recordPointer is the @ptr of an event, which GetLogRecord reads back.
func recordPointer(c *protocol.Call, group string, e *store.LogsEvent) string {
	return encodeToken("ptr", c.Account, c.Region, group, e.StreamName,
		strconv.FormatInt(e.Timestamp, 10), strconv.FormatInt(e.ID, 10))
}

// GetQueryResults returns the status, statistics and results of a query this node ran.
// Results are paged with maxItems and nextToken when the caller asks for it.
func (s *Service) GetQueryResults(ctx context.Context, in *GetQueryResultsInput) (*GetQueryResultsOutput, error) {
	c := callOf(ctx)
	q := s.queries.get(c, *in.QueryID, s.now())
	if q == nil {
		return nil, NewResourceNotFoundException(msgQueryNotFound)
	}
	offset := 0
	if in.NextToken != nil {
		parts, ok := decodeToken(*in.NextToken, 3)
		n, err := 0, error(nil)
		if ok {
			n, err = strconv.Atoi(parts[2])
		}
		if !ok || err != nil || parts[0] != "qr" || parts[1] != q.id || n < 0 || n > len(q.rows) {
			return nil, errInvalidNextToken()
		}
		offset = n
	}
	rows := q.rows[offset:]
	out := &GetQueryResultsOutput{
		QueryLanguage: ptr(queryLanguageCWLI),
		Status:        ptr(q.status),
		Statistics:    &q.stats,
	}
	if in.MaxItems != nil && int(*in.MaxItems) < len(rows) {
		rows = rows[:*in.MaxItems]
		out.NextToken = ptr(encodeToken("qr", q.id, strconv.Itoa(offset+len(rows))))
	}
	out.Results = rows
	if out.Results == nil {
		out.Results = [][]*ResultField{}
	}
	return out, nil
}

// StopQuery stops a running query. Queries run to completion inside StartQuery, so a
// known query has always ended and the answer is AWS's error for a query not running.
func (s *Service) StopQuery(ctx context.Context, in *StopQueryInput) (*StopQueryOutput, error) {
	c := callOf(ctx)
	q := s.queries.get(c, *in.QueryID, s.now())
	if q == nil {
		return nil, NewResourceNotFoundException(msgQueryNotFound)
	}
	if q.status != queryRunning && q.status != queryScheduled {
		return nil, NewInvalidParameterException(msgQueryNotRunning)
	}
	return &StopQueryOutput{Success: ptr(false)}, nil
}

// DescribeQueries lists the caller's queries this node ran in the last seven days, newest
// first, optionally those of one log group or one status.
func (s *Service) DescribeQueries(ctx context.Context, in *DescribeQueriesInput) (*DescribeQueriesOutput, error) {
	c := callOf(ctx)
	if in.QueryLanguage != nil && *in.QueryLanguage != queryLanguageCWLI {
		return &DescribeQueriesOutput{Queries: []*QueryInfo{}}, nil
	}
	offset := 0
	if in.NextToken != nil {
		parts, ok := decodeToken(*in.NextToken, 2)
		n, err := 0, error(nil)
		if ok {
			n, err = strconv.Atoi(parts[1])
		}
		if !ok || err != nil || parts[0] != "dq" || n < 0 {
			return nil, errInvalidNextToken()
		}
		offset = n
	}
	limit := 1000
	if in.MaxResults != nil {
		limit = int(*in.MaxResults)
	}
	var matched []*insightsQuery
	for _, q := range s.queries.list(c, s.now()) {
		if in.Status != nil && q.status != *in.Status {
			continue
		}
		if in.LogGroupName != nil && !slices.Contains(q.groups, *in.LogGroupName) {
			continue
		}
		matched = append(matched, q)
	}
	out := &DescribeQueriesOutput{Queries: []*QueryInfo{}}
	if offset > len(matched) {
		offset = len(matched)
	}
	matched = matched[offset:]
	if len(matched) > limit {
		matched = matched[:limit]
		out.NextToken = ptr(encodeToken("dq", strconv.Itoa(offset+limit)))
	}
	for _, q := range matched {
		out.Queries = append(out.Queries, &QueryInfo{
			QueryLanguage: ptr(queryLanguageCWLI),
			QueryID:       ptr(q.id),
			QueryString:   ptr(q.queryString),
			Status:        ptr(q.status),
			CreateTime:    ptr(q.createTime),
			LogGroupName:  ptr(q.groups[0]),
			QueryDuration: ptr(q.duration),
			BytesScanned:  q.stats.BytesScanned,
		})
	}
	return out, nil
}
