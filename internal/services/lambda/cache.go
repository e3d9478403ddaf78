package lambda

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// defaultMetadataTTL is how long a node trusts its cached copy of a function when
// Deps.MetadataTTL is zero.
const defaultMetadataTTL = time.Second

// funcCacheMax bounds how many functions the cache holds; past it the cache starts over.
const funcCacheMax = 10_000

// resolved is a function version ready to invoke: its stored rows, its decoded
// configuration and its runtime spec. Cached values are shared by concurrent invocations
// and never modified.
type resolved struct {
	name     string
	version  *store.LambdaVersion
	config   *functionConfig
	function *store.LambdaFunction
	// rt is the runtime spec, built on first need (it unpacks code that is not in the
	// code cache yet).
	rt *lambdart.Function
}

// funcKey names a function in an account and region.
type funcKey struct {
	account, region, name string
}

// funcState is what the cache holds of one function.
type funcState struct {
	versions map[int64]*versionState
	aliases  map[string]*aliasState
}

type versionState struct {
	r      *resolved
	loaded time.Time
}

type aliasState struct {
	c      *aliasConfig
	loaded time.Time
}

// funcCache keeps what invocations need of the functions they run, so that a warm
// invoke reads nothing from the store. Every write of the service to a function, its
// versions or its aliases forgets that function at once, so the next invocation on this
// node sees it; changes made on other nodes are seen within the TTL.
//
// Loads race with writes: a load reads the generation before it reads the store, and
// its result is kept only if no function was forgotten in between.
type funcCache struct {
	ttl time.Duration

	mu    sync.Mutex
	gen   uint64
	funcs map[funcKey]*funcState
}

func newFuncCache(ttl time.Duration) *funcCache {
	if ttl == 0 {
		ttl = defaultMetadataTTL
	}
	return &funcCache{ttl: ttl, funcs: map[funcKey]*funcState{}}
}

func (c *funcCache) enabled() bool { return c.ttl > 0 }

// generation returns the current generation, which a load passes to put.
func (c *funcCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// forget drops a function's cached versions and aliases. Writers call it after their
// write, successful or not.
func (c *funcCache) forget(account, region, name string) {
	c.mu.Lock()
	c.gen++
	delete(c.funcs, funcKey{account, region, name})
	c.mu.Unlock()
}

// clear drops everything (the store was reset).
func (c *funcCache) clear() {
	c.mu.Lock()
	c.gen++
	c.funcs = map[funcKey]*funcState{}
	c.mu.Unlock()
}

// version returns a cached version and when it was loaded, or nil.
func (c *funcCache) version(k funcKey, n int64, now time.Time) *versionState {
	if !c.enabled() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.funcs[k]; f != nil {
		if v := f.versions[n]; v != nil && now.Sub(v.loaded) < c.ttl {
			return v
		}
	}
	return nil
}

func (c *funcCache) alias(k funcKey, name string, now time.Time) *aliasConfig {
	if !c.enabled() {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.funcs[k]; f != nil {
		if a := f.aliases[name]; a != nil && now.Sub(a.loaded) < c.ttl {
			return a.c
		}
	}
	return nil
}

// stateLocked returns the function's entry, creating it.
func (c *funcCache) stateLocked(k funcKey) *funcState {
	f := c.funcs[k]
	if f == nil {
		if len(c.funcs) >= funcCacheMax {
			clear(c.funcs)
		}
		f = &funcState{versions: map[int64]*versionState{}, aliases: map[string]*aliasState{}}
		c.funcs[k] = f
	}
	return f
}

// putVersion keeps a resolved version loaded at loaded, unless the cache changed since
// gen.
func (c *funcCache) putVersion(k funcKey, n int64, r *resolved, gen uint64, loaded time.Time) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	c.stateLocked(k).versions[n] = &versionState{r: r, loaded: loaded}
}

// putAlias keeps an alias's configuration loaded at now, unless the cache changed since
// gen.
func (c *funcCache) putAlias(k funcKey, name string, a *aliasConfig, gen uint64, now time.Time) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	c.stateLocked(k).aliases[name] = &aliasState{c: a, loaded: now}
}

// target is a function version an invocation runs, as resolve found it, with where it
// sits in the cache.
type target struct {
	*resolved
	key    funcKey
	n      int64
	gen    uint64
	loaded time.Time
}

// resolve returns the function version an invocation of rawName with qualifier runs, as
// lookup does, with the function's row, from the cache when it holds them. Weighted
// aliases pick their version on every call.
func (s *Service) resolve(ctx context.Context, call *protocol.Call, rawName string, qualifier *string) (*target, error) {
	ref, err := parseFunctionIn(call, rawName)
	if err != nil {
		return nil, err
	}
	q, err := qualifierOf(ref, qualifier)
	if err != nil {
		return nil, err
	}
	t := &target{key: funcKey{call.Account, call.Region, ref.Name}, loaded: time.Now()}
	t.gen = s.cache.generation()
	n, ok := versionNumber(q)
	if !ok {
		a := s.cache.alias(t.key, q, t.loaded)
		if a == nil {
			_, a, err = s.alias(ctx, call, ref.Name, q)
			if err != nil {
				var pe *protocol.Error
				if errors.As(err, &pe) {
					return nil, errFunctionNotFound(call, ref.Name, q)
				}
				return nil, err
			}
			s.cache.putAlias(t.key, q, a, t.gen, t.loaded)
		}
		if n, ok = versionNumber(a.pick()); !ok {
			return nil, errFunctionNotFound(call, ref.Name, q)
		}
	}
	t.n = n
	if vs := s.cache.version(t.key, n, t.loaded); vs != nil {
		t.resolved, t.loaded = vs.r, vs.loaded
		return t, nil
	}
	if t.resolved, err = s.loadResolved(ctx, call, ref.Name, n, q); err != nil {
		return nil, err
	}
	s.cache.putVersion(t.key, n, t.resolved, t.gen, t.loaded)
	return t, nil
}

// runtimeSpec returns the runtime's spec of the version t names, building it (and
// unpacking code the code cache lacks) on first need.
func (s *Service) runtimeSpec(ctx context.Context, rt *lambdart.Manager, call *protocol.Call, t *target) (*lambdart.Function, error) {
	if t.rt != nil {
		return t.rt, nil
	}
	fn, err := s.runtimeFunction(ctx, rt, call, t.name, t.version, t.config)
	if err != nil {
		return nil, err
	}
	// The cached value is shared: cache a copy that carries the spec.
	cp := *t.resolved
	cp.rt = fn
	s.cache.putVersion(t.key, t.n, &cp, t.gen, t.loaded)
	return fn, nil
}

// loadResolved reads a function version and the function from the store. q is the
// qualifier the caller named, for the not-found error.
func (s *Service) loadResolved(ctx context.Context, call *protocol.Call, name string, n int64, q string) (*resolved, error) {
	v, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, name, n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, name, q)
	case err != nil:
		return nil, err
	}
	c, err := decodeConfig(v.Config)
	if err != nil {
		return nil, err
	}
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errFunctionNotFound(call, name, "")
	case err != nil:
		return nil, err
	}
	return &resolved{name: name, version: v, config: c, function: f}, nil
}
