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

// statement builds the policy statement AWS adds for an AddPermission call.
func statement(in *AddPermissionInput, resource string) json.RawMessage {
	st := map[string]any{
		"Sid":      *in.StatementID,
		"Effect":   "Allow",
		"Action":   *in.Action,
		"Resource": resource,
	}
	switch p := *in.Principal; {
	case p == "*":
		st["Principal"] = "*"
	case accountID.MatchString(p):
		st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + p + ":root"}
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"):
		st["Principal"] = map[string]string{"Service": p}
	default:
		st["Principal"] = map[string]string{"AWS": p}
	}
	cond := map[string]map[string]string{}
	if in.SourceAccount != nil {
		cond["StringEquals"] = map[string]string{"AWS:SourceAccount": *in.SourceAccount}
	}
	if in.PrincipalOrgID != nil {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["aws:PrincipalOrgID"] = *in.PrincipalOrgID
	}
	if in.EventSourceToken != nil {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["lambda:EventSourceToken"] = *in.EventSourceToken
	}
	if in.FunctionURLAuthType != nil {
		if cond["StringEquals"] == nil {
			cond["StringEquals"] = map[string]string{}
		}
		cond["StringEquals"]["lambda:FunctionUrlAuthType"] = *in.FunctionURLAuthType
	}
	if in.SourceARN != nil {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": *in.SourceARN}
	}
	if len(cond) > 0 {
		st["Condition"] = cond
	}
	b, _ := json.Marshal(st)
	return b
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
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Id": "default", "Statement": sts})
	return string(b)
}

// permissionTarget resolves the function and qualifier of a permission call and checks
// that the version or alias exists.
func (s *Service) permissionTarget(ctx context.Context, call *protocol.Call, raw string, qualifier *string) (string, string, error) {
	ref, err := parseFunctionName(raw)
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
	if _, _, _, err := s.lookup(ctx, call, ref.Name, ptr(q)); err != nil {
		return "", "", err
	}
	return ref.Name, q, nil
}

// AddPermission adds a statement to the resource-based policy of a function, version or
// alias.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	call := callOf(ctx)
	name, q, err := s.permissionTarget(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(*in.Action, "lambda:") {
		return nil, NewInvalidParameterValueException("The action " + *in.Action + " is not supported; actions must start with lambda:")
	}
	st := statement(in, functionARN(call, name, q))
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, name, func(f *store.LambdaFunction) error {
		p, err := decodePolicies(f.Policy)
		if err != nil {
			return err
		}
		for _, old := range p[q] {
			if sidOf(old) == *in.StatementID {
				return NewResourceConflictException("The statement id (" + *in.StatementID + ") provided already exists. Please choose a new statement id, or remove the existing statement.")
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
	return &AddPermissionOutput{Statement: ptr(string(st))}, nil
}

// RemovePermission removes a statement from a resource-based policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*RemovePermissionOutput, error) {
	call := callOf(ctx)
	name, q, err := s.permissionTarget(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	_, err = s.db.LambdaFunctionUpdate(ctx, call.Account, call.Region, name, func(f *store.LambdaFunction) error {
		p, err := decodePolicies(f.Policy)
		if err != nil {
			return err
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
	return &RemovePermissionOutput{}, nil
}

// GetPolicy returns the resource-based policy of a function, version or alias.
func (s *Service) GetPolicy(ctx context.Context, in *GetPolicyInput) (*GetPolicyOutput, error) {
	call := callOf(ctx)
	name, q, err := s.permissionTarget(ctx, call, *in.FunctionName, in.Qualifier)
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
