package lambda

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// provisionedModifiedFmt is the form of a provisioned concurrency config's LastModified.
const provisionedModifiedFmt = "2006-01-02T15:04:05-0700"

// provisioned remembers which function version each provisioned concurrency config was
// handed to the runtime for: configs live in the store, the runtime keeps environments in
// memory only, and an alias's config follows the alias to its new version.
type provisioned struct {
	mu      sync.Mutex
	applied map[provKey]string
}

type provKey struct{ account, region, function, qualifier string }

func (p *provisioned) get(k provKey) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	v, ok := p.applied[k]
	return v, ok
}

func (p *provisioned) set(k provKey, version string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.applied == nil {
		p.applied = map[provKey]string{}
	}
	if version == "" {
		delete(p.applied, k)
	} else {
		p.applied[k] = version
	}
}

// provisionedTarget resolves the function and qualifier of a provisioned concurrency call
// and checks that the function and the version or alias exist. It returns the qualifier
// and the version it stands for now. latestMsg is the error for $LATEST, which differs
// between Put and the other operations.
func (s *Service) provisionedTarget(ctx context.Context, call *protocol.Call, raw string, qualifier *string, latestMsg string) (*store.LambdaFunction, string, int64, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return nil, "", 0, err
	}
	q, err := qualifierOf(ref, qualifier)
	if err != nil {
		return nil, "", 0, err
	}
	if q == "" || q == latest {
		return nil, "", 0, NewInvalidParameterValueException(latestMsg)
	}
	n, ok := versionNumber(q)
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, ref.Name)
	switch {
	case errors.Is(err, store.ErrNotFound) && ok:
		// AWS names the qualified resource it looked for, whether the function or
		// only its version or alias is missing.
		return nil, "", 0, errFunctionNotFound(call, ref.Name, q)
	case errors.Is(err, store.ErrNotFound):
		return nil, "", 0, errAliasNotFound(call, ref.Name, q)
	case err != nil:
		return nil, "", 0, err
	}
	if !ok {
		a, err := s.db.LambdaAliasGet(ctx, call.Account, call.Region, ref.Name, q)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, "", 0, errAliasNotFound(call, ref.Name, q)
		case err != nil:
			return nil, "", 0, err
		}
		c, err := decodeAlias(a.Config)
		if err != nil {
			return nil, "", 0, err
		}
		if n, ok = versionNumber(c.Version); !ok || n == store.LambdaLatest {
			return nil, "", 0, NewInvalidParameterValueException("Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
		}
		return f, q, n, nil
	}
	if _, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, ref.Name, n); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, "", 0, errFunctionNotFound(call, ref.Name, q)
		}
		return nil, "", 0, err
	}
	return f, q, n, nil
}

// aliasVersion returns the version an alias routes to primarily, or "" when the alias
// does not exist.
func (s *Service) aliasVersion(ctx context.Context, call *protocol.Call, function, alias string) (string, error) {
	a, err := s.db.LambdaAliasGet(ctx, call.Account, call.Region, function, alias)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	c, err := decodeAlias(a.Config)
	if err != nil {
		return "", err
	}
	return c.Version, nil
}

// provisionedUnreserved sums the provisioned concurrency of the account's functions that
// have no reserved concurrency (it comes out of the unreserved pool), leaving out skip.
func (s *Service) provisionedUnreserved(ctx context.Context, call *protocol.Call, skip provKey) (int64, error) {
	rows, err := s.db.LambdaProvisionedList(ctx, call.Account, call.Region, "")
	if err != nil {
		return 0, err
	}
	reserved := map[string]int64{}
	var sum int64
	for _, p := range rows {
		if (provKey{p.Account, p.Region, p.Function, p.Qualifier}) == skip {
			continue
		}
		r, ok := reserved[p.Function]
		if !ok {
			f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, p.Function)
			switch {
			case errors.Is(err, store.ErrNotFound):
				continue
			case err != nil:
				return 0, err
			}
			r = f.Reserved
			reserved[p.Function] = r
		}
		if r < 0 {
			sum += p.Requested
		}
	}
	return sum, nil
}

// PutProvisionedConcurrencyConfig keeps environments of a published version (directly or
// through an alias) initialised. The environments start in the background: the config is
// IN_PROGRESS until they are all ready.
func (s *Service) PutProvisionedConcurrencyConfig(ctx context.Context, in *PutProvisionedConcurrencyConfigInput) (*PutProvisionedConcurrencyConfigOutput, error) {
	call := callOf(ctx)
	f, q, version, err := s.provisionedTarget(ctx, call, *in.FunctionName, in.Qualifier, "Provisioned Concurrency Configs cannot be applied to unpublished function versions.")
	if err != nil {
		return nil, err
	}
	n := int64(*in.ProvisionedConcurrentExecutions)
	if n < 1 {
		return nil, NewInvalidParameterValueException(fmt.Sprintf("1 validation error detected: Value '%d' at 'provisionedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 1", n))
	}
	rows, err := s.db.LambdaProvisionedList(ctx, call.Account, call.Region, f.Name)
	if err != nil {
		return nil, err
	}
	// One version is provisioned through either itself or aliases, never both
	// (https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html).
	var others int64
	for _, p := range rows {
		if p.Qualifier == q {
			continue
		}
		others += p.Requested
		if _, isVersion := versionNumber(q); isVersion {
			if v, err := s.aliasVersion(ctx, call, f.Name, p.Qualifier); err != nil {
				return nil, err
			} else if v == versionName(version) {
				return nil, NewResourceConflictException("Version is pointed by a Provisioned Concurrency alias")
			}
		} else if p.Qualifier == versionName(version) {
			return nil, NewResourceConflictException("Alias can't be used for Provisioned Concurrency configuration on an already Provisioned version")
		}
	}
	if f.Reserved >= 0 && others+n > f.Reserved {
		return nil, NewInvalidParameterValueException("Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function")
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	if f.Reserved < 0 {
		used, err := s.provisionedUnreserved(ctx, call, provKey{call.Account, call.Region, f.Name, q})
		if err != nil {
			return nil, err
		}
		conc := rt.AccountConcurrency(call.Account, call.Region)
		if int64(conc.UnreservedLimit)-used-n < lambdart.DefaultMinUnreserved {
			return nil, NewInvalidParameterValueException(fmt.Sprintf("Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", lambdart.DefaultMinUnreserved))
		}
	}
	p := &store.LambdaProvisioned{Account: call.Account, Region: call.Region, Function: f.Name, Qualifier: q, Requested: n, Modified: s.clock.Now().UnixMilli()}
	if err := s.db.LambdaProvisionedPut(ctx, p); err != nil {
		return nil, err
	}
	if err := s.applyProvisioned(ctx, rt, call, p, version); err != nil {
		// GetProvisionedConcurrencyConfig tries again and reports the failure.
		s.log.Warn("provision", "function", f.Name, "qualifier", q, "err", err)
	}
	return &PutProvisionedConcurrencyConfigOutput{
		RequestedProvisionedConcurrentExecutions: ptr(int32(n)),
		AvailableProvisionedConcurrentExecutions: ptr(int32(0)),
		AllocatedProvisionedConcurrentExecutions: ptr(int32(0)),
		Status:                                   ptr(ProvisionedConcurrencyStatusEnumINPROGRESS),
		LastModified:                             ptr(provisionedModified(p.Modified)),
	}, nil
}

func provisionedModified(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(provisionedModifiedFmt)
}

// versionFunction builds the runtime's spec of a published version of a function.
func (s *Service) versionFunction(ctx context.Context, rt *lambdart.Manager, call *protocol.Call, function string, version int64) (*lambdart.Function, error) {
	v, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, function, version)
	if err != nil {
		return nil, err
	}
	c, err := decodeConfig(v.Config)
	if err != nil {
		return nil, err
	}
	return s.runtimeFunction(ctx, rt, call, function, v, c)
}

// applyProvisioned hands a config to the runtime for version, taking it back from the
// version it was applied to before (an alias that moved).
func (s *Service) applyProvisioned(ctx context.Context, rt *lambdart.Manager, call *protocol.Call, p *store.LambdaProvisioned, version int64) error {
	key := provKey{p.Account, p.Region, p.Function, p.Qualifier}
	if old, ok := s.prov.get(key); ok && old != versionName(version) {
		s.unapplyVersion(ctx, rt, call, p.Function, old)
	}
	fn, err := s.versionFunction(ctx, rt, call, p.Function, version)
	if err != nil {
		return fmt.Errorf("provision %s:%s: %w", p.Function, p.Qualifier, err)
	}
	if err := rt.SetProvisionedConcurrency(fn, int(p.Requested)); err != nil {
		return fmt.Errorf("provision %s:%s: %w", p.Function, p.Qualifier, err)
	}
	s.prov.set(key, versionName(version))
	return nil
}

// unapplyVersion shuts down the provisioned environments of one version.
func (s *Service) unapplyVersion(ctx context.Context, rt *lambdart.Manager, call *protocol.Call, function, version string) {
	n, ok := versionNumber(version)
	if !ok {
		return
	}
	fn, err := s.versionFunction(ctx, rt, call, function, n)
	if err != nil {
		return // the version is gone, and its environments with it
	}
	if err := rt.SetProvisionedConcurrency(fn, 0); err != nil {
		s.log.Warn("release provisioned concurrency", "function", function, "version", version, "err", err)
	}
}

// unprovision takes back a config that was deleted (directly or with its alias).
func (s *Service) unprovision(ctx context.Context, call *protocol.Call, function, qualifier string) {
	key := provKey{call.Account, call.Region, function, qualifier}
	version, ok := s.prov.get(key)
	if !ok {
		return
	}
	s.prov.set(key, "")
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	if rt != nil {
		s.unapplyVersion(ctx, rt, call, function, version)
	}
}

// provisionedStatus reports a config's state from the runtime, handing the config to the
// runtime first when it does not have it as stored: after a restart, when the alias
// moved, or when another node changed it.
func (s *Service) provisionedStatus(ctx context.Context, call *protocol.Call, p *store.LambdaProvisioned) (lambdart.ProvisionedStatus, error) {
	version := p.Qualifier
	if _, ok := versionNumber(p.Qualifier); !ok {
		v, err := s.aliasVersion(ctx, call, p.Function, p.Qualifier)
		if err != nil {
			return lambdart.ProvisionedStatus{}, err
		}
		version = v
	}
	n, ok := versionNumber(version)
	if !ok || n == store.LambdaLatest {
		return lambdart.ProvisionedStatus{Status: ProvisionedConcurrencyStatusEnumFAILED, StatusReason: "The alias no longer routes to a published version."}, nil
	}
	rt, err := s.runtime()
	if err != nil {
		return lambdart.ProvisionedStatus{}, err
	}
	key := lambdart.FunctionKey{AccountID: p.Account, Region: p.Region, Name: p.Function, Version: version}
	st := rt.ProvisionedConcurrency(key)
	applied, _ := s.prov.get(provKey{p.Account, p.Region, p.Function, p.Qualifier})
	if st.Status == "" || int64(st.Requested) != p.Requested || applied != version {
		if err := s.applyProvisioned(ctx, rt, call, p, n); err != nil {
			return lambdart.ProvisionedStatus{Status: ProvisionedConcurrencyStatusEnumFAILED, StatusReason: err.Error()}, nil
		}
		st = rt.ProvisionedConcurrency(key)
	}
	return st, nil
}

// GetProvisionedConcurrencyConfig returns a config with the state of its environments.
func (s *Service) GetProvisionedConcurrencyConfig(ctx context.Context, in *GetProvisionedConcurrencyConfigInput) (*GetProvisionedConcurrencyConfigOutput, error) {
	call := callOf(ctx)
	f, q, _, err := s.provisionedTarget(ctx, call, *in.FunctionName, in.Qualifier, "The function resource provided must be an alias or a published version.")
	if err != nil {
		return nil, err
	}
	p, err := s.db.LambdaProvisionedGet(ctx, call.Account, call.Region, f.Name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, NewProvisionedConcurrencyConfigNotFoundException("No Provisioned Concurrency Config found for this function")
	case err != nil:
		return nil, err
	}
	st, err := s.provisionedStatus(ctx, call, p)
	if err != nil {
		return nil, err
	}
	item := wireProvisioned(call, p, st)
	return &GetProvisionedConcurrencyConfigOutput{
		RequestedProvisionedConcurrentExecutions: item.RequestedProvisionedConcurrentExecutions,
		AvailableProvisionedConcurrentExecutions: item.AvailableProvisionedConcurrentExecutions,
		AllocatedProvisionedConcurrentExecutions: item.AllocatedProvisionedConcurrentExecutions,
		Status:                                   item.Status,
		StatusReason:                             item.StatusReason,
		LastModified:                             item.LastModified,
	}, nil
}

func wireProvisioned(call *protocol.Call, p *store.LambdaProvisioned, st lambdart.ProvisionedStatus) *ProvisionedConcurrencyConfigListItem {
	status := st.Status
	if status == "" {
		status = ProvisionedConcurrencyStatusEnumINPROGRESS
	}
	out := &ProvisionedConcurrencyConfigListItem{
		FunctionARN:                              ptr(functionARN(call, p.Function, p.Qualifier)),
		RequestedProvisionedConcurrentExecutions: ptr(int32(p.Requested)),
		AvailableProvisionedConcurrentExecutions: ptr(int32(st.Allocated)),
		AllocatedProvisionedConcurrentExecutions: ptr(int32(st.Allocated)),
		Status:                                   ptr(status),
		LastModified:                             ptr(provisionedModified(p.Modified)),
	}
	if st.StatusReason != "" {
		out.StatusReason = ptr(st.StatusReason)
	}
	return out
}

// DeleteProvisionedConcurrencyConfig removes a config and shuts its environments down.
// Deleting a config that does not exist succeeds.
func (s *Service) DeleteProvisionedConcurrencyConfig(ctx context.Context, in *DeleteProvisionedConcurrencyConfigInput) (*DeleteProvisionedConcurrencyConfigOutput, error) {
	call := callOf(ctx)
	f, q, version, err := s.provisionedTarget(ctx, call, *in.FunctionName, in.Qualifier, "The function resource provided must be an alias or a published version.")
	if err != nil {
		return nil, err
	}
	err = s.db.LambdaProvisionedDelete(ctx, call.Account, call.Region, f.Name, q)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return &DeleteProvisionedConcurrencyConfigOutput{}, nil
	case err != nil:
		return nil, err
	}
	key := provKey{call.Account, call.Region, f.Name, q}
	if _, ok := s.prov.get(key); !ok {
		s.prov.set(key, versionName(version))
	}
	s.unprovision(ctx, call, f.Name, q)
	return &DeleteProvisionedConcurrencyConfigOutput{}, nil
}

// ListProvisionedConcurrencyConfigs lists a function's configs by qualifier. The marker
// is the last listed qualifier.
func (s *Service) ListProvisionedConcurrencyConfigs(ctx context.Context, in *ListProvisionedConcurrencyConfigsInput) (*ListProvisionedConcurrencyConfigsOutput, error) {
	call := callOf(ctx)
	name, err := unqualifiedFunction(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errFunctionNotFound(call, name, "")
		}
		return nil, err
	}
	rows, err := s.db.LambdaProvisionedList(ctx, call.Account, call.Region, name)
	if err != nil {
		return nil, err
	}
	limit := int(derefOr(in.MaxItems, 50))
	marker := deref(in.Marker)
	out := &ListProvisionedConcurrencyConfigsOutput{ProvisionedConcurrencyConfigs: []*ProvisionedConcurrencyConfigListItem{}}
	last := ""
	for _, p := range rows {
		if marker != "" && p.Qualifier <= marker {
			continue
		}
		if len(out.ProvisionedConcurrencyConfigs) == limit {
			out.NextMarker = ptr(last)
			break
		}
		last = p.Qualifier
		st, err := s.provisionedStatus(ctx, call, p)
		if err != nil {
			return nil, err
		}
		out.ProvisionedConcurrencyConfigs = append(out.ProvisionedConcurrencyConfigs, wireProvisioned(call, p, st))
	}
	return out, nil
}

// provisionedAliasChanged moves an alias's provisioned concurrency to the version the
// alias now routes to. UpdateAlias calls it.
func (s *Service) provisionedAliasChanged(ctx context.Context, call *protocol.Call, function, alias string) {
	p, err := s.db.LambdaProvisionedGet(ctx, call.Account, call.Region, function, alias)
	if err != nil {
		return
	}
	if _, err := s.provisionedStatus(ctx, call, p); err != nil {
		s.log.Warn("move provisioned concurrency", "function", function, "alias", alias, "err", err)
	}
}

// RestoreProvisioned hands the stored provisioned concurrency configs to the runtime in
// the background, so that their environments are initialised again after a restart. The
// server calls it at start; Stop waits for it.
func (s *Service) RestoreProvisioned(ctx context.Context) error {
	rows, err := s.db.LambdaProvisionedList(ctx, "", "", "")
	if err != nil {
		return fmt.Errorf("restore provisioned concurrency: %w", err)
	}
	if len(rows) == 0 {
		return nil
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Modified < rows[j].Modified })
	s.goAsync(func(ctx context.Context) {
		for _, p := range rows {
			call := &protocol.Call{Account: p.Account, Region: p.Region}
			cctx := protocol.WithCall(ctx, call)
			st, err := s.provisionedStatus(cctx, call, p)
			switch {
			case err != nil:
				s.log.Warn("restore provisioned concurrency", "function", p.Function, "qualifier", p.Qualifier, "err", err)
			case st.Status == ProvisionedConcurrencyStatusEnumFAILED:
				s.log.Warn("restore provisioned concurrency", "function", p.Function, "qualifier", p.Qualifier, "reason", st.StatusReason)
			}
			if ctx.Err() != nil {
				return
			}
		}
	})
	return nil
}

// resetProvisioned shuts down the provisioned environments of every config once the
// service's tables were emptied.
func (s *Service) resetProvisioned() {
	s.prov.mu.Lock()
	applied := s.prov.applied
	s.prov.applied = nil
	s.prov.mu.Unlock()
	s.mu.Lock()
	rt := s.rt
	s.mu.Unlock()
	if rt == nil {
		return
	}
	for k, version := range applied {
		rt.Evict(k.account, k.region, k.function, version)
	}
}
