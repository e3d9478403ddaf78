package sns

import (
	"regexp"
	"strings"
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

var topicNameRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

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
