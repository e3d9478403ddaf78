package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// layerConfig is the stored description of one layer version.
type layerConfig struct {
	Description   string   `json:"description,omitempty"`
	Runtimes      []string `json:"runtimes,omitempty"`
	Architectures []string `json:"arch,omitempty"`
	License       string   `json:"license,omitempty"`
	// SHA256 is the hex SHA-256 of the zip (the code cache's key); CodeSha256 on the wire
	// is its base64.
	SHA256   string `json:"sha256"`
	CodeSize int64  `json:"codeSize"`
	// Unzipped is the unzipped size, which counts against a function's 250 MB.
	Unzipped int64 `json:"unzipped"`
}

func decodeLayerConfig(s string) (*layerConfig, error) {
	var c layerConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode layer config: %w", err)
	}
	return &c, nil
}

func (c *layerConfig) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // plain strings and numbers always marshal
	}
	return string(b)
}

// layerRef is a layer version a function version uses, as stored in its configuration:
// enough to find the version's code even after the version was deleted, and to report its
// size.
type layerRef struct {
	Account  string `json:"account"`
	Region   string `json:"region"`
	Name     string `json:"name"`
	Version  int64  `json:"version"`
	SHA256   string `json:"sha256"`
	CodeSize int64  `json:"codeSize"`
	Unzipped int64  `json:"unzipped"`
}

func (r *layerRef) arn() string {
	return layerVersionARN(r.Account, r.Region, r.Name, r.Version)
}

// wireLayers renders the layers of a function version for its configuration.
func (c *functionConfig) wireLayers() []*Layer {
	var out []*Layer
	for i, arn := range c.Layers {
		size := int64(0)
		if i < len(c.LayerRefs) {
			size = c.LayerRefs[i].CodeSize
		}
		out = append(out, &Layer{ARN: ptr(arn), CodeSize: ptr(size)})
	}
	return out
}

func layerARN(account, region, name string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":layer:" + name
}

func layerVersionARN(account, region, name string, version int64) string {
	return layerARN(account, region, name) + ":" + strconv.FormatInt(version, 10)
}

// layerName resolves the LayerName of a request, a name or a layer ARN, to the layer's
// account, region and name.
func layerName(call *protocol.Call, raw string) (account, region, name string) {
	parts := strings.Split(raw, ":")
	if len(parts) == 7 && parts[0] == "arn" && parts[5] == "layer" {
		return parts[4], parts[3], parts[6]
	}
	return call.Account, call.Region, raw
}

// parseLayerVersionARN splits arn:aws:lambda:<region>:<account>:layer:<name>:<version>.
func parseLayerVersionARN(arn string) (*layerRef, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "layer" || parts[6] == "" {
		return nil, false
	}
	v, err := strconv.ParseInt(parts[7], 10, 64)
	if err != nil || v <= 0 {
		return nil, false
	}
	return &layerRef{Account: parts[4], Region: parts[3], Name: parts[6], Version: v}, true
}

func errLayerVersionNotFound() *protocol.Error {
	return NewResourceNotFoundException("The resource you requested does not exist.")
}

// errLayerAccessDenied is Lambda's answer to using or reading another account's layer
// version that no statement of its policy grants to the caller.
func errLayerAccessDenied(call *protocol.Call, arn string) *protocol.Error {
	return &protocol.Error{
		Code:    "AccessDeniedException",
		Status:  403,
		Message: "User: arn:aws:iam::" + call.Account + ":root is not authorized to perform: lambda:GetLayerVersion on resource: " + arn + " because no resource-based policy allows the lambda:GetLayerVersion action",
	}
}

// ownLayer refuses a write to another account's or region's layer.
func ownLayer(call *protocol.Call, account, region, name string, version int64) error {
	if account == call.Account && region == call.Region {
		return nil
	}
	arn := layerARN(account, region, name)
	if version > 0 {
		arn = layerVersionARN(account, region, name, version)
	}
	return &protocol.Error{
		Code:    "AccessDeniedException",
		Status:  403,
		Message: "User: arn:aws:iam::" + call.Account + ":root is not authorized to manage layer " + arn,
	}
}

// layerLocation is the URL GetLayerVersion hands out for downloading a version's zip.
func layerLocation(call *protocol.Call, account, region, name string, version int64) string {
	scheme, host := call.Scheme, call.Host
	if scheme == "" {
		scheme = "http"
	}
	if host == "" {
		host = "localhost:4566"
	}
	return scheme + "://" + host + "/_overcast/lambda/layer/" + account + "/" + region + "/" + name + "/" + strconv.FormatInt(version, 10) + ".zip"
}

func createdDate(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(lastModifiedFmt)
}

// wireLayerVersion renders a layer version as GetLayerVersion returns it.
func wireLayerVersion(call *protocol.Call, v *store.LambdaLayerVersion, c *layerConfig) *GetLayerVersionResponse {
	code := &lambdart.Code{SHA256: c.SHA256}
	out := &GetLayerVersionResponse{
		Content: &LayerVersionContentOutput{
			Location:   ptr(layerLocation(call, v.Account, v.Region, v.Layer, v.Version)),
			CodeSha256: ptr(code.CodeSha256()),
			CodeSize:   ptr(c.CodeSize),
		},
		LayerARN:                ptr(layerARN(v.Account, v.Region, v.Layer)),
		LayerVersionARN:         ptr(layerVersionARN(v.Account, v.Region, v.Layer, v.Version)),
		Description:             ptr(c.Description),
		CreatedDate:             ptr(createdDate(v.CreatedAt)),
		Version:                 ptr(v.Version),
		CompatibleRuntimes:      c.Runtimes,
		CompatibleArchitectures: c.Architectures,
	}
	if c.License != "" {
		out.LicenseInfo = ptr(c.License)
	}
	return out
}

// wireLayerListItem renders a layer version for ListLayers and ListLayerVersions.
func wireLayerListItem(v *store.LambdaLayerVersion, c *layerConfig) *LayerVersionsListItem {
	out := &LayerVersionsListItem{
		LayerVersionARN:         ptr(layerVersionARN(v.Account, v.Region, v.Layer, v.Version)),
		Version:                 ptr(v.Version),
		Description:             ptr(c.Description),
		CreatedDate:             ptr(createdDate(v.CreatedAt)),
		CompatibleRuntimes:      c.Runtimes,
		CompatibleArchitectures: c.Architectures,
	}
	if c.License != "" {
		out.LicenseInfo = ptr(c.License)
	}
	return out
}

// PublishLayerVersion creates a layer version from a zip archive. Each call publishes a
// new version; numbers are never reused.
func (s *Service) PublishLayerVersion(ctx context.Context, in *PublishLayerVersionInput) (*PublishLayerVersionOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	if err := ownLayer(call, account, region, name, 0); err != nil {
		return nil, err
	}
	zip, ok, err := s.codeFrom(ctx, call, in.Content.ZipFile, in.Content.S3Bucket, in.Content.S3Key, in.Content.S3ObjectVersion)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, NewInvalidParameterValueException("Please provide a source for the layer version content.")
	}
	if len(zip) > maxZipBytes {
		return nil, NewRequestTooLargeException("Request must be smaller than 70167211 bytes for the PublishLayerVersion operation")
	}
	code, err := s.unpack("PublishLayerVersion", zip)
	if err != nil {
		return nil, err
	}
	c := &layerConfig{
		Description:   deref(in.Description),
		Runtimes:      in.CompatibleRuntimes,
		Architectures: in.CompatibleArchitectures,
		License:       deref(in.LicenseInfo),
		SHA256:        code.SHA256,
		CodeSize:      int64(len(zip)),
		Unzipped:      code.Size,
	}
	v, err := s.db.LambdaLayerVersionPublish(ctx, &store.LambdaLayerVersionPublishParams{
		Account: account, Region: region, Layer: name, Now: s.clock.Now().UnixMilli(),
		Config: c.encode(), RevisionID: newRevisionID(), Code: zip,
	})
	if err != nil {
		return nil, err
	}
	out := (*PublishLayerVersionOutput)(wireLayerVersion(call, v, c))
	// PublishLayerVersion answers empty lists for compatibilities not given, where the
	// other operations leave them out.
	if out.CompatibleRuntimes == nil {
		out.CompatibleRuntimes = []string{}
	}
	if out.CompatibleArchitectures == nil {
		out.CompatibleArchitectures = []string{}
	}
	return out, nil
}

// layerVersion reads a layer version the caller may read: its own, or another account's
// whose policy grants the caller lambda:GetLayerVersion.
func (s *Service) layerVersion(ctx context.Context, call *protocol.Call, account, region, name string, version int64) (*store.LambdaLayerVersion, *layerConfig, error) {
	v, err := s.db.LambdaLayerVersionGet(ctx, account, region, name, version)
	switch {
	case errors.Is(err, store.ErrNotFound) && account != call.Account:
		return nil, nil, errLayerAccessDenied(call, layerVersionARN(account, region, name, version))
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errLayerVersionNotFound()
	case err != nil:
		return nil, nil, err
	}
	if account != call.Account && !layerGrants(v.Policy, call.Account) {
		return nil, nil, errLayerAccessDenied(call, layerVersionARN(account, region, name, version))
	}
	c, err := decodeLayerConfig(v.Config)
	if err != nil {
		return nil, nil, err
	}
	return v, c, nil
}

// layerGrants reports whether a layer version's policy lets account use it.
func layerGrants(policy, account string) bool {
	sts, err := decodeLayerPolicy(policy)
	if err != nil {
		return false
	}
	for _, raw := range sts {
		var st struct {
			Principal any
			Action    string
		}
		if json.Unmarshal(raw, &st) != nil || st.Action != "lambda:GetLayerVersion" {
			continue
		}
		switch p := st.Principal.(type) {
		case string:
			if p == "*" {
				return true
			}
		case map[string]any:
			if p["AWS"] == "arn:aws:iam::"+account+":root" {
				return true
			}
		}
	}
	return false
}

// GetLayerVersion returns a layer version, with a link to download its zip.
func (s *Service) GetLayerVersion(ctx context.Context, in *GetLayerVersionInput) (*GetLayerVersionOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	if *in.VersionNumber < 1 {
		return nil, errLayerVersionBelowOne()
	}
	v, c, err := s.layerVersion(ctx, call, account, region, name, *in.VersionNumber)
	if err != nil {
		return nil, err
	}
	return (*GetLayerVersionOutput)(wireLayerVersion(call, v, c)), nil
}

// GetLayerVersionByArn returns the layer version a version ARN names.
func (s *Service) GetLayerVersionByArn(ctx context.Context, in *GetLayerVersionByArnInput) (*GetLayerVersionByArnOutput, error) {
	call := callOf(ctx)
	ref, ok := parseLayerVersionARN(*in.ARN)
	if !ok {
		return nil, NewInvalidParameterValueException("Invalid layer version ARN: " + *in.ARN)
	}
	v, c, err := s.layerVersion(ctx, call, ref.Account, ref.Region, ref.Name, ref.Version)
	if err != nil {
		return nil, err
	}
	return (*GetLayerVersionByArnOutput)(wireLayerVersion(call, v, c)), nil
}

// layerMatches reports whether a layer version passes ListLayers' filters.
func layerMatches(c *layerConfig, runtime, arch *string) bool {
	if runtime != nil && !slices.Contains(c.Runtimes, *runtime) {
		return false
	}
	if arch != nil && !slices.Contains(c.Architectures, *arch) {
		return false
	}
	return true
}

// ListLayers lists the account's layers with, for each, the latest version matching the
// filters; layers without such a version are left out. The marker is the last layer's
// name.
func (s *Service) ListLayers(ctx context.Context, in *ListLayersInput) (*ListLayersOutput, error) {
	call := callOf(ctx)
	rows, err := s.db.LambdaLayerVersionList(ctx, call.Account, call.Region, "")
	if err != nil {
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, 50))
	marker := deref(in.Marker)
	out := &ListLayersOutput{Layers: []*LayersListItem{}}
	for _, v := range rows {
		if marker != "" && v.Layer <= marker {
			continue
		}
		if n := len(out.Layers); n > 0 && *out.Layers[n-1].LayerName == v.Layer {
			continue // an older version of a layer already listed
		}
		c, err := decodeLayerConfig(v.Config)
		if err != nil {
			return nil, err
		}
		if !layerMatches(c, in.CompatibleRuntime, in.CompatibleArchitecture) {
			continue
		}
		if len(out.Layers) == limit {
			out.NextMarker = out.Layers[limit-1].LayerName
			break
		}
		out.Layers = append(out.Layers, &LayersListItem{
			LayerName:             ptr(v.Layer),
			LayerARN:              ptr(layerARN(v.Account, v.Region, v.Layer)),
			LatestMatchingVersion: wireLayerListItem(v, c),
		})
	}
	return out, nil
}

// ListLayerVersions lists a layer's versions, newest first, that match the filters. The
// marker is the last listed version's number.
func (s *Service) ListLayerVersions(ctx context.Context, in *ListLayerVersionsInput) (*ListLayerVersionsOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	if err := ownLayer(call, account, region, name, 0); err != nil {
		return nil, err
	}
	var after int64
	if m := deref(in.Marker); m != "" {
		n, err := strconv.ParseInt(m, 10, 64)
		if err != nil || n <= 0 {
			return nil, NewInvalidParameterValueException("Invalid marker: " + m)
		}
		after = n
	}
	rows, err := s.db.LambdaLayerVersionList(ctx, account, region, name)
	if err != nil {
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, 50))
	out := &ListLayerVersionsOutput{LayerVersions: []*LayerVersionsListItem{}}
	for _, v := range rows {
		if after > 0 && v.Version >= after {
			continue
		}
		c, err := decodeLayerConfig(v.Config)
		if err != nil {
			return nil, err
		}
		if !layerMatches(c, in.CompatibleRuntime, in.CompatibleArchitecture) {
			continue
		}
		if len(out.LayerVersions) == limit {
			out.NextMarker = ptr(strconv.FormatInt(*out.LayerVersions[limit-1].Version, 10))
			break
		}
		out.LayerVersions = append(out.LayerVersions, wireLayerListItem(v, c))
	}
	return out, nil
}

// DeleteLayerVersion deletes a layer version. Functions that use it keep their copy.
// Deleting a version that does not exist succeeds, as on AWS.
func (s *Service) DeleteLayerVersion(ctx context.Context, in *DeleteLayerVersionInput) (*DeleteLayerVersionOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	if *in.VersionNumber < 1 {
		return nil, errLayerVersionBelowOne()
	}
	if err := ownLayer(call, account, region, name, *in.VersionNumber); err != nil {
		return nil, err
	}
	err := s.db.LambdaLayerVersionDelete(ctx, account, region, name, *in.VersionNumber)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &DeleteLayerVersionOutput{}, nil
}

func decodeLayerPolicy(s string) ([]json.RawMessage, error) {
	if s == "" {
		return nil, nil
	}
	var sts []json.RawMessage
	if err := json.Unmarshal([]byte(s), &sts); err != nil {
		return nil, fmt.Errorf("decode layer policy: %w", err)
	}
	return sts, nil
}

// errLayerVersionBelowOne is AWS's answer for a layer version number below 1.
func errLayerVersionBelowOne() *protocol.Error {
	return NewInvalidParameterValueException("Layer Version Cannot be less than 1")
}

func errLayerRevision() *protocol.Error {
	return NewPreconditionFailedException("The Revision Id provided does not match the latest Revision Id. Call the GetLayerPolicy API to retrieve the latest Revision Id")
}

// layerStatement builds the policy statement AWS adds for an AddLayerVersionPermission
// call.
func layerStatement(in *AddLayerVersionPermissionInput, resource string) json.RawMessage {
	st := policyStatement{Sid: *in.StatementID, Effect: "Allow", Action: *in.Action, Resource: resource}
	switch p := *in.Principal; {
	case p == "*":
		st.Principal = "*"
	case accountID.MatchString(p):
		st.Principal = map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	default:
		st.Principal = map[string]string{"AWS": p}
	}
	if in.OrganizationID != nil {
		st.Condition = map[string]map[string]string{"StringEquals": {"aws:PrincipalOrgID": *in.OrganizationID}}
	}
	b, _ := json.Marshal(st)
	return b
}

// layerPolicyError translates a store error of a layer version policy change.
func layerPolicyError(account, region, name string, version int64, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return NewResourceNotFoundException("Layer version " + layerVersionARN(account, region, name, version) + " does not exist.")
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

// AddLayerVersionPermission adds a statement to a layer version's policy, granting
// another account (or every account) the use of the version.
func (s *Service) AddLayerVersionPermission(ctx context.Context, in *AddLayerVersionPermissionInput) (*AddLayerVersionPermissionOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	version := *in.VersionNumber
	if err := ownLayer(call, account, region, name, version); err != nil {
		return nil, err
	}
	if in.OrganizationID != nil && *in.Principal != "*" {
		return nil, NewInvalidParameterValueException("OrganizationId can only be specified together with the principal *.")
	}
	st := layerStatement(in, layerVersionARN(account, region, name, version))
	v, err := s.db.LambdaLayerVersionUpdatePolicy(ctx, account, region, name, version, func(v *store.LambdaLayerVersion) error {
		sts, err := decodeLayerPolicy(v.Policy)
		if err != nil {
			return err
		}
		for _, old := range sts {
			if sidOf(old) == *in.StatementID {
				return NewResourceConflictException("The statement id (" + *in.StatementID + ") provided already exists. Please provide a new statement id, or remove the existing statement.")
			}
		}
		if in.RevisionID != nil && *in.RevisionID != v.RevisionID {
			return errLayerRevision()
		}
		b, err := json.Marshal(append(sts, st))
		v.Policy, v.RevisionID = string(b), newRevisionID()
		return err
	})
	if err != nil {
		return nil, layerPolicyError(account, region, name, version, err)
	}
	return &AddLayerVersionPermissionOutput{Statement: ptr(string(st)), RevisionID: ptr(v.RevisionID)}, nil
}

// RemoveLayerVersionPermission removes a statement from a layer version's policy.
func (s *Service) RemoveLayerVersionPermission(ctx context.Context, in *RemoveLayerVersionPermissionInput) (*RemoveLayerVersionPermissionOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	version := *in.VersionNumber
	if err := ownLayer(call, account, region, name, version); err != nil {
		return nil, err
	}
	_, err := s.db.LambdaLayerVersionUpdatePolicy(ctx, account, region, name, version, func(v *store.LambdaLayerVersion) error {
		if in.RevisionID != nil && *in.RevisionID != v.RevisionID {
			return errLayerRevision()
		}
		sts, err := decodeLayerPolicy(v.Policy)
		if err != nil {
			return err
		}
		kept := sts[:0:0]
		for _, st := range sts {
			if sidOf(st) != *in.StatementID {
				kept = append(kept, st)
			}
		}
		if len(kept) == len(sts) {
			return NewResourceNotFoundException("Statement " + *in.StatementID + " is not found in resource policy.")
		}
		v.Policy, v.RevisionID = "", newRevisionID()
		if len(kept) > 0 {
			b, err := json.Marshal(kept)
			if err != nil {
				return err
			}
			v.Policy = string(b)
		}
		return nil
	})
	if err != nil {
		return nil, layerPolicyError(account, region, name, version, err)
	}
	return &RemoveLayerVersionPermissionOutput{}, nil
}

// GetLayerVersionPolicy returns a layer version's policy document.
func (s *Service) GetLayerVersionPolicy(ctx context.Context, in *GetLayerVersionPolicyInput) (*GetLayerVersionPolicyOutput, error) {
	call := callOf(ctx)
	account, region, name := layerName(call, *in.LayerName)
	version := *in.VersionNumber
	if err := ownLayer(call, account, region, name, version); err != nil {
		return nil, err
	}
	v, err := s.db.LambdaLayerVersionGet(ctx, account, region, name, version)
	if err != nil {
		return nil, layerPolicyError(account, region, name, version, err)
	}
	sts, err := decodeLayerPolicy(v.Policy)
	if err != nil {
		return nil, err
	}
	if len(sts) == 0 {
		return nil, NewResourceNotFoundException("No policy is associated with the given resource.")
	}
	return &GetLayerVersionPolicyOutput{Policy: ptr(document(sts)), RevisionID: ptr(v.RevisionID)}, nil
}

// LayerZip returns the zip of a layer version, as GetLayerVersion's Content.Location
// serves it.
func (s *Service) LayerZip(ctx context.Context, account, region, name string, version int64) ([]byte, error) {
	if _, err := s.db.LambdaLayerVersionGet(ctx, account, region, name, version); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errLayerVersionNotFound()
		}
		return nil, err
	}
	return s.db.LambdaLayerVersionCode(ctx, account, region, name, version)
}

// resolveLayers checks the layer version ARNs a function configuration names and returns
// what the function version keeps of each. AWS's rules: at most 5, each existing in the
// function's region and readable by the caller, never two versions of one layer.
func (s *Service) resolveLayers(ctx context.Context, call *protocol.Call, arns []string) ([]layerRef, error) {
	if len(arns) > lambdart.MaxLayers {
		return nil, NewInvalidParameterValueException(fmt.Sprintf("Cannot reference more than %d layers.", lambdart.MaxLayers))
	}
	seen := map[string]string{}
	refs := make([]layerRef, 0, len(arns))
	for _, arn := range arns {
		ref, ok := parseLayerVersionARN(arn)
		if !ok {
			return nil, NewInvalidParameterValueException("Layer version " + arn + " does not exist.")
		}
		if ref.Region != call.Region {
			if ref.Account != call.Account {
				return nil, errLayerAccessDenied(call, arn)
			}
			return nil, NewInvalidParameterValueException("Layers are not in the same region as the function. Layers are expected to be in region " + call.Region + ".")
		}
		layer := layerARN(ref.Account, ref.Region, ref.Name)
		if prev, dup := seen[layer]; dup {
			return nil, NewInvalidParameterValueException("Two different versions of the same layer are not allowed to be referenced in the same function. " + prev + " and " + arn + " are versions of the same layer.")
		}
		seen[layer] = arn
		v, err := s.db.LambdaLayerVersionGet(ctx, ref.Account, ref.Region, ref.Name, ref.Version)
		switch {
		case errors.Is(err, store.ErrNotFound) && ref.Account != call.Account:
			return nil, errLayerAccessDenied(call, arn)
		case errors.Is(err, store.ErrNotFound):
			return nil, NewInvalidParameterValueException("Layer version " + arn + " does not exist.")
		case err != nil:
			return nil, err
		}
		if ref.Account != call.Account && !layerGrants(v.Policy, call.Account) {
			return nil, errLayerAccessDenied(call, arn)
		}
		c, err := decodeLayerConfig(v.Config)
		if err != nil {
			return nil, err
		}
		ref.SHA256, ref.CodeSize, ref.Unzipped = c.SHA256, c.CodeSize, c.Unzipped
		refs = append(refs, *ref)
	}
	return refs, nil
}

// checkCombinedSize refuses a function whose code and layers together exceed the
// unzipped limit.
func checkCombinedSize(codeUnzipped int64, refs []layerRef) error {
	total := codeUnzipped
	for _, r := range refs {
		total += r.Unzipped
	}
	if total > codeSizeUnzipped {
		return NewInvalidParameterValueException(fmt.Sprintf("Function code combined with layers exceeds the maximum allowed size of %d bytes. The actual size is %d bytes.", codeSizeUnzipped, total))
	}
	return nil
}

// attachLayers resolves the layers of a configuration being created or changed into
// c.LayerRefs and checks the combined size with code, the function's unpacked code.
func (s *Service) attachLayers(ctx context.Context, call *protocol.Call, c *functionConfig, code *lambdart.Code) error {
	if len(c.Layers) == 0 {
		c.Layers, c.LayerRefs = nil, nil
		return nil
	}
	refs, err := s.resolveLayers(ctx, call, c.Layers)
	if err != nil {
		return err
	}
	if err := checkCombinedSize(code.Size, refs); err != nil {
		return err
	}
	c.LayerRefs = refs
	return nil
}

// functionCode returns the unpacked code of a function version, unpacking it from the
// store when the cache does not hold it.
func (s *Service) functionCode(ctx context.Context, rt *lambdart.Manager, call *protocol.Call, name string, version int64, c *functionConfig) (*lambdart.Code, error) {
	if code, ok := rt.Code().Lookup(c.CodeSHA256); ok {
		return code, nil
	}
	zip, err := s.db.LambdaVersionCode(ctx, call.Account, call.Region, name, version)
	if err != nil {
		return nil, fmt.Errorf("load code of %s: %w", name, err)
	}
	code, err := rt.Code().Unpack(zip)
	if err != nil {
		return nil, fmt.Errorf("unpack code of %s: %w", name, err)
	}
	return code, nil
}

// layerCodes returns the unpacked layers of a function version in its order, unpacking
// from the store the ones the cache does not hold (after a restart, on another node).
// Deleted layer versions still have their code.
func (s *Service) layerCodes(ctx context.Context, rt *lambdart.Manager, c *functionConfig) ([]*lambdart.Code, error) {
	if len(c.LayerRefs) == 0 {
		return nil, nil
	}
	out := make([]*lambdart.Code, 0, len(c.LayerRefs))
	for _, r := range c.LayerRefs {
		code, ok := rt.Code().Lookup(r.SHA256)
		if !ok {
			zip, err := s.db.LambdaLayerVersionCode(ctx, r.Account, r.Region, r.Name, r.Version)
			if err != nil {
				return nil, fmt.Errorf("load layer %s: %w", r.arn(), err)
			}
			if code, err = rt.Code().Unpack(zip); err != nil {
				return nil, fmt.Errorf("unpack layer %s: %w", r.arn(), err)
			}
		}
		out = append(out, code)
	}
	return out, nil
}

// prepareLayers resolves the layers UpdateFunctionConfiguration gives a function and
// checks their combined size with the code of its $LATEST.
func (s *Service) prepareLayers(ctx context.Context, call *protocol.Call, function string, arns []string) ([]layerRef, error) {
	refs, err := s.resolveLayers(ctx, call, arns)
	if err != nil || len(refs) == 0 {
		return refs, err
	}
	name, v, c, err := s.lookup(ctx, call, function, nil)
	if err != nil {
		return nil, err
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	code, err := s.functionCode(ctx, rt, call, name, v.Version, c)
	if err != nil {
		return nil, err
	}
	if err := checkCombinedSize(code.Size, refs); err != nil {
		return nil, err
	}
	return refs, nil
}

// layerStorage sums the archive sizes of the account's layer versions in the region.
func (s *Service) layerStorage(ctx context.Context, call *protocol.Call) (int64, error) {
	rows, err := s.db.LambdaLayerVersionList(ctx, call.Account, call.Region, "")
	if err != nil {
		return 0, err
	}
	var size int64
	for _, v := range rows {
		c, err := decodeLayerConfig(v.Config)
		if err != nil {
			return 0, err
		}
		size += c.CodeSize
	}
	return size, nil
}
