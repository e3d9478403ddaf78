package logs

import (
	"context"

	"github.com/overcast/overcast/internal/protocol"
)

// addGroupResources fills in what DescribeLogGroups reports of the resources beside each
// group: metricFilterCount, and dataProtectionStatus for groups with a data protection
// policy.
func (s *Service) addGroupResources(ctx context.Context, c *protocol.Call, groups []*LogGroup) error {
	byName := make(map[string]*LogGroup, len(groups))
	for _, g := range groups {
		byName[*g.LogGroupName] = g
	}
	filters, err := s.listResources(ctx, c, kindMetricFilter, nil, "", "", 0)
	if err != nil {
		return err
	}
	for _, r := range filters {
		if g, ok := byName[r.Parent]; ok {
			*g.MetricFilterCount++
		}
	}
	policies, err := s.listResources(ctx, c, kindDataProtectionPolicy, nil, "", "", 0)
	if err != nil {
		return err
	}
	for _, r := range policies {
		if g, ok := byName[r.Parent]; ok {
			g.DataProtectionStatus = ptr(DataProtectionStatusACTIVATED)
		}
	}
	return nil
}
