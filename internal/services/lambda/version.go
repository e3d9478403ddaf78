package lambda

import (
	"context"
	"errors"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

func errRevision() *protocol.Error {
	return NewPreconditionFailedException("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")
}

func errCodeSha(given, latest string) *protocol.Error {
	return NewInvalidParameterValueException("CodeSHA256 (" + given + ") is different from current CodeSHA256 in $LATEST (" + latest + "). Please try again with the CodeSHA256 in $LATEST.")
}

// updateError translates a store error of an update of function name.
func (s *Service) updateError(call *protocol.Call, name string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errFunctionNotFound(call, name, "")
	}
	var pe *protocol.Error
	if errors.As(err, &pe) {
		return pe
	}
	return err
}

// publish publishes a version from $LATEST. codeSha256 and revisionID, when not "", must
// match $LATEST's; description, when not "", replaces the version's description.
func (s *Service) publish(ctx context.Context, call *protocol.Call, name, codeSha256, revisionID, description string) (*FunctionConfiguration, error) {
	// Lambda does not publish a version when neither code nor configuration changed since
	// the last one: it answers with that version.
	if last, err := s.unchangedVersion(ctx, call, name, codeSha256, revisionID); err != nil || last != nil {
		return last, err
	}
	var c *functionConfig
	v, err := s.db.LambdaVersionPublish(ctx, call.Account, call.Region, name, func(latest *store.LambdaVersion, n int64) (string, string, error) {
		if revisionID != "" && revisionID != latest.RevisionID {
			return "", "", errRevision()
		}
		var err error
		if c, err = decodeConfig(latest.Config); err != nil {
			return "", "", err
		}
		if codeSha256 != "" && codeSha256 != c.codeSha256() {
			return "", "", errCodeSha(codeSha256, c.codeSha256())
		}
		if description != "" {
			c.Description = description
		}
		return c.encode(), newRevisionID(), nil
	})
	s.cache.forget(call.Account, call.Region, name)
	if err != nil {
		return nil, s.updateError(call, name, err)
	}
	return c.wire(call, name, v, false), nil
}

// PublishVersion publishes a version from $LATEST's code and configuration.
func (s *Service) PublishVersion(ctx context.Context, in *PublishVersionInput) (*PublishVersionOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	out, err := s.publish(ctx, call, ref.Name, deref(in.CodeSha256), deref(in.RevisionID), deref(in.Description))
	return (*PublishVersionOutput)(out), err
}

// ListVersionsByFunction lists $LATEST and the published versions of a function.
func (s *Service) ListVersionsByFunction(ctx context.Context, in *ListVersionsByFunctionInput) (*ListVersionsByFunctionOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, ref.Name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errFunctionNotFound(call, ref.Name, "")
		}
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, 50))
	p := &store.LambdaVersionListParams{Account: call.Account, Region: call.Region, Function: ref.Name, AllVersions: true, Limit: limit + 1}
	if m := deref(in.Marker); m != "" {
		n, ok := versionNumber(m)
		if !ok {
			return nil, NewInvalidParameterValueException("Invalid marker: " + m)
		}
		p.AfterFunction, p.AfterVersion = ref.Name, n
	}
	rows, err := s.db.LambdaVersionList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &ListVersionsByFunctionOutput{Versions: []*FunctionConfiguration{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextMarker = ptr(versionName(rows[len(rows)-1].Version))
	}
	for _, v := range rows {
		c, err := decodeConfig(v.Config)
		if err != nil {
			return nil, err
		}
		out.Versions = append(out.Versions, listed(c.wire(call, ref.Name, v, true)))
	}
	return out, nil
}

// unchangedVersion returns the latest published version when $LATEST equals it (code and
// configuration but the description and modification time), else nil. codeSha256 and
// revisionID, when not "", must match $LATEST's.
func (s *Service) unchangedVersion(ctx context.Context, call *protocol.Call, name, codeSha256, revisionID string) (*FunctionConfiguration, error) {
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, name, "")
	case err != nil:
		return nil, err
	case f.LastVersion == 0:
		return nil, nil
	}
	last, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, name, f.LastVersion)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	latestRow, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, name, store.LambdaLatest)
	if err != nil {
		return nil, err
	}
	a, err := decodeConfig(last.Config)
	if err != nil {
		return nil, err
	}
	b, err := decodeConfig(latestRow.Config)
	if err != nil {
		return nil, err
	}
	ca, cb := *a, *b
	ca.Description, cb.Description, ca.LastModified, cb.LastModified = "", "", 0, 0
	if ca.encode() != cb.encode() {
		return nil, nil
	}
	if revisionID != "" && revisionID != latestRow.RevisionID {
		return nil, errRevision()
	}
	if codeSha256 != "" && codeSha256 != b.codeSha256() {
		return nil, errCodeSha(codeSha256, b.codeSha256())
	}
	return a.wire(call, name, last, false), nil
}
