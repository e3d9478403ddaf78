package pattern

import (
	"errors"
	"strings"
)

// Service names the AWS service whose pattern language and error wording a
// pattern follows.
type Service uint8

const (
	// EventBridge is an Amazon EventBridge event pattern.
	EventBridge Service = iota + 1
	// SNS is an Amazon SNS subscription filter policy.
	SNS
)

// Scope is the part of an SNS message a filter policy applies to.
type Scope string

const (
	// ScopeMessageAttributes matches message attributes (the default).
	ScopeMessageAttributes Scope = "MessageAttributes"
	// ScopeMessageBody matches the message body, a JSON object.
	ScopeMessageBody Scope = "MessageBody"
)

// Pattern is a compiled event pattern or filter policy. It is immutable and
// safe for concurrent use.
type Pattern struct {
	service Service
	scope   Scope
	rules   []rule
}

// Service returns the service whose language the pattern was parsed in.
func (p *Pattern) Service() Service { return p.service }

// Scope returns the filter policy scope of an SNS pattern, or "" for an
// EventBridge pattern.
func (p *Pattern) Scope() Scope { return p.scope }

// Error is a pattern that its service rejects. Message is the exact text
// the service returns.
type Error struct {
	Service Service
	// Reason is the service's explanation, including the parser's location
	// suffix where the service adds one.
	Reason string
	// detail replaces "FilterPolicy: " + Reason in SNS messages that do not
	// concern the policy's content.
	detail string
}

// Error returns Message.
func (e *Error) Error() string { return e.Message() }

// Message returns the message AWS sends: for EventBridge the
// InvalidEventPatternException message, for SNS the InvalidParameter
// message of SetSubscriptionAttributes.
func (e *Error) Message() string {
	if e.Service == SNS {
		return "Invalid parameter: " + e.snsDetail()
	}
	return "Event pattern is not valid. Reason: " + e.Reason
}

// SubscribeMessage returns the InvalidParameter message SNS sends when the
// filter policy came in the attributes of a Subscribe call.
func (e *Error) SubscribeMessage() string {
	if e.Service != SNS {
		return e.Message()
	}
	return "Invalid parameter: Attributes Reason: " + e.snsDetail()
}

func (e *Error) snsDetail() string {
	if e.detail != "" {
		return e.detail
	}
	return "FilterPolicy: " + e.Reason
}

func wrapError(s Service, err error) error {
	var syn *syntaxError
	var r *reasonError
	switch {
	case errors.As(err, &syn):
		return &Error{Service: s, Reason: syn.reason + syn.location}
	case errors.As(err, &r):
		return &Error{Service: s, Reason: r.reason}
	case errors.Is(err, errOverflow{}):
		return &Error{Service: s, Reason: "Overflow"}
	}
	return &Error{Service: s, Reason: err.Error()}
}

// ParseEventPattern compiles an EventBridge event pattern. A rejected
// pattern returns an *Error whose Message is AWS's
// InvalidEventPatternException message.
func ParseEventPattern(doc []byte) (*Pattern, error) {
	rules, _, err := compileDocument(doc, eventBridgeDialect)
	if err != nil {
		return nil, wrapError(EventBridge, err)
	}
	if err := checkWildcardComplexity(rules); err != nil {
		return nil, wrapError(EventBridge, err)
	}
	return &Pattern{service: EventBridge, rules: rules}, nil
}

// checkWildcardComplexity rejects patterns whose wildcards on one field
// could keep too many partial matches alive at once.
func checkWildcardComplexity(rules []rule) error {
	byPath := map[string][]*wildcard{}
	seen := map[string]bool{}
	for _, r := range rules {
		for _, f := range r {
			for i := range f.ms {
				m := &f.ms[i]
				var ws []*wildcard
				switch m.op {
				case opWildcard:
					ws = []*wildcard{m.wc}
				case opNotWildcard:
					ws = m.wcs
				}
				for _, w := range ws {
					k := f.path + "\x00" + strings.Join(w.segs, "\x00*")
					if !seen[k] {
						seen[k] = true
						byPath[f.path] = append(byPath[f.path], w)
					}
				}
			}
		}
	}
	for _, ws := range byPath {
		if wildcardComplexity(ws) > wildcardComplexityLimit {
			return &reasonError{"Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"}
		}
	}
	return nil
}

// ParseFilterPolicy compiles an SNS subscription filter policy for scope
// ("" means MessageAttributes). A rejected policy returns an *Error whose
// Message is SNS's InvalidParameter message.
func ParseFilterPolicy(doc []byte, scope Scope) (*Pattern, error) {
	if scope == "" {
		scope = ScopeMessageAttributes
	}
	rules, sh, err := compileDocument(doc, snsDialect)
	if err != nil {
		return nil, wrapError(SNS, err)
	}
	if err := checkPolicyLimits(sh, scope); err != nil {
		return nil, err
	}
	return &Pattern{service: SNS, scope: scope, rules: rules}, nil
}

// Matches reports whether the JSON event matches the pattern: for
// EventBridge the full event envelope, for an SNS MessageBody policy the
// message body. It fails only if the event is not valid JSON.
func (p *Pattern) Matches(event []byte) (bool, error) {
	fl, err := flatten(event, nil)
	if err != nil {
		return false, err
	}
	return p.matchFlat(fl), nil
}

// MatchesAttributes reports whether SNS message attributes match the
// pattern (MessageAttributes scope).
func (p *Pattern) MatchesAttributes(attrs map[string]AttributeValue) bool {
	return p.matchFlat(flattenAttributes(attrs))
}

// matchFlat evaluates the pattern rule by rule. It is the straightforward
// definition of matching that Matcher's state machine must agree with.
func (p *Pattern) matchFlat(fl *flat) bool {
	for _, r := range p.rules {
		if matchRule(r, fl, 0, nil) {
			return true
		}
	}
	return false
}

func matchRule(r rule, fl *flat, i int, chosen [][]arrayPos) bool {
	if i == len(r) {
		return true
	}
	f := r[i]
	values := fl.values[f.path]
	if len(values) == 0 {
		for j := range f.ms {
			if f.ms[j].op == opAbsent {
				return matchRule(r, fl, i+1, chosen)
			}
		}
		return false
	}
	for _, l := range values {
		if !compatibleAll(l.trail, chosen) {
			continue
		}
		ok := false
		for j := range f.ms {
			if f.ms[j].matches(l) {
				ok = true
				break
			}
		}
		if !ok {
			continue
		}
		next := chosen
		if len(l.trail) > 0 {
			next = append(chosen[:len(chosen):len(chosen)], l.trail)
		}
		if matchRule(r, fl, i+1, next) {
			return true
		}
		if len(l.trail) == 0 {
			// A value outside any array constrains nothing, so no other
			// value of this field can do better.
			return false
		}
	}
	return false
}
