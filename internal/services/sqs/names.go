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
		if p, ok := plainURLPath(raw); ok {
			path = p
		} else {
			u, err := url.Parse(raw)
			if err != nil {
				return queueRef{}, false
			}
			path = u.Path
		}
	}
	path = strings.Trim(path, "/")
	account, name, ok := strings.Cut(path, "/")
	if !ok || strings.Contains(name, "/") {
		return queueRef{}, false
	}
	if !validAccount(account) || name == "" {
		return queueRef{}, false
	}
	return queueRef{Account: account, Name: name}, true
}

// plainURLPath returns the path of an http or https URL made only of characters that need
// no decoding and no validation beyond a scan (a host name or address with an optional
// port, a path of letters, digits and -._/), as the queue URLs Overcast hands back are;
// url.Parse would return the same path for it. Any other URL returns false, to be parsed
// in full.
func plainURLPath(raw string) (string, bool) {
	rest, ok := strings.CutPrefix(raw, "http://")
	if !ok {
		if rest, ok = strings.CutPrefix(raw, "https://"); !ok {
			return "", false
		}
	}
	slash := strings.IndexByte(rest, '/')
	if slash < 0 {
		return "", false
	}
	host, path := rest[:slash], rest[slash:]
	if h, port, hasPort := strings.Cut(host, ":"); hasPort {
		if port == "" || len(port) > 5 {
			return "", false
		}
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return "", false
			}
		}
		host = h
	}
	if host == "" {
		return "", false
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; !isAlnum(c) && c != '.' && c != '-' {
			return "", false
		}
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; !isAlnum(c) && c != '-' && c != '_' && c != '.' && c != '/' {
			return "", false
		}
	}
	return path, true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
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
