package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// policies is the stored form of a function's resource-based policies: statements per
// qualifier ("" for the unqualified function).
type policies map[string][]json.RawMessage

var accountID = regexp.MustCompile(`^[0-9]{12}$`)

// policyStatement is one statement of a resource-based policy, its fields in the order
// AWS writes them.
type policyStatement struct {
	Sid       string `json:"Sid"`
	Effect    string `json:"Effect"`
	Principal any    `json:"Principal"`
	Action    string `json:"Action"`
	Resource  string `json:"Resource"`
	Condition any    `json:"Condition,omitempty"`
}

// member is one member of an orderedObject.
type member struct {
	key string
	val any
}

// orderedObject is a JSON object whose members keep their order, as AWS writes policy
// conditions.
type orderedObject []member

// MarshalJSON writes the members in order.
func (o orderedObject) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		k, err := json.Marshal(m.key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(m.val)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// errInvalidPrincipal is AWS's answer for a principal that is neither "*", an account,
// an ARN nor a service principal.
func errInvalidPrincipal() *protocol.Error {
	return NewInvalidParameterValueException("The provided principal was invalid. Please check the principal and try again.")
}

// principalOf renders the Principal of a statement as AWS does: accounts become their
// root ARN, service principals (*.amazonaws.com, and Alexa's *.amazon.com) a Service
// principal.
func principalOf(p string) (any, error) {
	switch {
	case p == "*":
		return "*", nil
	case accountID.MatchString(p):
		return map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}, nil
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn") || strings.HasSuffix(p, ".amazon.com"):
		return map[string]string{"Service": p}, nil
	case strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": p}, nil
	}
	return nil, errInvalidPrincipal()
}

// statement builds the policy statement AWS adds for an AddPermission call.
func statement(in *AddPermissionInput, resource string) (json.RawMessage, error) {
	principal, err := principalOf(*in.Principal)
	if err != nil {
		return nil, err
	}
	st := policyStatement{Sid: *in.StatementID, Effect: "Allow", Principal: principal, Action: *in.Action, Resource: resource}
	// AWS writes StringEquals before ArnLike, and the StringEquals keys in this order.
	var equals, cond orderedObject
	for _, kv := range []struct {
		key string
		val *string
	}{
		{"lambda:FunctionUrlAuthType", in.FunctionURLAuthType},
		{"aws:PrincipalOrgID", in.PrincipalOrgID},
		{"AWS:SourceAccount", in.SourceAccount},
		{"lambda:EventSourceToken", in.EventSourceToken},
	} {
		if kv.val != nil {
			equals = append(equals, member{kv.key, *kv.val})
		}
	}
	if len(equals) > 0 {
		cond = append(cond, member{"StringEquals", equals})
	}
	if in.SourceARN != nil {
		cond = append(cond, member{"ArnLike", orderedObject{{"AWS:SourceArn", *in.SourceARN}}})
	}
	if len(cond) > 0 {
		st.Condition = cond
	}
	b, err := json.Marshal(st)
	return b, err
}

func sidOf(st json.RawMessage) string {
	var s struct{ Sid string }
	_ = json.Unmarshal(st, &s)
	return s.Sid
}

func decodePolicies(s string) (policies, error) {
	p := policies{}
	if s == "" {
		return p, nil
	}
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("decode policy: %w", err)
	}
	return p, nil
}

// document renders one qualifier's statements as a policy document.
func document(sts []json.RawMessage) string {
	b, _ := json.Marshal(struct {
		Version   string            `json:"Version"`
		ID        string            `json:"Id"`
		Statement []json.RawMessage `json:"Statement"`
	}{"2012-10-17", "default", sts})
	return string(b)
}

// permissionOp names the permission operation a target is resolved for: AWS words a
// missing function, version or alias differently for each.
type permissionOp int

const (
	permissionAdd permissionOp = iota
	permissionRemove
	permissionGet
)

// permissionTarget resolves the function and qualifier of a permission call and checks
// that the version or alias exists and, when revisionID is given, that it is the
// revision GetPolicy reports (AWS refuses a policy change made on a stale revision).
func (s *Service) permissionTarget(ctx context.Context, call *protocol.Call, op permissionOp, raw string, qualifier, revisionID *string) (string, string, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return "", "", err
	}
	q, err := qualifierOf(ref, qualifier)
	if err != nil {
		return "", "", err
	}
	if q == latest {
		return "", "", NewInvalidParameterValueException("We currently do not support adding policies for $LATEST.")
	}
	if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, ref.Name); errors.Is(err, store.ErrNotFound) {
		if op == permissionRemove {
			return "", "", NewResourceNotFoundException("No policy found for: " + functionARN(call, ref.Name, ""))
		}
		return "", "", errFunctionNotFound(call, ref.Name, "")
	} else if err != nil {
		return "", "", err
	}
	_, v, _, err := s.lookup(ctx, call, ref.Name, ptr(q))
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException:
		_, isVersion := versionNumber(q)
		switch {
		case op == permissionGet:
			return "", "", NewResourceNotFoundException("The resource you requested does not exist.")
		case !isVersion && !strings.Contains(q, "$"):
			// An alias name: AWS looked for the alias.
			return "", "", errAliasNotFound(call, ref.Name, q)
		}
		return "", "", err
	case err != nil:
		return "", "", err
	}
	if revisionID != nil && *revisionID != "" && *revisionID != v.RevisionID {
		return "", "", errRevision()
	}
	return ref.Name, q, nil
}

// policyChanged gives the function a new revision id after a change of its unqualified
// policy: on AWS a policy change is a change of the function, and GetPolicy and
// GetFunction answer the same revision. (The policies of versions and aliases change no
// revision here.)
func (s *Service) policyChanged(ctx context.Context, call *protocol.Call, name, qualifier string) error {
	if qualifier != "" {
		return nil
	}
	_, err := s.db.LambdaVersionUpdate(ctx, call.Account, call.Region, name, nil, func(v *store.LambdaVersion) error {
		v.RevisionID = newRevisionID()
		return nil
	})
	s.cache.forget(call.Account, call.Region, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// AddPermission adds a statement to the resource-based policy of a function, version or
// alias.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	call := callOf(ctx)
	name, q, err := s.permissionTarget(ctx, call, permissionAdd, *in.FunctionName, in.Qualifier, in.RevisionID)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(*in.Action, "lambda:") {
		return nil, NewInvalidParameterValueException("The action " + *in.Action + " is not supported; actions must start with lambda:")
	}
	st, err := statement(in, functionARN(call, name, q))
	if err != nil {
		return nil, err
	}
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, name, func(f *store.LambdaFunction) error {
		p, err := decodePolicies(f.Policy)
		if err != nil {
			return err
		}
		for _, old := range p[q] {
			if sidOf(old) == *in.StatementID {
				return NewResourceConflictException("The statement id (" + *in.StatementID + ") provided already exists. Please provide a new statement id, or remove the existing statement.")
			}
		}
		p[q] = append(p[q], st)
		b, err := json.Marshal(p)
		f.Policy = string(b)
		return err
	})
	s.cache.forget(call.Account, call.Region, name)
	if err != nil {
		return nil, s.updateError(call, name, err)
	}
	if err := s.policyChanged(ctx, call, name, q); err != nil {
		return nil, err
	}
	return &AddPermissionOutput{Statement: ptr(string(st))}, nil
}

// RemovePermission removes a statement from a resource-based policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*RemovePermissionOutput, error) {
	call := callOf(ctx)
	name, q, err := s.permissionTarget(ctx, call, permissionRemove, *in.FunctionName, in.Qualifier, in.RevisionID)
	if err != nil {
		return nil, err
	}
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, name, func(f *store.LambdaFunction) error {
		p, err := decodePolicies(f.Policy)
		if err != nil {
			return err
		}
		if len(p[q]) == 0 {
			return NewResourceNotFoundException("No policy is associated with the given resource.")
		}
		kept := p[q][:0:0]
		for _, st := range p[q] {
			if sidOf(st) != *in.StatementID {
				kept = append(kept, st)
			}
		}
		if len(kept) == len(p[q]) {
			return NewResourceNotFoundException("Statement " + *in.StatementID + " is not found in resource policy.")
		}
		if len(kept) == 0 {
			delete(p, q)
		} else {
			p[q] = kept
		}
		b, err := json.Marshal(p)
		f.Policy = string(b)
		return err
	})
	s.cache.forget(call.Account, call.Region, name)
	if err != nil {
		return nil, s.updateError(call, name, err)
	}
	if err := s.policyChanged(ctx, call, name, q); err != nil {
		return nil, err
	}
	return &RemovePermissionOutput{}, nil
}

// GetPolicy returns the resource-based policy of a function, version or alias.
func (s *Service) GetPolicy(ctx context.Context, in *GetPolicyInput) (*GetPolicyOutput, error) {
	call := callOf(ctx)
	name, q, err := s.permissionTarget(ctx, call, permissionGet, *in.FunctionName, in.Qualifier, nil)
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
	p, err := decodePolicies(f.Policy)
	if err != nil {
		return nil, err
	}
	if len(p[q]) == 0 {
		return nil, NewResourceNotFoundException("The resource you requested does not exist.")
	}
	_, v, _, err := s.lookup(ctx, call, name, ptr(q))
	if err != nil {
		return nil, err
	}
	return &GetPolicyOutput{Policy: ptr(document(p[q])), RevisionID: ptr(v.RevisionID)}, nil
}
