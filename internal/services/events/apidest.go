package events

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// connectionDoc is the stored document of a connection, secrets included (Overcast keeps
// them in its own store where AWS keeps them in Secrets Manager).
type connectionDoc struct {
	ID                string                                 `json:"id"`
	Description       string                                 `json:"description,omitempty"`
	AuthorizationType string                                 `json:"type"`
	Auth              *CreateConnectionAuthRequestParameters `json:"auth"`
	State             string                                 `json:"state"`
	KmsKeyIdentifier  string                                 `json:"kms,omitempty"`
	AuthorizedAt      int64                                  `json:"authorized,omitempty"`
	// Secret is the last part of the SecretArn: an id of its own and Secrets Manager's
	// random six-character suffix ("<uuid>-AbC123"). Empty in documents of older
	// versions, whose SecretArn ends with the connection's id.
	Secret string `json:"secret,omitempty"`
}

// secretARN is the ARN of the Secrets Manager secret where AWS keeps a connection's
// credentials.
func (d *connectionDoc) secretARN(account, region, name string) string {
	id := d.Secret
	if id == "" {
		id = d.ID
	}
	return fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:events!connection/%s/%s", region, account, name, id)
}

// newSecretID returns the last part of a new connection secret's ARN.
func newSecretID() string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b [6]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return newID() + "-" + string(b[:])
}

// apiDestinationDoc is the stored document of an API destination.
type apiDestinationDoc struct {
	ID            string `json:"id"`
	Description   string `json:"description,omitempty"`
	ConnectionARN string `json:"connection"`
	Endpoint      string `json:"endpoint"`
	Method        string `json:"method"`
	RateLimit     int32  `json:"rate"`
}

// defaultRateLimit is AWS's default InvocationRateLimitPerSecond.
const defaultRateLimit = 300

var connectionNamePattern = protocol.NewLazyRegexp(`^[\.\-_A-Za-z0-9]{1,64}$`)

func connectionARN(account, region, name, id string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:connection/%s/%s", region, account, name, id)
}

func apiDestinationARN(account, region, name, id string) string {
	return fmt.Sprintf("arn:aws:events:%s:%s:api-destination/%s/%s", region, account, name, id)
}

// nameFromARN returns the name part of a connection or API destination ARN.
func nameFromARN(arn, kind string) (account, region, name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || !strings.HasPrefix(parts[5], kind+"/") {
		return "", "", "", false
	}
	rest := strings.Split(strings.TrimPrefix(parts[5], kind+"/"), "/")
	return parts[4], parts[3], rest[0], rest[0] != ""
}

func getConnection(ctx context.Context, tx *store.Tx, account, region, name string) (*store.Resource, *connectionDoc, error) {
	r, err := tx.EventsResourceGet(ctx, account, region, "connection", "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, NewResourceNotFoundException(fmt.Sprintf("Failed to describe the connection(s). Connection '%s' does not exist.", name))
	case err != nil:
		return nil, nil, err
	}
	var d connectionDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode connection %s: %w", name, err)
	}
	return r, &d, nil
}

func getAPIDestination(ctx context.Context, tx *store.Tx, account, region, name string) (*store.Resource, *apiDestinationDoc, error) {
	r, err := tx.EventsResourceGet(ctx, account, region, "apidestination", "", name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, NewResourceNotFoundException(fmt.Sprintf("Failed to describe the api-destination(s). An api-destination '%s' does not exist.", name))
	case err != nil:
		return nil, nil, err
	}
	var d apiDestinationDoc
	if err := json.Unmarshal([]byte(r.Doc), &d); err != nil {
		return nil, nil, fmt.Errorf("decode api destination %s: %w", name, err)
	}
	return r, &d, nil
}

func checkAuth(typ string, a *CreateConnectionAuthRequestParameters) error {
	ok := false
	switch typ {
	case "API_KEY":
		ok = a.APIKeyAuthParameters != nil
	case "BASIC":
		ok = a.BasicAuthParameters != nil
	case "OAUTH_CLIENT_CREDENTIALS":
		ok = a.OAuthParameters != nil
	}
	if !ok {
		return NewValidationException(fmt.Sprintf("The AuthParameters must contain the parameters of authorization type %s.", typ))
	}
	return nil
}

// CreateConnection creates a connection: the authorization API destinations use.
func (s *Service) CreateConnection(ctx context.Context, in *CreateConnectionInput) (*CreateConnectionOutput, error) {
	c := callOf(ctx)
	name := *in.Name
	if !connectionNamePattern.MatchString(name) {
		return nil, NewValidationException(fmt.Sprintf("Connection name %s is not valid.", name))
	}
	if err := checkAuth(*in.AuthorizationType, in.AuthParameters); err != nil {
		return nil, err
	}
	now := s.now()
	d := connectionDoc{ID: newID(), Secret: newSecretID(), Description: deref(in.Description), AuthorizationType: *in.AuthorizationType, Auth: in.AuthParameters,
		State: "AUTHORIZED", KmsKeyIdentifier: deref(in.KmsKeyIdentifier), AuthorizedAt: now.UnixMilli()}
	doc, _ := json.Marshal(d)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		err := tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: "connection", Name: name,
			Doc: string(doc), CreatedAt: now.UnixMilli(), ModifiedAt: now.UnixMilli()})
		if errors.Is(err, store.ErrConflict) {
			return NewResourceAlreadyExistsException(fmt.Sprintf("Connection %s already exists.", name))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	state := d.State
	if d.AuthorizationType == "OAUTH_CLIENT_CREDENTIALS" {
		// AWS answers AUTHORIZING while it fetches the first token; Overcast fetches
		// tokens when it delivers, so the stored connection is AUTHORIZED at once.
		state = "AUTHORIZING"
	}
	return &CreateConnectionOutput{ConnectionARN: ptr(connectionARN(c.Account, c.Region, name, d.ID)), ConnectionState: &state,
		CreationTime: &now, LastModifiedTime: &now}, nil
}

func redactHTTP(p *ConnectionHttpParameters) *ConnectionHttpParameters {
	if p == nil {
		return nil
	}
	out := &ConnectionHttpParameters{}
	for _, h := range p.HeaderParameters {
		v := *h
		if v.IsValueSecret != nil && *v.IsValueSecret {
			v.Value = nil
		}
		out.HeaderParameters = append(out.HeaderParameters, &v)
	}
	for _, q := range p.QueryStringParameters {
		v := *q
		if v.IsValueSecret != nil && *v.IsValueSecret {
			v.Value = nil
		}
		out.QueryStringParameters = append(out.QueryStringParameters, &v)
	}
	for _, b := range p.BodyParameters {
		v := *b
		if v.IsValueSecret != nil && *v.IsValueSecret {
			v.Value = nil
		}
		out.BodyParameters = append(out.BodyParameters, &v)
	}
	return out
}

// DescribeConnection describes a connection without its secrets.
func (s *Service) DescribeConnection(ctx context.Context, in *DescribeConnectionInput) (*DescribeConnectionOutput, error) {
	c := callOf(ctx)
	var (
		r *store.Resource
		d *connectionDoc
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, d, err = getConnection(ctx, tx, c.Account, c.Region, *in.Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	arn := connectionARN(c.Account, c.Region, r.Name, d.ID)
	out := &DescribeConnectionOutput{ConnectionARN: &arn, Name: ptr(r.Name), Description: optional(d.Description), ConnectionState: ptr(d.State),
		AuthorizationType: ptr(d.AuthorizationType), KmsKeyIdentifier: optional(d.KmsKeyIdentifier),
		SecretARN:    ptr(d.secretARN(c.Account, c.Region, r.Name)),
		CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt), LastAuthorizedTime: msTime(d.AuthorizedAt),
		AuthParameters: &ConnectionAuthResponseParameters{InvocationHTTPParameters: redactHTTP(d.Auth.InvocationHTTPParameters)}}
	a := d.Auth
	switch {
	case a.APIKeyAuthParameters != nil:
		out.AuthParameters.APIKeyAuthParameters = &ConnectionApiKeyAuthResponseParameters{APIKeyName: a.APIKeyAuthParameters.APIKeyName}
	case a.BasicAuthParameters != nil:
		out.AuthParameters.BasicAuthParameters = &ConnectionBasicAuthResponseParameters{Username: a.BasicAuthParameters.Username}
	case a.OAuthParameters != nil:
		o := a.OAuthParameters
		out.AuthParameters.OAuthParameters = &ConnectionOAuthResponseParameters{AuthorizationEndpoint: o.AuthorizationEndpoint, HTTPMethod: o.HTTPMethod,
			ClientParameters: &ConnectionOAuthClientResponseParameters{ClientID: o.ClientParameters.ClientID}, OAuthHTTPParameters: redactHTTP(o.OAuthHTTPParameters)}
	}
	return out, nil
}

// UpdateConnection changes a connection's description and authorization.
func (s *Service) UpdateConnection(ctx context.Context, in *UpdateConnectionInput) (*UpdateConnectionOutput, error) {
	c := callOf(ctx)
	var out *UpdateConnectionOutput
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getConnection(ctx, tx, c.Account, c.Region, *in.Name)
		if err != nil {
			return err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.AuthorizationType != nil {
			d.AuthorizationType = *in.AuthorizationType
		}
		if u := in.AuthParameters; u != nil {
			mergeAuth(d.Auth, u)
		}
		keepAuthOf(d.AuthorizationType, d.Auth)
		if err := checkAuth(d.AuthorizationType, d.Auth); err != nil {
			return err
		}
		now := s.now().UnixMilli()
		d.State, d.AuthorizedAt = "AUTHORIZED", now
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), now
		out = &UpdateConnectionOutput{ConnectionARN: ptr(connectionARN(c.Account, c.Region, r.Name, d.ID)), ConnectionState: ptr(d.State),
			CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(now), LastAuthorizedTime: msTime(now)}
		return tx.EventsResourcePut(ctx, r)
	})
	if err != nil {
		return nil, err
	}
	s.tokens.forget(*out.ConnectionARN)
	return out, nil
}

// keepAuthOf drops the parameters of the authorization types other than typ: a connection
// updated to another type describes and uses only the parameters of its new type.
func keepAuthOf(typ string, a *CreateConnectionAuthRequestParameters) {
	if typ != "API_KEY" {
		a.APIKeyAuthParameters = nil
	}
	if typ != "BASIC" {
		a.BasicAuthParameters = nil
	}
	if typ != "OAUTH_CLIENT_CREDENTIALS" {
		a.OAuthParameters = nil
	}
}

func mergeAuth(a *CreateConnectionAuthRequestParameters, u *UpdateConnectionAuthRequestParameters) {
	if k := u.APIKeyAuthParameters; k != nil {
		if a.APIKeyAuthParameters == nil {
			a.APIKeyAuthParameters = &CreateConnectionApiKeyAuthRequestParameters{}
		}
		if k.APIKeyName != nil {
			a.APIKeyAuthParameters.APIKeyName = k.APIKeyName
		}
		if k.APIKeyValue != nil {
			a.APIKeyAuthParameters.APIKeyValue = k.APIKeyValue
		}
	}
	if b := u.BasicAuthParameters; b != nil {
		if a.BasicAuthParameters == nil {
			a.BasicAuthParameters = &CreateConnectionBasicAuthRequestParameters{}
		}
		if b.Username != nil {
			a.BasicAuthParameters.Username = b.Username
		}
		if b.Password != nil {
			a.BasicAuthParameters.Password = b.Password
		}
	}
	if o := u.OAuthParameters; o != nil {
		if a.OAuthParameters == nil {
			a.OAuthParameters = &CreateConnectionOAuthRequestParameters{ClientParameters: &CreateConnectionOAuthClientRequestParameters{}}
		}
		if o.AuthorizationEndpoint != nil {
			a.OAuthParameters.AuthorizationEndpoint = o.AuthorizationEndpoint
		}
		if o.HTTPMethod != nil {
			a.OAuthParameters.HTTPMethod = o.HTTPMethod
		}
		if o.OAuthHTTPParameters != nil {
			a.OAuthParameters.OAuthHTTPParameters = o.OAuthHTTPParameters
		}
		if cp := o.ClientParameters; cp != nil {
			if cp.ClientID != nil {
				a.OAuthParameters.ClientParameters.ClientID = cp.ClientID
			}
			if cp.ClientSecret != nil {
				a.OAuthParameters.ClientParameters.ClientSecret = cp.ClientSecret
			}
		}
	}
	if u.InvocationHTTPParameters != nil {
		a.InvocationHTTPParameters = u.InvocationHTTPParameters
	}
}

func (s *Service) connectionState(ctx context.Context, name, state string, remove bool) (*store.Resource, *connectionDoc, error) {
	c := callOf(ctx)
	var (
		r *store.Resource
		d *connectionDoc
	)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		r, d, err = getConnection(ctx, tx, c.Account, c.Region, name)
		if err != nil {
			return err
		}
		d.State = state
		if remove {
			_, err = tx.EventsResourceDelete(ctx, c.Account, c.Region, "connection", "", name)
			return err
		}
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), s.now().UnixMilli()
		return tx.EventsResourcePut(ctx, r)
	})
	if err == nil {
		s.tokens.forget(connectionARN(c.Account, c.Region, name, d.ID))
	}
	return r, d, err
}

// DeauthorizeConnection removes a connection's authorization: its API destinations fail
// until it is updated.
func (s *Service) DeauthorizeConnection(ctx context.Context, in *DeauthorizeConnectionInput) (*DeauthorizeConnectionOutput, error) {
	c := callOf(ctx)
	r, d, err := s.connectionState(ctx, *in.Name, "DEAUTHORIZED", false)
	if err != nil {
		return nil, err
	}
	return &DeauthorizeConnectionOutput{ConnectionARN: ptr(connectionARN(c.Account, c.Region, r.Name, d.ID)), ConnectionState: ptr("DEAUTHORIZING"),
		CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt), LastAuthorizedTime: msTime(d.AuthorizedAt)}, nil
}

// DeleteConnection deletes a connection.
func (s *Service) DeleteConnection(ctx context.Context, in *DeleteConnectionInput) (*DeleteConnectionOutput, error) {
	c := callOf(ctx)
	r, d, err := s.connectionState(ctx, *in.Name, "DELETING", true)
	if err != nil {
		return nil, err
	}
	return &DeleteConnectionOutput{ConnectionARN: ptr(connectionARN(c.Account, c.Region, r.Name, d.ID)), ConnectionState: ptr("DELETING"),
		CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt), LastAuthorizedTime: msTime(d.AuthorizedAt)}, nil
}

// ListConnections lists connections by name prefix and state.
func (s *Service) ListConnections(ctx context.Context, in *ListConnectionsInput) (*ListConnectionsOutput, error) {
	c := callOf(ctx)
	var out []*Connection
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "connection", Prefix: deref(in.NamePrefix)})
		for _, r := range rows {
			var d connectionDoc
			if json.Unmarshal([]byte(r.Doc), &d) != nil || (in.ConnectionState != nil && *in.ConnectionState != d.State) {
				continue
			}
			out = append(out, &Connection{ConnectionARN: ptr(connectionARN(c.Account, c.Region, r.Name, d.ID)), Name: ptr(r.Name),
				ConnectionState: ptr(d.State), AuthorizationType: ptr(d.AuthorizationType), CreationTime: msTime(r.CreatedAt),
				LastModifiedTime: msTime(r.ModifiedAt), LastAuthorizedTime: msTime(d.AuthorizedAt)})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(out, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListConnectionsOutput{Connections: page, NextToken: next}, nil
}

// CreateApiDestination creates an HTTP endpoint targets can invoke through a connection.
func (s *Service) CreateApiDestination(ctx context.Context, in *CreateApiDestinationInput) (*CreateApiDestinationOutput, error) {
	c := callOf(ctx)
	name := *in.Name
	if !connectionNamePattern.MatchString(name) {
		return nil, NewValidationException(fmt.Sprintf("ApiDestination name %s is not valid.", name))
	}
	if u, err := url.Parse(*in.InvocationEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, NewValidationException("Parameter InvocationEndpoint is not valid.")
	}
	d := apiDestinationDoc{ID: newID(), Description: deref(in.Description), ConnectionARN: *in.ConnectionARN, Endpoint: *in.InvocationEndpoint,
		Method: *in.HTTPMethod, RateLimit: defaultRateLimit}
	if in.InvocationRateLimitPerSecond != nil {
		d.RateLimit = *in.InvocationRateLimitPerSecond
	}
	doc, _ := json.Marshal(d)
	now := s.now()
	var state string
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		account, region, cname, ok := nameFromARN(*in.ConnectionARN, "connection")
		if !ok {
			return NewResourceNotFoundException(fmt.Sprintf("Connection %s does not exist.", *in.ConnectionARN))
		}
		_, conn, err := getConnection(ctx, tx, account, region, cname)
		if err != nil {
			return err
		}
		state = destinationState(conn)
		err = tx.EventsResourceInsert(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: "apidestination", Name: name,
			Ref: *in.ConnectionARN, Doc: string(doc), CreatedAt: now.UnixMilli(), ModifiedAt: now.UnixMilli()})
		if errors.Is(err, store.ErrConflict) {
			return NewResourceAlreadyExistsException(fmt.Sprintf("An api-destination '%s' already exists.", name))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateApiDestinationOutput{APIDestinationARN: ptr(apiDestinationARN(c.Account, c.Region, name, d.ID)), APIDestinationState: &state,
		CreationTime: &now, LastModifiedTime: &now}, nil
}

// destinationState is the state of an API destination using conn (nil when it is gone):
// ACTIVE while the connection is authorized, INACTIVE otherwise, as AWS answers for a
// connection still AUTHORIZING.
func destinationState(conn *connectionDoc) string {
	if conn != nil && conn.State == "AUTHORIZED" {
		return "ACTIVE"
	}
	return "INACTIVE"
}

// connectionOf reads the connection an API destination uses, nil when it is gone.
func connectionOf(ctx context.Context, tx *store.Tx, connARN string) (*connectionDoc, error) {
	account, region, name, ok := nameFromARN(connARN, "connection")
	if !ok {
		return nil, nil
	}
	_, d, err := getConnection(ctx, tx, account, region, name)
	if isNotFound(err) {
		return nil, nil
	}
	return d, err
}

func (s *Service) apiDestinationOutput(account, region string, r *store.Resource, d *apiDestinationDoc, state string) *DescribeApiDestinationOutput {
	return &DescribeApiDestinationOutput{APIDestinationARN: ptr(apiDestinationARN(account, region, r.Name, d.ID)), Name: ptr(r.Name),
		Description: optional(d.Description), APIDestinationState: &state, ConnectionARN: ptr(d.ConnectionARN),
		InvocationEndpoint: ptr(d.Endpoint), HTTPMethod: ptr(d.Method), InvocationRateLimitPerSecond: ptr(d.RateLimit),
		CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt)}
}

// DescribeApiDestination describes an API destination.
func (s *Service) DescribeApiDestination(ctx context.Context, in *DescribeApiDestinationInput) (*DescribeApiDestinationOutput, error) {
	c := callOf(ctx)
	var out *DescribeApiDestinationOutput
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		r, d, err := getAPIDestination(ctx, tx, c.Account, c.Region, *in.Name)
		if err != nil {
			return err
		}
		conn, err := connectionOf(ctx, tx, d.ConnectionARN)
		if err != nil {
			return err
		}
		out = s.apiDestinationOutput(c.Account, c.Region, r, d, destinationState(conn))
		return nil
	})
	return out, err
}

// UpdateApiDestination changes an API destination.
func (s *Service) UpdateApiDestination(ctx context.Context, in *UpdateApiDestinationInput) (*UpdateApiDestinationOutput, error) {
	c := callOf(ctx)
	var out *UpdateApiDestinationOutput
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		r, d, err := getAPIDestination(ctx, tx, c.Account, c.Region, *in.Name)
		if err != nil {
			return err
		}
		if in.Description != nil {
			d.Description = *in.Description
		}
		if in.ConnectionARN != nil {
			d.ConnectionARN = *in.ConnectionARN
			r.Ref = *in.ConnectionARN
		}
		if in.InvocationEndpoint != nil {
			d.Endpoint = *in.InvocationEndpoint
		}
		if in.HTTPMethod != nil {
			d.Method = *in.HTTPMethod
		}
		if in.InvocationRateLimitPerSecond != nil {
			d.RateLimit = *in.InvocationRateLimitPerSecond
		}
		conn, err := connectionOf(ctx, tx, d.ConnectionARN)
		if err != nil {
			return err
		}
		doc, _ := json.Marshal(d)
		r.Doc, r.ModifiedAt = string(doc), s.now().UnixMilli()
		out = &UpdateApiDestinationOutput{APIDestinationARN: ptr(apiDestinationARN(c.Account, c.Region, r.Name, d.ID)), APIDestinationState: ptr(destinationState(conn)),
			CreationTime: msTime(r.CreatedAt), LastModifiedTime: msTime(r.ModifiedAt)}
		return tx.EventsResourcePut(ctx, r)
	})
	return out, err
}

// DeleteApiDestination deletes an API destination.
func (s *Service) DeleteApiDestination(ctx context.Context, in *DeleteApiDestinationInput) (*DeleteApiDestinationOutput, error) {
	c := callOf(ctx)
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		found, err := tx.EventsResourceDelete(ctx, c.Account, c.Region, "apidestination", "", *in.Name)
		if err == nil && !found {
			_, _, err = getAPIDestination(ctx, tx, c.Account, c.Region, *in.Name)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeleteApiDestinationOutput{}, nil
}

// ListApiDestinations lists API destinations by name prefix and connection.
func (s *Service) ListApiDestinations(ctx context.Context, in *ListApiDestinationsInput) (*ListApiDestinationsOutput, error) {
	c := callOf(ctx)
	var out []*ApiDestination
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.EventsResourceList(ctx, &store.ResourceListParams{Account: c.Account, Region: c.Region, Kind: "apidestination",
			Prefix: deref(in.NamePrefix), Ref: deref(in.ConnectionARN)})
		if err != nil {
			return err
		}
		conns := map[string]*connectionDoc{}
		for _, r := range rows {
			var d apiDestinationDoc
			if json.Unmarshal([]byte(r.Doc), &d) != nil {
				continue
			}
			conn, ok := conns[d.ConnectionARN]
			if !ok {
				if conn, err = connectionOf(ctx, tx, d.ConnectionARN); err != nil {
					return err
				}
				conns[d.ConnectionARN] = conn
			}
			o := s.apiDestinationOutput(c.Account, c.Region, r, &d, destinationState(conn))
			out = append(out, &ApiDestination{APIDestinationARN: o.APIDestinationARN, Name: o.Name, APIDestinationState: o.APIDestinationState,
				ConnectionARN: o.ConnectionARN, InvocationEndpoint: o.InvocationEndpoint, HTTPMethod: o.HTTPMethod,
				InvocationRateLimitPerSecond: o.InvocationRateLimitPerSecond, CreationTime: o.CreationTime, LastModifiedTime: o.LastModifiedTime})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(out, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &ListApiDestinationsOutput{APIDestinations: page, NextToken: next}, nil
}

// tokenCache keeps OAuth access tokens per connection ARN.
type tokenCache struct {
	mu     sync.Mutex
	tokens map[string]cachedToken
}

type cachedToken struct {
	token   string
	expires time.Time
}

func (c *tokenCache) forget(arn string) {
	c.mu.Lock()
	delete(c.tokens, arn)
	c.mu.Unlock()
}

// rateLimiter enforces InvocationRateLimitPerSecond per API destination on this node.
type rateLimiter struct {
	mu      sync.Mutex
	windows map[string]*rateWindow
}

type rateWindow struct {
	second int64
	count  int32
}

// take reports how long to wait before invoking dest, 0 when it may be invoked now.
func (l *rateLimiter) take(dest string, limit int32, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.windows[dest]
	sec := now.Unix()
	if w == nil || w.second != sec {
		w = &rateWindow{second: sec}
		l.windows[dest] = w
	}
	if limit > 0 && w.count >= limit {
		return time.Unix(sec+1, 0).Sub(now)
	}
	w.count++
	return 0
}

// httpStatusError is a non-2xx answer of an API destination.
type httpStatusError struct{ status int }

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("api destination answered HTTP %d", e.status)
}

// deliverHTTP invokes an API destination: a real HTTP call with the connection's
// authorization and parameters and the target's HttpParameters. 401, 407, 409, 429 and
// 5xx answers are retried, other failures are permanent, as AWS documents.
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
func (s *Service) deliverHTTP(ctx context.Context, j *delivery.Job) error {
	account, region, name, ok := nameFromARN(j.Dest, "api-destination")
	if !ok {
		return delivery.Permanent(fmt.Errorf("bad api destination ARN %s", j.Dest))
	}
	var (
		dest *apiDestinationDoc
		conn *connectionDoc
	)
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if _, dest, err = getAPIDestination(ctx, tx, account, region, name); err != nil {
			return err
		}
		ca, cr, cn, ok := nameFromARN(dest.ConnectionARN, "connection")
		if !ok {
			return NewResourceNotFoundException("connection not found")
		}
		_, conn, err = getConnection(ctx, tx, ca, cr, cn)
		return err
	})
	if err != nil {
		return classify(err)
	}
	if conn.State != "AUTHORIZED" {
		return delivery.Permanent(fmt.Errorf("connection %s is %s", dest.ConnectionARN, conn.State))
	}
	if wait := s.limiter.take(j.Dest, dest.RateLimit, time.Now()); wait > 0 {
		return delivery.RetryAfter(errors.New("invocation rate limit reached"), wait)
	}
	var hp HttpParameters
	if raw := j.Attributes[attrHTTP]; raw != "" {
		_ = json.Unmarshal([]byte(raw), &hp)
	}
	endpoint := dest.Endpoint
	for _, v := range hp.PathParameterValues {
		endpoint = strings.Replace(endpoint, "*", url.PathEscape(v), 1)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return delivery.Permanent(err)
	}
	q := u.Query()
	body := j.Payload
	header := http.Header{}
	header.Set("Content-Type", "application/json; charset=utf-8")
	header.Set("User-Agent", "Amazon/EventBridge/ApiDestinations")
	applyConnectionParams(conn.Auth.InvocationHTTPParameters, header, q, &body)
	for k, v := range hp.HeaderParameters {
		header.Set(k, v)
	}
	for k, v := range hp.QueryStringParameters {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	connARN := dest.ConnectionARN
	switch a := conn.Auth; {
	case a.APIKeyAuthParameters != nil:
		header.Set(deref(a.APIKeyAuthParameters.APIKeyName), deref(a.APIKeyAuthParameters.APIKeyValue))
	case a.BasicAuthParameters != nil:
		req, _ := http.NewRequest(http.MethodGet, "http://x", nil)
		req.SetBasicAuth(deref(a.BasicAuthParameters.Username), deref(a.BasicAuthParameters.Password))
		header.Set("Authorization", req.Header.Get("Authorization"))
	case a.OAuthParameters != nil:
		tok, err := s.oauthToken(ctx, connARN, a.OAuthParameters)
		if err != nil {
			return err
		}
		header.Set("Authorization", "Bearer "+tok)
	}
	req, err := http.NewRequestWithContext(ctx, dest.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return delivery.Permanent(err)
	}
	req.Header = header
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	switch st := resp.StatusCode; {
	case st >= 200 && st < 300:
		return nil
	case st == http.StatusUnauthorized:
		s.tokens.forget(connARN)
		return &httpStatusError{st}
	case st == http.StatusTooManyRequests:
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs > 0 {
			return delivery.RetryAfter(&httpStatusError{st}, time.Duration(secs)*time.Second)
		}
		return delivery.Throttled(&httpStatusError{st})
	case st == http.StatusProxyAuthRequired || st == http.StatusConflict || st >= 500:
		return &httpStatusError{st}
	default:
		return delivery.Permanent(&httpStatusError{st})
	}
}

// applyConnectionParams adds a connection's invocation parameters to a request: headers,
// query string parameters and, for a JSON object body, body parameters.
func applyConnectionParams(p *ConnectionHttpParameters, header http.Header, q url.Values, body *[]byte) {
	if p == nil {
		return
	}
	for _, h := range p.HeaderParameters {
		header.Set(deref(h.Key), deref(h.Value))
	}
	for _, v := range p.QueryStringParameters {
		q.Set(deref(v.Key), deref(v.Value))
	}
	if len(p.BodyParameters) == 0 {
		return
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(*body, &obj) != nil || obj == nil {
		return
	}
	for _, b := range p.BodyParameters {
		v, _ := json.Marshal(deref(b.Value))
		obj[deref(b.Key)] = v
	}
	*body, _ = json.Marshal(obj)
}

// oauthToken returns a cached access token for a connection, or fetches one with the
// client credentials grant from its authorization endpoint.
func (s *Service) oauthToken(ctx context.Context, connARN string, o *CreateConnectionOAuthRequestParameters) (string, error) {
	s.tokens.mu.Lock()
	if t, ok := s.tokens.tokens[connARN]; ok && time.Now().Before(t.expires) {
		s.tokens.mu.Unlock()
		return t.token, nil
	}
	s.tokens.mu.Unlock()
	u, err := url.Parse(deref(o.AuthorizationEndpoint))
	if err != nil {
		return "", delivery.Permanent(err)
	}
	q := u.Query()
	form := url.Values{"grant_type": {"client_credentials"}}
	header := http.Header{}
	var body []byte
	if p := o.OAuthHTTPParameters; p != nil {
		for _, h := range p.HeaderParameters {
			header.Set(deref(h.Key), deref(h.Value))
		}
		for _, v := range p.QueryStringParameters {
			q.Set(deref(v.Key), deref(v.Value))
		}
		for _, b := range p.BodyParameters {
			form.Set(deref(b.Key), deref(b.Value))
		}
	}
	method := deref(o.HTTPMethod)
	if method == http.MethodGet {
		for k, vs := range form {
			q[k] = vs
		}
	} else {
		body = []byte(form.Encode())
		header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), bytes.NewReader(body))
	if err != nil {
		return "", delivery.Permanent(err)
	}
	req.Header = header
	req.SetBasicAuth(deref(o.ClientParameters.ClientID), deref(o.ClientParameters.ClientSecret))
	resp, err := s.httpClient().Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode >= 300 {
		return "", fmt.Errorf("oauth token endpoint answered HTTP %d", resp.StatusCode)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := json.Unmarshal(raw, &tok); err != nil || tok.AccessToken == "" {
		return "", errors.New("oauth token endpoint answered no access_token")
	}
	exp := time.Now().Add(time.Hour)
	if tok.ExpiresIn > 0 {
		exp = time.Now().Add(time.Duration(tok.ExpiresIn) * time.Second)
	}
	s.tokens.mu.Lock()
	s.tokens.tokens[connARN] = cachedToken{token: tok.AccessToken, expires: exp}
	s.tokens.mu.Unlock()
	return tok.AccessToken, nil
}

func (s *Service) httpClient() *http.Client {
	if s.deps.HTTPClient != nil {
		return s.deps.HTTPClient
	}
	return http.DefaultClient
}
