package logs

import (
	"context"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// ListLogGroups lists log groups in byte order of name: those whose name matches
// logGroupNamePattern (up to five alternatives joined by "|", each a case-sensitive
// substring, or a prefix when it starts with "^"; the model checks its form), of one
// class, with the tags of logGroupTags, with limit (default 50) and nextToken. Linked accounts
// are not served, so accountIdentifiers and includeLinkedAccounts change nothing.
func (s *Service) ListLogGroups(ctx context.Context, in *ListLogGroupsInput) (*ListLogGroupsOutput, error) {
	c := callOf(ctx)
	var alts []string
	if in.LogGroupNamePattern != nil && *in.LogGroupNamePattern != "" {
		alts = strings.Split(*in.LogGroupNamePattern, "|")
	}
	p := &store.LogsGroupListParams{Account: c.Account, Region: c.Region, Limit: 500}
	if in.LogGroupClass != nil {
		p.Class = *in.LogGroupClass
	}
	if in.NextToken != nil {
		parts, ok := decodeToken(*in.NextToken, 2)
		if !ok || parts[0] != "lg" {
			return nil, errInvalidNextToken()
		}
		p.After = parts[1]
	}
	limit := defaultDescribeLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	out := &ListLogGroupsOutput{LogGroups: []*LogGroupSummary{}}
	for {
		groups, err := s.db.LogsGroupList(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			if alts != nil && !matchesGroupPattern(g.Name, alts) {
				continue
			}
			if !groupHasTags(g, in.LogGroupTags) {
				continue
			}
			if len(out.LogGroups) == limit {
				out.NextToken = ptr(encodeToken("lg", *out.LogGroups[limit-1].LogGroupName))
				return out, nil
			}
			out.LogGroups = append(out.LogGroups, &LogGroupSummary{
				LogGroupName:  ptr(g.Name),
				LogGroupARN:   ptr(GroupARN(c.Region, c.Account, g.Name)),
				LogGroupClass: ptr(g.Class),
			})
		}
		if len(groups) < p.Limit {
			return out, nil
		}
		p.After = groups[len(groups)-1].Name
	}
}

// groupHasTags reports whether g has every tag key of filters, with one of its values
// when values are given.
func groupHasTags(g *store.LogsGroup, filters []*TagFilter) bool {
	if len(filters) == 0 {
		return true
	}
	tags := decodeTags(g.Tags)
	for _, f := range filters {
		v, ok := tags[*f.Key]
		if !ok {
			return false
		}
		if len(f.Values) > 0 && !slices.Contains(f.Values, v) {
			return false
		}
	}
	return true
}

// matchesGroupPattern reports whether name matches one alternative of a ListLogGroups
// pattern: a prefix after "^", else a substring.
func matchesGroupPattern(name string, alts []string) bool {
	for _, a := range alts {
		if p, ok := strings.CutPrefix(a, "^"); ok {
			if strings.HasPrefix(name, p) {
				return true
			}
		} else if strings.Contains(name, a) {
			return true
		}
	}
	return false
}
