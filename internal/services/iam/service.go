package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/clock"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// Deps are what the IAM service needs from the rest of Overcast.
type Deps struct {
	Store  *store.DB
	Clock  clock.Clock
	Logger *slog.Logger
}

// Service serves AWS Identity and Access Management on the store. Operations without a
// handler answer NotImplemented through the embedded UnimplementedAPI.
type Service struct {
	UnimplementedAPI

	db    *store.DB
	clock clock.Clock
	log   *slog.Logger
}

var _ API = (*Service)(nil)

// installInfo installs the functions of Info once: services are created concurrently in
// tests.
var installInfo sync.Once

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	installInfo.Do(func() { Info.ValidationErrorFunc = validationError })
	return &Service{db: d.Store, clock: d.Clock, log: d.Logger}
}

// Reset is called after the service's tables were emptied; IAM keeps no other state.
func (s *Service) Reset() {}

// Kinds of the rows IAM keeps in iam_resources. Entity names are case-insensitive in IAM,
// so rows are keyed by the lower-cased name and keep the name as given in their doc.
// The sts package reads role, user and access-key rows (see its credentials.go).
const (
	kindRole            = "role"
	kindRolePolicy      = "role-policy"     // parent: role key
	kindRoleAttachment  = "role-attachment" // parent: role key, name and ref: policy ARN
	kindPolicy          = "policy"
	kindPolicyVersion   = "policy-version" // parent: policy key, name: version id
	kindUser            = "user"
	kindUserPolicy      = "user-policy"
	kindUserAttachment  = "user-attachment"
	kindAccessKey       = "access-key" // name: key id, ref: user key
	kindGroup           = "group"
	kindGroupMember     = "group-member" // parent: group key, name and ref: user key
	kindGroupPolicy     = "group-policy"
	kindGroupAttachment = "group-attachment"
	kindProfile         = "instance-profile"
	kindProfileRole     = "instance-profile-role" // parent: profile key, name and ref: role key
)

// attachmentKinds are the kinds whose ref is an attached managed policy's ARN.
var attachmentKinds = []string{kindRoleAttachment, kindUserAttachment, kindGroupAttachment}

// defaultAccount is the account of calls that reach the service without one.
const defaultAccount = "000000000000"

// account returns the account the caller acts in. The edge maps access keys it does not
// know to the default account; an access key IAM created (AKIA...) or temporary
// credentials STS issued (ASIA...) carry their own account in their bits (see ids.go),
// and act in it once the store confirms the key. IAM is global: every row has region "".
func (s *Service) account(ctx context.Context) string {
	c := protocol.CallFrom(ctx)
	acct := c.Account
	if acct == "" {
		acct = defaultAccount
	}
	own, ok := awsid.Account(c.AccessKey)
	if !ok || own == acct {
		return acct
	}
	var err error
	switch c.AccessKey[:4] {
	case "AKIA":
		err = s.db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.IAMResourceGet(ctx, own, "", kindAccessKey, "", c.AccessKey)
			return err
		})
	case "ASIA":
		err = s.db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.STSResourceGet(ctx, own, "", stsKindSession, "", c.AccessKey)
			return err
		})
	default:
		return acct
	}
	if err != nil {
		return acct
	}
	return own
}

// stsKindSession is the kind of the sts_resources rows of issued credentials (the sts
// package writes them).
const stsKindSession = "session"

// getDoc reads one row of account into v; it returns store.ErrNotFound when there is none.
func getDoc(ctx context.Context, tx *store.Tx, acct, kind, parent, name string, v any) error {
	r, err := tx.IAMResourceGet(ctx, acct, "", kind, parent, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(r.Doc), v); err != nil {
		return fmt.Errorf("decode %s %s/%s: %w", kind, parent, name, err)
	}
	return nil
}

// putDoc creates or replaces one row of account.
func putDoc(ctx context.Context, tx *store.Tx, acct, kind, parent, name, ref string, v any, now time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", kind, name, err)
	}
	ms := now.UnixMilli()
	return tx.IAMResourcePut(ctx, &store.Resource{Account: acct, Kind: kind, Parent: parent, Name: name, Ref: ref,
		Doc: string(b), CreatedAt: ms, ModifiedAt: ms})
}

// insertDoc creates one row of account; it returns store.ErrConflict when it exists.
func insertDoc(ctx context.Context, tx *store.Tx, acct, kind, parent, name, ref string, v any, now time.Time) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", kind, name, err)
	}
	ms := now.UnixMilli()
	return tx.IAMResourceInsert(ctx, &store.Resource{Account: acct, Kind: kind, Parent: parent, Name: name, Ref: ref,
		Doc: string(b), CreatedAt: ms, ModifiedAt: ms})
}

// listRows returns the rows of kind under parent (nil: every parent) of account, by name.
func listRows(ctx context.Context, tx *store.Tx, acct, kind string, parent *string) ([]*store.Resource, error) {
	return tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kind, Parent: parent})
}

// listDocs decodes the rows of kind under parent into a slice of T.
func listDocs[T any](ctx context.Context, tx *store.Tx, acct, kind string, parent *string) ([]*T, error) {
	rows, err := listRows(ctx, tx, acct, kind, parent)
	if err != nil {
		return nil, err
	}
	out := make([]*T, 0, len(rows))
	for _, r := range rows {
		v := new(T)
		if err := json.Unmarshal([]byte(r.Doc), v); err != nil {
			return nil, fmt.Errorf("decode %s %s: %w", kind, r.Name, err)
		}
		out = append(out, v)
	}
	return out, nil
}

// countRows counts the rows of kind under parent.
func countRows(ctx context.Context, tx *store.Tx, acct, kind, parent string) (int, error) {
	rows, err := listRows(ctx, tx, acct, kind, &parent)
	return len(rows), err
}

// refuseIfAny answers refusal when acct has rows of kind under parent: the conflicts that
// stop a delete or the limits that stop an addition.
func refuseIfAny(ctx context.Context, tx *store.Tx, acct, kind, parent string, refusal error) error {
	n, err := countRows(ctx, tx, acct, kind, parent)
	if err != nil {
		return err
	}
	if n > 0 {
		return refusal
	}
	return nil
}

// refuseIfRef answers refusal when acct has rows of kind whose ref is ref.
func refuseIfRef(ctx context.Context, tx *store.Tx, acct, kind, ref string, refusal error) error {
	rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kind, Ref: ref, Limit: 1})
	if err != nil {
		return err
	}
	if len(rows) > 0 {
		return refusal
	}
	return nil
}

// read runs fn in a read transaction and passes API errors through unwrapped.
func (s *Service) read(ctx context.Context, fn func(tx *store.Tx) error) error {
	return apiError(s.db.Read(ctx, fn))
}

// write runs fn in a write transaction and passes API errors through unwrapped.
func (s *Service) write(ctx context.Context, fn func(tx *store.Tx) error) error {
	return apiError(s.db.Write(ctx, fn))
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

func ptr[T any](v T) *T { return &v }

// msTime renders unix milliseconds as the UTC time the wire carries (whole seconds, as
// IAM answers).
func msTime(ms int64) *time.Time {
	t := time.UnixMilli(ms).UTC().Truncate(time.Second)
	return &t
}

// protocolCallKey is the access key that signed the request, "" when unsigned.
func protocolCallKey(ctx context.Context) string { return protocol.CallFrom(ctx).AccessKey }
