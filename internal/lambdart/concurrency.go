package lambdart

import "sync"

// Concurrency defaults, as AWS sets them per account and region.
const (
	DefaultAccountConcurrency = 1000
	DefaultMinUnreserved      = 100
)

// AccountConcurrency is an account's concurrency in one region, as GetAccountSettings
// reports it.
type AccountConcurrency struct {
	// Limit is the account's concurrent executions limit.
	Limit int
	// UnreservedLimit is what is left after reservations: Limit minus every function's
	// reserved concurrency.
	UnreservedLimit int
	// InFlight is the number of invocations running now.
	InFlight int
}

type accountKey struct{ account, region string }

type accountConc struct {
	limit         int
	reserved      map[string]int
	reservedTotal int
	inflight      map[string]int
	unreserved    int // invocations in flight of functions without a reservation
	total         int
}

// concurrency counts invocations in flight against the account limit and reservations.
type concurrency struct {
	mu            sync.Mutex
	defaultLimit  int
	minUnreserved int
	accounts      map[accountKey]*accountConc
}

func newConcurrency(limit, minUnreserved int) *concurrency {
	return &concurrency{defaultLimit: limit, minUnreserved: minUnreserved, accounts: map[accountKey]*accountConc{}}
}

func (c *concurrency) accountLocked(account, region string) *accountConc {
	k := accountKey{account, region}
	a := c.accounts[k]
	if a == nil {
		a = &accountConc{limit: c.defaultLimit, reserved: map[string]int{}, inflight: map[string]int{}}
		c.accounts[k] = a
	}
	return a
}

// acquire takes one execution for the function or returns a *ThrottleError. A function
// with reserved concurrency runs within its reservation only; the others share what is
// not reserved.
func (c *concurrency) acquire(account, region, name string) (func(), error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.accountLocked(account, region)
	reserved, hasReservation := a.reserved[name]
	if hasReservation {
		if a.inflight[name] >= reserved {
			return nil, &ThrottleError{Reason: ReasonReservedLimit, Message: "Rate Exceeded.", Limit: reserved}
		}
	} else if a.unreserved >= a.limit-a.reservedTotal {
		return nil, &ThrottleError{Reason: ReasonAccountLimit, Message: "Rate Exceeded.", Limit: a.limit - a.reservedTotal}
	}
	a.inflight[name]++
	a.total++
	if !hasReservation {
		a.unreserved++
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if a.inflight[name]--; a.inflight[name] <= 0 {
				delete(a.inflight, name)
			}
			a.total--
			// Reservations move running invocations between pools as they change, so the
			// current state decides which pool this one leaves.
			if _, reservedNow := a.reserved[name]; !reservedNow {
				a.unreserved--
			}
		})
	}, nil
}

func (c *concurrency) setReserved(account, region, name string, n int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.accountLocked(account, region)
	total := a.reservedTotal - a.reserved[name] + n
	if a.limit-total < c.minUnreserved {
		return &ReservationError{MinUnreserved: c.minUnreserved}
	}
	if _, had := a.reserved[name]; !had {
		// The function's running invocations move from the shared pool to its reservation.
		a.unreserved -= a.inflight[name]
	}
	a.reserved[name] = n
	a.reservedTotal = total
	return nil
}

func (c *concurrency) deleteReserved(account, region, name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.accountLocked(account, region)
	if n, ok := a.reserved[name]; ok {
		a.reservedTotal -= n
		delete(a.reserved, name)
		a.unreserved += a.inflight[name]
	}
}

func (c *concurrency) setLimit(account, region string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.accountLocked(account, region).limit = n
}

func (c *concurrency) account(account, region string) AccountConcurrency {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.accountLocked(account, region)
	return AccountConcurrency{Limit: a.limit, UnreservedLimit: a.limit - a.reservedTotal, InFlight: a.total}
}

func (c *concurrency) inflight(account, region, name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.accountLocked(account, region).inflight[name]
}
