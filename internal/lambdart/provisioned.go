package lambdart

import "fmt"

// Provisioned concurrency statuses, as GetProvisionedConcurrencyConfig reports them.
const (
	ProvisionedInProgress = "IN_PROGRESS"
	ProvisionedReady      = "READY"
	ProvisionedFailed     = "FAILED"
)

// ProvisionedStatus is the state of a version's provisioned concurrency.
type ProvisionedStatus struct {
	// Requested is the configured number of environments; zero when none is configured.
	Requested int
	// Allocated is the number of environments initialised and kept ready.
	Allocated int
	// Status is ProvisionedInProgress, ProvisionedReady or ProvisionedFailed; empty when
	// none is configured.
	Status string
	// StatusReason explains a failure.
	StatusReason string
}

type provState struct {
	fn        *Function
	requested int
	status    string
	reason    string
	filling   bool
}

// SetProvisionedConcurrency keeps n environments of a function version initialised
// (AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency), never reaped; invocations use
// them before on-demand ones. Environments start in the background: ProvisionedConcurrency
// reports progress. n = 0 removes the configuration. Provisioned environments that time
// out or crash are replaced.
func (m *Manager) SetProvisionedConcurrency(fn *Function, n int) error {
	if err := fn.validate(); err != nil {
		return err
	}
	if n < 0 {
		return fmt.Errorf("%w: negative provisioned concurrency", ErrInvalidFunction)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stopped {
		return ErrStopped
	}
	p := m.poolLocked(fn)
	if n == 0 {
		delete(m.prov, p.key)
		for _, e := range p.provIdle {
			m.shutdownLocked(e, "spindown")
		}
		p.provIdle = nil
		return nil
	}
	st := m.prov[p.key]
	if st == nil {
		st = &provState{}
		m.prov[p.key] = st
	}
	st.fn, st.requested, st.reason = p.fn, n, ""
	st.status = ProvisionedInProgress
	for p.provLive > n && len(p.provIdle) > 0 {
		last := len(p.provIdle) - 1
		e := p.provIdle[last]
		p.provIdle = p.provIdle[:last]
		m.shutdownLocked(e, "spindown")
	}
	m.refillLocked(p.key)
	return nil
}

// ProvisionedConcurrency reports the provisioned concurrency of a function version.
func (m *Manager) ProvisionedConcurrency(key FunctionKey) ProvisionedStatus {
	if key.Version == "" {
		key.Version = "$LATEST"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st := m.prov[key]
	if st == nil {
		return ProvisionedStatus{}
	}
	out := ProvisionedStatus{Requested: st.requested, Status: st.status, StatusReason: st.reason}
	if p := m.pools[key]; p != nil {
		out.Allocated = p.provReady
	}
	return out
}

func (m *Manager) provRequestedLocked(key FunctionKey) int {
	if st := m.prov[key]; st != nil {
		return st.requested
	}
	return 0
}

// refillLocked starts environments until the version has its provisioned number.
func (m *Manager) refillLocked(key FunctionKey) {
	st := m.prov[key]
	if st == nil || st.filling || m.stopped {
		return
	}
	p := m.pools[key]
	if p == nil {
		p = m.poolLocked(st.fn)
	}
	if p.provLive >= st.requested {
		if p.provReady >= st.requested {
			st.status = ProvisionedReady
		}
		return
	}
	st.filling = true
	m.wg.Add(1)
	go m.fill(key, st)
}

func (m *Manager) fill(key FunctionKey, st *provState) {
	defer m.wg.Done()
	for {
		m.mu.Lock()
		p := m.pools[key]
		if m.prov[key] != st || p == nil || m.stopped || p.provLive >= st.requested {
			st.filling = false
			if p != nil && p.provReady >= st.requested && st.status != ProvisionedFailed {
				st.status = ProvisionedReady
			}
			m.mu.Unlock()
			return
		}
		p.provLive++
		p.live++
		m.mu.Unlock()

		e, err := m.newEnv(p, initProvisioned)
		m.mu.Lock()
		if err != nil {
			p.provLive--
			p.live--
			st.status, st.reason, st.filling = ProvisionedFailed, err.Error(), false
			m.mu.Unlock()
			return
		}
		m.envs[e] = struct{}{}
		m.mu.Unlock()

		f, _ := e.start(newUUID())
		m.mu.Lock()
		if f != nil {
			m.shutdownLocked(e, "failure")
			st.status, st.reason, st.filling = ProvisionedFailed, "FUNCTION_ERROR_INIT_FAILURE: "+f.errType, false
			m.mu.Unlock()
			return
		}
		p.provReady++
		if p.retired || m.prov[key] != st {
			m.shutdownLocked(e, "spindown")
		} else {
			e.lastUsed = m.clock.Now()
			p.provIdle = append(p.provIdle, e)
		}
		m.mu.Unlock()
	}
}
