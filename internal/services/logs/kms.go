package logs

import (
	"context"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// msgQueryResultsKMS refuses KMS keys for Logs Insights query results, which Overcast
// does not serve.
const msgQueryResultsKMS = "resourceIdentifier (Logs Insights query results) is not served by Overcast; specify logGroupName."

// kmsGroup picks the log group of AssociateKmsKey and DisassociateKmsKey: exactly one of
// logGroupName and resourceIdentifier, and Overcast serves only the first.
func kmsGroup(name, resource *string) (string, error) {
	switch {
	case name != nil && resource != nil:
		return "", NewInvalidParameterException("LogGroupName and ResourceIdentifier are mutually exclusive. Specify only one of them.")
	case resource != nil:
		return "", NewInvalidParameterException(msgQueryResultsKMS)
	case name == nil:
		return "", NewInvalidParameterException("Either LogGroupName or ResourceIdentifier must be specified.")
	}
	return *name, nil
}

// AssociateKmsKey records the KMS key ARN of a log group; DescribeLogGroups shows it.
// Overcast does not serve KMS: events are stored as they are, and the key is not checked
// beyond being a KMS key ARN.
func (s *Service) AssociateKmsKey(ctx context.Context, in *AssociateKmsKeyInput) (*AssociateKmsKeyOutput, error) {
	name, err := kmsGroup(in.LogGroupName, in.ResourceIdentifier)
	if err != nil {
		return nil, err
	}
	key := *in.KmsKeyID
	if parts := strings.Split(key, ":"); len(parts) < 6 || parts[0] != "arn" || parts[2] != "kms" {
		return nil, NewInvalidParameterException(fmt.Sprintf("Specified KMS key ARN is invalid: %s", key))
	}
	if err := s.modifyGroup(ctx, name, func(g *store.LogsGroup) error {
		g.KMSKeyID = key
		return nil
	}); err != nil {
		return nil, err
	}
	return &AssociateKmsKeyOutput{}, nil
}

// DisassociateKmsKey forgets the KMS key of a log group.
func (s *Service) DisassociateKmsKey(ctx context.Context, in *DisassociateKmsKeyInput) (*DisassociateKmsKeyOutput, error) {
	name, err := kmsGroup(in.LogGroupName, in.ResourceIdentifier)
	if err != nil {
		return nil, err
	}
	if err := s.modifyGroup(ctx, name, func(g *store.LogsGroup) error {
		g.KMSKeyID = ""
		return nil
	}); err != nil {
		return nil, err
	}
	return &DisassociateKmsKeyOutput{}, nil
}
