package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
	"github.com/overcast/overcast/internal/timer"
)

// timerReplay is the timer kind that runs replays.
const timerReplay = "events.replay"

// archiveDoc is the stored document of an archive.
type archiveDoc struct {
	Source           string `json:"source"`
	Description      string `json:"description,omitempty"`
	EventPattern     string `json:"pattern,omitempty"`
	RetentionDays    int32  `json:"retention,omitempty"`
	KmsKeyIdentifier string `json:"kms,omitempty"`
}

// replayDoc is the stored document of a replay.
type replayDoc struct {
	Description  string   `json:"description,omitempty"`
	Archive      string   `json:"archive"`
	ArchiveARN   string   `json:"archiveArn"`
	Destination  string   `json:"dest"`
	FilterARNs   []string `json:"filters,omitempty"`
	EventStart   int64    `json:"from"`
	EventEnd     int64    `json:"to"`
	State        string   `json:"state"`
	StateReason  string   `json:"reason,omitempty"`
	ReplayStart  int64    `json:"started"`
	ReplayEnd    int64    `json:"ended,omitempty"`
	LastReplayed int64    `json:"last,omitempty"`
}

var archiveNamePattern = protocol.NewLazyRegexp(`^[\.\-_A-Za-z0-9]{1,48}$`)

func archiveARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:archive/%s", region, account, name)
}

func replayARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:replay/%s", region, account, name)
}

func errArchiveNotFound(name string) error {
	return NewResourceNotFoundException(fmt.Sprintf("Archive %s does not exist.", name))
}

// archive stores event in every archive of bus b whose pattern it matches, keyed by the
// event's time so that replays read a time window in order.
func (s *Service) archive(ctx context.Context, tx *store.Tx, k busKey, b *busState, event []byte) error {
	if len(b.archives) == 0 {
		return nil
	}
	var ev struct {
		ID   string `json:"id"`
		Time string `json:"time"`
	}
	_ = json.Unmarshal(event, &ev)
	t, err := time.Parse(time.RFC3339, ev.Time)
	if err != nil {
		t = s.now()
	}
	now := s.now().UnixMilli()
	for _, a := range b.archives {
		if a.pattern != nil {
			if ok, err := a.pattern.Matches(event); err != nil || !ok {
				continue
			}
		}
		if err := tx.EventsResourcePut(ctx, &store.Resource{Account: k.account, Region: k.region, Kind: "archived", Parent: a.name,
			Name: fmt.Sprintf("%015d-%s", t.UnixMilli(), ev.ID), Doc: string(event), CreatedAt: now, ModifiedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

func getArchive(ctx context.Context, tx *store.Tx, account, region, name string) (*store.Resource, *archiveDoc, error) {
	r, err := tx.EventsResourceGet(ctx, account, region, "archive", "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errArchiveNotFound(name)
	case err != nil:
		return nil, nil, err
	}
	var d archiveDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode archive %s: %w", name, err)
	}
	return r, &d, nil
}

// retained reports whether an event archived at createdAt (unix ms) is still kept by an
// archive with retentionDays (0 keeps events for ever). Expired events are skipped
// rather than deleted.
func retained(createdAt int64, retentionDays int32, now time.Time) bool {
	return retentionDays <= 0 || now.Sub(time.UnixMilli(createdAt)) < time.Duration(retentionDays)*24*time.Hour
}

// archiveStats counts the retained events of an archive and their size.
func (s *Service) archiveStats(ctx context.Context, tx *store.Tx, account, region, name string, retentionDays int32) (count, size int64, err error) {
	rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: account, Region: region, Kind: "archived", Parent: &name})
	now := s.now()
	for _, r := range rows {
		if retained(r.CreatedAt, retentionDays, now) {
			count++
			size += int64(len(r.Doc))
		}
	}
	return count, size, err
}

// CreateArchive creates an archive of the events of a bus.
func (s *Service) CreateArchive(ctx context.Context, in *CreateArchiveInput) (*CreateArchiveOutput, error) {
	c := callOf(ctx)
	name := *in.ArchiveName
	if !archiveNamePattern.MatchString(name) {
		return nil, NewValidationException(fmt.Sprintf("Archive name %s is not valid.", name))
	}
	if in.EventPattern != nil {
		if _, err := pattern.ParseEventPattern([]byte(*in.EventPattern)); err != nil {
			return nil, patternError(err)
		}
	}
	if !strings.Contains(*in.EventSourceARN, ":event-bus/") {
		return nil, NewValidationException("Parameter EventSourceArn is not valid.")
	}
	k := busRef(ctx, in.EventSourceARN)
	d := archiveDoc{Source: k.arn(), Description: deref(in.Description), EventPattern: deref(in.EventPattern), KmsKeyIdentifier: deref(in.KmsKeyIdentifier)}
	if in.RetentionDays != nil {
		d.RetentionDays = *in.RetentionDays
	}
	doc, _ := json.Marshal(d)
	now := s.now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, _, err := getBus(ctx, tx, k); err != nil {
			return err
		}
		err := tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: "archive", Name: name, Ref: k.arn(),
			Doc: string(doc), CreatedAt: now.UnixMilli(), ModifiedAt: now.UnixMilli()})
		if errors.Is(err, store.ErrConflict) {
			return NewResourceAlreadyExistsException(fmt.Sprintf("Archive %s already exists.", name))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, k)
	return &CreateArchiveOutput{ArchiveARN: ptr(archiveARN(c.Account, c.Region, name)), State: ptr("ENABLED"), CreationTime: &now}, nil
}

// DescribeArchive describes an archive.
func (s *Service) DescribeArchive(ctx context.Context, in *DescribeArchiveInput) (*DescribeArchiveOutput, error) {
	c := callOf(ctx)
	var out *DescribeArchiveOutput
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, d, err := getArchive(ctx, tx, c.Account, c.Region, *in.ArchiveName)
		if err != nil {
			return err
		}
		n, size, err := s.archiveStats(ctx, tx, c.Account, c.Region, r.Name, d.RetentionDays)
		out = &DescribeArchiveOutput{ArchiveARN: ptr(archiveARN(c.Account, c.Region, r.Name)), ArchiveName: ptr(r.Name),
			EventSourceARN: ptr(d.Source), Description: optional(d.Description), EventPattern: optional(d.EventPattern),
			State: ptr("ENABLED"), KmsKeyIdentifier: optional(d.KmsKeyIdentifier), RetentionDays: ptr(d.RetentionDays),
			SizeBytes: &size, EventCount: &n, CreationTime: msTime(r.CreatedAt)}
		return err
	})
	return out, err
}

// UpdateArchive changes an archive's description, pattern and retention.
func (s *Service) UpdateArchive(ctx context.Context, in *UpdateArchiveInput) (*UpdateArchiveOutput, error) {
	c := callOf(ctx)
	if in.EventPattern != nil {
		if _, err := pattern.ParseEventPattern([]byte(*in.EventPattern)); err != nil {
			return nil, patternError(err)
		}
	}
	var out *UpdateArchiveOutput
	var source string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getArchive(ctx, tx, c.Account, c.Region, *in.ArchiveName)
		if err != nil {
			return err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.EventPattern != nil {
			d.EventPattern = *in.EventPattern
		}
		if in.RetentionDays != nil {
			d.RetentionDays = *in.RetentionDays
		}
		if in.KmsKeyIdentifier != nil {
			d.KmsKeyIdentifier = *in.KmsKeyIdentifier
		}
		source = d.Source
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), s.now().UnixMilli()
		out = &UpdateArchiveOutput{ArchiveARN: ptr(archiveARN(c.Account, c.Region, r.Name)), State: ptr("ENABLED"), CreationTime: msTime(r.CreatedAt)}
		return tx.EventsResourcePut(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, busRef(ctx, &source))
	return out, nil
}

// DeleteArchive deletes an archive and its events.
func (s *Service) DeleteArchive(ctx context.Context, in *DeleteArchiveInput) (*DeleteArchiveOutput, error) {
	c := callOf(ctx)
	var source string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, d, err := getArchive(ctx, tx, c.Account, c.Region, *in.ArchiveName)
		if err != nil {
			return err
		}
		source = d.Source
		if _, err := tx.EventsResourceDelete(ctx, c.Account, c.Region, "archive", "", *in.ArchiveName); err != nil {
			return err
		}
		_, err = tx.EventsResourceDeleteChildren(ctx, c.Account, c.Region, "archived", *in.ArchiveName)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.invalidate(ctx, busRef(ctx, &source))
	return &DeleteArchiveOutput{}, nil
}

// ListArchives lists archives by name prefix, source bus and state.
func (s *Service) ListArchives(ctx context.Context, in *ListArchivesInput) (*ListArchivesOutput, error) {
	c := callOf(ctx)
	if in.State != nil && *in.State != "ENABLED" {
		return &ListArchivesOutput{Archives: []*Archive{}}, nil
	}
	var archives []*Archive
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		p := &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "archive", Prefix: deref(in.NamePrefix)}
		if in.EventSourceARN != nil {
			k := busRef(ctx, in.EventSourceARN)
			if _, _, err := getBus(ctx, tx, k); err != nil {
				return err
			}
			p.Ref = k.arn()
		}
		rows, err := tx.EventsResourceList(ctx, p)
		if err != nil {
			return err
		}
		for _, r := range rows {
			var d archiveDoc
			_ = json.Unmarshal([]byte(r.Doc), &d)
			n, size, err := s.archiveStats(ctx, tx, c.Account, c.Region, r.Name, d.RetentionDays)
			if err != nil {
				return err
			}
			archives = append(archives, &Archive{ArchiveName: ptr(r.Name), EventSourceARN: ptr(d.Source), State: ptr("ENABLED"),
				RetentionDays: ptr(d.RetentionDays), SizeBytes: &size, EventCount: &n, CreationTime: msTime(r.CreatedAt)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(archives, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListArchivesOutput{Archives: page, NextToken: next}, nil
}

// StartReplay starts replaying the archived events of a time window to their bus. The
// replay runs from a timer, so it is STARTING when StartReplay answers.
func (s *Service) StartReplay(ctx context.Context, in *StartReplayInput) (*StartReplayOutput, error) {
	c := callOf(ctx)
	name := *in.ReplayName
	if !archiveNamePattern.MatchString(name) {
		return nil, NewValidationException(fmt.Sprintf("Replay name %s is not valid.", name))
	}
	if !in.EventEndTime.After(*in.EventStartTime) {
		return nil, NewValidationException("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	parts := strings.SplitN(*in.EventSourceARN, ":", 6)
	if len(parts) < 6 || !strings.HasPrefix(parts[5], "archive/") {
		return nil, NewValidationException("Parameter EventSourceArn is not valid.")
	}
	archive := strings.TrimPrefix(parts[5], "archive/")
	now := s.now()
	d := replayDoc{Description: deref(in.Description), Archive: archive, ArchiveARN: *in.EventSourceARN, Destination: *in.Destination.ARN,
		FilterARNs: in.Destination.FilterARNs, EventStart: in.EventStartTime.UnixMilli(), EventEnd: in.EventEndTime.UnixMilli(),
		State: "STARTING", ReplayStart: now.UnixMilli()}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, a, err := getArchive(ctx, tx, c.Account, c.Region, archive)
		if isNotFound(err) {
			return NewValidationException(fmt.Sprintf("Parameter EventSourceArn is not valid. Reason: Archive %s does not exist.", archive))
		}
		if err != nil {
			return err
		}
		dest := busRef(ctx, in.Destination.ARN)
		if _, _, err := getBus(ctx, tx, dest); err != nil {
			return err
		}
		if dest.arn() != a.Source {
			return NewValidationException("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
		}
		doc, _ := json.Marshal(d)
		err = tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: "replay", Name: name,
			Ref: *in.EventSourceARN, Doc: string(doc), CreatedAt: now.UnixMilli(), ModifiedAt: now.UnixMilli()})
		if errors.Is(err, store.ErrConflict) {
			return NewResourceAlreadyExistsException(fmt.Sprintf("Replay %s already exists.", name))
		}
		if err != nil {
			return err
		}
		key, _ := json.Marshal([3]string{c.Account, c.Region, name})
		return s.timers.Schedule(ctx, tx, timer.Timer{Kind: timerReplay, Key: replayARN(c.Account, c.Region, name), DueAt: now, Payload: key})
	})
	if err != nil {
		return nil, err
	}
	return &StartReplayOutput{ReplayARN: ptr(replayARN(c.Account, c.Region, name)), State: ptr("STARTING"), ReplayStartTime: &now}, nil
}

// fireReplay runs a replay: every archived event of its window, in time order, is routed
// again on the destination bus (to the FilterArns rules only, when given) with a
// "replay-name" field, and the replay is COMPLETED.
func (s *Service) fireReplay(ctx context.Context, tx *store.Tx, t *timer.Timer) (time.Time, error) {
	var key [3]string
	if err := json.Unmarshal(t.Payload, &key); err != nil {
		return time.Time{}, nil
	}
	account, region, name := key[0], key[1], key[2]
	r, err := tx.EventsResourceGet(ctx, account, region, "replay", "", name)
	if err != nil {
		return time.Time{}, nil
	}
	var d replayDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil || d.State != "STARTING" {
		return time.Time{}, nil
	}
	after := fmt.Sprintf("%015d", d.EventStart-1)
	rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: account, Region: region, Kind: "archived", Parent: &d.Archive, After: after + "~"})
	if err != nil {
		return time.Time{}, err
	}
	retention := int32(0)
	if ar, err := tx.EventsResourceGet(ctx, account, region, "archive", "", d.Archive); err == nil {
		var a archiveDoc
		if json.Unmarshal([]byte(ar.Doc), &a) == nil {
			retention = a.RetentionDays
		}
	}
	now := s.now()
	only := map[string]bool{}
	for _, a := range d.FilterARNs {
		only[a] = true
	}
	dest := busRef(protocolCall(ctx, account, region), &d.Destination)
	suffix, _ := json.Marshal(name)
	for _, row := range rows {
		var ms int64
		if _, err := fmt.Sscanf(row.Name[:15], "%d", &ms); err != nil || ms < d.EventStart {
			continue
		}
		if ms >= d.EventEnd {
			break
		}
		if !retained(row.CreatedAt, retention, now) {
			continue
		}
		ev := strings.TrimSuffix(strings.TrimSpace(row.Doc), "}") + `,"replay-name":` + string(suffix) + "}"
		if err := s.routeWith(ctx, tx, dest, []byte(ev), only); err != nil {
			return time.Time{}, err
		}
		d.LastReplayed = ms
	}
	d.State, d.ReplayEnd = "COMPLETED", s.now().UnixMilli()
	doc, _ := json.Marshal(d)
	r.Doc, r.ModifiedAt = string(doc), d.ReplayEnd
	return time.Time{}, tx.EventsResourcePut(ctx, r)
}

func replayOutput(account, region, name string, d *replayDoc) *DescribeReplayOutput {
	return &DescribeReplayOutput{ReplayName: ptr(name), ReplayARN: ptr(replayARN(account, region, name)), Description: optional(d.Description),
		State: ptr(d.State), StateReason: optional(d.StateReason), EventSourceARN: ptr(d.ArchiveARN),
		Destination:    &ReplayDestination{ARN: ptr(d.Destination), FilterARNs: d.FilterARNs},
		EventStartTime: msTime(d.EventStart), EventEndTime: msTime(d.EventEnd), EventLastReplayedTime: msTime(d.LastReplayed),
		ReplayStartTime: msTime(d.ReplayStart), ReplayEndTime: msTime(d.ReplayEnd)}
}

func getReplay(ctx context.Context, tx *store.Tx, account, region, name string) (*store.Resource, *replayDoc, error) {
	r, err := tx.EventsResourceGet(ctx, account, region, "replay", "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, NewResourceNotFoundException(fmt.Sprintf("Replay %s does not exist.", name))
	case err != nil:
		return nil, nil, err
	}
	var d replayDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode replay %s: %w", name, err)
	}
	return r, &d, nil
}

// DescribeReplay describes a replay.
func (s *Service) DescribeReplay(ctx context.Context, in *DescribeReplayInput) (*DescribeReplayOutput, error) {
	c := callOf(ctx)
	var out *DescribeReplayOutput
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		_, d, err := getReplay(ctx, tx, c.Account, c.Region, *in.ReplayName)
		if err == nil {
			out = replayOutput(c.Account, c.Region, *in.ReplayName, d)
		}
		return err
	})
	return out, err
}

// ListReplays lists replays by name prefix, state and archive.
func (s *Service) ListReplays(ctx context.Context, in *ListReplaysInput) (*ListReplaysOutput, error) {
	c := callOf(ctx)
	var replays []*Replay
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "replay",
			Prefix: deref(in.NamePrefix), Ref: deref(in.EventSourceARN)})
		for _, r := range rows {
			var d replayDoc
			if json.Unmarshal([]byte(r.Doc), &d) != nil || (in.State != nil && *in.State != d.State) {
				continue
			}
			o := replayOutput(c.Account, c.Region, r.Name, &d)
			replays = append(replays, &Replay{ReplayName: o.ReplayName, EventSourceARN: o.EventSourceARN, State: o.State, StateReason: o.StateReason,
				EventStartTime: o.EventStartTime, EventEndTime: o.EventEndTime, EventLastReplayedTime: o.EventLastReplayedTime,
				ReplayStartTime: o.ReplayStartTime, ReplayEndTime: o.ReplayEndTime})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(replays, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListReplaysOutput{Replays: page, NextToken: next}, nil
}

// CancelReplay cancels a replay that has not finished.
func (s *Service) CancelReplay(ctx context.Context, in *CancelReplayInput) (*CancelReplayOutput, error) {
	c := callOf(ctx)
	name := *in.ReplayName
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getReplay(ctx, tx, c.Account, c.Region, name)
		if err != nil {
			return err
		}
		if d.State != "STARTING" && d.State != "RUNNING" {
			return NewIllegalStatusException(fmt.Sprintf("Replay %s is not in a valid state for this operation.", name))
		}
		d.State, d.StateReason, d.ReplayEnd = "CANCELLED", "Cancelled by user", s.now().UnixMilli()
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), d.ReplayEnd
		if err := tx.EventsResourcePut(ctx, r); err != nil {
			return err
		}
		_, err = s.timers.Cancel(ctx, tx, timerReplay, replayARN(c.Account, c.Region, name))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CancelReplayOutput{ReplayARN: ptr(replayARN(c.Account, c.Region, name)), State: ptr("CANCELLING")}, nil
}
