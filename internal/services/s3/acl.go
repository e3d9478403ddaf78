package s3

import (
	"context"
	"net/http"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// Object Ownership (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html):
// with BucketOwnerEnforced, the default of new buckets, ACLs are disabled: they read as
// the owner's FULL_CONTROL and only ACLs granting nothing more may be put.
const (
	ownerEnforced  = "BucketOwnerEnforced"
	ownerPreferred = "BucketOwnerPreferred"
	objectWriter   = "ObjectWriter"
)

func validOwnership(v string) bool {
	return v == ownerEnforced || v == ownerPreferred || v == objectWriter
}

func errACLNotSupported() *protocol.Error {
	return &protocol.Error{Code: "AccessControlListNotSupported", Message: "The bucket does not allow ACLs", Status: http.StatusBadRequest}
}

// errInvalidOwnershipHeader answers a CreateBucket x-amz-object-ownership that is not one
// of the three settings.
func errInvalidOwnershipHeader(v string) *protocol.Error {
	return &protocol.Error{Code: "InvalidArgument", Message: "Invalid x-amz-object-ownership header: " + v, Status: http.StatusBadRequest,
		Fields: map[string]any{"ArgumentName": "x-amz-object-ownership"}}
}

// PutBucketOwnershipControls implements S3 PutBucketOwnershipControls: exactly one rule
// with one of the three settings.
func (s *Service) PutBucketOwnershipControls(ctx context.Context, in *PutBucketOwnershipControlsInput) (*PutBucketOwnershipControlsOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.OwnershipControls
	if c == nil || len(c.Rules) != 1 || !validOwnership(deref(c.Rules[0].ObjectOwnership)) {
		return nil, protocol.MalformedXML()
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgOwnership, c); err != nil {
		return nil, err
	}
	return &PutBucketOwnershipControlsOutput{}, nil
}

// GetBucketOwnershipControls implements S3 GetBucketOwnershipControls.
func (s *Service) GetBucketOwnershipControls(ctx context.Context, in *GetBucketOwnershipControlsInput) (*GetBucketOwnershipControlsOutput, error) {
	var c OwnershipControls
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgOwnership, &c, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found"); err != nil {
		return nil, err
	}
	return &GetBucketOwnershipControlsOutput{OwnershipControls: &c}, nil
}

// DeleteBucketOwnershipControls implements S3 DeleteBucketOwnershipControls. A bucket
// without ownership controls behaves as ObjectWriter: ACLs are enabled.
func (s *Service) DeleteBucketOwnershipControls(ctx context.Context, in *DeleteBucketOwnershipControlsInput) (*DeleteBucketOwnershipControlsOutput, error) {
	return &DeleteBucketOwnershipControlsOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgOwnership)
}

// aclsDisabled reports whether bucket enforces bucket owner ownership, disabling ACLs.
func (s *Service) aclsDisabled(ctx context.Context, bucket string) (bool, error) {
	var c OwnershipControls
	ok, err := s.getConfig(ctx, bucket, cfgOwnership, &c)
	if err != nil || !ok {
		return false, err
	}
	return len(c.Rules) > 0 && deref(c.Rules[0].ObjectOwnership) == ownerEnforced, nil
}

// The groups canned ACLs grant to
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#specifying-grantee-predefined-groups).
const (
	groupAllUsers      = "http://acs.amazonaws.com/groups/global/AllUsers"
	groupAuthenticated = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	groupLogDelivery   = "http://acs.amazonaws.com/groups/s3/LogDelivery"
)

func ownerGrant(account, permission string) *Grant {
	return &Grant{Grantee: &Grantee{ID: ptr(canonicalID(account)), Type: ptr("CanonicalUser")}, Permission: ptr(permission)}
}

func groupGrant(uri, permission string) *Grant {
	return &Grant{Grantee: &Grantee{URI: ptr(uri), Type: ptr("Group")}, Permission: ptr(permission)}
}

// cannedGrants are the grants of a canned ACL
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#canned-acl).
func cannedGrants(acl, account string) []*Grant {
	gs := []*Grant{ownerGrant(account, "FULL_CONTROL")}
	switch acl {
	case "public-read":
		gs = append(gs, groupGrant(groupAllUsers, "READ"))
	case "public-read-write":
		gs = append(gs, groupGrant(groupAllUsers, "READ"), groupGrant(groupAllUsers, "WRITE"))
	case "authenticated-read":
		gs = append(gs, groupGrant(groupAuthenticated, "READ"))
	case "log-delivery-write":
		gs = append(gs, groupGrant(groupLogDelivery, "WRITE"), groupGrant(groupLogDelivery, "READ_ACP"))
	}
	return gs
}

// headerGrants reads the x-amz-grant-* headers ("id=..., uri=..., emailAddress=...") into
// grants.
func headerGrants(headers map[string]*string) ([]*Grant, error) {
	var gs []*Grant
	for _, perm := range []string{"FULL_CONTROL", "READ", "READ_ACP", "WRITE", "WRITE_ACP"} {
		h := headers[perm]
		if h == nil {
			continue
		}
		for _, item := range strings.Split(*h, ",") {
			kind, value, ok := strings.Cut(strings.TrimSpace(item), "=")
			value = strings.Trim(strings.TrimSpace(value), `"`)
			if !ok || value == "" {
				return nil, errInvalidArgument("Invalid grant header", "x-amz-grant-"+strings.ReplaceAll(strings.ToLower(perm), "_", "-"), *h)
			}
			g := &Grantee{}
			switch strings.ToLower(strings.TrimSpace(kind)) {
			case "id":
				g.ID, g.Type = ptr(value), ptr("CanonicalUser")
			case "uri":
				g.URI, g.Type = ptr(value), ptr("Group")
			case "emailaddress":
				g.EmailAddress, g.Type = ptr(value), ptr("AmazonCustomerByEmail")
			default:
				return nil, errInvalidArgument("Argument format not recognized", "x-amz-grant-"+strings.ReplaceAll(strings.ToLower(perm), "_", "-"), *h)
			}
			gs = append(gs, &Grant{Grantee: g, Permission: ptr(perm)})
		}
	}
	return gs, nil
}

// grantHeaders maps the x-amz-grant-* headers of a request to the permissions they grant.
func grantHeaders(fullControl, read, readACP, write, writeACP *string) map[string]*string {
	return map[string]*string{"FULL_CONTROL": fullControl, "READ": read, "READ_ACP": readACP, "WRITE": write, "WRITE_ACP": writeACP}
}

// aclRequest is what a PutBucketAcl or PutObjectAcl asks for.
type aclRequest struct {
	canned  *string
	policy  *AccessControlPolicy
	headers map[string]*string
}

// grants resolves the request to the grants it sets, and reports whether they grant
// anything beyond the owner's FULL_CONTROL (what a bucket with ACLs disabled refuses).
func (r aclRequest) grants(account string) ([]*Grant, bool, error) {
	explicit := false
	for _, h := range r.headers {
		explicit = explicit || h != nil
	}
	n := 0
	if r.canned != nil {
		n++
	}
	if r.policy != nil {
		n++
	}
	if explicit {
		n++
	}
	switch {
	case n == 0:
		return nil, false, &protocol.Error{Code: "MissingSecurityHeader", Message: "Your request was missing a required header",
			Status: http.StatusBadRequest, Fields: map[string]any{"MissingHeaderName": "x-amz-acl"}}
	case n > 1:
		return nil, false, errInvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed")
	}
	var gs []*Grant
	switch {
	case r.canned != nil:
		gs = cannedGrants(*r.canned, account)
	case r.policy != nil:
		gs = r.policy.Grants
		for _, g := range gs {
			if g.Grantee == nil || g.Permission == nil {
				return nil, false, protocol.MalformedXML()
			}
		}
	default:
		var err error
		if gs, err = headerGrants(r.headers); err != nil {
			return nil, false, err
		}
	}
	owner := canonicalID(account)
	beyond := false
	for _, g := range gs {
		if deref(g.Permission) != "FULL_CONTROL" || deref(g.Grantee.ID) != owner {
			beyond = true
		}
	}
	// bucket-owner-full-control grants the bucket owner, who is the only owner here.
	if r.canned != nil && *r.canned == "bucket-owner-full-control" {
		beyond = false
	}
	return gs, beyond, nil
}

// publicGrants reports whether gs grant anything to everyone or to every AWS user.
func publicGrants(gs []*Grant) bool {
	for _, g := range gs {
		if g.Grantee != nil && (deref(g.Grantee.URI) == groupAllUsers || deref(g.Grantee.URI) == groupAuthenticated) {
			return true
		}
	}
	return false
}

// checkPublicACL refuses public grants on a bucket whose public access block has
// BlockPublicAcls, as S3 does.
func (s *Service) checkPublicACL(ctx context.Context, bucket string, gs []*Grant) error {
	if !publicGrants(gs) {
		return nil
	}
	pab, err := s.publicAccessBlock(ctx, bucket)
	if err != nil {
		return err
	}
	if pab != nil && pab.BlockPublicAcls != nil && *pab.BlockPublicAcls {
		return errAccessDenied()
	}
	return nil
}

// PutBucketAcl implements S3 PutBucketAcl. A bucket with ACLs disabled takes only ACLs
// that grant its owner FULL_CONTROL and nothing else.
func (s *Service) PutBucketAcl(ctx context.Context, in *PutBucketAclInput) (*PutBucketAclOutput, error) {
	name := deref(in.Bucket)
	b, err := s.bucket(ctx, name)
	if err != nil {
		return nil, err
	}
	req := aclRequest{canned: in.ACL, policy: in.AccessControlPolicy, headers: grantHeaders(in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP)}
	gs, beyond, err := req.grants(b.Account)
	if err != nil {
		return nil, err
	}
	disabled, err := s.aclsDisabled(ctx, name)
	if err != nil {
		return nil, err
	}
	if disabled {
		if beyond {
			return nil, errACLNotSupported()
		}
		return &PutBucketAclOutput{}, nil
	}
	if err := s.checkPublicACL(ctx, name, gs); err != nil {
		return nil, err
	}
	if err := s.putConfig(ctx, name, cfgACL, &AccessControlPolicy{Grants: gs}); err != nil {
		return nil, err
	}
	return &PutBucketAclOutput{}, nil
}

// GetBucketAcl implements S3 GetBucketAcl: the owner's FULL_CONTROL unless ACLs are
// enabled and another ACL was put.
func (s *Service) GetBucketAcl(ctx context.Context, in *GetBucketAclInput) (*GetBucketAclOutput, error) {
	name := deref(in.Bucket)
	b, err := s.bucket(ctx, name)
	if err != nil {
		return nil, err
	}
	out := &GetBucketAclOutput{Owner: &Owner{ID: ptr(canonicalID(b.Account))}, Grants: cannedGrants("private", b.Account)}
	disabled, err := s.aclsDisabled(ctx, name)
	if err != nil || disabled {
		return out, err
	}
	var p AccessControlPolicy
	ok, err := s.getConfig(ctx, name, cfgACL, &p)
	if err != nil {
		return nil, err
	}
	if ok {
		out.Grants = p.Grants
	}
	return out, nil
}

// GetObjectAcl implements S3 GetObjectAcl: objects are owned by the bucket owner, with
// FULL_CONTROL.
func (s *Service) GetObjectAcl(ctx context.Context, in *GetObjectAclInput) (*GetObjectAclOutput, error) {
	bucket := deref(in.Bucket)
	if _, err := s.objectTagsTarget(ctx, bucket, deref(in.Key), deref(in.VersionID), http.MethodGet); err != nil {
		return nil, err
	}
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	return &GetObjectAclOutput{Owner: &Owner{ID: ptr(canonicalID(b.Account))}, Grants: cannedGrants("private", b.Account)}, nil
}

// PutObjectAcl implements S3 PutObjectAcl. Object ACLs are not kept: an ACL that grants
// only the owner is accepted, and one that grants more is refused when the bucket has ACLs
// disabled, accepted without effect otherwise.
func (s *Service) PutObjectAcl(ctx context.Context, in *PutObjectAclInput) (*PutObjectAclOutput, error) {
	bucket := deref(in.Bucket)
	if _, err := s.objectTagsTarget(ctx, bucket, deref(in.Key), deref(in.VersionID), http.MethodPut); err != nil {
		return nil, err
	}
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	req := aclRequest{canned: in.ACL, policy: in.AccessControlPolicy, headers: grantHeaders(in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP)}
	gs, beyond, err := req.grants(b.Account)
	if err != nil {
		return nil, err
	}
	if beyond {
		disabled, err := s.aclsDisabled(ctx, bucket)
		if err != nil {
			return nil, err
		}
		if disabled {
			return nil, errACLNotSupported()
		}
	}
	if err := s.checkPublicACL(ctx, bucket, gs); err != nil {
		return nil, err
	}
	return &PutObjectAclOutput{}, nil
}

// checkWriteACL refuses the x-amz-acl of an object write that a bucket with ACLs disabled
// does not take.
func (s *Service) checkWriteACL(ctx context.Context, bucket string, acl *string) error {
	if acl == nil || *acl == "private" || *acl == "bucket-owner-full-control" {
		return nil
	}
	disabled, err := s.aclsDisabled(ctx, bucket)
	if err != nil {
		return err
	}
	if disabled {
		return errACLNotSupported()
	}
	return s.checkPublicACL(ctx, bucket, cannedGrants(*acl, ""))
}
