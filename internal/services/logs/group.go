package logs

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// retentionDays are the values PutRetentionPolicy accepts.
var retentionDays = []int32{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// defaultDescribeLimit is the page size of DescribeLogGroups and DescribeLogStreams.
const defaultDescribeLimit = 50

// CreateLogGroup creates a log group. Model validation has already checked the name's
// length and characters.
func (s *Service) CreateLogGroup(ctx context.Context, in *CreateLogGroupInput) (*CreateLogGroupOutput, error) {
	c := callOf(ctx)
	name := *in.LogGroupName
	if err := checkGroupName(name); err != nil {
		return nil, err
	}
	tags, err := checkTags(in.Tags, nil)
	if err != nil {
		return nil, err
	}
	p := &store.LogsGroupCreateParams{
		Account: c.Account, Region: c.Region, Name: name, Tags: tags, Now: s.now(),
	}
	if in.KmsKeyID != nil {
		p.KMSKeyID = *in.KmsKeyID
	}
	if in.LogGroupClass != nil {
		p.Class = *in.LogGroupClass
	}
	if in.DeletionProtectionEnabled != nil {
		p.DeletionProtection = *in.DeletionProtectionEnabled
	}
	_, err = s.db.LogsGroupCreate(ctx, p)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceAlreadyExistsException(msgGroupExists)
	case err != nil:
		return nil, err
	}
	return &CreateLogGroupOutput{}, nil
}

// DeleteLogGroup deletes a log group with all its streams and events.
func (s *Service) DeleteLogGroup(ctx context.Context, in *DeleteLogGroupInput) (*DeleteLogGroupOutput, error) {
	c := callOf(ctx)
	g, err := s.getGroup(ctx, c, *in.LogGroupName)
	if err != nil {
		return nil, err
	}
	if g.DeletionProtection {
		return nil, NewValidationException(msgDeletionProtected)
	}
	err = s.db.LogsGroupDelete(ctx, g.ID)
	// Its subscription filters went with it (and a group of the same name starts
	// without any).
	s.subs.forget(groupKey{c.Account, c.Region, g.Name})
	if err != nil {
		return nil, groupErr(err, "delete log group")
	}
	s.streams.forgetGroup(c.Account, c.Region, g.Name)
	return &DeleteLogGroupOutput{}, nil
}

// DescribeLogGroups lists the caller's log groups in byte order of name.
func (s *Service) DescribeLogGroups(ctx context.Context, in *DescribeLogGroupsInput) (*DescribeLogGroupsOutput, error) {
	c := callOf(ctx)
	p := &store.LogsGroupListParams{Account: c.Account, Region: c.Region}
	if in.LogGroupNamePrefix != nil && in.LogGroupNamePattern != nil {
		return nil, NewInvalidParameterException(msgPrefixAndPattern)
	}
	if len(in.LogGroupIdentifiers) > 0 && (in.LogGroupNamePrefix != nil || in.LogGroupNamePattern != nil) {
		return nil, NewInvalidParameterException(msgIdentifiersFilters)
	}
	if in.LogGroupNamePrefix != nil {
		p.Prefix = *in.LogGroupNamePrefix
	}
	patternOnly := false
	if in.LogGroupNamePattern != nil && *in.LogGroupNamePattern != "" {
		p.Contains = *in.LogGroupNamePattern
		patternOnly = true
	}
	for _, id := range in.LogGroupIdentifiers {
		name, err := groupName(c, nil, &id)
		if err != nil {
			// An ARN of another account or region names nothing here.
			continue
		}
		p.Names = append(p.Names, name)
	}
	if len(in.LogGroupIdentifiers) > 0 && len(p.Names) == 0 {
		return &DescribeLogGroupsOutput{LogGroups: []*LogGroup{}}, nil
	}
	if in.LogGroupClass != nil {
		p.Class = *in.LogGroupClass
	}
	if in.NextToken != nil {
		parts, ok := decodeToken(*in.NextToken, 2)
		if !ok || parts[0] != "g" {
			return nil, errInvalidNextToken()
		}
		p.After = parts[1]
	}
	limit := defaultDescribeLimit
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	p.Limit = limit + 1
	groups, err := s.db.LogsGroupList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &DescribeLogGroupsOutput{LogGroups: make([]*LogGroup, 0, min(len(groups), limit))}
	for i, g := range groups {
		if i == limit {
			tok := encodeToken("g", groups[i-1].Name)
			out.NextToken = &tok
			break
		}
		out.LogGroups = append(out.LogGroups, wireGroup(g, patternOnly))
	}
	if len(out.LogGroups) > 0 {
		if err := s.addGroupResources(ctx, c, out.LogGroups); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// wireGroup renders a log group as DescribeLogGroups does. With a name pattern AWS
// leaves out storedBytes and deletionProtectionEnabled.
func wireGroup(g *store.LogsGroup, patternOnly bool) *LogGroup {
	arn := GroupARN(g.Region, g.Account, g.Name)
	w := &LogGroup{
		LogGroupName:      ptr(g.Name),
		CreationTime:      ptr(g.CreatedAt),
		ARN:               ptr(arn + ":*"),
		LogGroupARN:       ptr(arn),
		LogGroupClass:     ptr(g.Class),
		MetricFilterCount: ptr(int32(0)),
	}
	if !patternOnly {
		w.StoredBytes = ptr(g.StoredBytes)
		w.DeletionProtectionEnabled = ptr(g.DeletionProtection)
	}
	if g.RetentionDays > 0 {
		w.RetentionInDays = ptr(g.RetentionDays)
	}
	if g.KMSKeyID != "" {
		w.KmsKeyID = ptr(g.KMSKeyID)
	}
	return w
}

// PutRetentionPolicy sets how long the log group keeps its events. Events past it stop
// being returned at once and are deleted by the next sweep.
func (s *Service) PutRetentionPolicy(ctx context.Context, in *PutRetentionPolicyInput) (*PutRetentionPolicyOutput, error) {
	days := *in.RetentionInDays
	if !slices.Contains(retentionDays, days) {
		return nil, errConstraint(fmt.Sprint(days), "retentionInDays", "Member must satisfy enum value set: "+formatInts(retentionDays))
	}
	if err := s.modifyGroup(ctx, *in.LogGroupName, func(g *store.LogsGroup) error {
		g.RetentionDays = days
		return nil
	}); err != nil {
		return nil, err
	}
	return &PutRetentionPolicyOutput{}, nil
}

// DeleteRetentionPolicy makes the log group keep its events for ever.
func (s *Service) DeleteRetentionPolicy(ctx context.Context, in *DeleteRetentionPolicyInput) (*DeleteRetentionPolicyOutput, error) {
	if err := s.modifyGroup(ctx, *in.LogGroupName, func(g *store.LogsGroup) error {
		g.RetentionDays = 0
		return nil
	}); err != nil {
		return nil, err
	}
	return &DeleteRetentionPolicyOutput{}, nil
}

// PutLogGroupDeletionProtection turns the log group's deletion protection on or off.
func (s *Service) PutLogGroupDeletionProtection(ctx context.Context, in *PutLogGroupDeletionProtectionInput) (*PutLogGroupDeletionProtectionOutput, error) {
	name, err := groupName(callOf(ctx), nil, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if err := s.modifyGroup(ctx, name, func(g *store.LogsGroup) error {
		g.DeletionProtection = *in.DeletionProtectionEnabled
		return nil
	}); err != nil {
		return nil, err
	}
	return &PutLogGroupDeletionProtectionOutput{}, nil
}

// modifyGroup applies fn to the caller's log group name.
func (s *Service) modifyGroup(ctx context.Context, name string, fn func(g *store.LogsGroup) error) error {
	g, err := s.getGroup(ctx, callOf(ctx), name)
	if err != nil {
		return err
	}
	if _, err := s.db.LogsGroupModify(ctx, g.ID, fn); err != nil {
		var perr *protocol.Error
		if errors.As(err, &perr) {
			return perr
		}
		return groupErr(err, "modify log group")
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
