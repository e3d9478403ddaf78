package iam

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// policyKind tells identity policies (managed and inline) from trust policies
// (AssumeRolePolicyDocument), whose grammar differs.
type policyKind int

const (
	identityPolicy policyKind = iota
	trustPolicy
)

// Messages of MalformedPolicyDocument, as AWS words them.
const (
	msgInvalidJSON      = "This policy contains invalid Json"
	msgSyntax           = "Syntax errors in policy."
	msgVersion          = "Policy document must be version 2012-10-17 or greater."
	msgLegacy           = "The policy failed legacy parsing"
	msgSidUnique        = "Statement IDs (SID) in a single policy must be unique."
	msgNoActions        = "Policy statement must contain actions."
	msgNoResources      = "Policy statement must contain resources."
	msgVendor           = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon         = "Actions/Condition can contain only one colon."
	msgPrincipal        = "Policy document should not specify a principal."
	msgVendorQualified  = "Resource vendor must be fully qualified and cannot contain regexes."
	msgIAMPath          = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
	msgTrustActions     = "AssumeRole policy may only specify STS AssumeRole actions."
	msgTrustResource    = "Has prohibited field Resource"
	msgTrustNoPrincipal = "Missing required field Principal"
)

// validPartitions are the partitions a resource ARN may name.
var validPartitions = map[string]bool{
	"aws": true, "aws-cn": true, "aws-us-gov": true, "aws-iso": true, "aws-iso-b": true,
	"aws-iso-e": true, "aws-iso-f": true, "aws-eusc": true,
}

// iamPathStarts are the resource types an IAM resource ARN may name.
var iamPathStarts = []string{"*", "root", "user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// conditionOperators are the condition operators, without ForAnyValue:/ForAllValues:
// and IfExists.
var conditionOperators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true, "NumericEquals": true, "NumericNotEquals": true, "NumericLessThan": true,
	"NumericLessThanEquals": true, "NumericGreaterThan": true, "NumericGreaterThanEquals": true, "DateEquals": true,
	"DateNotEquals": true, "DateLessThan": true, "DateLessThanEquals": true, "DateGreaterThan": true,
	"DateGreaterThanEquals": true, "Bool": true, "BinaryEquals": true, "IpAddress": true, "NotIpAddress": true,
	"ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true, "Null": true,
}

// trustActions are the actions a trust policy may name.
var trustActions = map[string]bool{
	"sts:assumerole": true, "sts:assumerolewithsaml": true, "sts:assumerolewithwebidentity": true,
	"sts:tagsession": true, "sts:setsourceidentity": true, "sts:setcontext": true, "sts:*": true, "*": true,
}

// statementKeys are the members a statement may have.
var statementKeys = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true, "Action": true, "NotAction": true,
	"Resource": true, "NotResource": true, "Condition": true,
}

// statement is one statement of a policy that passed the syntax checks.
type statement struct {
	raw          map[string]any
	sid          *string
	effect       string
	actions      []string
	hasActions   bool
	resources    []string
	hasResources bool
	conditions   map[string]map[string]any
	principal    bool
}

// validatePolicy checks a policy document the way IAM does before storing it, in IAM's
// order (syntax, version, legacy parsing, statement ids, actions, resources, resource
// formats, action prefixes), and answers MalformedPolicyDocument with AWS's wording for
// the first problem found.
func validatePolicy(doc string, kind policyKind) *protocol.Error {
	malformed := NewMalformedPolicyDocumentException
	var top map[string]any
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil || top == nil || dec.More() {
		if kind == trustPolicy {
			return malformed(msgInvalidJSON)
		}
		return malformed(msgSyntax)
	}
	stmts, ok := parseStatements(top)
	if !ok {
		return malformed(msgSyntax)
	}
	// Identity policies must use the current grammar version; trust policies may omit it.
	if kind == identityPolicy && top["Version"] != "2012-10-17" {
		return malformed(msgVersion)
	}
	for _, st := range stmts {
		if !legacyParses(st) {
			return malformed(msgLegacy)
		}
	}
	sids := map[string]bool{}
	for _, st := range stmts {
		if st.sid == nil {
			continue
		}
		if sids[*st.sid] {
			return malformed(msgSidUnique)
		}
		sids[*st.sid] = true
	}
	if kind == trustPolicy {
		return checkTrust(stmts)
	}
	for _, st := range stmts {
		if st.principal {
			return malformed(msgPrincipal)
		}
	}
	for _, st := range stmts {
		if !st.hasActions || len(st.actions) == 0 {
			return malformed(msgNoActions)
		}
	}
	for _, st := range stmts {
		if !st.hasResources || len(st.resources) == 0 {
			return malformed(msgNoResources)
		}
	}
	for _, st := range stmts {
		for _, r := range st.resources {
			if msg := resourceFormatError(r); msg != "" {
				return malformed(msg)
			}
		}
	}
	for _, st := range stmts {
		for _, a := range st.actions {
			if msg := actionPrefixError(a); msg != "" {
				return malformed(msg)
			}
		}
	}
	return nil
}

// checkTrust applies the rules of trust policies to statements that parsed.
func checkTrust(stmts []*statement) *protocol.Error {
	malformed := NewMalformedPolicyDocumentException
	for _, st := range stmts {
		if !st.hasActions || len(st.actions) == 0 {
			return malformed(msgNoActions)
		}
		if st.hasResources {
			return malformed(msgTrustResource)
		}
		if !st.principal {
			return malformed(msgTrustNoPrincipal)
		}
		for _, a := range st.actions {
			if !trustActions[strings.ToLower(a)] {
				return malformed(msgTrustActions)
			}
		}
	}
	return nil
}

// parseStatements applies the syntax rules; ok is false on "Syntax errors in policy.".
func parseStatements(top map[string]any) ([]*statement, bool) {
	for k, v := range top {
		switch k {
		case "Version":
			if v != "2012-10-17" && v != "2008-10-17" {
				return nil, false
			}
		case "Id":
			if _, ok := v.(string); !ok {
				return nil, false
			}
		case "Statement":
		default:
			return nil, false
		}
	}
	var raws []any
	switch s := top["Statement"].(type) {
	case map[string]any:
		raws = []any{s}
	case []any:
		raws = s
	}
	if len(raws) == 0 {
		return nil, false
	}
	out := make([]*statement, 0, len(raws))
	for _, r := range raws {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, false
		}
		st, ok := parseStatement(m)
		if !ok {
			return nil, false
		}
		out = append(out, st)
	}
	return out, true
}

func parseStatement(m map[string]any) (*statement, bool) {
	st := &statement{}
	for k := range m {
		if !statementKeys[k] {
			return nil, false
		}
	}
	_, hasAction := m["Action"]
	_, hasNotAction := m["NotAction"]
	_, hasResource := m["Resource"]
	_, hasNotResource := m["NotResource"]
	if hasAction && hasNotAction || hasResource && hasNotResource {
		return nil, false
	}
	effect, ok := m["Effect"].(string)
	if !ok || (strings.ToLower(effect) != "allow" && strings.ToLower(effect) != "deny") {
		return nil, false
	}
	st.effect = effect
	var okList bool
	if st.actions, st.hasActions, okList = stringOrList(m, "Action", "NotAction"); !okList {
		return nil, false
	}
	if st.resources, st.hasResources, okList = stringOrList(m, "Resource", "NotResource"); !okList {
		return nil, false
	}
	if c, present := m["Condition"]; present {
		conds, ok := parseConditions(c)
		if !ok {
			return nil, false
		}
		st.conditions = conds
	}
	if sid, present := m["Sid"]; present {
		s, ok := sid.(string)
		if !ok {
			return nil, false
		}
		st.sid = &s
	}
	_, p := m["Principal"]
	_, np := m["NotPrincipal"]
	st.principal = p || np
	return st, true
}

// stringOrList reads the member name or its Not twin: a string or a list of strings.
func stringOrList(m map[string]any, name, notName string) (vals []string, present, ok bool) {
	v, present := m[name]
	if !present {
		v, present = m[notName]
	}
	if !present {
		return nil, false, true
	}
	switch x := v.(type) {
	case string:
		return []string{x}, true, true
	case []any:
		for _, e := range x {
			s, isString := e.(string)
			if !isString {
				return nil, true, false
			}
			vals = append(vals, s)
		}
		return vals, true, true
	}
	return nil, true, false
}

// parseConditions checks a Condition block: operators mapping keys to a value or a list
// of values. An unknown operator is allowed only with no keys.
func parseConditions(c any) (map[string]map[string]any, bool) {
	m, ok := c.(map[string]any)
	if !ok {
		return nil, false
	}
	out := map[string]map[string]any{}
	for op, v := range m {
		keys, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		for _, val := range keys {
			switch x := val.(type) {
			case string, bool, json.Number:
			case []any:
				for _, e := range x {
					switch e.(type) {
					case string, bool, json.Number:
					default:
						return nil, false
					}
				}
			default:
				return nil, false
			}
		}
		if !conditionOperators[stripOperator(op)] && len(keys) > 0 {
			return nil, false
		}
		out[op] = keys
	}
	return out, true
}

// stripOperator removes the set prefix and the IfExists suffix of a condition operator.
func stripOperator(op string) string {
	for _, p := range []string{"ForAnyValue:", "ForAllValues:"} {
		if strings.HasPrefix(op, p) {
			op = op[len(p):]
			break
		}
	}
	return strings.TrimSuffix(op, "IfExists")
}

// legacyParses applies the checks AWS reports as "The policy failed legacy parsing": the
// effect's exact spelling, the field count of ARNs in a known partition, and dates in
// Date conditions.
func legacyParses(st *statement) bool {
	if st.effect != "Allow" && st.effect != "Deny" {
		return false
	}
	for _, r := range st.resources {
		parts := strings.Split(r, ":")
		if r == "*" || len(parts) < 2 || parts[0] != "arn" || !validPartitions[parts[1]] {
			continue
		}
		if strings.Count(r, ":") < 5 && strings.Contains(r, "::") || len(parts) > 2 && parts[2] == "" {
			return false
		}
	}
	for op, keys := range st.conditions {
		if !strings.HasPrefix(stripOperator(op), "Date") {
			continue
		}
		for _, v := range keys {
			vals, _ := v.([]any)
			if s, ok := v.(string); ok {
				vals = []any{s}
			}
			for _, e := range vals {
				if s, ok := e.(string); ok && !legacyDate(s) {
					return false
				}
			}
		}
	}
	return true
}

// legacyDate reports whether s is a date IAM accepts in a Date condition: an ISO 8601
// date or time (years -292275054 to 292278993, up to nine decimals of seconds, a zone of
// Z or +hh[:mm]) or a non-negative epoch second count that fits in 63 bits.
func legacyDate(s string) bool {
	s = strings.ToLower(s)
	if !strings.Contains(s, "t") && !strings.Contains(s, "-") {
		n, err := strconv.ParseUint(s, 10, 64)
		return err == nil && n <= 1<<63-1
	}
	datePart, timePart, _ := strings.Cut(s, "t")
	negative := strings.HasPrefix(datePart, "-")
	dateFields := strings.Split(strings.TrimPrefix(datePart, "-"), "-")
	if len(dateFields) > 3 {
		return false
	}
	year := dateFields[0]
	if negative {
		year = "-" + year
	}
	if !intIn(year, -292275054, 292278993) {
		return false
	}
	if len(dateFields) > 1 && !intIn(dateFields[1], 1, 12) || len(dateFields) > 2 && !intIn(dateFields[2], 1, 31) {
		return false
	}
	timeFields := strings.Split(timePart, ":")
	if timeFields[0] != "" && !intIn(timeFields[0], 0, 23) {
		return false
	}
	if len(timeFields) > 1 && !intIn(timeFields[1], 0, 59) {
		return false
	}
	if len(timeFields) > 2 {
		// The zone's own colon splits it across the last two fields.
		secs := strings.Join(timeFields[2:], ":")
		switch {
		case strings.Contains(secs, "z"):
			var rest string
			secs, rest, _ = strings.Cut(secs, "z")
			if rest != "" {
				return false
			}
		case strings.Contains(secs, "+"):
			var zone string
			secs, zone, _ = strings.Cut(secs, "+")
			hh, mm, hasMinutes := strings.Cut(zone, ":")
			if len(hh) != 2 || !intIn(hh, 0, 23) || hasMinutes && (len(mm) != 2 || !intIn(mm, 0, 59)) {
				return false
			}
		}
		whole, frac, hasFrac := strings.Cut(secs, ".")
		if !intIn(whole, 0, 59) || hasFrac && !intIn(frac, 0, 999999999) {
			return false
		}
	}
	return true
}

func intIn(s string, lo, hi int64) bool {
	n, err := strconv.ParseInt(s, 10, 64)
	return err == nil && n >= lo && n <= hi
}

// resourceFormatError words what is wrong with a resource of a statement, "" when
// nothing is. A resource with a colon is read as an ARN whatever its first field.
func resourceFormatError(r string) string {
	if r == "*" {
		return ""
	}
	_, rest, ok := strings.Cut(r, ":")
	if !ok {
		return "Resource " + r + ` must be in ARN format or "*".`
	}
	partition, rest, hasService := strings.Cut(rest, ":")
	if !validPartitions[partition] {
		fields := strings.Split(rest, ":")
		at := func(i int) string {
			if i < len(fields) && (fields[i] != "" || len(fields) > 1) {
				return fields[i]
			}
			return "*"
		}
		last := "*"
		if len(fields) > 3 {
			last = strings.Join(fields[3:], ":")
		}
		return `Partition "` + partition + `" is not valid for resource "arn:` + partition + ":" + at(0) + ":" + at(1) + ":" + at(2) + ":" + last + `".`
	}
	if !hasService {
		return msgVendorQualified
	}
	service, rest, _ := strings.Cut(rest, ":")
	switch {
	case service == "iam" && !strings.HasPrefix(rest, ":"):
		return "IAM resource " + r + " cannot contain region information."
	case service == "s3" && !strings.HasPrefix(rest, ":"):
		return "Resource " + r + " can not contain region information."
	}
	if service == "iam" {
		_, rest, _ = strings.Cut(rest, ":") // region
		_, path, _ := strings.Cut(rest, ":")
		for _, p := range iamPathStarts {
			if strings.HasPrefix(path, p) {
				return ""
			}
		}
		return msgIAMPath
	}
	return ""
}

// actionPrefixError words what is wrong with an action, "" when nothing is.
func actionPrefixError(a string) string {
	vendor, rest, hasColon := strings.Cut(a, ":")
	switch {
	case !hasColon && a != "*":
		return msgVendor
	case strings.Contains(rest, ":"):
		return msgOneColon
	}
	if vendor == "*" {
		return ""
	}
	for _, c := range vendor {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "Vendor " + vendor + " is not valid"
		}
	}
	return ""
}

// encodeDocument renders a policy document as IAM answers it: URL-encoded (RFC 3986
// percent-encoding, spaces as %20), which the SDKs' policy decoders undo.
func encodeDocument(doc string) *string {
	s := strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
	return &s
}
