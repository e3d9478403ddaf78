package s3

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// validBucketName applies S3's naming rules for general purpose buckets
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) || strings.Contains(name, "..") {
		return false
	}
	if net.ParseIP(name) != nil {
		return false
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, sfx := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, sfx) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// CreateBucket implements S3 CreateBucket.
func (s *Service) CreateBucket(ctx context.Context, in *CreateBucketInput) (*CreateBucketOutput, error) {
	c := callOf(ctx)
	name := deref(in.Bucket)
	if !validBucketName(name) {
		return nil, errInvalidBucketName(name)
	}
	// The location must be the region of the endpoint, named by LocationConstraint except
	// in us-east-1, which is the default and may not be named.
	region := c.Region
	lc := ""
	if in.CreateBucketConfiguration != nil {
		lc = deref(in.CreateBucketConfiguration.LocationConstraint)
	}
	switch {
	case lc == "us-east-1":
		return nil, &protocol.Error{Code: codeInvalidLocationConstraint, Message: "The specified location-constraint is not valid",
			Status: 400, Fields: map[string]any{"LocationConstraint": lc}}
	case lc == "" && region != "us-east-1":
		return nil, &protocol.Error{Code: codeIllegalLocationConstraintException, Status: 400,
			Message: "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."}
	case lc != "" && lc != region:
		return nil, &protocol.Error{Code: codeIllegalLocationConstraintException, Status: 400,
			Message: "The " + lc + " location constraint is incompatible for the region specific endpoint this request was sent to."}
	}
	ownership := ownerEnforced
	if in.ObjectOwnership != nil {
		if ownership = *in.ObjectOwnership; !validOwnership(ownership) {
			return nil, errInvalidOwnershipHeader(ownership)
		}
	}
	configs := newBucketConfigs(ownership)
	if in.ObjectLockEnabledForBucket != nil && *in.ObjectLockEnabledForBucket {
		// Object Lock needs versioning: S3 enables both.
		configs[cfgVersioning] = encodeJSON(&VersioningConfiguration{Status: ptr(versioningEnabled)})
		configs[cfgObjectLock] = encodeJSON(&ObjectLockConfiguration{ObjectLockEnabled: ptr("Enabled")})
	}
	if in.ACL != nil || in.GrantFullControl != nil || in.GrantRead != nil || in.GrantReadACP != nil || in.GrantWrite != nil || in.GrantWriteACP != nil {
		req := aclRequest{canned: in.ACL, headers: grantHeaders(in.GrantFullControl, in.GrantRead, in.GrantReadACP, in.GrantWrite, in.GrantWriteACP)}
		gs, beyond, err := req.grants(c.Account)
		if err != nil {
			return nil, err
		}
		if beyond && ownership == ownerEnforced {
			return nil, errInvalidRequestCode("InvalidBucketAclWithObjectOwnership",
				"Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
		}
		// New buckets block public access, so a public ACL cannot be set at creation.
		if publicGrants(gs) {
			return nil, errInvalidRequestCode("InvalidBucketAclWithBlockPublicAccessError",
				"Bucket cannot have public ACLs set with BlockPublicAccess enabled")
		}
		configs[cfgACL] = encodeJSON(&AccessControlPolicy{Grants: gs})
	}
	existing, err := s.db.S3BucketCreate(ctx, &store.S3Bucket{Name: name, Account: c.Account, Region: region, CreatedAt: s.now(), Configs: configs})
	switch {
	case errors.Is(err, store.ErrConflict):
		if existing.Account != c.Account {
			return nil, errBucketAlreadyExists(name)
		}
		// us-east-1 answers success to its owner creating the bucket again, for
		// compatibility; every other region answers BucketAlreadyOwnedByYou.
		if existing.Region != "us-east-1" || region != "us-east-1" {
			return nil, errBucketAlreadyOwnedByYou(name)
		}
	case err != nil:
		return nil, errInternal(err)
	}
	loc := "/" + name
	if region != "us-east-1" {
		loc = c.Scheme + "://" + name + ".s3." + hostOr(c.Host) + "/"
	}
	return &CreateBucketOutput{Location: &loc}, nil
}

func hostOr(h string) string {
	if h == "" {
		return "localhost"
	}
	return h
}

// bucket returns the bucket name, or NoSuchBucket. A bucket of another account answers
// AccessDenied: Overcast has no bucket policies or ACLs that could grant access to it.
func (s *Service) bucket(ctx context.Context, name string) (*store.S3Bucket, error) {
	b, err := s.db.S3BucketGet(ctx, name)
	if err != nil {
		return nil, bucketErr(name, err)
	}
	if b.Account != callOf(ctx).Account {
		return nil, errAccessDenied()
	}
	return b, nil
}

// HeadBucket implements S3 HeadBucket.
func (s *Service) HeadBucket(ctx context.Context, in *HeadBucketInput) (*HeadBucketOutput, error) {
	b, err := s.bucket(ctx, deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	return &HeadBucketOutput{BucketRegion: &b.Region, AccessPointAlias: ptr(false)}, nil
}

// DeleteBucket implements S3 DeleteBucket.
func (s *Service) DeleteBucket(ctx context.Context, in *DeleteBucketInput) (*DeleteBucketOutput, error) {
	name := deref(in.Bucket)
	if _, err := s.bucket(ctx, name); err != nil {
		return nil, err
	}
	err := s.db.S3BucketDelete(ctx, name)
	switch {
	case errors.Is(err, store.ErrConflict):
		e := errBucketNotEmpty(name)
		if state, _ := s.versioning(ctx, name); state != "" {
			e.Message += ". You must delete all versions in the bucket."
		}
		return nil, e
	case err != nil:
		return nil, bucketErr(name, err)
	}
	return &DeleteBucketOutput{}, nil
}

// GetBucketLocation implements S3 GetBucketLocation: buckets in us-east-1 answer an
// empty LocationConstraint.
func (s *Service) GetBucketLocation(ctx context.Context, in *GetBucketLocationInput) (*GetBucketLocationOutput, error) {
	b, err := s.bucket(ctx, deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	out := &GetBucketLocationOutput{}
	if b.Region != "us-east-1" {
		out.LocationConstraint = &b.Region
	}
	return out, nil
}

// maxListBuckets is the most buckets ListBuckets answers in one page.
const maxListBuckets = 10000

// ListBuckets implements S3 ListBuckets with its Prefix, BucketRegion, MaxBuckets and
// ContinuationToken.
func (s *Service) ListBuckets(ctx context.Context, in *ListBucketsInput) (*ListBucketsOutput, error) {
	c := callOf(ctx)
	max := maxListBuckets
	if in.MaxBuckets != nil {
		if *in.MaxBuckets < 1 || *in.MaxBuckets > maxListBuckets {
			return nil, protocol.InvalidArgument("Argument max-buckets must be an integer between 1 and 10000.")
		}
		max = int(*in.MaxBuckets)
	}
	after := ""
	if in.ContinuationToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.ContinuationToken)
		if err != nil {
			return nil, protocol.InvalidArgument("The continuation token provided is incorrect")
		}
		after = string(raw)
	}
	all, err := s.db.S3BucketList(ctx, c.Account)
	if err != nil {
		return nil, errInternal(err)
	}
	out := &ListBucketsOutput{Owner: &Owner{ID: ptr(canonicalID(c.Account))}, Buckets: []*Bucket{}, Prefix: in.Prefix}
	for _, b := range all {
		if b.Name <= after || !strings.HasPrefix(b.Name, deref(in.Prefix)) ||
			(in.BucketRegion != nil && *in.BucketRegion != b.Region) {
			continue
		}
		if len(out.Buckets) == max {
			out.ContinuationToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(*out.Buckets[max-1].Name)))
			break
		}
		out.Buckets = append(out.Buckets, &Bucket{Name: ptr(b.Name), CreationDate: ptr(time.UnixMilli(b.CreatedAt).UTC()), BucketRegion: ptr(b.Region)})
	}
	return out, nil
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
