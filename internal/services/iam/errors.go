package iam

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// IAM's common answers, worded as AWS words them.

func errRoleNotFound(name string) *protocol.Error {
	return NewNoSuchEntityException("The role with name " + name + " cannot be found.")
}

func errUserNotFound(name string) *protocol.Error {
	return NewNoSuchEntityException("The user with name " + name + " cannot be found.")
}

func errGroupNotFound(name string) *protocol.Error {
	return NewNoSuchEntityException("The group with name " + name + " cannot be found.")
}

func errProfileNotFound(name string) *protocol.Error {
	return NewNoSuchEntityException("Instance Profile " + name + " cannot be found.")
}

func errPolicyNotFound(arn string) *protocol.Error {
	return NewNoSuchEntityException("Policy " + arn + " was not found.")
}

func errNotAttachable(arn string) *protocol.Error {
	return NewNoSuchEntityException("Policy " + arn + " does not exist or is not attachable.")
}

// errValidation answers ValidationError (400), IAM's code for inputs it refuses before
// looking anything up.
func errValidation(msg string) *protocol.Error {
	return protocol.NewError("ValidationError", http.StatusBadRequest, msg)
}

func errDuplicateTags() error {
	return NewInvalidInputException("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
}

// validationError words model validation failures as IAM does: code ValidationError and
// no echo of the offending value ("1 validation error detected: Value at 'tags' failed to
// satisfy constraint: Member must have length less than or equal to 50").
func validationError(_ *protocol.Operation, vs []protocol.Violation) *protocol.Error {
	vs = oneTagKeysViolation(vs)
	var b strings.Builder
	if len(vs) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(vs))
	}
	for i, x := range vs {
		if i > 0 {
			b.WriteString("; ")
		}
		val := ""
		if x.Kind == protocol.Missing {
			val = " null"
		}
		path, constraint := memberPath(x.Path), x.Constraint
		if strings.HasPrefix(x.Path, "TagKeys.") {
			// A bad key in a list of tag keys is reported against the list, with every
			// constraint of a tag key.
			path, constraint = "tagKeys", tagKeyConstraints
		}
		fmt.Fprintf(&b, "Value%s at '%s' failed to satisfy constraint: %s", val, path, constraint)
	}
	return errValidation(b.String())
}

// oneTagKeysViolation keeps the first violation of the elements of TagKeys: IAM reports
// the list once.
func oneTagKeysViolation(vs []protocol.Violation) []protocol.Violation {
	out := vs[:0:0]
	seen := false
	for _, v := range vs {
		if strings.HasPrefix(v.Path, "TagKeys.") {
			if seen {
				continue
			}
			seen = true
		}
		out = append(out, v)
	}
	return out
}

// tagKeyConstraints is how IAM words the constraints of one key of TagKeys.
const tagKeyConstraints = `Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`

// memberPath renders "Tags.1.Key" as "tags.1.member.key", AWS's naming of members in
// validation messages.
func memberPath(p string) string {
	var out []string
	for _, s := range strings.Split(p, ".") {
		switch {
		case s == "":
		case s[0] >= '0' && s[0] <= '9':
			out = append(out, s, "member")
		default:
			out = append(out, strings.ToLower(s[:1])+s[1:])
		}
	}
	if n := len(out); n > 0 && out[n-1] == "member" {
		out = out[:n-1]
	}
	return strings.Join(out, ".")
}

// errAccessDenied answers AccessDenied (403).
func errAccessDenied(msg string) *protocol.Error {
	return protocol.NewError("AccessDenied", http.StatusForbidden, msg)
}
