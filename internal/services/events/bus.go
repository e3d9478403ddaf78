package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// busKey names one event bus.
type busKey struct{ account, region, name string }

func (k busKey) arn() string {
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", k.region, k.account, k.name)
}

// busDoc is the stored document of a custom event bus.
type busDoc struct {
	Description      string            `json:"description,omitempty"`
	KmsKeyIdentifier string            `json:"kms,omitempty"`
	DeadLetterARN    string            `json:"dlq,omitempty"`
	Policy           string            `json:"policy,omitempty"`
	Tags             map[string]string `json:"tags,omitempty"`
	// EventSource is the partner event source of a partner event bus.
	EventSource string `json:"source,omitempty"`
}

var busNamePattern = protocol.NewLazyRegexp(`^[/\.\-_A-Za-z0-9]{1,256}$`)

// busRef resolves an EventBusName member (a name or an ARN; "" is the default bus).
func busRef(ctx context.Context, name *string) busKey {
	c := callOf(ctx)
	k := busKey{account: c.Account, region: c.Region, name: defaultBus}
	if name == nil || *name == "" {
		return k
	}
	n := *name
	if strings.HasPrefix(n, "arn:") {
		parts := strings.SplitN(n, ":", 6)
		if len(parts) == 6 {
			if parts[3] != "" {
				k.region = parts[3]
			}
			if parts[4] != "" {
				k.account = parts[4]
			}
			n = strings.TrimPrefix(parts[5], "event-bus/")
		}
	}
	k.name = n
	return k
}

func errBusNotFound(k busKey) error {
	return NewResourceNotFoundException(fmt.Sprintf("Event bus %s does not exist.", k.name))
}

// getBus reads a bus; the default bus always exists.
func getBus(ctx context.Context, tx *store.Tx, k busKey) (*store.Resource, *busDoc, error) {
	r, err := tx.EventsResourceGet(ctx, k.account, k.region, "bus", "", k.name)
	switch {
	case errors.Is(err, store.ErrNotFound) && k.name == defaultBus:
		return &store.Resource{Account: k.account, Region: k.region, Kind: "bus", Name: k.name, Doc: "{}"}, &busDoc{}, nil
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errBusNotFound(k)
	case err != nil:
		return nil, nil, err
	}
	var d busDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode bus %s: %w", k.name, err)
	}
	return r, &d, nil
}

func putBus(ctx context.Context, tx *store.Tx, k busKey, r *store.Resource, d *busDoc, now time.Time) error {
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	if r.CreatedAt == 0 {
		r.CreatedAt = now.UnixMilli()
	}
	r.Doc, r.ModifiedAt = string(doc), now.UnixMilli()
	return tx.EventsResourcePut(ctx, r)
}

func msTime(ms int64) *time.Time {
	if ms == 0 {
		return nil
	}
	t := time.UnixMilli(ms).UTC()
	return &t
}

// CreateEventBus creates a custom event bus.
func (s *Service) CreateEventBus(ctx context.Context, in *CreateEventBusInput) (*CreateEventBusOutput, error) {
	c := callOf(ctx)
	k := busKey{c.Account, c.Region, *in.Name}
	if !busNamePattern.MatchString(k.name) || k.name == defaultBus {
		return nil, NewValidationException(fmt.Sprintf("Event bus name %s is not valid.", k.name))
	}
	d := &busDoc{Tags: tagMap(in.Tags), EventSource: deref(in.EventSourceName)}
	if in.Description != nil {
		d.Description = *in.Description
	}
	if in.KmsKeyIdentifier != nil {
		d.KmsKeyIdentifier = *in.KmsKeyIdentifier
	}
	if in.DeadLetterConfig != nil && in.DeadLetterConfig.ARN != nil {
		d.DeadLetterARN = *in.DeadLetterConfig.ARN
	}
	doc, _ := json.Marshal(d)
	now := s.now().UnixMilli()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if in.EventSourceName != nil {
			if err := createPartnerBus(ctx, tx, k, *in.EventSourceName); err != nil {
				return err
			}
		}
		return tx.EventsResourceInsert(ctx, &store.Resource{Account: k.account, Region: k.region, Kind: "bus", Name: k.name,
			Doc: string(doc), CreatedAt: now, ModifiedAt: now})
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceAlreadyExistsException(fmt.Sprintf("Event bus %s already exists.", k.name))
	case err != nil:
		return nil, fmt.Errorf("create event bus %s: %w", k.name, err)
	}
	arn := k.arn()
	out := &CreateEventBusOutput{EventBusARN: &arn, Description: in.Description, KmsKeyIdentifier: in.KmsKeyIdentifier,
		DeadLetterConfig: in.DeadLetterConfig}
	return out, nil
}

// DescribeEventBus describes a bus.
func (s *Service) DescribeEventBus(ctx context.Context, in *DescribeEventBusInput) (*DescribeEventBusOutput, error) {
	k := busRef(ctx, in.Name)
	var (
		r *store.Resource
		d *busDoc
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, d, err = getBus(ctx, tx, k)
		return err
	})
	if err != nil {
		return nil, err
	}
	arn := k.arn()
	out := &DescribeEventBusOutput{Name: &k.name, ARN: &arn, CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt)}
	if d.Description != "" {
		out.Description = &d.Description
	}
	if d.KmsKeyIdentifier != "" {
		out.KmsKeyIdentifier = &d.KmsKeyIdentifier
	}
	if d.Policy != "" {
		out.Policy = &d.Policy
	}
	if d.DeadLetterARN != "" {
		out.DeadLetterConfig = &DeadLetterConfig{ARN: &d.DeadLetterARN}
	}
	return out, nil
}

// UpdateEventBus changes a bus's description, KMS key and dead-letter queue.
func (s *Service) UpdateEventBus(ctx context.Context, in *UpdateEventBusInput) (*UpdateEventBusOutput, error) {
	k := busRef(ctx, in.Name)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getBus(ctx, tx, k)
		if err != nil {
			return err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.KmsKeyIdentifier != nil {
			d.KmsKeyIdentifier = *in.KmsKeyIdentifier
		}
		if in.DeadLetterConfig != nil {
			d.DeadLetterARN = deref(in.DeadLetterConfig.ARN)
		}
		return putBus(ctx, tx, k, r, d, s.now())
	})
	if err != nil {
		return nil, err
	}
	arn := k.arn()
	return &UpdateEventBusOutput{ARN: &arn, Name: &k.name, Description: in.Description, KmsKeyIdentifier: in.KmsKeyIdentifier,
		DeadLetterConfig: in.DeadLetterConfig}, nil
}

// DeleteEventBus deletes a custom bus with its rules and targets. Deleting a bus that
// does not exist succeeds, as on AWS.
func (s *Service) DeleteEventBus(ctx context.Context, in *DeleteEventBusInput) (*DeleteEventBusOutput, error) {
	k := busRef(ctx, in.Name)
	if k.name == defaultBus {
		return nil, NewValidationException("Cannot delete event bus default.")
	}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.EventsResourceDelete(ctx, k.account, k.region, "bus", "", k.name); err != nil {
			return err
		}
		if err := dropDeletedSource(ctx, tx, k); err != nil {
			return err
		}
		rules, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "rule", Parent: &k.name})
		if err != nil {
			return err
		}
		for _, r := range rules {
			if _, err := tx.EventsResourceDeleteChildren(ctx, k.account, k.region, "target", k.name+"/"+r.Name); err != nil {
				return err
			}
			if _, err := s.timers.Cancel(ctx, tx, timerRule, ruleTimerKey(k, r.Name)); err != nil {
				return err
			}
		}
		_, err = tx.EventsResourceDeleteChildren(ctx, k.account, k.region, "rule", k.name)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("delete event bus %s: %w", k.name, err)
	}
	s.invalidate(ctx, k)
	return &DeleteEventBusOutput{}, nil
}

// ListEventBuses lists the default bus and the custom buses.
func (s *Service) ListEventBuses(ctx context.Context, in *ListEventBusesInput) (*ListEventBusesOutput, error) {
	c := callOf(ctx)
	var rows []*store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rows, err = tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "bus", Prefix: deref(in.NamePrefix)})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list event buses: %w", err)
	}
	var buses []*EventBus
	hasDefault := false
	for _, r := range rows {
		hasDefault = hasDefault || r.Name == defaultBus
	}
	if !hasDefault && strings.HasPrefix(defaultBus, deref(in.NamePrefix)) {
		rows = append([]*store.Resource{{Name: defaultBus, Doc: "{}"}}, rows...)
	}
	for _, r := range rows {
		var d busDoc
		_ = json.Unmarshal([]byte(r.Doc), &d)
		k := busKey{c.Account, c.Region, r.Name}
		b := &EventBus{Name: &k.name, ARN: ptr(k.arn()), CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt)}
		if d.Description != "" {
			b.Description = ptr(d.Description)
		}
		if d.Policy != "" {
			b.Policy = ptr(d.Policy)
		}
		buses = append(buses, b)
	}
	page, next, err := paginate(buses, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListEventBusesOutput{EventBuses: page, NextToken: next}, nil
}

// PutPermission adds a statement to a bus's resource policy.
func (s *Service) PutPermission(ctx context.Context, in *PutPermissionInput) (*PutPermissionOutput, error) {
	k := busRef(ctx, in.EventBusName)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getBus(ctx, tx, k)
		if err != nil {
			return err
		}
		if in.Policy != nil {
			d.Policy = *in.Policy
			return putBus(ctx, tx, k, r, d, s.now())
		}
		if in.StatementID == nil || in.Principal == nil || in.Action == nil {
			return NewValidationException("StatementId, Principal and Action are required when Policy is not given.")
		}
		var pol policyDoc
		if d.Policy != "" {
			_ = json.Unmarshal([]byte(d.Policy), &pol)
		}
		pol.Version = "2012-10-17"
		var kept []map[string]any
		for _, st := range pol.Statement {
			if st["Sid"] != *in.StatementID {
				kept = append(kept, st)
			}
		}
		principal := any(map[string]any{"AWS": "arn:aws:iam::" + *in.Principal + ":root"})
		if *in.Principal == "*" {
			principal = "*"
		}
		st := map[string]any{"Sid": *in.StatementID, "Effect": "Allow", "Principal": principal, "Action": *in.Action, "Resource": k.arn()}
		if in.Condition != nil {
			st["Condition"] = map[string]any{"StringEquals": map[string]any{deref(in.Condition.Key): deref(in.Condition.Value)}}
		}
		pol.Statement = append(kept, st)
		b, _ := json.Marshal(pol)
		d.Policy = string(b)
		return putBus(ctx, tx, k, r, d, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &PutPermissionOutput{}, nil
}

type policyDoc struct {
	Version   string           `json:"Version"`
	Statement []map[string]any `json:"Statement"`
}

// RemovePermission removes one statement (or all) from a bus's resource policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*RemovePermissionOutput, error) {
	k := busRef(ctx, in.EventBusName)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getBus(ctx, tx, k)
		if err != nil {
			return err
		}
		if in.RemoveAllPermissions != nil && *in.RemoveAllPermissions {
			d.Policy = ""
			return putBus(ctx, tx, k, r, d, s.now())
		}
		var pol policyDoc
		if d.Policy != "" {
			_ = json.Unmarshal([]byte(d.Policy), &pol)
		}
		var kept []map[string]any
		found := false
		for _, st := range pol.Statement {
			if in.StatementID != nil && st["Sid"] == *in.StatementID {
				found = true
				continue
			}
			kept = append(kept, st)
		}
		if !found {
			return NewResourceNotFoundException("Statement with the provided id does not exist.")
		}
		pol.Statement = kept
		if len(kept) == 0 {
			d.Policy = ""
		} else {
			b, _ := json.Marshal(pol)
			d.Policy = string(b)
		}
		return putBus(ctx, tx, k, r, d, s.now())
	})
	if err != nil {
		return nil, err
	}
	return &RemovePermissionOutput{}, nil
}

// busState is a bus's enabled event-pattern rules, compiled into one matcher, with their
// targets.
type busState struct {
	// gen is the bus's generation stamp when the rules were read. loaded is when the copy
	// was last known current (read, or its stamp checked); read is when it was read.
	gen      string
	loaded   time.Time
	read     time.Time
	matcher  *pattern.Matcher[string]
	rules    map[string]*ruleState
	archives []*archiveState
}

// archiveState is an archive of a bus: it keeps the events its pattern (nil: all) matches.
type archiveState struct {
	name    string
	pattern *pattern.Pattern
}

type ruleState struct {
	arn     string
	targets []*Target
}

// invalidate forgets this node's copy of bus k's rules and stamps the bus with a new
// generation, after a change to its rules, targets or archives has committed: other nodes
// that find the stamp changed load the rules again, and the others keep their copy
// without reading every rule each cacheTTL.
func (s *Service) invalidate(ctx context.Context, k busKey) {
	s.mu.Lock()
	delete(s.buses, k)
	s.mu.Unlock()
	now := s.clock.Now().UnixMilli()
	err := s.db.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		return tx.EventsResourcePut(ctx, &store.Resource{
			Account: k.account, Region: k.region, Kind: genKind, Name: k.name,
			Doc: strconv.FormatUint(rand.Uint64(), 36), CreatedAt: now, ModifiedAt: now,
		})
	})
	if err != nil {
		// Other nodes see the change within cacheMaxAge instead.
		s.log.Warn("stamp event bus generation", "bus", k.arn(), "err", err)
	}
}

// busGen reads bus k's generation stamp, "" when it has none yet.
func busGen(ctx context.Context, tx *store.Tx, k busKey) (string, error) {
	r, err := tx.EventsResourceGet(ctx, k.account, k.region, genKind, "", k.name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	return r.Doc, nil
}

// busRules returns the compiled rules of bus k, loading them when the cached copy is
// missing or older than cacheTTL (rules changed through another node).
func (s *Service) busRules(ctx context.Context, tx *store.Tx, k busKey) (*busState, error) {
	s.mu.Lock()
	b := s.buses[k]
	s.mu.Unlock()
	// The cache's age follows the wall clock, not the service clock: it bounds how long a
	// rule changed through another node goes unseen, which a frozen virtual clock must
	// not stretch.
	if b != nil && time.Since(b.loaded) < cacheTTL {
		return b, nil
	}
	if b != nil && time.Since(b.read) < cacheMaxAge {
		// Past cacheTTL the copy is checked against the bus's generation stamp: reading
		// every rule again (thousands, inside the caller's write) only when one changed.
		gen, err := busGen(ctx, tx, k)
		if err != nil {
			return nil, err
		}
		if gen == b.gen {
			fresh := *b
			fresh.loaded = time.Now()
			s.mu.Lock()
			if s.buses[k] == b {
				s.buses[k] = &fresh
			}
			s.mu.Unlock()
			return &fresh, nil
		}
	}
	// One load per bus at a time: callers that find the copy stale together share the
	// load rather than each reading every rule (on PostgreSQL they run concurrently).
	v, err, _ := s.loads.Do(k.arn(), func() (any, error) { return s.loadBus(ctx, tx, k) })
	if err != nil {
		return nil, err
	}
	return v.(*busState), nil
}

// loadBus reads and compiles the rules and archives of bus k and caches them.
func (s *Service) loadBus(ctx context.Context, tx *store.Tx, k busKey) (*busState, error) {
	// The stamp is read first: a change stamped after this read makes the next check
	// load again, even if this load already sees it.
	gen, err := busGen(ctx, tx, k)
	if err != nil {
		return nil, err
	}
	rules, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "rule", Parent: &k.name})
	if err != nil {
		return nil, err
	}
	targets, err := loadBusTargets(ctx, tx, k)
	if err != nil {
		return nil, err
	}
	b := &busState{gen: gen, matcher: pattern.NewMatcher[string](), rules: map[string]*ruleState{}}
	for _, r := range rules {
		var d ruleDoc
		if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
			return nil, fmt.Errorf("decode rule %s: %w", r.Name, err)
		}
		if d.EventPattern == "" || d.State == "DISABLED" {
			continue
		}
		p, err := pattern.ParseEventPattern([]byte(d.EventPattern))
		if err != nil {
			continue
		}
		b.matcher.Add(r.Name, p)
		b.rules[r.Name] = &ruleState{arn: ruleARN(k, r.Name), targets: targets[r.Name]}
	}
	archives, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: k.account, Region: k.region, Kind: "archive", Ref: k.arn()})
	if err != nil {
		return nil, err
	}
	for _, r := range archives {
		var d archiveDoc
		if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
			return nil, fmt.Errorf("decode archive %s: %w", r.Name, err)
		}
		a := &archiveState{name: r.Name}
		if d.EventPattern != "" {
			if a.pattern, err = pattern.ParseEventPattern([]byte(d.EventPattern)); err != nil {
				continue
			}
		}
		b.archives = append(b.archives, a)
	}
	// The copy's age counts from the end of the load: a load slower than cacheTTL (a bus
	// with thousands of rules) must not leave a copy that is stale on arrival.
	b.loaded = time.Now()
	b.read = b.loaded
	s.mu.Lock()
	s.buses[k] = b
	s.mu.Unlock()
	return b, nil
}
