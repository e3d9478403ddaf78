package iam

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// maxPolicyVersions is how many versions a managed policy keeps at most.
const maxPolicyVersions = 5

// policyDoc is a managed policy: stored for customer managed ones, from the catalog for
// AWS managed ones (AWS true).
type policyDoc struct {
	PolicyName       string
	PolicyID         string `json:"PolicyId"`
	Arn              string
	Path             string
	Description      *string `json:",omitempty"`
	DefaultVersionID string  `json:"DefaultVersionId"`
	// NextVersion numbers the next version: numbers are never reused.
	NextVersion int
	CreateDate  int64
	UpdateDate  int64
	Tags        []tagDoc `json:",omitempty"`
	AWS         bool     `json:"-"`
}

// versionDoc is a stored policy version.
type versionDoc struct {
	VersionID  string `json:"VersionId"`
	Document   string
	CreateDate int64
}

// policyARN is a parsed managed policy ARN: arn:aws:iam::<account|aws>:policy<path><name>.
type policyARN struct {
	ARN, Account, Path, Name string
}

// parsePolicyARN splits a managed policy ARN; ok is false when arn is not one.
func parsePolicyARN(arn string) (policyARN, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "policy/") {
		return policyARN{}, false
	}
	res := strings.TrimPrefix(parts[5], "policy")
	i := strings.LastIndexByte(res, '/')
	if res[i+1:] == "" {
		return policyARN{}, false
	}
	return policyARN{ARN: arn, Account: parts[4], Path: res[:i+1], Name: res[i+1:]}, true
}

// lookupPolicy returns the managed policy of pa as seen from acct, or store.ErrNotFound.
func lookupPolicy(ctx context.Context, tx *store.Tx, acct string, pa policyARN) (*policyDoc, error) {
	if pa.Account == "aws" {
		m := awsManaged[pa.ARN]
		if m == nil {
			return nil, store.ErrNotFound
		}
		return m.policy(), nil
	}
	if pa.Account != acct {
		return nil, store.ErrNotFound
	}
	var p policyDoc
	if err := getDoc(ctx, tx, acct, kindPolicy, "", strings.ToLower(pa.Name), &p); err != nil {
		return nil, err
	}
	if p.Arn != pa.ARN {
		return nil, store.ErrNotFound
	}
	return &p, nil
}

// localPolicy returns a customer managed policy of acct, answering AWS's errors: a
// malformed ARN is a ValidationError, an unknown one NoSuchEntity "Policy <arn> was not
// found.".
func localPolicy(ctx context.Context, tx *store.Tx, acct, arn string) (*policyDoc, policyARN, error) {
	pa, ok := parsePolicyARN(arn)
	if !ok {
		return nil, pa, errValidation("ARN " + arn + " is not valid.")
	}
	p, err := lookupPolicy(ctx, tx, acct, pa)
	if errors.Is(err, store.ErrNotFound) {
		return nil, pa, errPolicyNotFound(arn)
	}
	return p, pa, err
}

// attachmentCount counts the entities of acct the policy of arn is attached to.
func attachmentCount(ctx context.Context, tx *store.Tx, acct, arn string) (int32, error) {
	var n int32
	for _, kind := range attachmentKinds {
		rows, err := tx.IAMResourceList(ctx, &store.ResourceListParams{Account: acct, Kind: kind, Ref: arn})
		if err != nil {
			return 0, err
		}
		n += int32(len(rows))
	}
	return n, nil
}

// wire renders a policy; full adds the Description and Tags that GetPolicy answers.
func (p *policyDoc) wire(count int32, full bool) *Policy {
	out := &Policy{
		PolicyName: ptr(p.PolicyName), PolicyID: ptr(p.PolicyID), ARN: ptr(p.Arn), Path: ptr(p.Path),
		DefaultVersionID: ptr(p.DefaultVersionID), AttachmentCount: &count, PermissionsBoundaryUsageCount: ptr(int32(0)),
		IsAttachable: ptr(true), CreateDate: msTime(p.CreateDate), UpdateDate: msTime(p.UpdateDate),
	}
	if full {
		// GetPolicy always answers Tags, empty when there are none.
		out.Description = p.Description
		out.Tags = wireTags(p.Tags, true)
	} else if len(p.Tags) > 0 {
		out.Tags = wireTags(p.Tags, false)
	}
	return out
}

// CreatePolicy creates a customer managed policy with its version v1.
func (s *Service) CreatePolicy(ctx context.Context, in *CreatePolicyInput) (*CreatePolicyOutput, error) {
	acct := s.account(ctx)
	if e := validatePolicy(*in.PolicyDocument, identityPolicy); e != nil {
		return nil, e
	}
	tags, err := mergePolicyTags(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	path := pathOr(in.Path)
	p := &policyDoc{
		PolicyName: *in.PolicyName, PolicyID: awsid.NewUnique("ANPA", acct), Path: path,
		Arn:         "arn:aws:iam::" + acct + ":policy" + path + *in.PolicyName,
		Description: in.Description, DefaultVersionID: "v1", NextVersion: 2,
		CreateDate: now.UnixMilli(), UpdateDate: now.UnixMilli(), Tags: tags,
	}
	key := strings.ToLower(p.PolicyName)
	err = s.write(ctx, func(tx *store.Tx) error {
		err := insertDoc(ctx, tx, acct, kindPolicy, "", key, p.Arn, p, now)
		if errors.Is(err, store.ErrConflict) {
			return NewEntityAlreadyExistsException("A policy called " + *in.PolicyName + " already exists. Duplicate names are not allowed.")
		}
		if err != nil {
			return err
		}
		return putDoc(ctx, tx, acct, kindPolicyVersion, key, "v1", "",
			&versionDoc{VersionID: "v1", Document: *in.PolicyDocument, CreateDate: now.UnixMilli()}, now)
	})
	if err != nil {
		return nil, err
	}
	return &CreatePolicyOutput{Policy: p.wire(0, false)}, nil
}

// GetPolicy answers a managed policy, customer or AWS managed, with its attachment count
// in the caller's account.
func (s *Service) GetPolicy(ctx context.Context, in *GetPolicyInput) (*GetPolicyOutput, error) {
	acct := s.account(ctx)
	var out *Policy
	err := s.read(ctx, func(tx *store.Tx) error {
		p, _, err := localPolicy(ctx, tx, acct, *in.PolicyARN)
		if err != nil {
			return err
		}
		n, err := attachmentCount(ctx, tx, acct, p.Arn)
		out = p.wire(n, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &GetPolicyOutput{Policy: out}, nil
}

// DeletePolicy deletes a customer managed policy that is attached to nothing and has no
// version besides its default one (DeleteConflict otherwise, as AWS).
func (s *Service) DeletePolicy(ctx context.Context, in *DeletePolicyInput) (*DeletePolicyOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		p, _, err := localPolicy(ctx, tx, acct, *in.PolicyARN)
		if err != nil {
			return err
		}
		if p.AWS {
			return errPolicyNotFound(*in.PolicyARN)
		}
		n, err := attachmentCount(ctx, tx, acct, p.Arn)
		if err != nil {
			return err
		}
		if n > 0 {
			return NewDeleteConflictException("Cannot delete a policy attached to entities.")
		}
		key := strings.ToLower(p.PolicyName)
		versions, err := countRows(ctx, tx, acct, kindPolicyVersion, key)
		if err != nil {
			return err
		}
		if versions > 1 {
			return NewDeleteConflictException("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
		}
		if _, err := tx.IAMResourceDeleteChildren(ctx, acct, "", kindPolicyVersion, key); err != nil {
			return err
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindPolicy, "", key)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeletePolicyOutput{}, nil
}

// ListPolicies lists managed policies: Scope All (default), AWS or Local; OnlyAttached
// keeps those attached to an entity of the account; PathPrefix filters by path.
func (s *Service) ListPolicies(ctx context.Context, in *ListPoliciesInput) (*ListPoliciesOutput, error) {
	acct := s.account(ctx)
	scope := "All"
	if in.Scope != nil {
		scope = *in.Scope
	}
	type item struct {
		p *policyDoc
		n int32
	}
	var items []item
	err := s.read(ctx, func(tx *store.Tx) error {
		var all []*policyDoc
		if scope != "AWS" {
			local, err := listDocs[policyDoc](ctx, tx, acct, kindPolicy, nil)
			if err != nil {
				return err
			}
			all = append(all, local...)
		}
		if scope != "Local" {
			for _, m := range awsManagedList {
				all = append(all, m.policy())
			}
		}
		for _, p := range all {
			n, err := attachmentCount(ctx, tx, acct, p.Arn)
			if err != nil {
				return err
			}
			if in.OnlyAttached != nil && *in.OnlyAttached && n == 0 {
				continue
			}
			items = append(items, item{p, n})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	items = filterPath(items, in.PathPrefix, func(it item) string { return it.p.Path })
	pg, truncated, next, err := page(items, func(it item) string { return strings.ToLower(it.p.PolicyName) + "\x00" + it.p.Arn }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListPoliciesOutput{Policies: make([]*Policy, 0, len(pg)), IsTruncated: &truncated, Marker: next}
	for _, it := range pg {
		out.Policies = append(out.Policies, it.p.wire(it.n, false))
	}
	return out, nil
}

// versions returns the versions of a policy, newest first.
func versions(ctx context.Context, tx *store.Tx, acct string, p *policyDoc) ([]*versionDoc, error) {
	if p.AWS {
		m := awsManaged[p.Arn]
		return []*versionDoc{{VersionID: m.VersionID, Document: m.document, CreateDate: p.UpdateDate}}, nil
	}
	key := strings.ToLower(p.PolicyName)
	vs, err := listDocs[versionDoc](ctx, tx, acct, kindPolicyVersion, &key)
	if err != nil {
		return nil, err
	}
	sort.Slice(vs, func(i, j int) bool { return versionNumber(vs[i].VersionID) > versionNumber(vs[j].VersionID) })
	return vs, nil
}

func versionNumber(v string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "v"))
	return n
}

func (v *versionDoc) wire(p *policyDoc, withDoc bool) *PolicyVersion {
	out := &PolicyVersion{VersionID: ptr(v.VersionID), IsDefaultVersion: ptr(v.VersionID == p.DefaultVersionID), CreateDate: msTime(v.CreateDate)}
	if withDoc {
		out.Document = encodeDocument(v.Document)
	}
	return out
}

// CreatePolicyVersion adds a version to a customer managed policy (at most five),
// optionally making it the default.
func (s *Service) CreatePolicyVersion(ctx context.Context, in *CreatePolicyVersionInput) (*CreatePolicyVersionOutput, error) {
	acct := s.account(ctx)
	if e := validatePolicy(*in.PolicyDocument, identityPolicy); e != nil {
		return nil, e
	}
	var v *versionDoc
	var p *policyDoc
	err := s.write(ctx, func(tx *store.Tx) error {
		var err error
		if p, _, err = localPolicy(ctx, tx, acct, *in.PolicyARN); err != nil {
			return err
		}
		if p.AWS {
			return errPolicyNotFound(*in.PolicyARN)
		}
		key := strings.ToLower(p.PolicyName)
		n, err := countRows(ctx, tx, acct, kindPolicyVersion, key)
		if err != nil {
			return err
		}
		if n >= maxPolicyVersions {
			return NewLimitExceededException("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")
		}
		now := s.clock.Now()
		v = &versionDoc{VersionID: "v" + strconv.Itoa(p.NextVersion), Document: *in.PolicyDocument, CreateDate: now.UnixMilli()}
		p.NextVersion++
		p.UpdateDate = now.UnixMilli()
		if in.SetAsDefault != nil && *in.SetAsDefault {
			p.DefaultVersionID = v.VersionID
		}
		if err := putDoc(ctx, tx, acct, kindPolicyVersion, key, v.VersionID, "", v, now); err != nil {
			return err
		}
		return putDoc(ctx, tx, acct, kindPolicy, "", key, p.Arn, p, now)
	})
	if err != nil {
		return nil, err
	}
	return &CreatePolicyVersionOutput{PolicyVersion: v.wire(p, false)}, nil
}

// versionedPolicy returns the policy of arn for an operation on its version id; an
// unknown policy answers as an unknown version does, as AWS does.
func versionedPolicy(ctx context.Context, tx *store.Tx, acct, arn, id string) (*policyDoc, error) {
	p, _, err := localPolicy(ctx, tx, acct, arn)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeNoSuchEntityException {
		return nil, errVersionNotFound(arn, id)
	}
	return p, err
}

func errVersionNotFound(arn, id string) *protocol.Error {
	return NewNoSuchEntityException("Policy " + arn + " version " + id + " does not exist or is not attachable.")
}

// findVersion returns one version of p or answers NoSuchEntity.
func findVersion(ctx context.Context, tx *store.Tx, acct string, p *policyDoc, id string) (*versionDoc, error) {
	vs, err := versions(ctx, tx, acct, p)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.VersionID == id {
			return v, nil
		}
	}
	return nil, errVersionNotFound(p.Arn, id)
}

// GetPolicyVersion answers one version with its URL-encoded document.
func (s *Service) GetPolicyVersion(ctx context.Context, in *GetPolicyVersionInput) (*GetPolicyVersionOutput, error) {
	acct := s.account(ctx)
	var out *PolicyVersion
	err := s.read(ctx, func(tx *store.Tx) error {
		p, err := versionedPolicy(ctx, tx, acct, *in.PolicyARN, *in.VersionID)
		if err != nil {
			return err
		}
		v, err := findVersion(ctx, tx, acct, p, *in.VersionID)
		if err != nil {
			return err
		}
		out = v.wire(p, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &GetPolicyVersionOutput{PolicyVersion: out}, nil
}

// ListPolicyVersions lists a policy's versions, newest first, without documents.
func (s *Service) ListPolicyVersions(ctx context.Context, in *ListPolicyVersionsInput) (*ListPolicyVersionsOutput, error) {
	acct := s.account(ctx)
	var p *policyDoc
	var vs []*versionDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		var err error
		if p, _, err = localPolicy(ctx, tx, acct, *in.PolicyARN); err != nil {
			return err
		}
		vs, err = versions(ctx, tx, acct, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Newest first: the page key sorts higher version numbers first.
	pg, truncated, next, err := page(vs, func(v *versionDoc) string { return strconv.Itoa(1_000_000 - versionNumber(v.VersionID)) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &ListPolicyVersionsOutput{Versions: make([]*PolicyVersion, 0, len(pg)), IsTruncated: &truncated, Marker: next}
	for _, v := range pg {
		out.Versions = append(out.Versions, v.wire(p, false))
	}
	return out, nil
}

// DeletePolicyVersion deletes a version that is not the default one.
func (s *Service) DeletePolicyVersion(ctx context.Context, in *DeletePolicyVersionInput) (*DeletePolicyVersionOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		p, err := versionedPolicy(ctx, tx, acct, *in.PolicyARN, *in.VersionID)
		if err != nil {
			return err
		}
		if _, err := findVersion(ctx, tx, acct, p, *in.VersionID); err != nil {
			return err
		}
		if p.DefaultVersionID == *in.VersionID {
			return NewDeleteConflictException("Cannot delete the default version of a policy.")
		}
		_, err = tx.IAMResourceDelete(ctx, acct, "", kindPolicyVersion, strings.ToLower(p.PolicyName), *in.VersionID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &DeletePolicyVersionOutput{}, nil
}

// SetDefaultPolicyVersion makes a version the policy's default.
func (s *Service) SetDefaultPolicyVersion(ctx context.Context, in *SetDefaultPolicyVersionInput) (*SetDefaultPolicyVersionOutput, error) {
	acct := s.account(ctx)
	err := s.write(ctx, func(tx *store.Tx) error {
		p, err := versionedPolicy(ctx, tx, acct, *in.PolicyARN, *in.VersionID)
		if err != nil {
			return err
		}
		if _, err := findVersion(ctx, tx, acct, p, *in.VersionID); err != nil {
			return err
		}
		if p.AWS {
			return errPolicyNotFound(*in.PolicyARN)
		}
		now := s.clock.Now()
		p.DefaultVersionID = *in.VersionID
		p.UpdateDate = now.UnixMilli()
		return putDoc(ctx, tx, acct, kindPolicy, "", strings.ToLower(p.PolicyName), p.Arn, p, now)
	})
	if err != nil {
		return nil, err
	}
	return &SetDefaultPolicyVersionOutput{}, nil
}

// updatePolicy applies fn to a customer managed policy.
func (s *Service) updatePolicy(ctx context.Context, arn string, fn func(p *policyDoc) error) error {
	acct := s.account(ctx)
	return s.write(ctx, func(tx *store.Tx) error {
		p, _, err := localPolicy(ctx, tx, acct, arn)
		if err != nil {
			return err
		}
		if p.AWS {
			return errPolicyNotFound(arn)
		}
		if err := fn(p); err != nil {
			return err
		}
		return putDoc(ctx, tx, acct, kindPolicy, "", strings.ToLower(p.PolicyName), p.Arn, p, s.clock.Now())
	})
}

// TagPolicy adds or replaces tags of a customer managed policy; its keys are
// case-sensitive.
func (s *Service) TagPolicy(ctx context.Context, in *TagPolicyInput) (*TagPolicyOutput, error) {
	err := s.updatePolicy(ctx, *in.PolicyARN, func(p *policyDoc) error {
		tags, err := mergePolicyTags(p.Tags, in.Tags)
		if err != nil {
			return err
		}
		if len(tags) > 50 {
			return NewLimitExceededException("The number of tags has reached the maximum limit.")
		}
		p.Tags = tags
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &TagPolicyOutput{}, nil
}

// UntagPolicy removes tags of a customer managed policy.
func (s *Service) UntagPolicy(ctx context.Context, in *UntagPolicyInput) (*UntagPolicyOutput, error) {
	err := s.updatePolicy(ctx, *in.PolicyARN, func(p *policyDoc) error {
		p.Tags = removeTagsBy(p.Tags, in.TagKeys, func(a, b string) bool { return a == b })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UntagPolicyOutput{}, nil
}

// ListPolicyTags lists a managed policy's tags by key (byte order, as AWS lists them).
func (s *Service) ListPolicyTags(ctx context.Context, in *ListPolicyTagsInput) (*ListPolicyTagsOutput, error) {
	acct := s.account(ctx)
	var tags []tagDoc
	err := s.read(ctx, func(tx *store.Tx) error {
		p, _, err := localPolicy(ctx, tx, acct, *in.PolicyARN)
		if p != nil {
			tags = p.Tags
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	pg, truncated, next, err := page(tags, func(t tagDoc) string { return t.Key }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &ListPolicyTagsOutput{Tags: wireTags(pg, true), IsTruncated: &truncated, Marker: next}, nil
}
