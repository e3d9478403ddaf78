package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// aliasConfig is the stored configuration of an alias.
type aliasConfig struct {
	Version     string             `json:"version"`
	Description string             `json:"description,omitempty"`
	Weights     map[string]float64 `json:"weights,omitempty"`
}

func decodeAlias(s string) (*aliasConfig, error) {
	var c aliasConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode alias config: %w", err)
	}
	return &c, nil
}

func (c *aliasConfig) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // strings and finite numbers always marshal
	}
	return string(b)
}

func (c *aliasConfig) wire(call *protocol.Call, a *store.LambdaAlias) *AliasConfiguration {
	out := &AliasConfiguration{
		AliasARN:        ptr(functionARN(call, a.Function, a.Name)),
		Name:            ptr(a.Name),
		FunctionVersion: ptr(c.Version),
		Description:     ptr(c.Description),
		RevisionID:      ptr(a.RevisionID),
	}
	if len(c.Weights) > 0 {
		out.RoutingConfig = &AliasRoutingConfiguration{AdditionalVersionWeights: c.Weights}
	}
	return out
}

// pick chooses the version an invocation through the alias runs: an additional version
// with its weight's probability, else the alias's version.
func (c *aliasConfig) pick() string {
	if len(c.Weights) == 0 {
		return c.Version
	}
	keys := make([]string, 0, len(c.Weights))
	for k := range c.Weights {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	r, sum := rand.Float64(), 0.0
	for _, k := range keys {
		sum += c.Weights[k]
		if r < sum {
			return k
		}
	}
	return c.Version
}

// checkAliasTarget checks that the versions an alias routes to exist and are published,
// in the order AWS checks them: the keys' pattern, the number of additional versions,
// the primary version among them, $LATEST with routing, then that every version exists.
func (s *Service) checkAliasTarget(ctx context.Context, call *protocol.Call, function string, c *aliasConfig) error {
	versions := []string{c.Version}
	if len(c.Weights) > 1 {
		return NewInvalidParameterValueException("Number of items in AdditionalVersionWeights cannot be greater than 1")
	}
	for v, w := range c.Weights {
		if w < 0 || w > 1 {
			return NewInvalidParameterValueException("Invalid weight for version " + v + ": must be between 0.0 and 1.0.")
		}
		if v == c.Version {
			return NewInvalidParameterValueException("Invalid function version " + v + ". Function version " + v + " is already included in routing configuration.")
		}
		versions = append(versions, v)
	}
	if c.Version == latest && len(c.Weights) > 0 {
		return NewInvalidParameterValueException("$LATEST is not supported for an alias pointing to more than 1 version")
	}
	for _, v := range versions {
		n, ok := versionNumber(v)
		if !ok {
			return NewInvalidParameterValueException("Invalid function version: " + v)
		}
		if _, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, function, n); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errFunctionNotFound(call, function, v)
			}
			return err
		}
	}
	return nil
}

// errAliasNotFound is AWS's answer when GetAlias, or a call naming an alias as its
// qualifier, finds no such alias.
func errAliasNotFound(call *protocol.Call, function, name string) *protocol.Error {
	return NewResourceNotFoundException("Cannot find alias arn: " + functionARN(call, function, name))
}

// errAliasChangeNotFound is AWS's answer when UpdateAlias or DeleteAlias finds no such
// alias; AWS words it differently from GetAlias.
func errAliasChangeNotFound(call *protocol.Call, function, name string) *protocol.Error {
	return NewResourceNotFoundException("Alias not found: " + functionARN(call, function, name))
}

// CreateAlias creates an alias for a published version (or $LATEST).
func (s *Service) CreateAlias(ctx context.Context, in *CreateAliasInput) (*CreateAliasOutput, error) {
	call := callOf(ctx)
	function, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, ok := versionNumber(*in.Name); ok || *in.Name == "" {
		return nil, NewInvalidParameterValueException("Alias name cannot be a version number or $LATEST: " + *in.Name)
	}
	c := &aliasConfig{Version: *in.FunctionVersion, Description: deref(in.Description)}
	if in.RoutingConfig != nil {
		c.Weights = in.RoutingConfig.AdditionalVersionWeights
	}
	if err := s.checkAliasTarget(ctx, call, function, c); err != nil {
		return nil, err
	}
	a := &store.LambdaAlias{Account: call.Account, Region: call.Region, Function: function, Name: *in.Name, RevisionID: newRevisionID(), Config: c.encode()}
	err = s.db.LambdaAliasCreate(ctx, a)
	s.cache.forget(call.Account, call.Region, function)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, function, "")
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceConflictException("Alias already exists: " + functionARN(call, function, *in.Name))
	case err != nil:
		return nil, err
	}
	return (*CreateAliasOutput)(c.wire(call, a)), nil
}

// GetAlias returns an alias.
func (s *Service) GetAlias(ctx context.Context, in *GetAliasInput) (*GetAliasOutput, error) {
	call := callOf(ctx)
	function, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	a, c, err := s.alias(ctx, call, function, *in.Name)
	if err != nil {
		return nil, err
	}
	return (*GetAliasOutput)(c.wire(call, a)), nil
}

func (s *Service) alias(ctx context.Context, call *protocol.Call, function, name string) (*store.LambdaAlias, *aliasConfig, error) {
	a, err := s.db.LambdaAliasGet(ctx, call.Account, call.Region, function, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil, errAliasNotFound(call, function, name)
	case err != nil:
		return nil, nil, err
	}
	c, err := decodeAlias(a.Config)
	if err != nil {
		return nil, nil, err
	}
	return a, c, nil
}

// UpdateAlias changes an alias's version, description or routing.
func (s *Service) UpdateAlias(ctx context.Context, in *UpdateAliasInput) (*UpdateAliasOutput, error) {
	call := callOf(ctx)
	function, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	_, c, err := s.alias(ctx, call, function, *in.Name)
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException:
		return nil, errAliasChangeNotFound(call, function, *in.Name)
	case err != nil:
		return nil, err
	}
	setIf(&c.Version, in.FunctionVersion)
	setIf(&c.Description, in.Description)
	if in.RoutingConfig != nil {
		c.Weights = in.RoutingConfig.AdditionalVersionWeights
	}
	if err := s.checkAliasTarget(ctx, call, function, c); err != nil {
		return nil, err
	}
	a, err := s.db.LambdaAliasUpdate(ctx, call.Account, call.Region, function, *in.Name, func(a *store.LambdaAlias) error {
		if in.RevisionID != nil && *in.RevisionID != a.RevisionID {
			return errRevision()
		}
		a.Config, a.RevisionID = c.encode(), newRevisionID()
		return nil
	})
	s.cache.forget(call.Account, call.Region, function)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errAliasChangeNotFound(call, function, *in.Name)
	case err != nil:
		return nil, s.updateError(call, function, err)
	}
	s.provisionedAliasChanged(ctx, call, function, *in.Name)
	return (*UpdateAliasOutput)(c.wire(call, a)), nil
}

// DeleteAlias deletes an alias.
func (s *Service) DeleteAlias(ctx context.Context, in *DeleteAliasInput) (*DeleteAliasOutput, error) {
	call := callOf(ctx)
	function, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	err = s.db.LambdaAliasDelete(ctx, call.Account, call.Region, function, *in.Name)
	s.cache.forget(call.Account, call.Region, function)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errAliasChangeNotFound(call, function, *in.Name)
	case err != nil:
		return nil, err
	}
	s.unprovision(ctx, call, function, *in.Name)
	return &DeleteAliasOutput{}, nil
}

// ListAliases lists a function's aliases by name, optionally only those of one version.
func (s *Service) ListAliases(ctx context.Context, in *ListAliasesInput) (*ListAliasesOutput, error) {
	call := callOf(ctx)
	function, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, function); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errFunctionNotFound(call, function, "")
		}
		return nil, err
	}
	rows, err := s.db.LambdaAliasList(ctx, call.Account, call.Region, function)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b *store.LambdaAlias) int { return strings.Compare(a.Name, b.Name) })
	out := &ListAliasesOutput{Aliases: []*AliasConfiguration{}}
	limit := int(derefOr(in.MaxItems, 50))
	marker := deref(in.Marker)
	for _, a := range rows {
		if marker != "" && a.Name <= marker {
			continue
		}
		c, err := decodeAlias(a.Config)
		if err != nil {
			return nil, err
		}
		if v := deref(in.FunctionVersion); v != "" && c.Version != v {
			continue
		}
		if len(out.Aliases) == limit {
			out.NextMarker = ptr(*out.Aliases[limit-1].Name)
			break
		}
		out.Aliases = append(out.Aliases, c.wire(call, a))
	}
	return out, nil
}
