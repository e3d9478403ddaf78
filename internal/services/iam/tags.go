package iam

import "strings"

// tagDoc is a stored tag.
type tagDoc struct {
	Key, Value string
}

// mergeTags adds tags to have, replacing values of keys present. The keys of roles,
// users and instance profiles compare without case; duplicate keys in tags answer
// InvalidInput.
func mergeTags(have []tagDoc, tags []*Tag) ([]tagDoc, error) {
	return mergeTagsBy(have, tags, strings.EqualFold, errDuplicateTags)
}

// mergePolicyTags is mergeTags for managed policies, whose tag keys are case-sensitive.
func mergePolicyTags(have []tagDoc, tags []*Tag) ([]tagDoc, error) {
	return mergeTagsBy(have, tags, func(a, b string) bool { return a == b }, func() error {
		return NewInvalidInputException("Duplicate tag keys found.")
	})
}

func mergeTagsBy(have []tagDoc, tags []*Tag, same func(a, b string) bool, duplicate func() error) ([]tagDoc, error) {
	for i, t := range tags {
		for _, u := range tags[:i] {
			if same(*t.Key, *u.Key) {
				return nil, duplicate()
			}
		}
	}
	out := append([]tagDoc(nil), have...)
	for _, t := range tags {
		replaced := false
		for i := range out {
			if same(out[i].Key, *t.Key) {
				out[i] = tagDoc{Key: *t.Key, Value: *t.Value}
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, tagDoc{Key: *t.Key, Value: *t.Value})
		}
	}
	return out, nil
}

// removeTags drops the tags of keys, compared without case.
func removeTags(have []tagDoc, keys []string) []tagDoc {
	return removeTagsBy(have, keys, strings.EqualFold)
}

func removeTagsBy(have []tagDoc, keys []string, same func(a, b string) bool) []tagDoc {
	out := have[:0:0]
	for _, t := range have {
		drop := false
		for _, k := range keys {
			if same(t.Key, k) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, t)
		}
	}
	return out
}

// wireTags renders stored tags; nil when there are none and empty is false.
func wireTags(tags []tagDoc, empty bool) []*Tag {
	if len(tags) == 0 && !empty {
		return nil
	}
	out := make([]*Tag, 0, len(tags))
	for _, t := range tags {
		out = append(out, &Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}
