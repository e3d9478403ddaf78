package logs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/store"
)

// dataProtectionDoc is the stored document of a log group's data protection policy.
type dataProtectionDoc struct {
	PolicyDocument string `json:"policyDocument"`
}

// msgNoDataProtectionPolicy answers DeleteDataProtectionPolicy on a group without one.
const msgNoDataProtectionPolicy = "The specified log group does not have a data protection policy."

// PutDataProtectionPolicy creates or replaces the data protection policy of a log group.
// Overcast stores it and shows it; it does not mask events.
func (s *Service) PutDataProtectionPolicy(ctx context.Context, in *PutDataProtectionPolicyInput) (*PutDataProtectionPolicyOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, nil, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if !json.Valid([]byte(*in.PolicyDocument)) {
		return nil, NewInvalidParameterException("Policy document is not a valid JSON document.")
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	doc, err := encodeDoc(&dataProtectionDoc{PolicyDocument: *in.PolicyDocument})
	if err != nil {
		return nil, err
	}
	now := s.now()
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		return tx.LogsResourcePut(ctx, &store.Resource{Account: c.Account, Region: c.Region, Kind: kindDataProtectionPolicy,
			Parent: g.Name, Doc: doc, CreatedAt: now, ModifiedAt: now})
	})
	if err != nil {
		return nil, fmt.Errorf("put data protection policy: %w", err)
	}
	return &PutDataProtectionPolicyOutput{LogGroupIdentifier: in.LogGroupIdentifier, PolicyDocument: in.PolicyDocument, LastUpdatedTime: ptr(now)}, nil
}

// GetDataProtectionPolicy returns the data protection policy of a log group; a group
// without one answers only its identifier.
func (s *Service) GetDataProtectionPolicy(ctx context.Context, in *GetDataProtectionPolicyInput) (*GetDataProtectionPolicyOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, nil, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	out := &GetDataProtectionPolicyOutput{LogGroupIdentifier: in.LogGroupIdentifier}
	var r *store.Resource
	err = s.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		r, err = tx.LogsResourceGet(ctx, c.Account, c.Region, kindDataProtectionPolicy, g.Name, "")
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return out, nil
	case err != nil:
		return nil, fmt.Errorf("get data protection policy: %w", err)
	}
	var d dataProtectionDoc
	if err := decodeDoc(r, &d); err != nil {
		return nil, err
	}
	out.PolicyDocument = ptr(d.PolicyDocument)
	out.LastUpdatedTime = ptr(r.ModifiedAt)
	return out, nil
}

// DeleteDataProtectionPolicy deletes the data protection policy of a log group.
func (s *Service) DeleteDataProtectionPolicy(ctx context.Context, in *DeleteDataProtectionPolicyInput) (*DeleteDataProtectionPolicyOutput, error) {
	c := callOf(ctx)
	name, err := groupName(c, nil, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	g, err := s.getGroup(ctx, c, name)
	if err != nil {
		return nil, err
	}
	if err := s.deleteResource(ctx, c, kindDataProtectionPolicy, g.Name, "", NewResourceNotFoundException(msgNoDataProtectionPolicy)); err != nil {
		return nil, err
	}
	return &DeleteDataProtectionPolicyOutput{}, nil
}
