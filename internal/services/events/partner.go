package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// Partner event sources. The partner's account holds a "partner-source" row per source
// name and, under it, a "partner-account" row per customer account the source is offered
// to. Each customer account holds an "event-source" row (same region, same name) whose
// state follows its matching partner event bus: PENDING until the customer creates the
// bus (CreateEventBus with EventSourceName) or while the source is deactivated, ACTIVE
// with the bus, DELETED once the partner deleted a source whose bus still exists.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-saas.html
const (
	kindPartnerSource  = "partner-source"
	kindPartnerAccount = "partner-account"
	kindEventSource    = "event-source"
)

// eventSourceDoc is the stored document of a customer's view of a partner event source.
type eventSourceDoc struct {
	Partner        string `json:"partner"`
	PartnerAccount string `json:"partnerAccount"`
	Deactivated    bool   `json:"deactivated,omitempty"`
	Deleted        bool   `json:"deleted,omitempty"`
}

func eventSourceARN(region, name string) string {
	return fmt.Sprintf("arn:aws:events:%s::event-source/%s", region, name)
}

func errEventSourceNotFound(name string) error {
	return NewResourceNotFoundException(fmt.Sprintf("Event source %s does not exist.", name))
}

// partnerOf returns the partner name of a source name: "aws.partner/<partner>/...".
func partnerOf(name string) string {
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[1]
}

// eventSource is a customer's event source with the state its bus gives it.
type eventSource struct {
	row   *store.Resource
	doc   eventSourceDoc
	state string
}

// getEventSource reads the event source name of account in region and works out its
// state. It returns ResourceNotFoundException when there is none.
func getEventSource(ctx context.Context, tx *store.Tx, account, region, name string) (*eventSource, error) {
	r, err := tx.EventsResourceGet(ctx, account, region, kindEventSource, "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errEventSourceNotFound(name)
	case err != nil:
		return nil, err
	}
	es := &eventSource{row: r}
	if err := json.Unmarshal([]byte(r.Doc), &es.doc); err != nil {
		return nil, fmt.Errorf("decode event source %s: %w", name, err)
	}
	es.state, err = sourceState(ctx, tx, account, region, name, &es.doc)
	return es, err
}

func sourceState(ctx context.Context, tx *store.Tx, account, region, name string, d *eventSourceDoc) (string, error) {
	if d.Deleted {
		return EventSourceStateDELETED, nil
	}
	if d.Deactivated {
		return EventSourceStatePENDING, nil
	}
	_, err := tx.EventsResourceGet(ctx, account, region, "bus", "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return EventSourceStatePENDING, nil
	case err != nil:
		return "", err
	}
	return EventSourceStateACTIVE, nil
}

func putEventSource(ctx context.Context, tx *store.Tx, es *eventSource, now time.Time) error {
	doc, _ := json.Marshal(es.doc)
	es.row.Doc, es.row.ModifiedAt = string(doc), now.UnixMilli()
	return tx.EventsResourcePut(ctx, es.row)
}

// CreatePartnerEventSource offers the source Name to the customer Account, in the
// partner's region. The customer sees it in PENDING state until it creates the matching
// partner event bus.
func (s *Service) CreatePartnerEventSource(ctx context.Context, in *CreatePartnerEventSourceInput) (*CreatePartnerEventSourceOutput, error) {
	c := callOf(ctx)
	name, customer := *in.Name, *in.Account
	now := s.now()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.EventsResourceGet(ctx, c.Account, c.Region, kindPartnerAccount, name, customer)
		switch {
		case err == nil:
			return NewResourceAlreadyExistsException(fmt.Sprintf("Event source %s already exists.", name))
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		prev, err := tx.EventsResourceGet(ctx, customer, c.Region, kindEventSource, "", name)
		switch {
		case err == nil:
			var d eventSourceDoc
			if json.Unmarshal([]byte(prev.Doc), &d) == nil && !d.Deleted {
				// Another partner account offered this name to the customer already.
				return NewResourceAlreadyExistsException(fmt.Sprintf("Event source %s already exists.", name))
			}
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		ms := now.UnixMilli()
		if _, err := tx.EventsResourceGet(ctx, c.Account, c.Region, kindPartnerSource, "", name); errors.Is(err, store.ErrNotFound) {
			if err := tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindPartnerSource,
				Name: name, Doc: "{}", CreatedAt: ms, ModifiedAt: ms}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if err := tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindPartnerAccount,
			Parent: name, Name: customer, Doc: "{}", CreatedAt: ms, ModifiedAt: ms}); err != nil {
			return err
		}
		doc, _ := json.Marshal(eventSourceDoc{Partner: partnerOf(name), PartnerAccount: c.Account})
		return tx.EventsResourcePut(ctx, &store.Resource{Account: customer, Region: c.Region, Kind: kindEventSource, Name: name,
			Doc: string(doc), CreatedAt: ms, ModifiedAt: ms})
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewConcurrentModificationException(fmt.Sprintf("Event source %s is being changed.", name))
	case err != nil:
		return nil, err
	}
	return &CreatePartnerEventSourceOutput{EventSourceARN: ptr(eventSourceARN(c.Region, name))}, nil
}

// DescribePartnerEventSource describes a source the caller, a partner, created.
func (s *Service) DescribePartnerEventSource(ctx context.Context, in *DescribePartnerEventSourceInput) (*DescribePartnerEventSourceOutput, error) {
	c := callOf(ctx)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		_, err := tx.EventsResourceGet(ctx, c.Account, c.Region, kindPartnerSource, "", *in.Name)
		if errors.Is(err, store.ErrNotFound) {
			return errEventSourceNotFound(*in.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DescribePartnerEventSourceOutput{ARN: ptr(eventSourceARN(c.Region, *in.Name)), Name: in.Name}, nil
}

// ListPartnerEventSources lists the sources the caller created whose names start with
// NamePrefix.
func (s *Service) ListPartnerEventSources(ctx context.Context, in *ListPartnerEventSourcesInput) (*ListPartnerEventSourcesOutput, error) {
	c := callOf(ctx)
	var rows []*store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		rows, err = tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindPartnerSource,
			Prefix: *in.NamePrefix})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list partner event sources: %w", err)
	}
	sources := make([]*PartnerEventSource, len(rows))
	for i, r := range rows {
		sources[i] = &PartnerEventSource{ARN: ptr(eventSourceARN(c.Region, r.Name)), Name: ptr(r.Name)}
	}
	page, next, err := paginate(sources, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListPartnerEventSourcesOutput{PartnerEventSources: page, NextToken: next}, nil
}

// ListPartnerEventSourceAccounts lists the customer accounts a source of the caller is
// offered to, with the state of the source in each.
func (s *Service) ListPartnerEventSourceAccounts(ctx context.Context, in *ListPartnerEventSourceAccountsInput) (*ListPartnerEventSourceAccountsOutput, error) {
	c := callOf(ctx)
	name := *in.EventSourceName
	var accounts []*PartnerEventSourceAccount
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		_, err := tx.EventsResourceGet(ctx, c.Account, c.Region, kindPartnerSource, "", name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return errEventSourceNotFound(name)
		case err != nil:
			return err
		}
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindPartnerAccount,
			Parent: &name})
		if err != nil {
			return err
		}
		for _, r := range rows {
			state := EventSourceStatePENDING
			if es, err := getEventSource(ctx, tx, r.Name, c.Region, name); err == nil {
				state = es.state
			}
			accounts = append(accounts, &PartnerEventSourceAccount{Account: ptr(r.Name), CreationTime: msTime(r.CreatedAt), State: ptr(state)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(accounts, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListPartnerEventSourceAccountsOutput{PartnerEventSourceAccounts: page, NextToken: next}, nil
}

// DeletePartnerEventSource withdraws the source Name from the customer Account. A
// customer who created the matching bus keeps it and sees the source DELETED. Deleting a
// source that is not offered to the account succeeds, as AWS's model has no error for it.
func (s *Service) DeletePartnerEventSource(ctx context.Context, in *DeletePartnerEventSourceInput) (*DeletePartnerEventSourceOutput, error) {
	c := callOf(ctx)
	name, customer := *in.Name, *in.Account
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		found, err := tx.EventsResourceDelete(ctx, c.Account, c.Region, kindPartnerAccount, name, customer)
		if err != nil || !found {
			return err
		}
		rest, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindPartnerAccount,
			Parent: &name, Limit: 1})
		if err != nil {
			return err
		}
		if len(rest) == 0 {
			if _, err := tx.EventsResourceDelete(ctx, c.Account, c.Region, kindPartnerSource, "", name); err != nil {
				return err
			}
		}
		es, err := getEventSource(ctx, tx, customer, c.Region, name)
		if err != nil || es.doc.PartnerAccount != c.Account {
			return nil
		}
		if _, err := tx.EventsResourceGet(ctx, customer, c.Region, "bus", "", name); errors.Is(err, store.ErrNotFound) {
			_, err = tx.EventsResourceDelete(ctx, customer, c.Region, kindEventSource, "", name)
			return err
		} else if err != nil {
			return err
		}
		es.doc.Deleted = true
		return putEventSource(ctx, tx, es, s.now())
	})
	if err != nil {
		return nil, fmt.Errorf("delete partner event source %s: %w", name, err)
	}
	return &DeletePartnerEventSourceOutput{}, nil
}

// DescribeEventSource describes a partner event source offered to the caller.
func (s *Service) DescribeEventSource(ctx context.Context, in *DescribeEventSourceInput) (*DescribeEventSourceOutput, error) {
	c := callOf(ctx)
	var es *eventSource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		es, err = getEventSource(ctx, tx, c.Account, c.Region, *in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	w := wireEventSource(c.Region, es)
	return &DescribeEventSourceOutput{ARN: w.ARN, CreatedBy: w.CreatedBy, CreationTime: w.CreationTime, Name: w.Name, State: w.State}, nil
}

func wireEventSource(region string, es *eventSource) *EventSource {
	return &EventSource{ARN: ptr(eventSourceARN(region, es.row.Name)), CreatedBy: ptr(es.doc.Partner),
		CreationTime: msTime(es.row.CreatedAt), Name: ptr(es.row.Name), State: ptr(es.state)}
}

// ListEventSources lists the partner event sources offered to the caller.
func (s *Service) ListEventSources(ctx context.Context, in *ListEventSourcesInput) (*ListEventSourcesOutput, error) {
	c := callOf(ctx)
	var sources []*EventSource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: kindEventSource,
			Prefix: deref(in.NamePrefix)})
		if err != nil {
			return err
		}
		for _, r := range rows {
			es := &eventSource{row: r}
			if err := json.Unmarshal([]byte(r.Doc), &es.doc); err != nil {
				return fmt.Errorf("decode event source %s: %w", r.Name, err)
			}
			if es.state, err = sourceState(ctx, tx, c.Account, c.Region, r.Name, &es.doc); err != nil {
				return err
			}
			sources = append(sources, wireEventSource(c.Region, es))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list event sources: %w", err)
	}
	page, next, err := paginate(sources, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListEventSourcesOutput{EventSources: page, NextToken: next}, nil
}

// ActivateEventSource lets a deactivated source deliver to its bus again.
func (s *Service) ActivateEventSource(ctx context.Context, in *ActivateEventSourceInput) (*ActivateEventSourceOutput, error) {
	if err := s.setSourceActive(ctx, *in.Name, true); err != nil {
		return nil, err
	}
	return &ActivateEventSourceOutput{}, nil
}

// DeactivateEventSource stops a source's events from reaching its bus, which stays; the
// source is PENDING until it is activated again.
func (s *Service) DeactivateEventSource(ctx context.Context, in *DeactivateEventSourceInput) (*DeactivateEventSourceOutput, error) {
	if err := s.setSourceActive(ctx, *in.Name, false); err != nil {
		return nil, err
	}
	return &DeactivateEventSourceOutput{}, nil
}

func (s *Service) setSourceActive(ctx context.Context, name string, active bool) error {
	c := callOf(ctx)
	return s.db.Write(ctx, func(tx *store.Tx) error {
		es, err := getEventSource(ctx, tx, c.Account, c.Region, name)
		if err != nil {
			return err
		}
		if es.doc.Deleted {
			return NewInvalidStateException(fmt.Sprintf("Event source %s is in state DELETED.", name))
		}
		if es.doc.Deactivated == !active {
			return nil
		}
		es.doc.Deactivated = !active
		return putEventSource(ctx, tx, es, s.now())
	})
}

// createPartnerBus checks, in tx, that the caller may create the partner event bus name
// for the event source source: the names match and the source is offered to the caller.
func createPartnerBus(ctx context.Context, tx *store.Tx, k busKey, source string) error {
	if source != k.name {
		return NewValidationException(fmt.Sprintf("Event bus name %s must match event source name %s.", k.name, source))
	}
	es, err := getEventSource(ctx, tx, k.account, k.region, source)
	if err != nil {
		return err
	}
	if es.doc.Deleted {
		return NewInvalidStateException(fmt.Sprintf("Event source %s is in state DELETED.", source))
	}
	return nil
}

// dropDeletedSource forgets, in tx, the event source of a partner bus being deleted when
// its partner had deleted it already.
func dropDeletedSource(ctx context.Context, tx *store.Tx, k busKey) error {
	if !strings.HasPrefix(k.name, "aws.partner/") {
		return nil
	}
	es, err := getEventSource(ctx, tx, k.account, k.region, k.name)
	if err != nil || !es.doc.Deleted {
		return nil
	}
	_, err = tx.EventsResourceDelete(ctx, k.account, k.region, kindEventSource, "", k.name)
	return err
}

// PutPartnerEvents puts events from the caller, a partner, on the partner event bus of
// every customer whose source (the entry's Source) is ACTIVE. Events of a source that is
// not offered by the caller fail in Entries; events of a PENDING source are accepted and
// dropped, as on AWS.
func (s *Service) PutPartnerEvents(ctx context.Context, in *PutPartnerEventsInput) (*PutPartnerEventsOutput, error) {
	total := 0
	for _, e := range in.Entries {
		total += entrySize(&PutEventsRequestEntry{Time: e.Time, Source: e.Source, DetailType: e.DetailType, Detail: e.Detail, Resources: e.Resources})
	}
	if total > s.deps.MaxPutEventsBytes {
		return nil, NewValidationException("Total size of the entries in the request is over the limit.")
	}
	c := callOf(ctx)
	now := s.now()
	out := &PutPartnerEventsOutput{Entries: make([]*PutPartnerEventsResultEntry, len(in.Entries))}
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for i, e := range in.Entries {
			res := &PutPartnerEventsResultEntry{}
			out.Entries[i] = res
			if ee := checkEntry(&PutEventsRequestEntry{Source: e.Source, DetailType: e.DetailType, Detail: e.Detail}); ee != nil {
				res.ErrorCode, res.ErrorMessage = &ee.code, &ee.msg
				continue
			}
			name := *e.Source
			accounts, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region,
				Kind: kindPartnerAccount, Parent: &name})
			if err != nil {
				return err
			}
			if len(accounts) == 0 {
				res.ErrorCode = ptr("InvalidArgument")
				res.ErrorMessage = ptr(fmt.Sprintf("Parameter Source is not valid. Reason: Event source %s does not exist.", name))
				continue
			}
			id := newID()
			res.EventID = &id
			t := now
			if e.Time != nil {
				t = e.Time.UTC()
			}
			resources := e.Resources
			if resources == nil {
				resources = []string{}
			}
			for _, a := range accounts {
				es, err := getEventSource(ctx, tx, a.Name, c.Region, name)
				if err != nil || es.state != EventSourceStateACTIVE || es.doc.PartnerAccount != c.Account {
					continue
				}
				ev := envelope{Version: "0", ID: id, DetailType: *e.DetailType, Source: name, Account: a.Name,
					Time: t.Truncate(time.Second).Format(time.RFC3339), Region: c.Region, Resources: resources, Detail: json.RawMessage(*e.Detail)}
				body, _ := json.Marshal(ev)
				if err := s.route(ctx, tx, busKey{account: a.Name, region: c.Region, name: name}, body); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("put partner events: %w", err)
	}
	failed := int32(0)
	for _, e := range out.Entries {
		if e.ErrorCode != nil {
			failed++
		}
	}
	out.FailedEntryCount = &failed
	return out, nil
}
