package events

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/store"
)

// Global endpoints are stored as an "endpoint" row in their home region (named by the
// endpoint's name, ref its EndpointId) and an "endpoint-id" row in no region, named by
// the EndpointId, that points at it: PutEvents names the endpoint by id alone, and SDKs
// sign those requests with SigV4a for every region.
const (
	kindEndpoint   = "endpoint"
	kindEndpointID = "endpoint-id"
)

// endpointDoc is the stored document of a global endpoint.
type endpointDoc struct {
	ID          string `json:"id"`
	Description string `json:"description,omitempty"`
	HealthCheck string `json:"healthCheck"`
	Secondary   string `json:"secondary"`
	Replication string `json:"replication"`
	// Buses are the two event bus ARNs in the order the client gave them.
	Buses   []string `json:"buses"`
	RoleARN string   `json:"role,omitempty"`
}

// endpointIDDoc is the document of an "endpoint-id" row.
type endpointIDDoc struct {
	Region string `json:"region"`
	Name   string `json:"name"`
}

func endpointARN(account, region, name string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:endpoint/%s", region, account, name)
}

func errEndpointNotFound(name string) error {
	return NewResourceNotFoundException(fmt.Sprintf("Endpoint %s does not exist.", name))
}

// newEndpointID returns an id of AWS's form: two DNS labels, such as "abcde12345.veo".
func newEndpointID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [13]byte
	_, _ = rand.Read(b[:])
	id := make([]byte, 0, 14)
	for i, c := range b {
		if i == 10 {
			id = append(id, '.')
		}
		id = append(id, alphabet[int(c)%len(alphabet)])
	}
	return string(id)
}

// endpointURL is where a client sends PutEvents for endpoint id: AWS's
// https://<id>.endpoint.events.amazonaws.com has no local equivalent, so Overcast hands
// out the address the request came in on, where it serves PutEvents with EndpointId.
func endpointURL(ctx context.Context, id string) string {
	c := callOf(ctx)
	if c.Host == "" {
		return "https://" + id + ".endpoint.events.amazonaws.com"
	}
	scheme := c.Scheme
	if scheme == "" {
		scheme = "http"
	}
	return scheme + "://" + c.Host
}

// endpointBus is one event bus of an endpoint.
type endpointBus struct{ account, region, name string }

func parseEndpointBus(arn string) (endpointBus, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[5], "event-bus/") {
		return endpointBus{}, false
	}
	return endpointBus{account: parts[4], region: parts[3], name: strings.TrimPrefix(parts[5], "event-bus/")}, true
}

// checkEndpoint validates the routing of an endpoint whose home region is home, as AWS
// does before creating or updating it: two buses of the caller with one name, one in the
// home region and the other in the secondary region, and a role when events replicate.
func checkEndpoint(account, home string, d *endpointDoc) error {
	if len(d.Buses) != 2 {
		return NewValidationException("EventBuses must contain exactly two event buses.")
	}
	a, okA := parseEndpointBus(d.Buses[0])
	b, okB := parseEndpointBus(d.Buses[1])
	switch {
	case !okA || !okB:
		return NewValidationException("EventBuses must contain event bus ARNs.")
	case a.account != account || b.account != account:
		return NewValidationException("EventBuses must belong to the account creating the endpoint.")
	case a.region == b.region:
		return NewValidationException("EventBuses must be in different Regions.")
	case a.name != b.name:
		return NewValidationException("The names of the event buses must be identical in each Region.")
	case a.region != home && b.region != home:
		return NewValidationException(fmt.Sprintf("One of the EventBuses must be in the Region of the endpoint, %s.", home))
	case d.Secondary == home:
		return NewValidationException("The secondary Region must be different from the primary Region " + home + ".")
	case a.region != d.Secondary && b.region != d.Secondary:
		return NewValidationException(fmt.Sprintf("One of the EventBuses must be in the secondary Region %s.", d.Secondary))
	case d.Replication == ReplicationStateENABLED && d.RoleARN == "":
		return NewValidationException("RoleArn is required when event replication is ENABLED.")
	}
	return nil
}

// bus returns the endpoint's bus in region.
func (d *endpointDoc) bus(region string) busKey {
	for _, arn := range d.Buses {
		if b, ok := parseEndpointBus(arn); ok && b.region == region {
			return busKey{account: b.account, region: b.region, name: b.name}
		}
	}
	return busKey{}
}

func (d *endpointDoc) eventBuses() []*EndpointEventBus {
	out := make([]*EndpointEventBus, len(d.Buses))
	for i, arn := range d.Buses {
		out[i] = &EndpointEventBus{EventBusARN: ptr(arn)}
	}
	return out
}

func (d *endpointDoc) routing() *RoutingConfig {
	return &RoutingConfig{FailoverConfig: &FailoverConfig{Primary: &Primary{HealthCheck: ptr(d.HealthCheck)},
		Secondary: &Secondary{Route: ptr(d.Secondary)}}}
}

func getEndpoint(ctx context.Context, tx *store.Tx, account, region, name string) (*store.Resource, *endpointDoc, error) {
	r, err := tx.EventsResourceGet(ctx, account, region, kindEndpoint, "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errEndpointNotFound(name)
	case err != nil:
		return nil, nil, err
	}
	var d endpointDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode endpoint %s: %w", name, err)
	}
	return r, &d, nil
}

// CreateEndpoint creates a global endpoint in the caller's region, its home region.
// Overcast has no health checks: the endpoint is ACTIVE as soon as it is created (the
// answer says CREATING, as AWS's first answer does) and always routes to its primary
// region.
func (s *Service) CreateEndpoint(ctx context.Context, in *CreateEndpointInput) (*CreateEndpointOutput, error) {
	c := callOf(ctx)
	fo := in.RoutingConfig.FailoverConfig
	d := &endpointDoc{ID: newEndpointID(), Description: deref(in.Description), HealthCheck: *fo.Primary.HealthCheck,
		Secondary: *fo.Secondary.Route, Replication: ReplicationStateENABLED, RoleARN: deref(in.RoleARN)}
	if in.ReplicationConfig != nil && in.ReplicationConfig.State != nil {
		d.Replication = *in.ReplicationConfig.State
	}
	for _, b := range in.EventBuses {
		d.Buses = append(d.Buses, *b.EventBusARN)
	}
	if err := checkEndpoint(c.Account, c.Region, d); err != nil {
		return nil, err
	}
	doc, _ := json.Marshal(d)
	idDoc, _ := json.Marshal(endpointIDDoc{Region: c.Region, Name: *in.Name})
	now := s.now().UnixMilli()
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		err := tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindEndpoint, Name: *in.Name,
			Ref: d.ID, Doc: string(doc), CreatedAt: now, ModifiedAt: now})
		if err != nil {
			return err
		}
		return tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Kind: kindEndpointID, Name: d.ID,
			Doc: string(idDoc), CreatedAt: now, ModifiedAt: now})
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceAlreadyExistsException(fmt.Sprintf("Endpoint %s already exists.", *in.Name))
	case err != nil:
		return nil, fmt.Errorf("create endpoint %s: %w", *in.Name, err)
	}
	return &CreateEndpointOutput{Name: in.Name, ARN: ptr(endpointARN(c.Account, c.Region, *in.Name)), RoutingConfig: d.routing(),
		ReplicationConfig: &ReplicationConfig{State: ptr(d.Replication)}, EventBuses: d.eventBuses(), RoleARN: optional(d.RoleARN),
		State: ptr(EndpointStateCREATING)}, nil
}

// DescribeEndpoint describes an endpoint of the caller's region, or of HomeRegion.
func (s *Service) DescribeEndpoint(ctx context.Context, in *DescribeEndpointInput) (*DescribeEndpointOutput, error) {
	c := callOf(ctx)
	region := c.Region
	if in.HomeRegion != nil {
		region = *in.HomeRegion
	}
	var (
		r *store.Resource
		d *endpointDoc
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, d, err = getEndpoint(ctx, tx, c.Account, region, *in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	e := s.wireEndpoint(ctx, r, d)
	return &DescribeEndpointOutput{Name: e.Name, Description: e.Description, ARN: e.ARN, RoutingConfig: e.RoutingConfig,
		ReplicationConfig: e.ReplicationConfig, EventBuses: e.EventBuses, RoleARN: e.RoleARN, EndpointID: e.EndpointID,
		EndpointURL: e.EndpointURL, State: e.State, CreationTime: e.CreationTime, LastModifiedTime: e.LastModifiedTime}, nil
}

func (s *Service) wireEndpoint(ctx context.Context, r *store.Resource, d *endpointDoc) *Endpoint {
	return &Endpoint{Name: ptr(r.Name), Description: optional(d.Description), ARN: ptr(endpointARN(r.Account, r.Region, r.Name)),
		RoutingConfig: d.routing(), ReplicationConfig: &ReplicationConfig{State: ptr(d.Replication)}, EventBuses: d.eventBuses(),
		RoleARN: optional(d.RoleARN), EndpointID: ptr(d.ID), EndpointURL: ptr(endpointURL(ctx, d.ID)),
		State: ptr(EndpointStateACTIVE), CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt)}
}

// UpdateEndpoint changes the given parts of an endpoint. The answer says UPDATING; the
// change is in effect at once.
func (s *Service) UpdateEndpoint(ctx context.Context, in *UpdateEndpointInput) (*UpdateEndpointOutput, error) {
	c := callOf(ctx)
	var d *endpointDoc
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var (
			r   *store.Resource
			err error
		)
		r, d, err = getEndpoint(ctx, tx, c.Account, c.Region, *in.Name)
		if err != nil {
			return err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if fo := in.RoutingConfig; fo != nil && fo.FailoverConfig != nil {
			d.HealthCheck = *fo.FailoverConfig.Primary.HealthCheck
			d.Secondary = *fo.FailoverConfig.Secondary.Route
		}
		if in.ReplicationConfig != nil && in.ReplicationConfig.State != nil {
			d.Replication = *in.ReplicationConfig.State
		}
		if in.EventBuses != nil {
			d.Buses = d.Buses[:0]
			for _, b := range in.EventBuses {
				d.Buses = append(d.Buses, *b.EventBusARN)
			}
		}
		if in.RoleARN != nil {
			d.RoleARN = *in.RoleARN
		}
		if err := checkEndpoint(c.Account, c.Region, d); err != nil {
			return err
		}
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), s.now().UnixMilli()
		return tx.EventsResourcePut(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	return &UpdateEndpointOutput{Name: in.Name, ARN: ptr(endpointARN(c.Account, c.Region, *in.Name)), RoutingConfig: d.routing(),
		ReplicationConfig: &ReplicationConfig{State: ptr(d.Replication)}, EventBuses: d.eventBuses(), RoleARN: optional(d.RoleARN),
		EndpointID: ptr(d.ID), EndpointURL: ptr(endpointURL(ctx, d.ID)), State: ptr(EndpointStateUPDATING)}, nil
}

// DeleteEndpoint deletes an endpoint; PutEvents through its id fails from then on.
func (s *Service) DeleteEndpoint(ctx context.Context, in *DeleteEndpointInput) (*DeleteEndpointOutput, error) {
	c := callOf(ctx)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		_, d, err := getEndpoint(ctx, tx, c.Account, c.Region, *in.Name)
		if err != nil {
			return err
		}
		if _, err := tx.EventsResourceDelete(ctx, c.Account, c.Region, kindEndpoint, "", *in.Name); err != nil {
			return err
		}
		_, err = tx.EventsResourceDelete(ctx, c.Account, "", kindEndpointID, "", d.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteEndpointOutput{}, nil
}

// ListEndpoints lists the endpoints whose home region is the caller's region (or
// HomeRegion), by name.
func (s *Service) ListEndpoints(ctx context.Context, in *ListEndpointsInput) (*ListEndpointsOutput, error) {
	c := callOf(ctx)
	region := c.Region
	if in.HomeRegion != nil {
		region = *in.HomeRegion
	}
	var endpoints []*Endpoint
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: region, Kind: kindEndpoint,
			Prefix: deref(in.NamePrefix)})
		if err != nil {
			return err
		}
		for _, r := range rows {
			var d endpointDoc
			if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
				return fmt.Errorf("decode endpoint %s: %w", r.Name, err)
			}
			endpoints = append(endpoints, s.wireEndpoint(ctx, r, &d))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	page, next, err := paginate(endpoints, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &ListEndpointsOutput{Endpoints: page, NextToken: next}, nil
}

// endpointRoute is where PutEvents through an endpoint sends its events: the bus of the
// primary region and, when events replicate, the bus of the secondary region.
type endpointRoute struct {
	primary   busKey
	secondary *busKey
}

// endpointByID resolves the EndpointId of a PutEvents call. Overcast has no health
// checks, so the primary region is always healthy and receives the events.
func (s *Service) endpointByID(ctx context.Context, id string) (*endpointRoute, error) {
	c := callOf(ctx)
	var route *endpointRoute
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, err := tx.EventsResourceGet(ctx, c.Account, "", kindEndpointID, "", id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return errEndpointNotFound(id)
		case err != nil:
			return err
		}
		var ref endpointIDDoc
		if err := json.Unmarshal([]byte(r.Doc), &ref); err != nil {
			return fmt.Errorf("decode endpoint id %s: %w", id, err)
		}
		_, d, err := getEndpoint(ctx, tx, c.Account, ref.Region, ref.Name)
		if err != nil {
			return errEndpointNotFound(id)
		}
		route = &endpointRoute{primary: d.bus(ref.Region)}
		if d.Replication == ReplicationStateENABLED {
			sec := d.bus(d.Secondary)
			route.secondary = &sec
		}
		return nil
	})
	return route, err
}

// replicate queues, in tx, the copy of event for the secondary bus of an endpoint. It
// goes through the durable delivery layer, as AWS replicates asynchronously.
func (s *Service) replicate(ctx context.Context, tx *store.Tx, to busKey, event []byte) error {
	var ev struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(event, &ev)
	j := &delivery.Job{Target: kindBus, Dest: to.arn(), Payload: event, Owner: owner,
		Policy:     delivery.EventBridge(185, delivery.EventBridgeMaxAge),
		Attributes: map[string]string{attrTarget: to.arn(), attrEventID: ev.ID, attrReplica: "true"}}
	return s.disp.Enqueue(ctx, tx, j)
}
