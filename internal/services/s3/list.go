package s3

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/store"
)

// maxListKeys is the most keys (and common prefixes) one listing answers.
const maxListKeys = 1000

// listPage is one page of a listing: objects and common prefixes in key order.
type listPage struct {
	objects   []*store.S3Object
	prefixes  []string
	truncated bool
	// last is the last key or common prefix answered, where the next page starts.
	last string
}

// listParams are what both listing versions share.
type listParams struct {
	bucket, prefix, delimiter string
	// after is where the page starts (exclusive): a key, or a common prefix whose keys
	// are all skipped.
	after string
	max   int
}

// commonPrefix returns the common prefix key rolls up into, "" when it stands alone.
func commonPrefix(key, prefix, delimiter string) string {
	if delimiter == "" {
		return ""
	}
	if i := strings.Index(key[len(prefix):], delimiter); i >= 0 {
		return key[:len(prefix)+i+len(delimiter)]
	}
	return ""
}

// list walks the bucket's keys from p.after. A start that is itself a common prefix
// (its only delimiter after the prefix ends it: no key is answered under such a name)
// skips every key under it.
func (s *Service) list(ctx context.Context, p listParams) (*listPage, error) {
	page := &listPage{}
	if p.max == 0 {
		return page, nil
	}
	skip := ""
	if p.after != "" && strings.HasPrefix(p.after, p.prefix) && commonPrefix(p.after, p.prefix, p.delimiter) == p.after {
		skip = p.after
	}
	after := p.after
	n := 0
	for {
		batch, err := s.db.S3ObjectList(ctx, &store.S3ObjectListParams{Bucket: p.bucket, After: after, From: p.prefix, Limit: maxListKeys})
		if err != nil {
			return nil, errInternal(err)
		}
		for _, o := range batch {
			if !strings.HasPrefix(o.Key, p.prefix) {
				return page, nil
			}
			if skip != "" && strings.HasPrefix(o.Key, skip) {
				continue
			}
			cp := commonPrefix(o.Key, p.prefix, p.delimiter)
			if n == p.max {
				page.truncated = true
				return page, nil
			}
			n++
			if cp != "" {
				page.prefixes = append(page.prefixes, cp)
				page.last = cp
				skip = cp
				continue
			}
			page.objects = append(page.objects, o)
			page.last = o.Key
		}
		if len(batch) < maxListKeys {
			return page, nil
		}
		after = batch[len(batch)-1].Key
	}
}

// maxKeys reads MaxKeys: 1000 when absent, at most 1000.
func maxKeys(v *int32) (int, error) {
	if v == nil {
		return maxListKeys, nil
	}
	if *v < 0 {
		return 0, errInvalidArgument("max-keys cannot be negative", "max-keys", "")
	}
	return min(int(*v), maxListKeys), nil
}

// encoder returns how keys are written in the answer: as they are, or URL-encoded when
// EncodingType is url.
func encoder(t *string) (func(string) string, error) {
	switch deref(t) {
	case "":
		return func(s string) string { return s }, nil
	case "url":
		// S3 leaves the slashes of keys as they are.
		return func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/") }, nil
	}
	return nil, errInvalidArgument("Invalid Encoding Method specified in Request", "encoding-type", deref(t))
}

func (s *Service) contents(page *listPage, enc func(string) string, owner *Owner) ([]*Object, []*CommonPrefix) {
	var objs []*Object
	for _, o := range page.objects {
		lm := time.UnixMilli(o.ModifiedAt).UTC()
		obj := &Object{Key: ptr(enc(o.Key)), LastModified: &lm, ETag: ptr(o.ETag), Size: ptr(o.Size),
			StorageClass: ptr("STANDARD"), Owner: owner}
		// Listings name the algorithm of an object's additional checksum, if it has one.
		var h storedHeaders
		if json.Unmarshal([]byte(o.Headers), &h) == nil && h.ChecksumAlgorithm != "" {
			obj.ChecksumAlgorithm, obj.ChecksumType = []string{h.ChecksumAlgorithm}, ptr("FULL_OBJECT")
		}
		objs = append(objs, obj)
	}
	var cps []*CommonPrefix
	for _, cp := range page.prefixes {
		cps = append(cps, &CommonPrefix{Prefix: ptr(enc(cp))})
	}
	return objs, cps
}

func optEnc(enc func(string) string, v *string) *string {
	if v == nil {
		return nil
	}
	return ptr(enc(*v))
}

// prepareList reads the arguments both listing versions share and finds the bucket.
func (s *Service) prepareList(ctx context.Context, bucket string, maxKeysArg *int32, encodingType *string) (int, func(string) string, *store.S3Bucket, error) {
	max, err := maxKeys(maxKeysArg)
	if err != nil {
		return 0, nil, nil, err
	}
	enc, err := encoder(encodingType)
	if err != nil {
		return 0, nil, nil, err
	}
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return 0, nil, nil, err
	}
	return max, enc, b, nil
}

// ListObjectsV2 implements S3 ListObjectsV2.
func (s *Service) ListObjectsV2(ctx context.Context, in *ListObjectsV2Input) (*ListObjectsV2Output, error) {
	bucket := deref(in.Bucket)
	max, enc, b, err := s.prepareList(ctx, bucket, in.MaxKeys, in.EncodingType)
	if err != nil {
		return nil, err
	}
	after := deref(in.StartAfter)
	if in.ContinuationToken != nil {
		raw, err := base64.RawURLEncoding.DecodeString(*in.ContinuationToken)
		if err != nil || len(raw) == 0 {
			return nil, errInvalidArgument("The continuation token provided is incorrect", "continuation-token", *in.ContinuationToken)
		}
		after = string(raw)
	}
	page, err := s.list(ctx, listParams{bucket: bucket, prefix: deref(in.Prefix), delimiter: deref(in.Delimiter), after: after, max: max})
	if err != nil {
		return nil, err
	}
	var owner *Owner
	if in.FetchOwner != nil && *in.FetchOwner {
		owner = &Owner{ID: ptr(canonicalID(b.Account))}
	}
	objs, cps := s.contents(page, enc, owner)
	out := &ListObjectsV2Output{
		Name: &bucket, Prefix: ptr(enc(deref(in.Prefix))), Delimiter: optEnc(enc, in.Delimiter), MaxKeys: ptr(int32(max)),
		EncodingType: in.EncodingType, KeyCount: ptr(int32(len(objs) + len(cps))), IsTruncated: ptr(page.truncated),
		ContinuationToken: in.ContinuationToken, StartAfter: optEnc(enc, in.StartAfter), Contents: objs, CommonPrefixes: cps,
	}
	if page.truncated {
		out.NextContinuationToken = ptr(base64.RawURLEncoding.EncodeToString([]byte(page.last)))
	}
	return out, nil
}

// ListObjects implements S3 ListObjects (version 1). NextMarker is answered only with a
// delimiter, as S3 does; without one the next page starts after the last key.
func (s *Service) ListObjects(ctx context.Context, in *ListObjectsInput) (*ListObjectsOutput, error) {
	bucket := deref(in.Bucket)
	max, enc, b, err := s.prepareList(ctx, bucket, in.MaxKeys, in.EncodingType)
	if err != nil {
		return nil, err
	}
	page, err := s.list(ctx, listParams{bucket: bucket, prefix: deref(in.Prefix), delimiter: deref(in.Delimiter), after: deref(in.Marker), max: max})
	if err != nil {
		return nil, err
	}
	objs, cps := s.contents(page, enc, &Owner{ID: ptr(canonicalID(b.Account))})
	out := &ListObjectsOutput{
		Name: &bucket, Prefix: ptr(enc(deref(in.Prefix))), Marker: ptr(enc(deref(in.Marker))), Delimiter: optEnc(enc, in.Delimiter),
		MaxKeys: ptr(int32(max)), EncodingType: in.EncodingType, IsTruncated: ptr(page.truncated), Contents: objs, CommonPrefixes: cps,
	}
	if page.truncated && in.Delimiter != nil {
		out.NextMarker = ptr(enc(page.last))
	}
	return out, nil
}
