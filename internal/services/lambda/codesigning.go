package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Code signing configs (https://docs.aws.amazon.com/lambda/latest/dg/configuration-codesigning.html).
// Overcast stores them and attaches them to functions, but cannot verify signatures:
// deployment packages arrive as unsigned zips. A function whose config says Enforce is
// refused every deployment, as AWS refuses unsigned code; Warn accepts it.

// cscARNPattern matches a code signing config ARN; the groups are region, account and id.
var cscARNPattern = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):(\d{12}):code-signing-config:(csc-[a-z0-9]{17})$`)

// cscIDPattern matches a code signing config id (a list marker).
var cscIDPattern = regexp.MustCompile(`^csc-[a-z0-9]{17}$`)

// codeSigningConfig is the stored configuration of a code signing config.
type codeSigningConfig struct {
	Description string            `json:"description"`
	Publishers  []string          `json:"publishers"`
	Policy      string            `json:"policy"`
	Tags        map[string]string `json:"tags,omitempty"`
}

func cscARN(account, region, id string) string {
	return "arn:aws:lambda:" + region + ":" + account + ":code-signing-config:" + id
}

// newCSCID returns csc- and 17 random hex characters.
func newCSCID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return "csc-" + hex.EncodeToString(b[:])[:17]
}

// errCSCNotFound is Lambda's answer for a code signing config an operation on the config
// names and that does not exist.
func errCSCNotFound(arn string) *protocol.Error {
	return NewResourceNotFoundException("The Lambda code signing configuration " + arn + " can not be found.")
}

// errAttachCSCNotFound is Lambda's answer for a code signing config a function is to use
// and that does not exist.
func errAttachCSCNotFound(arn string) *protocol.Error {
	return NewCodeSigningConfigNotFoundException("The code signing configuration cannot be found. Check that the provided configuration is not deleted: " + arn + ".")
}

// parseCSCARN returns the id of the caller's code signing config arn names. A config of
// another account or region is one the caller cannot see: ResourceNotFoundException.
func parseCSCARN(call *protocol.Call, arn string) (string, error) {
	m := cscARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return "", NewInvalidParameterValueException("Invalid code signing config ARN: " + arn)
	}
	if m[1] != call.Region || m[2] != call.Account {
		return "", errCSCNotFound(arn)
	}
	return m[3], nil
}

// wireCSC renders a stored code signing config.
func wireCSC(row *store.LambdaCodeSigningConfig) (*CodeSigningConfig, error) {
	var c codeSigningConfig
	if err := json.Unmarshal([]byte(row.Config), &c); err != nil {
		return nil, fmt.Errorf("decode code signing config %s: %w", row.ID, err)
	}
	return &CodeSigningConfig{
		CodeSigningConfigID:  ptr(row.ID),
		CodeSigningConfigARN: ptr(cscARN(row.Account, row.Region, row.ID)),
		Description:          ptr(c.Description),
		AllowedPublishers:    &AllowedPublishers{SigningProfileVersionARNs: c.Publishers},
		CodeSigningPolicies:  &CodeSigningPolicies{UntrustedArtifactOnDeployment: ptr(c.Policy)},
		LastModified:         ptr(time.UnixMilli(row.LastModified).UTC().Format(lastModifiedFmt)),
	}, nil
}

// CreateCodeSigningConfig stores a code signing config. The policy defaults to Warn.
func (s *Service) CreateCodeSigningConfig(ctx context.Context, in *CreateCodeSigningConfigInput) (*CreateCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	c := codeSigningConfig{
		Description: deref(in.Description),
		Publishers:  in.AllowedPublishers.SigningProfileVersionARNs,
		Policy:      CodeSigningPolicyWarn,
		Tags:        in.Tags,
	}
	if in.CodeSigningPolicies != nil && in.CodeSigningPolicies.UntrustedArtifactOnDeployment != nil {
		c.Policy = *in.CodeSigningPolicies.UntrustedArtifactOnDeployment
	}
	if len(c.Tags) > maxTags {
		return nil, NewInvalidParameterValueException(fmt.Sprintf("Number of tags exceeds resource tag limit of %d.", maxTags))
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode code signing config: %w", err)
	}
	row := &store.LambdaCodeSigningConfig{Account: call.Account, Region: call.Region, Config: string(b), LastModified: s.clock.Now().UnixMilli()}
	for {
		row.ID = newCSCID()
		err = s.db.LambdaCodeSigningConfigCreate(ctx, row)
		if !errors.Is(err, store.ErrConflict) {
			break
		}
	}
	if err != nil {
		return nil, err
	}
	out, err := wireCSC(row)
	if err != nil {
		return nil, err
	}
	return &CreateCodeSigningConfigOutput{CodeSigningConfig: out}, nil
}

// GetCodeSigningConfig returns a code signing config.
func (s *Service) GetCodeSigningConfig(ctx context.Context, in *GetCodeSigningConfigInput) (*GetCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	id, err := parseCSCARN(call, *in.CodeSigningConfigARN)
	if err != nil {
		return nil, err
	}
	row, err := s.db.LambdaCodeSigningConfigGet(ctx, call.Account, call.Region, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errCSCNotFound(*in.CodeSigningConfigARN)
	case err != nil:
		return nil, err
	}
	out, err := wireCSC(row)
	if err != nil {
		return nil, err
	}
	return &GetCodeSigningConfigOutput{CodeSigningConfig: out}, nil
}

// UpdateCodeSigningConfig changes the description, publishers or policy of a code signing
// config. Functions already deployed keep running; the new policy applies to their next
// deployment.
func (s *Service) UpdateCodeSigningConfig(ctx context.Context, in *UpdateCodeSigningConfigInput) (*UpdateCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	id, err := parseCSCARN(call, *in.CodeSigningConfigARN)
	if err != nil {
		return nil, err
	}
	row, err := s.db.LambdaCodeSigningConfigUpdate(ctx, call.Account, call.Region, id, func(row *store.LambdaCodeSigningConfig) error {
		var c codeSigningConfig
		if err := json.Unmarshal([]byte(row.Config), &c); err != nil {
			return fmt.Errorf("decode code signing config %s: %w", id, err)
		}
		setIf(&c.Description, in.Description)
		if in.AllowedPublishers != nil {
			c.Publishers = in.AllowedPublishers.SigningProfileVersionARNs
		}
		if in.CodeSigningPolicies != nil {
			setIf(&c.Policy, in.CodeSigningPolicies.UntrustedArtifactOnDeployment)
		}
		b, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode code signing config: %w", err)
		}
		row.Config, row.LastModified = string(b), s.clock.Now().UnixMilli()
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errCSCNotFound(*in.CodeSigningConfigARN)
	case err != nil:
		return nil, err
	}
	out, err := wireCSC(row)
	if err != nil {
		return nil, err
	}
	return &UpdateCodeSigningConfigOutput{CodeSigningConfig: out}, nil
}

// DeleteCodeSigningConfig deletes a code signing config that no function uses.
func (s *Service) DeleteCodeSigningConfig(ctx context.Context, in *DeleteCodeSigningConfigInput) (*DeleteCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	id, err := parseCSCARN(call, *in.CodeSigningConfigARN)
	if err != nil {
		return nil, err
	}
	err = s.db.LambdaCodeSigningConfigDelete(ctx, call.Account, call.Region, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errCSCNotFound(*in.CodeSigningConfigARN)
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceConflictException("The code signing configuration cannot be deleted because it is used by one or more functions: " + *in.CodeSigningConfigARN + ".")
	case err != nil:
		return nil, err
	}
	return &DeleteCodeSigningConfigOutput{}, nil
}

// ListCodeSigningConfigs lists the code signing configs in id order; the marker is the
// last id returned.
func (s *Service) ListCodeSigningConfigs(ctx context.Context, in *ListCodeSigningConfigsInput) (*ListCodeSigningConfigsOutput, error) {
	call := callOf(ctx)
	limit := int(derefOr(in.MaxItems, 50))
	after := deref(in.Marker)
	if after != "" && !cscIDPattern.MatchString(after) {
		return nil, NewInvalidParameterValueException("Invalid marker: " + after)
	}
	rows, err := s.db.LambdaCodeSigningConfigList(ctx, call.Account, call.Region, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &ListCodeSigningConfigsOutput{CodeSigningConfigs: []*CodeSigningConfig{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextMarker = ptr(rows[len(rows)-1].ID)
	}
	for _, row := range rows {
		c, err := wireCSC(row)
		if err != nil {
			return nil, err
		}
		out.CodeSigningConfigs = append(out.CodeSigningConfigs, c)
	}
	return out, nil
}

// ListFunctionsByCodeSigningConfig lists the ARNs of the functions that use a code
// signing config, in name order; the marker is the last name returned.
func (s *Service) ListFunctionsByCodeSigningConfig(ctx context.Context, in *ListFunctionsByCodeSigningConfigInput) (*ListFunctionsByCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	id, err := parseCSCARN(call, *in.CodeSigningConfigARN)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaCodeSigningConfigGet(ctx, call.Account, call.Region, id); errors.Is(err, store.ErrNotFound) {
		return nil, errCSCNotFound(*in.CodeSigningConfigARN)
	} else if err != nil {
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, 50))
	after := deref(in.Marker)
	if after != "" && !functionNamePattern.MatchString(after) {
		return nil, NewInvalidParameterValueException("Invalid marker: " + after)
	}
	names, err := s.db.LambdaFunctionSettingFunctions(ctx, call.Account, call.Region, store.LambdaSettingCodeSigning, id, after, limit+1)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionsByCodeSigningConfigOutput{FunctionARNs: []string{}}
	if len(names) > limit {
		names = names[:limit]
		out.NextMarker = ptr(names[len(names)-1])
	}
	for _, n := range names {
		out.FunctionARNs = append(out.FunctionARNs, functionARN(call, n, ""))
	}
	return out, nil
}

// attachCodeSigning makes function name use the code signing config id.
func (s *Service) attachCodeSigning(ctx context.Context, call *protocol.Call, name, id, arn string) error {
	err := s.db.LambdaFunctionSettingPut(ctx, &store.LambdaFunctionSetting{
		Account: call.Account, Region: call.Region, Function: name, Kind: store.LambdaSettingCodeSigning, Value: id,
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return errFunctionNotFound(call, name, "")
	case errors.Is(err, store.ErrPreconditionFailed):
		return errAttachCSCNotFound(arn)
	}
	return err
}

// PutFunctionCodeSigningConfig makes a function use a code signing config.
func (s *Service) PutFunctionCodeSigningConfig(ctx context.Context, in *PutFunctionCodeSigningConfigInput) (*PutFunctionCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	id, err := parseCSCARN(call, *in.CodeSigningConfigARN)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
		return nil, errAttachCSCNotFound(*in.CodeSigningConfigARN)
	} else if err != nil {
		return nil, err
	}
	// AWS looks the config up before the function: a request naming neither answers
	// CodeSigningConfigNotFoundException.
	if _, err := s.db.LambdaCodeSigningConfigGet(ctx, call.Account, call.Region, id); errors.Is(err, store.ErrNotFound) {
		return nil, errAttachCSCNotFound(*in.CodeSigningConfigARN)
	} else if err != nil {
		return nil, err
	}
	if err := s.attachCodeSigning(ctx, call, name, id, *in.CodeSigningConfigARN); err != nil {
		return nil, err
	}
	return &PutFunctionCodeSigningConfigOutput{CodeSigningConfigARN: in.CodeSigningConfigARN, FunctionName: ptr(name)}, nil
}

// GetFunctionCodeSigningConfig returns the code signing config a function uses; for a
// function without one AWS answers an empty object (neither member is set).
func (s *Service) GetFunctionCodeSigningConfig(ctx context.Context, in *GetFunctionCodeSigningConfigInput) (*GetFunctionCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name); errors.Is(err, store.ErrNotFound) {
		return nil, errFunctionNotFound(call, name, "")
	} else if err != nil {
		return nil, err
	}
	set, err := s.db.LambdaFunctionSettingGet(ctx, call.Account, call.Region, name, store.LambdaSettingCodeSigning, "")
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &GetFunctionCodeSigningConfigOutput{}, nil
	case err != nil:
		return nil, err
	}
	return &GetFunctionCodeSigningConfigOutput{CodeSigningConfigARN: ptr(cscARN(call.Account, call.Region, set.Value)), FunctionName: ptr(name)}, nil
}

// DeleteFunctionCodeSigningConfig detaches a function from its code signing config.
func (s *Service) DeleteFunctionCodeSigningConfig(ctx context.Context, in *DeleteFunctionCodeSigningConfigInput) (*DeleteFunctionCodeSigningConfigOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name); errors.Is(err, store.ErrNotFound) {
		return nil, errFunctionNotFound(call, name, "")
	} else if err != nil {
		return nil, err
	}
	err = s.db.LambdaFunctionSettingDelete(ctx, call.Account, call.Region, name, store.LambdaSettingCodeSigning, "")
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	return &DeleteFunctionCodeSigningConfigOutput{}, nil
}

// errUnsignedCode is Lambda's refusal of a deployment its code signing config does not
// trust.
func errUnsignedCode(call *protocol.Call, name string) *protocol.Error {
	return NewCodeVerificationFailedException("Lambda cannot deploy the function. The function or layer might be signed using a signature that the client is not configured to accept. Check the provided signature for " + functionARN(call, name, "") + ".")
}

// checkSigningPolicy returns errUnsignedCode when the code signing config id (none when
// "") enforces signatures: Overcast's zips carry none Lambda could verify.
func (s *Service) checkSigningPolicy(ctx context.Context, call *protocol.Call, name, id string) error {
	if id == "" {
		return nil
	}
	row, err := s.db.LambdaCodeSigningConfigGet(ctx, call.Account, call.Region, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	var c codeSigningConfig
	if err := json.Unmarshal([]byte(row.Config), &c); err != nil {
		return fmt.Errorf("decode code signing config %s: %w", id, err)
	}
	if c.Policy == CodeSigningPolicyEnforce {
		return errUnsignedCode(call, name)
	}
	return nil
}

// checkFunctionSigning applies checkSigningPolicy to the code signing config function
// name uses, if any.
func (s *Service) checkFunctionSigning(ctx context.Context, call *protocol.Call, name string) error {
	set, err := s.db.LambdaFunctionSettingGet(ctx, call.Account, call.Region, name, store.LambdaSettingCodeSigning, "")
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return s.checkSigningPolicy(ctx, call, name, set.Value)
}

// createCodeSigning checks CreateFunction's CodeSigningConfigArn before the function is
// created and returns the config's id ("" when none).
func (s *Service) createCodeSigning(ctx context.Context, call *protocol.Call, name string, arn *string) (string, error) {
	if arn == nil || *arn == "" {
		return "", nil
	}
	id, err := parseCSCARN(call, *arn)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
		return "", errAttachCSCNotFound(*arn)
	} else if err != nil {
		return "", err
	}
	if _, err := s.db.LambdaCodeSigningConfigGet(ctx, call.Account, call.Region, id); errors.Is(err, store.ErrNotFound) {
		return "", errAttachCSCNotFound(*arn)
	} else if err != nil {
		return "", err
	}
	return id, s.checkSigningPolicy(ctx, call, name, id)
}
