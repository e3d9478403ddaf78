package events

import (
	"encoding/base64"
	"errors"
	"strconv"

	"github.com/overcast/overcast/internal/protocol"
)

func ptr[T any](v T) *T { return &v }

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func tagMap(tags []*Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[*t.Key] = *t.Value
	}
	return m
}

// paginate returns one page of items from the offset in token (an opaque base64 offset)
// and the token of the next page. limit nil or 0 means 100. The page is never nil: AWS
// answers an empty list ("Rules": []) rather than leaving the member out.
func paginate[T any](items []T, token *string, limit *int32) ([]T, *string, error) {
	start := 0
	if token != nil && *token != "" {
		b, err := base64.RawURLEncoding.DecodeString(*token)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(items) {
			return nil, nil, NewValidationException("The provided NextToken is not valid.")
		}
		start = n
	}
	n := 100
	if limit != nil && *limit > 0 {
		n = int(*limit)
	}
	end := min(start+n, len(items))
	var next *string
	if end < len(items) {
		next = ptr(base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
	}
	if start == end {
		return []T{}, next, nil
	}
	return items[start:end], next, nil
}

// isNotFound reports whether err is a ResourceNotFoundException answer.
func isNotFound(err error) bool {
	var pe *protocol.Error
	return errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException
}
