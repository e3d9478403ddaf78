package sts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// Kinds of the rows STS keeps in sts_resources: one per issued access key (name), in the
// account the credentials act in.
const kindSession = "session"

// Rows of iam_resources that STS reads: a role (name: lower-cased role name, ref: RoleId,
// doc with MaxSessionDuration), a user (name: lower-cased user name, doc with Arn and
// UserId) and an access key (name: the key id, doc with UserName, SecretAccessKey and
// Status). The iam package writes them; these are the fields STS relies on.
const (
	iamKindRole      = "role"
	iamKindUser      = "user"
	iamKindAccessKey = "access-key"
)

// session is the document of an issued set of temporary credentials.
type session struct {
	Secret  string `json:"secret"`
	Token   string `json:"token"`
	Expires int64  `json:"expires"` // unix milliseconds
	Account string `json:"account"`
	// Arn and UserID are what GetCallerIdentity answers for the credentials.
	Arn    string `json:"arn"`
	UserID string `json:"userId"`
	// AssumedRole marks role sessions: a role assumed with them is role chaining.
	AssumedRole bool `json:"assumedRole,omitempty"`
}

// Credential is a key's secret, session token and account, for verifying requests signed
// with credentials STS issued or access keys IAM created.
type Credential struct {
	Secret string
	// SessionToken is "" for IAM users' long-term keys.
	SessionToken string
	Account      string
	// Expiration is zero for long-term keys.
	Expiration time.Time
}

// credentialTTL bounds how long a looked-up credential is trusted without reading the
// store again (an IAM key may be deleted or deactivated meanwhile).
const credentialTTL = time.Second

type cachedCredential struct {
	cred Credential
	// known is false for keys of the right form that the store does not have: a
	// well-formed but foreign key (AKIAIOSFODNN7EXAMPLE) costs one read per TTL.
	known bool
	at    time.Time
}

// credentialCache holds recently used credentials by access key id.
type credentialCache struct {
	mu      sync.Mutex
	entries map[string]cachedCredential
}

// get returns the cached entry of akid; hit is false when there is none or it is stale.
func (c *credentialCache) get(akid string, now time.Time) (e cachedCredential, hit bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, hit = c.entries[akid]
	if !hit || now.Sub(e.at) > credentialTTL || now.Before(e.at) {
		return cachedCredential{}, false
	}
	return e, true
}

func (c *credentialCache) put(akid string, cred Credential, known bool, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) > 10000 {
		clear(c.entries)
	}
	c.entries[akid] = cachedCredential{cred: cred, known: known, at: now}
}

func (c *credentialCache) clear() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

// Credential returns the secret, session token and account of an access key STS issued
// (ASIA...) or IAM created for a user (AKIA...), for the edge's signature checks. Keys of
// another form answer false at once, without a store read. Expired or inactive keys
// answer false. It is safe for concurrent use and cheap on repeated keys.
func (s *Service) Credential(accessKeyID string) (Credential, bool) {
	acct, ok := awsid.Account(accessKeyID)
	if !ok || !(strings.HasPrefix(accessKeyID, "ASIA") || strings.HasPrefix(accessKeyID, "AKIA")) {
		return Credential{}, false
	}
	now := s.clock.Now()
	e, hit := s.creds.get(accessKeyID, now)
	if !hit {
		e = cachedCredential{known: true}
		ctx := context.Background()
		if strings.HasPrefix(accessKeyID, "ASIA") {
			sess, err := s.session(ctx, acct, accessKeyID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				e.known = false
			case err != nil:
				s.log.Warn("look up sts credentials", "err", err)
				return Credential{}, false
			default:
				e.cred = Credential{Secret: sess.Secret, SessionToken: sess.Token, Account: sess.Account, Expiration: time.UnixMilli(sess.Expires).UTC()}
			}
		} else {
			key, err := s.userKey(ctx, acct, accessKeyID)
			switch {
			case errors.Is(err, store.ErrNotFound):
				e.known = false
			case err != nil:
				s.log.Warn("look up iam access key", "err", err)
				return Credential{}, false
			default:
				// An inactive key is refused like an unknown one.
				e.known = key.Status == "Active"
				e.cred = Credential{Secret: key.SecretAccessKey, Account: acct}
			}
		}
		s.creds.put(accessKeyID, e.cred, e.known, now)
	}
	if !e.known || !e.cred.Expiration.IsZero() && !now.Before(e.cred.Expiration) {
		return Credential{}, false
	}
	return e.cred, true
}

// issue stores a new session for account and returns its access key id.
func (s *Service) issue(ctx context.Context, sess *session) (string, error) {
	akid := awsid.New("ASIA", sess.Account)
	doc, err := json.Marshal(sess)
	if err != nil {
		return "", fmt.Errorf("encode session: %w", err)
	}
	now := s.clock.Now().UnixMilli()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.STSResourcePut(ctx, &store.Resource{
			Account: sess.Account, Kind: kindSession, Name: akid, Doc: string(doc), CreatedAt: now, ModifiedAt: now,
		})
	})
	if err != nil {
		return "", fmt.Errorf("store session: %w", err)
	}
	s.creds.put(akid, Credential{Secret: sess.Secret, SessionToken: sess.Token, Account: sess.Account,
		Expiration: time.UnixMilli(sess.Expires).UTC()}, true, s.clock.Now())
	return akid, nil
}

// session returns the session of an access key STS issued in account, or
// store.ErrNotFound.
func (s *Service) session(ctx context.Context, account, akid string) (*session, error) {
	var r *store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.STSResourceGet(ctx, account, "", kindSession, "", akid)
		return err
	})
	if err != nil {
		return nil, err
	}
	var sess session
	if err := json.Unmarshal([]byte(r.Doc), &sess); err != nil {
		return nil, fmt.Errorf("decode session %s: %w", akid, err)
	}
	return &sess, nil
}

// iamAccessKey holds the fields of an IAM access key's document STS reads.
type iamAccessKey struct {
	UserName        string
	SecretAccessKey string
	Status          string
}

// iamUser holds the fields of an IAM user's document STS reads.
type iamUser struct {
	Arn    string
	UserID string `json:"UserId"`
}

// userKey returns an IAM user's access key of account, or store.ErrNotFound.
func (s *Service) userKey(ctx context.Context, account, akid string) (*iamAccessKey, error) {
	var key iamAccessKey
	if err := s.readIAM(ctx, account, iamKindAccessKey, akid, &key); err != nil {
		return nil, err
	}
	return &key, nil
}

// readIAM decodes the document of one IAM entity of account into v; it returns
// store.ErrNotFound when there is none.
func (s *Service) readIAM(ctx context.Context, account, kind, name string, v any) error {
	var r *store.Resource
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.IAMResourceGet(ctx, account, "", kind, "", name)
		return err
	})
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(r.Doc), v); err != nil {
		return fmt.Errorf("decode iam %s %s: %w", kind, name, err)
	}
	return nil
}

// iamRole is a role as STS sees it: its id and session limit.
type iamRole struct {
	RoleID             string `json:"RoleId"`
	MaxSessionDuration int32
}

// role returns the role name of account, or store.ErrNotFound; known reports whether
// the account has any role at all.
func (s *Service) role(ctx context.Context, account, name string) (role *iamRole, known bool, err error) {
	var r iamRole
	err = s.readIAM(ctx, account, iamKindRole, strings.ToLower(name), &r)
	if err == nil {
		return &r, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: account, Kind: iamKindRole, Limit: 1})
		known = len(rows) > 0
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return nil, known, store.ErrNotFound
}
