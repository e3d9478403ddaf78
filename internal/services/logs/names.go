package logs

import (
	"context"
	"errors"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// partition returns the ARN partition of region.
func partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}

// GroupARN returns the ARN of a log group without the trailing ":*" (LogGroup.logGroupArn,
// and the form tagging operations take).
func GroupARN(region, account, group string) string {
	return "arn:" + partition(region) + ":logs:" + region + ":" + account + ":log-group:" + group
}

// StreamARN returns the ARN of a log stream.
func StreamARN(region, account, group, stream string) string {
	return GroupARN(region, account, group) + ":log-stream:" + stream
}

// groupRef is a log group named by an ARN.
type groupRef struct {
	Region, Account, Name string
}

// parseGroupARN reads arn:PARTITION:logs:REGION:ACCOUNT:log-group:NAME, with or without a
// trailing ":*". ok is false for anything else.
func parseGroupARN(arn string) (groupRef, bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "logs" || !strings.HasPrefix(parts[5], "log-group:") {
		return groupRef{}, false
	}
	name := strings.TrimPrefix(parts[5], "log-group:")
	name = strings.TrimSuffix(name, ":*")
	if name == "" || strings.Contains(name, ":") {
		return groupRef{}, false
	}
	return groupRef{Region: parts[3], Account: parts[4], Name: name}, true
}

// checkGroupName applies the log group name rules the model cannot express (its
// length and pattern are checked before handlers run): no name starts with "aws/".
func checkGroupName(name string) error {
	if strings.HasPrefix(name, "aws/") {
		return NewInvalidParameterException(msgReservedGroupName)
	}
	return nil
}

// checkStreamName rejects stream names the model's pattern lets through but that cannot
// be stored faithfully.
func checkStreamName(name string) error {
	if strings.ContainsRune(name, 0) {
		return errConstraint(name, "logStreamName", "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

// groupName picks the log group from the logGroupName / logGroupIdentifier pair that
// several operations take: exactly one must be given. An identifier may be a name or an
// ARN of the caller's account and region; an ARN of another account or region names a
// group that does not exist.
func groupName(c *protocol.Call, name, identifier *string) (string, error) {
	switch {
	case name != nil && identifier != nil:
		// AWS answers this one as ValidationException, not InvalidParameterException.
		return "", NewValidationException(msgNameAndIdentifier)
	case name != nil:
		return *name, nil
	case identifier == nil:
		return "", NewInvalidParameterException(msgNoGroup)
	}
	id := *identifier
	if !strings.HasPrefix(id, "arn:") {
		return id, nil
	}
	ref, ok := parseGroupARN(id)
	if !ok || ref.Account != c.Account || ref.Region != c.Region {
		return "", errGroupNotFound()
	}
	return ref.Name, nil
}

// getGroup returns the caller's log group name, or ResourceNotFoundException.
func (s *Service) getGroup(ctx context.Context, c *protocol.Call, name string) (*store.LogsGroup, error) {
	g, err := s.db.LogsGroupGet(ctx, c.Account, c.Region, name)
	if err != nil {
		return nil, groupErr(err, "get log group")
	}
	return g, nil
}

// getStream returns stream name of log group g, or ResourceNotFoundException.
func (s *Service) getStream(ctx context.Context, g *store.LogsGroup, name string) (*store.LogsStream, error) {
	st, err := s.db.LogsStreamGet(ctx, g.ID, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errStreamNotFound()
	case err != nil:
		return nil, err
	}
	return st, nil
}
