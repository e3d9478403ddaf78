package sqs

import (
	"net"
	"net/url"
	"strings"
)

// fifoSuffix ends the name of every FIFO queue.
const fifoSuffix = ".fifo"

// maxQueueNameLen is AWS's limit on queue names, the .fifo suffix included.
const maxQueueNameLen = 80

// validQueueName reports whether name is a valid queue name: 1 to 80 characters of
// alphanumerics, hyphens and underscores, FIFO queues ending in ".fifo" (the suffix counts
// toward the 80).
func validQueueName(name string, fifo bool) bool {
	if len(name) == 0 || len(name) > maxQueueNameLen {
		return false
	}
	base := name
	if fifo {
		if !strings.HasSuffix(name, fifoSuffix) {
			return false
		}
		base = strings.TrimSuffix(name, fifoSuffix)
		if base == "" {
			return false
		}
	}
	for i := 0; i < len(base); i++ {
		if !nameChar(base[i]) {
			return false
		}
	}
	return true
}

// nameChar reports whether c may appear in a queue name or batch entry id.
func nameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// validAccount reports whether s is a 12-digit account id.
func validAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// queueRef names a queue the way clients do: its account and name (the region comes from
// the call).
type queueRef struct {
	Account string
	Name    string
}

// parseQueueURL extracts the account and queue name from a queue URL in any of the forms
// clients send: http://sqs.<region>.<host>/<account>/<name> (host style),
// http://<host>/<account>/<name> (path style), AWS's own https://sqs.<region>.amazonaws.com
// URLs, and the bare "<account>/<name>" path. It reports false when the URL names no queue.
func parseQueueURL(raw string) (queueRef, bool) {
	path := raw
	if strings.Contains(raw, "://") {
		u, err := url.Parse(raw)
		if err != nil {
			return queueRef{}, false
		}
		path = u.Path
	}
	path = strings.Trim(path, "/")
	parts := strings.Split(path, "/")
	if len(parts) != 2 {
		return queueRef{}, false
	}
	if !validAccount(parts[0]) || parts[1] == "" {
		return queueRef{}, false
	}
	return queueRef{Account: parts[0], Name: parts[1]}, true
}

// URLStyle values for Config.URLStyle.
const (
	// URLStylePath hands back http://<host>/<account>/<name>.
	URLStylePath = "path"
	// URLStyleHost hands back http://sqs.<region>.<host>/<account>/<name>.
	URLStyleHost = "host"
)

// defaultHost is the host of URLs built for a call that carries none (calls made in
// process rather than over HTTP).
const defaultHost = "localhost:4566"

// queueURL builds the URL of queue name in account as the client should see it: on the
// scheme and host the request came in on, in the configured style.
func queueURL(style, scheme, host, region, account, name string) string {
	if scheme == "" {
		scheme = "http"
	}
	if host == "" {
		host = defaultHost
	}
	if style == URLStyleHost {
		prefix := "sqs." + region + "."
		if !strings.HasPrefix(host, prefix) {
			host = prefix + hostForPrefix(host)
		}
	}
	return scheme + "://" + host + "/" + account + "/" + name
}

// hostForPrefix returns the name a service prefix can go in front of: an IP address cannot
// take one (sqs.us-east-1.127.0.0.1 names nothing), so it becomes localhost on the same
// port, which *.localhost resolves to.
func hostForPrefix(host string) string {
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		h, port = host, ""
	}
	if net.ParseIP(strings.Trim(h, "[]")) == nil {
		return host
	}
	if port == "" {
		return "localhost"
	}
	return "localhost:" + port
}

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

// queueARN returns the exact AWS ARN of a queue.
func queueARN(region, account, name string) string {
	return "arn:" + partition(region) + ":sqs:" + region + ":" + account + ":" + name
}

// arnRef is a parsed queue ARN.
type arnRef struct {
	Region  string
	Account string
	Name    string
}

// parseQueueARN parses arn:<partition>:sqs:<region>:<account>:<name>.
func parseQueueARN(arn string) (arnRef, bool) {
	parts := strings.Split(arn, ":")
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "sqs" ||
		parts[3] == "" || !validAccount(parts[4]) || parts[5] == "" {
		return arnRef{}, false
	}
	return arnRef{Region: parts[3], Account: parts[4], Name: parts[5]}, true
}
