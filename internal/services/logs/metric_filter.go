package logs

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/logfilter"
	"github.com/overcast/overcast/internal/store"
)

// maxMetricFilters is how many metric filters a log group may have (AWS's quota).
const maxMetricFilters = 100

// metricFilterDoc is the stored document of a metric filter.
type metricFilterDoc struct {
	FilterPattern             string                  `json:"filterPattern"`
	MetricTransformations     []*MetricTransformation `json:"metricTransformations"`
	ApplyOnTransformedLogs    bool                    `json:"applyOnTransformedLogs,omitempty"`
	FieldSelectionCriteria    string                  `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFieldDimensions []string                `json:"emitSystemFieldDimensions,omitempty"`
}

// compilePattern compiles a filter pattern, answering a syntax error as AWS does.
func compilePattern(src string) (*logfilter.Pattern, error) {
	p, err := logfilter.Compile(src)
	if err != nil {
		var se *logfilter.SyntaxError
		if errors.As(err, &se) {
			return nil, NewInvalidParameterException(se.Error())
		}
		return nil, err
	}
	return p, nil
}

// PutMetricFilter creates or replaces a metric filter of a log group. The filter is
// stored and described; Overcast does not publish its metrics (CloudWatch metrics are
// not served).
func (s *Service) PutMetricFilter(ctx context.Context, in *PutMetricFilterInput) (*PutMetricFilterOutput, error) {
	c := callOf(ctx)
	if _, err := compilePattern(*in.FilterPattern); err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	doc, err := encodeDoc(&metricFilterDoc{
		FilterPattern:             *in.FilterPattern,
		MetricTransformations:     in.MetricTransformations,
		ApplyOnTransformedLogs:    in.ApplyOnTransformedLogs != nil && *in.ApplyOnTransformedLogs,
		FieldSelectionCriteria:    deref(in.FieldSelectionCriteria),
		EmitSystemFieldDimensions: in.EmitSystemFieldDimensions,
	})
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		parent := g.Name
		existing, err := tx.LogsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindMetricFilter, Parent: &parent})
		if err != nil {
			return err
		}
		created := now
		found := false
		for _, r := range existing {
			if r.Name == *in.FilterName {
				created, found = r.CreatedAt, true
			}
		}
		if !found && len(existing) >= maxMetricFilters {
			return NewLimitExceededException(msgLimitExceeded)
		}
		return tx.LogsResourcePut(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindMetricFilter,
			Parent: g.Name, Name: *in.FilterName, Doc: doc, CreatedAt: created, ModifiedAt: now})
	})
	if err != nil {
		return nil, apiError(err)
	}
	return &PutMetricFilterOutput{}, nil
}

// DescribeMetricFilters lists metric filters: of one log group (and filter name prefix)
// or of every group, by metric name and namespace, in byte order of group and name.
func (s *Service) DescribeMetricFilters(ctx context.Context, in *DescribeMetricFiltersInput) (*DescribeMetricFiltersOutput, error) {
	c := callOf(ctx)
	if (in.MetricName == nil) != (in.MetricNamespace == nil) {
		return nil, NewInvalidParameterException("If you specify metricName, you must also specify metricNamespace, and vice versa.")
	}
	after, err := parsePageToken(kindMetricFilter, in.NextToken)
	if err != nil {
		return nil, err
	}
	// AWS uses filterNamePrefix only together with logGroupName.
	var parent *string
	prefix := ""
	if in.LogGroupName != nil {
		if _, err := s.getGroup(ctx, c, *in.LogGroupName); err != nil {
			return nil, err
		}
		parent, prefix = in.LogGroupName, deref(in.FilterNamePrefix)
	}
	rows, err := s.listResources(ctx, c, kindMetricFilter, parent, prefix, "", 0)
	if err != nil {
		return nil, err
	}
	limit := 50
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &DescribeMetricFiltersOutput{MetricFilters: []*MetricFilter{}}
	for _, r := range rows {
		key := r.Parent + "/" + r.Name
		if after != "" && key <= after {
			continue
		}
		var d metricFilterDoc
		if err := decodeDoc(r, &d); err != nil {
			return nil, err
		}
		if in.MetricName != nil && !slices.ContainsFunc(d.MetricTransformations, func(t *MetricTransformation) bool {
			return deref(t.MetricName) == *in.MetricName && deref(t.MetricNamespace) == *in.MetricNamespace
		}) {
			continue
		}
		if len(out.MetricFilters) == limit {
			out.NextToken = ptr(pageToken(kindMetricFilter, after))
			break
		}
		after = key
		mf := &MetricFilter{
			FilterName:                ptr(r.Name),
			FilterPattern:             ptr(d.FilterPattern),
			MetricTransformations:     d.MetricTransformations,
			CreationTime:              ptr(r.CreatedAt),
			LogGroupName:              ptr(r.Parent),
			ApplyOnTransformedLogs:    ptr(d.ApplyOnTransformedLogs),
			EmitSystemFieldDimensions: d.EmitSystemFieldDimensions,
		}
		if d.FieldSelectionCriteria != "" {
			mf.FieldSelectionCriteria = ptr(d.FieldSelectionCriteria)
		}
		out.MetricFilters = append(out.MetricFilters, mf)
	}
	return out, nil
}

// DeleteMetricFilter deletes a metric filter of a log group.
func (s *Service) DeleteMetricFilter(ctx context.Context, in *DeleteMetricFilterInput) (*DeleteMetricFilterOutput, error) {
	c := callOf(ctx)
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if err := s.deleteResource(ctx, c, kindMetricFilter, g.Name, *in.FilterName, NewResourceNotFoundException(msgMetricFilterNotFound)); err != nil {
		return nil, err
	}
	return &DeleteMetricFilterOutput{}, nil
}

// TestMetricFilter applies a filter pattern to sample messages and returns those that
// match, numbered from 1 in the order given. extractedValues holds the fields a
// space-delimited pattern names ("$name", or "$N" for the Nth field of a pattern without
// names).
func (s *Service) TestMetricFilter(ctx context.Context, in *TestMetricFilterInput) (*TestMetricFilterOutput, error) {
	p, err := compilePattern(*in.FilterPattern)
	if err != nil {
		return nil, err
	}
	fields := spacedFieldNames(*in.FilterPattern)
	out := &TestMetricFilterOutput{Matches: []*MetricFilterMatchRecord{}}
	for i, msg := range in.LogEventMessages {
		if !p.Match(msg) {
			continue
		}
		out.Matches = append(out.Matches, &MetricFilterMatchRecord{
			EventNumber:     ptr(int64(i + 1)),
			EventMessage:    ptr(msg),
			ExtractedValues: extractFields(fields, msg),
		})
	}
	return out, nil
}

// spacedFieldNames returns the field names of a space-delimited pattern ("[ip, user,
// ..., status=404]"), "" for an ellipsis; nil when the pattern is not space-delimited.
// A field without a name is named by its position: "$1", "$2", ...
func spacedFieldNames(pattern string) []string {
	p := strings.TrimSpace(pattern)
	if !strings.HasPrefix(p, "[") || !strings.HasSuffix(p, "]") {
		return nil
	}
	var names []string
	for i, part := range splitTopLevel(p[1:len(p)-1], ',') {
		part = strings.TrimSpace(part)
		if part == "..." {
			names = append(names, "")
			continue
		}
		end := strings.IndexAny(part, "=!<> ")
		if end >= 0 {
			part = part[:end]
		}
		if part == "" || strings.ContainsAny(part[:1], "\"*") {
			part = strconv.Itoa(i + 1)
		}
		names = append(names, "$"+strings.TrimPrefix(part, "$"))
	}
	return names
}

// splitTopLevel splits s at sep outside double quotes and brackets.
func splitTopLevel(s string, sep byte) []string {
	var (
		parts []string
		depth int
		quote bool
		start int
	)
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == '"':
			quote = !quote
		case quote:
		case ch == '[' || ch == '(':
			depth++
		case ch == ']' || ch == ')':
			depth--
		case ch == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// extractFields maps the named fields of a space-delimited pattern to the fields of a
// matching message. An ellipsis takes as many fields as the names after it leave.
func extractFields(names []string, msg string) map[string]string {
	out := map[string]string{}
	if len(names) == 0 {
		return out
	}
	fields := messageFields(msg)
	ellipsis := slices.Index(names, "")
	for i, n := range names {
		if n == "" {
			continue
		}
		j := i
		if ellipsis >= 0 && i > ellipsis {
			j = len(fields) - (len(names) - i)
		}
		if j >= 0 && j < len(fields) {
			out[n] = fields[j]
		}
	}
	return out
}

// messageFields splits a log message as space-delimited patterns see it: at spaces,
// keeping "double-quoted" and [bracketed] fields whole, without their delimiters.
func messageFields(msg string) []string {
	var fields []string
	for i := 0; i < len(msg); {
		switch {
		case msg[i] == ' ':
			i++
		case msg[i] == '"':
			end := strings.IndexByte(msg[i+1:], '"')
			if end < 0 {
				fields = append(fields, msg[i+1:])
				return fields
			}
			fields = append(fields, msg[i+1:i+1+end])
			i += end + 2
		case msg[i] == '[':
			end := strings.IndexByte(msg[i+1:], ']')
			if end < 0 {
				fields = append(fields, msg[i+1:])
				return fields
			}
			fields = append(fields, msg[i+1:i+1+end])
			i += end + 2
		default:
			end := strings.IndexByte(msg[i:], ' ')
			if end < 0 {
				return append(fields, msg[i:])
			}
			fields = append(fields, msg[i:i+end])
			i += end
		}
	}
	return fields
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
