package iam

import (
	"encoding/base64"
	"sort"
)

// defaultMaxItems is the page size of IAM list operations without MaxItems.
const defaultMaxItems = 100

// page cuts the page a list operation answers from items, sorted by key: the items after
// the marker's key, at most maxItems (default 100) of them. The next marker is opaque
// (the last key, encoded); truncated is false on the last page. An undecodable marker
// answers ValidationError, as AWS does.
func page[T any](items []T, key func(T) string, marker *string, maxItems *int32) (out []T, truncated bool, next *string, err error) {
	sort.SliceStable(items, func(i, j int) bool { return key(items[i]) < key(items[j]) })
	start := 0
	if marker != nil {
		b, derr := base64.RawURLEncoding.DecodeString(*marker)
		if derr != nil || len(b) == 0 {
			return nil, false, nil, errValidation("Invalid Marker.")
		}
		after := string(b)
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) > after })
	}
	n := defaultMaxItems
	if maxItems != nil {
		n = int(*maxItems)
	}
	end := min(start+n, len(items))
	out = items[start:end]
	if end < len(items) {
		m := base64.RawURLEncoding.EncodeToString([]byte(key(items[end-1])))
		return out, true, &m, nil
	}
	return out, false, nil, nil
}
