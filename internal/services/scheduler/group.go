package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// groupDoc is the stored document of a schedule group.
type groupDoc struct {
	Tags map[string]string `json:"tags,omitempty"`
}

var namePattern = regexp.MustCompile(`^[0-9a-zA-Z-_.]{1,64}$`)

func groupARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:scheduler:%s:%s:schedule-group/%s", region, account, name)
}

func groupOf(p *string) string {
	if p == nil || *p == "" {
		return defaultGroup
	}
	return *p
}

// getGroup reads a group; the default group always exists.
func getGroup(ctx context.Context, tx *store.Tx, account, region, name string) (*store.Resource, error) {
	r, err := tx.SchedulerResourceGet(ctx, account, region, "group", "", name)
	switch {
	case errors.Is(err, store.ErrNotFound) && name == defaultGroup:
		return &store.Resource{Account: account, Region: region, Kind: "group", Name: name, Doc: "{}"}, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, NewResourceNotFoundException(fmt.Sprintf("Schedule group %s does not exist.", name))
	}
	return r, err
}

// CreateScheduleGroup creates a schedule group.
func (s *Service) CreateScheduleGroup(ctx context.Context, in *CreateScheduleGroupInput) (*CreateScheduleGroupOutput, error) {
	c := callOf(ctx)
	name := *in.Name
	if !namePattern.MatchString(name) {
		return nil, NewValidationException(fmt.Sprintf("Invalid schedule group name %s.", name))
	}
	d := groupDoc{Tags: map[string]string{}}
	for _, t := range in.Tags {
		d.Tags[*t.Key] = *t.Value
	}
	doc, _ := json.Marshal(d)
	now := s.now().UnixMilli()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if name == defaultGroup {
			return store.ErrConflict
		}
		return tx.SchedulerResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: "group", Name: name,
			Doc: string(doc), CreatedAt: now, ModifiedAt: now})
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewConflictException(fmt.Sprintf("Schedule group %s already exists.", name))
	case err != nil:
		return nil, fmt.Errorf("create schedule group %s: %w", name, err)
	}
	return &CreateScheduleGroupOutput{ScheduleGroupARN: ptr(groupARN(c.Account, c.Region, name))}, nil
}

// GetScheduleGroup describes a schedule group.
func (s *Service) GetScheduleGroup(ctx context.Context, in *GetScheduleGroupInput) (*GetScheduleGroupOutput, error) {
	c := callOf(ctx)
	var r *store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = getGroup(ctx, tx, c.Account, c.Region, *in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetScheduleGroupOutput{ARN: ptr(groupARN(c.Account, c.Region, r.Name)), Name: ptr(r.Name), State: ptr("ACTIVE"),
		CreationDate: msTime(r.CreatedAt), LastModificationDate: msTime(r.ModifiedAt)}, nil
}

// DeleteScheduleGroup deletes a group and its schedules.
func (s *Service) DeleteScheduleGroup(ctx context.Context, in *DeleteScheduleGroupInput) (*DeleteScheduleGroupOutput, error) {
	c := callOf(ctx)
	name := *in.Name
	if name == defaultGroup {
		return nil, NewValidationException("Cannot delete default group.")
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		found, err := tx.SchedulerResourceDelete(ctx, c.Account, c.Region, "group", "", name)
		if err != nil {
			return err
		}
		if !found {
			return NewResourceNotFoundException(fmt.Sprintf("Schedule group %s does not exist.", name))
		}
		rows, err := tx.SchedulerResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "schedule", Parent: &name})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := s.timers.Cancel(ctx, tx, timerKind, scheduleARN(c.Account, c.Region, name, r.Name)); err != nil {
				return err
			}
		}
		_, err = tx.SchedulerResourceDeleteChildren(ctx, c.Account, c.Region, "schedule", name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteScheduleGroupOutput{}, nil
}

// ListScheduleGroups lists the default group and the custom groups.
func (s *Service) ListScheduleGroups(ctx context.Context, in *ListScheduleGroupsInput) (*ListScheduleGroupsOutput, error) {
	c := callOf(ctx)
	var rows []*store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rows, err = tx.SchedulerResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "group", Prefix: deref(in.NamePrefix)})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list schedule groups: %w", err)
	}
	if strings.HasPrefix(defaultGroup, deref(in.NamePrefix)) {
		rows = append(rows, &store.Resource{Name: defaultGroup})
		sort.Slice(rows, func(i, j int) bool { return rows[i].Name < rows[j].Name })
	}
	out := []*ScheduleGroupSummary{}
	for _, r := range rows {
		out = append(out, &ScheduleGroupSummary{ARN: ptr(groupARN(c.Account, c.Region, r.Name)), Name: ptr(r.Name), State: ptr("ACTIVE"),
			CreationDate: msTime(r.CreatedAt), LastModificationDate: msTime(r.ModifiedAt)})
	}
	page, next, err := paginate(out, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListScheduleGroupsOutput{ScheduleGroups: page, NextToken: next}, nil
}

// groupByARN resolves a schedule group ARN for the tag operations.
func groupByARN(arn string) (account, region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[2] != "scheduler" || !strings.HasPrefix(parts[5], "schedule-group/") {
		return "", "", "", false
	}
	return parts[4], parts[3], strings.TrimPrefix(parts[5], "schedule-group/"), true
}

func (s *Service) groupTags(ctx context.Context, arn string, fn func(map[string]string)) (map[string]string, error) {
	account, region, name, ok := groupByARN(arn)
	if !ok {
		return nil, NewResourceNotFoundException(fmt.Sprintf("Resource %s does not exist.", arn))
	}
	var tags map[string]string
	run := func(tx *store.Tx) error {
		r, err := getGroup(ctx, tx, account, region, name)
		if err != nil {
			return err
		}
		var d groupDoc
		_ = json.Unmarshal([]byte(r.Doc), &d)
		if d.Tags == nil {
			d.Tags = map[string]string{}
		}
		tags = d.Tags
		if fn == nil {
			return nil
		}
		fn(d.Tags)
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), s.now().UnixMilli()
		if r.CreatedAt == 0 {
			r.CreatedAt = r.ModifiedAt
		}
		return tx.SchedulerResourcePut(ctx, r)
	}
	var err error
	if fn == nil {
		err = s.db.Read(ctx, run)
	} else {
		err = s.db.Write(ctx, run)
	}
	return tags, err
}

// TagResource tags a schedule group.
func (s *Service) TagResource(ctx context.Context, in *TagResourceInput) (*TagResourceOutput, error) {
	_, err := s.groupTags(ctx, *in.ResourceARN, func(m map[string]string) {
		for _, t := range in.Tags {
			m[*t.Key] = *t.Value
		}
	})
	if err != nil {
		return nil, err
	}
	return &TagResourceOutput{}, nil
}

// UntagResource removes tags from a schedule group.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceInput) (*UntagResourceOutput, error) {
	_, err := s.groupTags(ctx, *in.ResourceARN, func(m map[string]string) {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
	})
	if err != nil {
		return nil, err
	}
	return &UntagResourceOutput{}, nil
}

// ListTagsForResource lists a schedule group's tags.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	tags, err := s.groupTags(ctx, *in.ResourceARN, nil)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &ListTagsForResourceOutput{Tags: []*Tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, &Tag{Key: ptr(k), Value: ptr(tags[k])})
	}
	return out, nil
}
