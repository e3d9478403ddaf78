package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Kinds of the rows the service keeps in logs_resources. Filters and data protection
// policies have their log group as parent; resource policies are account-wide (parent "").
const (
	kindMetricFilter       = "metric-filter"
	kindSubscriptionFilter = "subscription-filter"
	kindResourcePolicy     = "resource-policy"
	// kindDataProtectionPolicy has its log group as parent and an empty name.
	kindDataProtectionPolicy = "data-protection-policy"
)

// Messages of the errors of the resources beside log groups, as AWS words them.
const (
	msgLimitExceeded        = "Resource limit exceeded."
	msgMetricFilterNotFound = "The specified metric filter does not exist."
	msgSubFilterNotFound    = "The specified subscription filter does not exist."
)

// listResources returns the resources of kind under parent (nil: every parent) of the
// caller, in byte order of parent and name, starting after the position after (a
// pagination token's content, "" for the first page). limit 0 means all.
func (s *Service) listResources(ctx context.Context, c *protocol.Call, kind string, parent *string, prefix, after string, limit int) ([]*store.Resource, error) {
	var out []*store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.LogsResourceList(ctx, &store.ResourceListParams{
			Account: c.Account, Region: c.Region, Kind: kind, Parent: parent, Prefix: prefix, After: after, Limit: limit,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	return out, nil
}

// decodeDoc reads a resource's JSON document into v.
func decodeDoc(r *store.Resource, v any) error {
	if err := json.Unmarshal([]byte(r.Doc), v); err != nil {
		return fmt.Errorf("decode %s %s/%s: %w", r.Kind, r.Parent, r.Name, err)
	}
	return nil
}

// encodeDoc renders a resource's JSON document.
func encodeDoc(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode document: %w", err)
	}
	return string(b), nil
}

// deleteResource deletes one resource of the caller; notFound is the error when there
// is none.
func (s *Service) deleteResource(ctx context.Context, c *protocol.Call, kind, parent, name string, notFound *protocol.Error) error {
	var existed bool
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		existed, err = tx.LogsResourceDelete(ctx, c.Account, c.Region, kind, parent, name)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", kind, name, err)
	}
	if !existed {
		return notFound
	}
	return nil
}

// pageToken and parsePageToken carry the last name of a page of resources.
func pageToken(kind, last string) string { return encodeToken(kind, last) }

func parsePageToken(kind string, tok *string) (string, error) {
	if tok == nil {
		return "", nil
	}
	parts, ok := decodeToken(*tok, 2)
	if !ok || parts[0] != kind {
		return "", errInvalidNextToken()
	}
	return parts[1], nil
}

// apiError returns err's *protocol.Error when it carries one, for errors returned from
// inside store transactions.
func apiError(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return err
}
