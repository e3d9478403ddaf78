package edge

import "strings"

// hostInfo is what a Host header says about the target of a request, the way AWS
// endpoints do: "sqs.us-east-1.localhost:4566" names SQS in us-east-1,
// "photos.s3.localhost" and "photos.localhost" name S3 bucket "photos".
type hostInfo struct {
	// prefix is the endpoint prefix found ("sqs", "s3", "execute-api"), "" when none.
	prefix string
	// region is a region label of the host, "" when none.
	region string
	// sub is what stands left of the prefix (S3 bucket, API id). When no prefix is found
	// but the host ends in a known local or AWS domain, it is everything left of that
	// domain (a virtual-hosted bucket: "photos.localhost").
	sub string
}

// knownDomains are the base domains under which a label is a bucket or a service: the
// loopback name every system resolves for subdomains, and AWS's own.
var knownDomains = [...]string{".localhost", ".amazonaws.com", ".amazonaws.com.cn"}

// parseHost reads host (with or without a port). prefixes holds the endpoint prefixes of
// the services served. It allocates only when host has upper-case letters.
func parseHost(host string, prefixes map[string]bool) hostInfo {
	if host == "" || host[0] == '[' {
		return hostInfo{}
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	host = strings.ToLower(host)
	if isIPv4(host) || host == "localhost" {
		return hostInfo{}
	}
	known := false
	for _, d := range knownDomains {
		if strings.HasSuffix(host, d) {
			host = host[:len(host)-len(d)]
			known = true
			break
		}
	}
	var h hostInfo
	rest := host
	for rest != "" {
		label := rest
		left := ""
		if i := strings.LastIndexByte(rest, '.'); i >= 0 {
			label, left = rest[i+1:], rest[:i]
		}
		switch {
		case isRegion(label):
			if h.region == "" {
				h.region = label
			}
		case label == "dualstack":
		case prefixes[label]:
			h.prefix, h.sub = label, left
			return h
		case strings.HasPrefix(label, "s3-") && prefixes["s3"]:
			// Legacy S3 endpoints: s3-us-west-2, s3-website-us-east-1, s3-accelerate.
			h.prefix, h.sub = "s3", left
			if r := strings.TrimPrefix(strings.TrimPrefix(label, "s3-"), "website-"); isRegion(r) && h.region == "" {
				h.region = r
			}
			return h
		default:
			if known {
				h.sub = rest
			}
			return h
		}
		rest = left
	}
	return h
}

func isIPv4(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// isRegion reports whether s is shaped like an AWS region name: an area, an optional
// partition word, a direction and a number ("us-east-1", "us-gov-west-1",
// "ap-southeast-4", "eu-isoe-west-1"). Bucket names such as "my-bucket-1" are not.
func isRegion(s string) bool {
	area, rest, ok := strings.Cut(s, "-")
	if !ok || !regionAreas[area] {
		return false
	}
	dir, num, ok := strings.Cut(rest, "-")
	if !ok {
		return false
	}
	if regionPartitions[dir] {
		if dir, num, ok = strings.Cut(num, "-"); !ok {
			return false
		}
	}
	if !regionDirections[dir] || num == "" || len(num) > 2 {
		return false
	}
	for i := 0; i < len(num); i++ {
		if num[i] < '0' || num[i] > '9' {
			return false
		}
	}
	return true
}

var (
	regionAreas = map[string]bool{
		"us": true, "eu": true, "ap": true, "sa": true, "ca": true, "me": true,
		"af": true, "il": true, "mx": true, "cn": true,
	}
	regionPartitions = map[string]bool{"gov": true, "iso": true, "isob": true, "isoe": true, "isof": true}
	regionDirections = map[string]bool{
		"east": true, "west": true, "north": true, "south": true, "central": true,
		"northeast": true, "northwest": true, "southeast": true, "southwest": true,
	}
)
