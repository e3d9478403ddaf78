package sts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store"

	"github.com/overcast/overcast/internal/awsid"
)

// roleARN is a parsed role ARN: arn:<partition>:iam::<account>:role/<path/>name.
type roleARN struct {
	Partition, Account, Name string
}

// parseRoleARN checks arn the way STS does before anything else: six colon-separated
// fields with a partition, a service and a resource. AWS answers ValidationError
// "<arn> is invalid" otherwise.
func parseRoleARN(arn string) (*roleARN, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" || parts[5] == "" {
		return nil, errValidation(arn + " is invalid")
	}
	res := parts[5]
	name := res[strings.LastIndexByte(res, '/')+1:]
	if name == "" {
		return nil, errValidation(arn + " is invalid")
	}
	return &roleARN{Partition: parts[1], Account: parts[4], Name: name}, nil
}

// assumeParams are what the three AssumeRole operations share.
type assumeParams struct {
	RoleARN, SessionName string
	Duration             *int32
	// Packed is the PackedPolicySize to answer, nil when no session policy or tag was
	// given.
	Packed *int32
	// Chained is true when a role session assumes the role (AssumeRole only).
	Chained bool
	Caller  string
}

// assumed is an issued role session.
type assumed struct {
	Credentials *Credentials
	User        *AssumedRoleUser
}

// assume issues a role session: the role must exist when its account has roles (AWS
// refuses roles that do not exist with AccessDenied); in an account without any role
// the role is taken as given, so that code assuming roles nobody created still runs.
func (s *Service) assume(ctx context.Context, p *assumeParams) (*assumed, error) {
	arn, err := parseRoleARN(p.RoleARN)
	if err != nil {
		return nil, err
	}
	acct := arn.Account
	if !awsid.IsAccount(acct) {
		acct = callOf(ctx).Account
	}
	role, known, err := s.role(ctx, acct, arn.Name)
	switch {
	case errors.Is(err, store.ErrNotFound) && known:
		return nil, errAccessDenied("User: " + p.Caller + " is not authorized to perform: sts:AssumeRole on resource: " + p.RoleARN)
	case errors.Is(err, store.ErrNotFound):
		role = &iamRole{RoleID: stableID("AROA", acct, arn.Name)}
	case err != nil:
		return nil, err
	}
	d := int32(3600)
	if p.Duration != nil {
		d = *p.Duration
	}
	maxDuration := role.MaxSessionDuration
	if maxDuration == 0 {
		maxDuration = 3600
	}
	switch {
	case p.Chained && d > 3600:
		return nil, errValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	case d > maxDuration:
		return nil, errValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	user := &AssumedRoleUser{
		ARN:           ptr("arn:" + arn.Partition + ":sts::" + acct + ":assumed-role/" + arn.Name + "/" + p.SessionName),
		AssumedRoleID: ptr(role.RoleID + ":" + p.SessionName),
	}
	creds, _, err := s.newCredentials(ctx, &session{Account: acct, Arn: *user.ARN, UserID: *user.AssumedRoleID, AssumedRole: true},
		time.Duration(d)*time.Second)
	if err != nil {
		return nil, err
	}
	return &assumed{Credentials: creds, User: user}, nil
}

// AssumeRole issues credentials of a role session. Trust policies are not evaluated.
func (s *Service) AssumeRole(ctx context.Context, in *AssumeRoleInput) (*AssumeRoleOutput, error) {
	if _, err := parseRoleARN(*in.RoleARN); err != nil {
		return nil, err
	}
	if err := checkSessionTags(in.Tags, in.TransitiveTagKeys); err != nil {
		return nil, err
	}
	packed, err := packedSize(in.Policy, in.PolicyARNs, in.Tags)
	if err != nil {
		return nil, err
	}
	who, err := s.callerOf(ctx, callOf(ctx))
	if err != nil {
		return nil, err
	}
	a, err := s.assume(ctx, &assumeParams{RoleARN: *in.RoleARN, SessionName: *in.RoleSessionName, Duration: in.DurationSeconds,
		Chained: who.Session != nil && who.Session.AssumedRole, Caller: who.Arn})
	if err != nil {
		return nil, err
	}
	return &AssumeRoleOutput{Credentials: a.Credentials, AssumedRoleUser: a.User, PackedPolicySize: packed, SourceIdentity: in.SourceIdentity}, nil
}

// AssumeRoleWithWebIdentity issues credentials of a role session for a web identity
// token. The token is accepted without verification: Overcast trusts every identity
// provider. Provider and Audience are read from the token's claims when it is a JWT.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *AssumeRoleWithWebIdentityInput) (*AssumeRoleWithWebIdentityOutput, error) {
	packed, err := packedSize(in.Policy, in.PolicyARNs, nil)
	if err != nil {
		return nil, err
	}
	a, err := s.assume(ctx, &assumeParams{RoleARN: *in.RoleARN, SessionName: *in.RoleSessionName, Duration: in.DurationSeconds,
		Caller: "arn:aws:sts::" + callOf(ctx).Account + ":federated-user/web-identity"})
	if err != nil {
		return nil, err
	}
	out := &AssumeRoleWithWebIdentityOutput{Credentials: a.Credentials, AssumedRoleUser: a.User, PackedPolicySize: packed}
	claims := jwtClaims(*in.WebIdentityToken)
	if sub, ok := claims["sub"].(string); ok {
		out.SubjectFromWebIdentityToken = &sub
	}
	if aud := claimString(claims["aud"]); aud != "" {
		out.Audience = &aud
	}
	switch {
	case in.ProviderID != nil:
		out.Provider = in.ProviderID
	default:
		if iss, ok := claims["iss"].(string); ok {
			iss = strings.TrimPrefix(strings.TrimPrefix(iss, "https://"), "http://")
			out.Provider = &iss
		}
	}
	return out, nil
}

// AssumeRoleWithSAML issues credentials of a role session for a SAML assertion. The
// assertion is accepted without verification; the session is named by its RoleSessionName
// attribute when it has one.
func (s *Service) AssumeRoleWithSAML(ctx context.Context, in *AssumeRoleWithSAMLInput) (*AssumeRoleWithSAMLOutput, error) {
	packed, err := packedSize(in.Policy, in.PolicyARNs, nil)
	if err != nil {
		return nil, err
	}
	name := samlAttribute(*in.SAMLAssertion, "https://aws.amazon.com/SAML/Attributes/RoleSessionName")
	if name == "" {
		name = "saml-session"
	}
	a, err := s.assume(ctx, &assumeParams{RoleARN: *in.RoleARN, SessionName: name, Duration: in.DurationSeconds,
		Caller: *in.PrincipalARN})
	if err != nil {
		return nil, err
	}
	return &AssumeRoleWithSAMLOutput{Credentials: a.Credentials, AssumedRoleUser: a.User, PackedPolicySize: packed,
		Subject: &name, SubjectType: ptr("persistent")}, nil
}

// checkSessionTags applies STS's rules to session tags: keys are unique regardless of
// case, and every transitive key names a tag.
func checkSessionTags(tags []*Tag, transitive []string) error {
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(*t.Key)
		if seen[k] {
			return errInvalidParameter("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
	}
	for _, k := range transitive {
		if !seen[strings.ToLower(k)] {
			return errInvalidParameter("The specified transitive tag key must be included in the requested tags.")
		}
	}
	return nil
}

// packedSize checks the session policy and answers PackedPolicySize, the share (in
// percent) of the packed-policy limit that the session policies and tags use; nil when
// none was given. AWS compresses the policies with an undisclosed format: the share is
// an estimate from their compacted length.
func packedSize(policy *string, arns []*PolicyDescriptorType, tags []*Tag) (*int32, error) {
	if policy == nil && len(arns) == 0 && len(tags) == 0 {
		return nil, nil
	}
	n := 0
	if policy != nil {
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(*policy)); err != nil {
			return nil, NewMalformedPolicyDocumentException("The policy is not in the valid JSON format.")
		}
		var doc map[string]any
		if json.Unmarshal(buf.Bytes(), &doc) != nil {
			return nil, NewMalformedPolicyDocumentException("The policy is not in the valid JSON format.")
		}
		n += buf.Len()
	}
	for _, a := range arns {
		if a.ARN != nil {
			n += len(*a.ARN)
		}
	}
	for _, t := range tags {
		n += len(*t.Key) + len(*t.Value)
	}
	// AWS answers about 16% for a one-statement policy of some 110 characters.
	pct := int32((n*100 + 689) / 690)
	if pct > 100 {
		return nil, NewPackedPolicyTooLargeException("Packed size of consolidated session policies and session tags exceeds 100%, please re-formulate the policies or tags and try again. (" + strconv.Itoa(int(pct)) + "%)")
	}
	return &pct, nil
}

// stableID returns a 21-character unique id, like AWS's, for an entity Overcast has no
// record of: the same for the same account and name, so repeated sessions agree.
func stableID(prefix, account, name string) string {
	return awsid.Stable(prefix, account, account+"/"+name)
}
