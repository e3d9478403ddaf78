package sqs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Redrive limits, as AWS documents them.
const (
	minMaxReceiveCount   = 1
	maxMaxReceiveCount   = 1000
	maxRedriveSourceARNs = 10
)

// redrivePolicy is a parsed RedrivePolicy attribute.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

// render returns the attribute as GetQueueAttributes answers it.
func (p *redrivePolicy) render() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// parseRedrivePolicy parses a RedrivePolicy value. An empty value (or an empty JSON object)
// removes the policy and returns nil. maxReceiveCount may be a JSON number or a string of
// digits, as CloudFormation and the console send it. Errors are the InvalidParameterValue
// answers of AWS.
func parseRedrivePolicy(value string) (*redrivePolicy, error) {
	if value == "" {
		return nil, nil
	}
	invalid := func(reason string) error { return errParamInvalid(value, "RedrivePolicy", reason) }
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader([]byte(value)))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || dec.More() || raw == nil {
		return nil, invalid("Redrive policy is not a valid JSON map.")
	}
	if len(raw) == 0 {
		return nil, nil
	}
	for k := range raw {
		if k != "deadLetterTargetArn" && k != "maxReceiveCount" {
			return nil, invalid("Only following attributes are supported: [maxReceiveCount, deadLetterTargetArn].")
		}
	}
	arnRaw, ok := raw["deadLetterTargetArn"]
	if !ok {
		return nil, invalid("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
	}
	countRaw, ok := raw["maxReceiveCount"]
	if !ok {
		return nil, invalid("Redrive policy does not contain mandatory attribute: maxReceiveCount.")
	}
	var p redrivePolicy
	// AWS rejects a target that is not an SQS queue ARN before looking anything up.
	if err := json.Unmarshal(arnRaw, &p.DeadLetterTargetArn); err != nil {
		return nil, invalid("Invalid value for deadLetterTargetArn.")
	}
	if _, ok := parseQueueARN(p.DeadLetterTargetArn); !ok {
		return nil, invalid("Invalid value for deadLetterTargetArn.")
	}
	count, text, ok := jsonInteger(countRaw)
	if !ok || count < minMaxReceiveCount || count > maxMaxReceiveCount {
		return nil, invalid(fmt.Sprintf("Invalid value for maxReceiveCount: %s, valid values are from 1 to 1000 both inclusive.", text))
	}
	p.MaxReceiveCount = int(count)
	return &p, nil
}

// jsonInteger reads a JSON number or a string holding an integer. It returns the value, the
// text to quote in errors and whether it is an integer at all.
func jsonInteger(raw json.RawMessage) (int64, string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(bytes.TrimSpace(raw))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, s, false
	}
	return n, s, true
}

// Redrive permissions of a RedriveAllowPolicy.
const (
	redriveAllowAll = "allowAll"
	redriveDenyAll  = "denyAll"
	redriveByQueue  = "byQueue"
)

// redriveAllowPolicy is a parsed RedriveAllowPolicy attribute: which source queues may use
// this queue as their dead-letter queue.
type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns,omitempty"`
}

// render returns the attribute as GetQueueAttributes answers it.
func (p *redriveAllowPolicy) render() string {
	b, _ := json.Marshal(p)
	return string(b)
}

// allows reports whether a queue with ARN source may name this queue as its dead-letter
// target. A nil policy allows every queue of the account (AWS's default, allowAll).
func (p *redriveAllowPolicy) allows(source string) bool {
	if p == nil {
		return true
	}
	switch p.RedrivePermission {
	case redriveDenyAll:
		return false
	case redriveByQueue:
		for _, a := range p.SourceQueueArns {
			if a == source {
				return true
			}
		}
		return false
	}
	return true
}

// parseRedriveAllowPolicy parses a RedriveAllowPolicy value; "" removes the policy.
func parseRedriveAllowPolicy(value string) (*redriveAllowPolicy, error) {
	if value == "" {
		return nil, nil
	}
	invalid := func(reason string) error { return errParamInvalid(value, "RedriveAllowPolicy", reason) }
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(value), &raw); err != nil || raw == nil {
		return nil, invalid("Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.")
	}
	var p redriveAllowPolicy
	for k, v := range raw {
		switch k {
		case "redrivePermission":
			if err := json.Unmarshal(v, &p.RedrivePermission); err != nil {
				return nil, invalid("Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.")
			}
		case "sourceQueueArns":
			if err := json.Unmarshal(v, &p.SourceQueueArns); err != nil {
				return nil, invalid("Amazon SQS can't create the redrive allow policy, as it's in an unsupported format.")
			}
		default:
			return nil, invalid("Only following attributes are supported: [redrivePermission, sourceQueueArns].")
		}
	}
	switch p.RedrivePermission {
	case redriveAllowAll, redriveDenyAll:
		if len(p.SourceQueueArns) > 0 {
			return nil, invalid("Only byQueue redrivePermission supports sourceQueueArns.")
		}
	case redriveByQueue:
		if len(p.SourceQueueArns) == 0 {
			return nil, invalid("At least one source queue ARN is required when redrivePermission is byQueue.")
		}
		if len(p.SourceQueueArns) > maxRedriveSourceARNs {
			return nil, invalid("Only up to 10 source queue ARNs are allowed.")
		}
		for _, a := range p.SourceQueueArns {
			if _, ok := parseQueueARN(a); !ok {
				return nil, invalid("Source queue ARN " + a + " is not a valid ARN.")
			}
		}
	case "":
		return nil, invalid("Redrive allow policy does not contain mandatory attribute: redrivePermission.")
	default:
		return nil, invalid("Invalid value for redrivePermission: " + p.RedrivePermission + ", valid values are allowAll, denyAll and byQueue.")
	}
	return &p, nil
}
