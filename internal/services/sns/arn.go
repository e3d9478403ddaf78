package sns

import (
	"context"
	"fmt"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// arnParts is a parsed SNS ARN: arn:aws:sns:<region>:<account>:<resource>.
type arnParts struct {
	Region, Account, Resource string
}

// parseARN parses an ARN of service svc ("sns", "sqs", "lambda", ...).
func parseARN(arn, svc string) (arnParts, bool) {
	p := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || p[0] != "arn" || p[1] == "" || p[2] != svc || p[3] == "" || p[4] == "" || p[5] == "" {
		return arnParts{}, false
	}
	return arnParts{Region: p[3], Account: p[4], Resource: p[5]}, true
}

func topicARN(region, account, name string) string {
	return "arn:aws:sns:" + region + ":" + account + ":" + name
}

var topicNameRE = protocol.NewLazyRegexp(`^[A-Za-z0-9_-]{1,256}$`)

// validTopicName reports whether name is a valid topic name; FIFO names end in ".fifo",
// which counts towards the 256 characters.
func validTopicName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	return len(name) <= 256 && topicNameRE.MatchString(base)
}

// topicOfARN parses a topic ARN (a resource without ":" and not an app or endpoint).
func topicOfARN(arn string) (arnParts, bool) {
	a, ok := parseARN(arn, "sns")
	if !ok || strings.Contains(a.Resource, ":") || strings.Contains(a.Resource, "/") || !validTopicName(a.Resource) {
		return arnParts{}, false
	}
	return a, true
}

// topicOfSubscription returns the topic ARN of a subscription ARN (<topic ARN>:<id>).
func topicOfSubscription(arn string) (string, bool) {
	a, ok := parseARN(arn, "sns")
	if !ok {
		return "", false
	}
	i := strings.LastIndexByte(arn, ':')
	if !strings.Contains(a.Resource, ":") || i <= 0 {
		return "", false
	}
	return arn[:i], true
}

// arnTooShort answers AWS's InvalidParameter for an ARN of fewer than six ":"-separated
// elements (an empty one has one), naming the parameter; ok is false for a longer ARN.
func arnTooShort(param, arn string) (*protocol.Error, bool) {
	n := strings.Count(arn, ":") + 1
	if n >= 6 {
		return nil, false
	}
	return errInvalid(fmt.Sprintf("%s Reason: An ARN must have at least 6 elements, not %d", param, n)), true
}

// checkTopicARN validates the topic ARN given as param. AWS answers "Invalid parameter:
// <param>" for an ARN that cannot name a topic of the caller's region (a topic of another
// region included), and counts the elements of one too short to be an ARN.
func checkTopicARN(ctx context.Context, param, arn string) (arnParts, *protocol.Error) {
	if perr, short := arnTooShort(param, arn); short {
		return arnParts{}, perr
	}
	a, ok := topicOfARN(arn)
	if !ok || a.Region != callOf(ctx).Region {
		return arnParts{}, errInvalid(param)
	}
	return a, nil
}

// checkSubscriptionARN validates a subscription ARN and returns its topic's ARN. AWS
// counts the elements of an ARN too short to be one, and names the missing subscription
// id of a topic ARN.
func checkSubscriptionARN(arn string) (string, *protocol.Error) {
	if perr, short := arnTooShort("SubscriptionArn", arn); short {
		return "", perr
	}
	topic, ok := topicOfSubscription(arn)
	if !ok {
		if _, isTopic := topicOfARN(arn); isTopic {
			return "", errInvalid("SubscriptionId")
		}
		return "", errInvalid("SubscriptionArn")
	}
	return topic, nil
}
