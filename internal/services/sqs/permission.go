package sqs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// maxPermissionActions is AWS's limit on actions per AddPermission statement.
const maxPermissionActions = 7

// permissionActions are the actions AddPermission may grant ("*" grants all of them).
var permissionActions = map[string]bool{
	"*": true, "SendMessage": true, "ReceiveMessage": true, "DeleteMessage": true,
	"ChangeMessageVisibility": true, "GetQueueAttributes": true, "GetQueueUrl": true,
	"ListDeadLetterSourceQueues": true, "PurgeQueue": true, "ListQueueTags": true,
	"SendMessageBatch": true, "DeleteMessageBatch": true, "ChangeMessageVisibilityBatch": true,
}

// policyDoc is an SQS access policy as AddPermission writes it. Statements are kept raw so
// that statements written by SetQueueAttributes survive untouched.
type policyDoc struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

// permissionStatement is the statement AddPermission adds, in AWS's member order.
type permissionStatement struct {
	Sid       string `json:"Sid"`
	Effect    string `json:"Effect"`
	Principal struct {
		AWS any `json:"AWS"`
	} `json:"Principal"`
	Action   any    `json:"Action"`
	Resource string `json:"Resource"`
}

// statementSid returns the Sid of a raw statement ("" when it has none).
func statementSid(raw json.RawMessage) string {
	var s struct {
		Sid string `json:"Sid"`
	}
	_ = json.Unmarshal(raw, &s)
	return s.Sid
}

// parsePolicy reads a queue's Policy, or starts the document AWS starts.
func parsePolicy(policy, arn string) (*policyDoc, error) {
	if policy == "" {
		// AddPermission starts the document with the 2008 policy language version, as AWS
		// answers it.
		return &policyDoc{Version: "2008-10-17", ID: arn + "/SQSDefaultPolicy"}, nil
	}
	var d policyDoc
	if err := json.Unmarshal([]byte(policy), &d); err != nil {
		return nil, errInvalidParameterValue("The queue's existing policy is not valid JSON.")
	}
	return &d, nil
}

// oneOrMany renders a list as AWS renders policy values: a lone value as a string.
func oneOrMany(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

// modifyPolicy applies fn to the queue's policy document in one write; an empty document
// removes the Policy attribute.
func (s *Service) modifyPolicy(ctx context.Context, q *queue, fn func(d *policyDoc) error) error {
	now := s.now()
	row, err := s.db.SQSQueueModify(ctx, q.ID, func(r *store.SQSQueue) error {
		a, err := unmarshalQueueAttrs(r.Attrs)
		if err != nil {
			return err
		}
		d, err := parsePolicy(a.Policy, q.ARN)
		if err != nil {
			return err
		}
		if err := fn(d); err != nil {
			return err
		}
		if len(d.Statement) == 0 {
			a.Policy = ""
		} else {
			b, _ := json.Marshal(d)
			a.Policy = string(b)
		}
		r.Attrs = a.marshal()
		r.ModifiedAt = now
		return nil
	})
	var perr *protocol.Error
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.cache.drop(q.Account, q.Region, q.Name)
		return errQueueDoesNotExist(ctx)
	case errors.As(err, &perr):
		return perr
	case err != nil:
		return err
	}
	return s.refresh(row)
}

// validLabel applies AWS's rule for permission labels: up to 80 alphanumerics, hyphens and
// underscores.
func validLabel(l string) bool {
	if l == "" || len(l) > 80 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if !nameChar(l[i]) {
			return false
		}
	}
	return true
}

// AddPermission adds a statement to the queue's policy that allows the given accounts the
// given actions.
func (s *Service) AddPermission(ctx context.Context, in *AddPermissionInput) (*AddPermissionOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	label := *in.Label
	if !validLabel(label) {
		return nil, errParamInvalid(label, "Label", "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length.")
	}
	if len(in.Actions) == 0 {
		return nil, errMissingParameter("Actions")
	}
	if len(in.AWSAccountIDs) == 0 {
		return nil, errMissingParameter("AWSAccountIds")
	}
	if len(in.Actions) > maxPermissionActions {
		return nil, NewOverLimit(fmt.Sprintf("%d Actions were found, maximum allowed is %d.", len(in.Actions), maxPermissionActions))
	}
	actions := make([]string, len(in.Actions))
	for i, a := range in.Actions {
		if !permissionActions[a] {
			return nil, errParamInvalid("SQS:"+a, "ActionName", "Only the queue owner is allowed to invoke this action.")
		}
		actions[i] = "SQS:" + a
	}
	principals := make([]string, len(in.AWSAccountIDs))
	for i, acct := range in.AWSAccountIDs {
		if !validAccount(acct) {
			return nil, errParamInvalid(acct, "PrincipalId", "Unable to verify.")
		}
		principals[i] = "arn:" + partition(q.Region) + ":iam::" + acct + ":root"
	}
	st := permissionStatement{Sid: label, Effect: "Allow", Action: oneOrMany(actions), Resource: q.ARN}
	st.Principal.AWS = oneOrMany(principals)
	raw, _ := json.Marshal(st)
	err = s.modifyPolicy(ctx, q, func(d *policyDoc) error {
		for _, existing := range d.Statement {
			if statementSid(existing) == label {
				return errParamInvalid(label, "Label", "Already exists.")
			}
		}
		d.Statement = append(d.Statement, raw)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &AddPermissionOutput{}, nil
}

// RemovePermission removes the statement labelled Label from the queue's policy.
func (s *Service) RemovePermission(ctx context.Context, in *RemovePermissionInput) (*RemovePermissionOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	label := *in.Label
	err = s.modifyPolicy(ctx, q, func(d *policyDoc) error {
		kept := d.Statement[:0:0]
		for _, st := range d.Statement {
			if statementSid(st) != label {
				kept = append(kept, st)
			}
		}
		switch {
		case len(d.Statement) == 0:
			// AWS words it apart when the queue has no policy at all.
			return errParamInvalid(label, "Label", "can't find label.")
		case len(kept) == len(d.Statement):
			return errParamInvalid(label, "Label", "can't find label on existing policy.")
		}
		d.Statement = kept
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &RemovePermissionOutput{}, nil
}
