package s3

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"unicode/utf8"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Tag limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html).
const (
	maxObjectTags  = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// storedTag is a tag as the store keeps it, in a JSON array.
type storedTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func errInvalidTag(msg string, fields map[string]any) *protocol.Error {
	return &protocol.Error{Code: codeInvalidTag, Message: msg, Status: http.StatusBadRequest, Fields: fields}
}

// checkTags validates a tag set of at most max tags and returns it in the store's form.
func checkTags(tags []*Tag, max int, object bool) (string, error) {
	if len(tags) > max {
		if object {
			return "", &protocol.Error{Code: codeBadRequest, Message: "Object tags cannot be greater than 10", Status: http.StatusBadRequest}
		}
		return "", errInvalidTag("Bucket tag count cannot be greater than 50", nil)
	}
	seen := make(map[string]bool, len(tags))
	out := make([]storedTag, 0, len(tags))
	for _, t := range tags {
		k, v := deref(t.Key), deref(t.Value)
		switch {
		case utf8.RuneCountInString(k) > maxTagKeyLen:
			return "", errInvalidTag("The TagKey you have provided is too long, max 128", map[string]any{"TagKey": k})
		case utf8.RuneCountInString(v) > maxTagValueLen:
			return "", errInvalidTag("The TagValue you have provided is too long, max 256", map[string]any{"TagKey": k, "TagValue": v})
		case seen[k]:
			return "", errInvalidTag("Cannot provide multiple Tags with the same key", map[string]any{"TagKey": k})
		}
		seen[k] = true
		out = append(out, storedTag{k, v})
	}
	b, _ := json.Marshal(out)
	return string(b), nil
}

// headerTags reads an x-amz-tagging header (a URL query string) into a stored tag set.
func headerTags(h *string) (string, error) {
	if h == nil || *h == "" {
		return "", nil
	}
	q, err := url.ParseQuery(*h)
	if err != nil {
		return "", errInvalidArgument("The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.", "x-amz-tagging", *h)
	}
	var tags []*Tag
	for k, vs := range q {
		if len(vs) > 1 {
			return "", errInvalidTag("Cannot provide multiple Tags with the same key", map[string]any{"TagKey": k})
		}
		tags = append(tags, &Tag{Key: ptr(k), Value: ptr(vs[0])})
	}
	return checkTags(tags, maxObjectTags, true)
}

// tagSet turns stored tags into the answer's TagSet.
func tagSet(stored string) []*Tag {
	var ts []storedTag
	_ = json.Unmarshal([]byte(stored), &ts)
	out := make([]*Tag, 0, len(ts))
	for _, t := range ts {
		out = append(out, &Tag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out
}

// tagCount is the x-amz-tagging-count of an object: nil when it has no tags.
func tagCount(stored string) *int32 {
	var ts []storedTag
	if json.Unmarshal([]byte(stored), &ts) != nil || len(ts) == 0 {
		return nil
	}
	return ptr(int32(len(ts)))
}

// PutBucketTagging implements S3 PutBucketTagging: the tag set replaces the bucket's.
func (s *Service) PutBucketTagging(ctx context.Context, in *PutBucketTaggingInput) (*PutBucketTaggingOutput, error) {
	bucket := deref(in.Bucket)
	if in.Tagging == nil {
		return nil, protocol.MalformedXML()
	}
	tags, err := checkTags(in.Tagging.TagSet, maxBucketTags, false)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	if err := s.db.S3BucketSetTags(ctx, bucket, tags); err != nil {
		return nil, bucketErr(bucket, err)
	}
	return &PutBucketTaggingOutput{}, nil
}

// GetBucketTagging implements S3 GetBucketTagging: a bucket without tags answers
// NoSuchTagSet.
func (s *Service) GetBucketTagging(ctx context.Context, in *GetBucketTaggingInput) (*GetBucketTaggingOutput, error) {
	b, err := s.bucket(ctx, deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	ts := tagSet(b.Tags)
	if len(ts) == 0 {
		return nil, &protocol.Error{Code: codeNoSuchTagSet, Message: "The TagSet does not exist", Status: http.StatusNotFound,
			Fields: map[string]any{"BucketName": b.Name}}
	}
	return &GetBucketTaggingOutput{TagSet: ts}, nil
}

// DeleteBucketTagging implements S3 DeleteBucketTagging.
func (s *Service) DeleteBucketTagging(ctx context.Context, in *DeleteBucketTaggingInput) (*DeleteBucketTaggingOutput, error) {
	bucket := deref(in.Bucket)
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	if err := s.db.S3BucketSetTags(ctx, bucket, ""); err != nil {
		return nil, bucketErr(bucket, err)
	}
	return &DeleteBucketTaggingOutput{}, nil
}

// objectTagsTarget checks the bucket, version and key of an object subresource call
// (tagging, ACL) made with method, and returns the object with the VersionID S3 answers.
// A delete marker, named or latest, answers MethodNotAllowed.
func (s *Service) objectTagsTarget(ctx context.Context, bucket, key, versionID, method string) (*store.S3Object, error) {
	o, _, err := s.readObject(ctx, bucket, key, versionID, false, readConditions{}, nil)
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeNoSuchKey && pe.Headers["x-amz-delete-marker"] == "true" {
		if m, merr := s.db.S3ObjectLatestMarker(ctx, bucket, key); merr == nil {
			return nil, errDeleteMarker(method, m)
		}
	}
	if errors.As(err, &pe) && pe.Code == "MethodNotAllowed" {
		pe.Fields["Method"] = method
	}
	return o, err
}

// setObjectTags replaces the tags of key, or of its version vid when one is named.
func (s *Service) setObjectTags(ctx context.Context, bucket, key, vid, tags string) error {
	if vid == "" {
		return s.db.S3ObjectSetTags(ctx, bucket, key, tags)
	}
	return s.db.S3ObjectVersionSetTags(ctx, bucket, key, vid, tags)
}

// PutObjectTagging implements S3 PutObjectTagging: the tag set replaces the object's.
func (s *Service) PutObjectTagging(ctx context.Context, in *PutObjectTaggingInput) (*PutObjectTaggingOutput, error) {
	bucket, key := deref(in.Bucket), deref(in.Key)
	if in.Tagging == nil {
		return nil, protocol.MalformedXML()
	}
	tags, err := checkTags(in.Tagging.TagSet, maxObjectTags, true)
	if err != nil {
		return nil, err
	}
	o, err := s.objectTagsTarget(ctx, bucket, key, deref(in.VersionID), http.MethodPut)
	if err != nil {
		return nil, err
	}
	if err := s.setObjectTags(ctx, bucket, key, deref(in.VersionID), tags); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoSuchKey(key)
		}
		return nil, errInternal(err)
	}
	return &PutObjectTaggingOutput{VersionID: opt(o.VersionID)}, nil
}

// GetObjectTagging implements S3 GetObjectTagging: an object without tags answers an
// empty TagSet.
func (s *Service) GetObjectTagging(ctx context.Context, in *GetObjectTaggingInput) (*GetObjectTaggingOutput, error) {
	o, err := s.objectTagsTarget(ctx, deref(in.Bucket), deref(in.Key), deref(in.VersionID), http.MethodGet)
	if err != nil {
		return nil, err
	}
	return &GetObjectTaggingOutput{TagSet: tagSet(o.Tags), VersionID: opt(o.VersionID)}, nil
}

// DeleteObjectTagging implements S3 DeleteObjectTagging.
func (s *Service) DeleteObjectTagging(ctx context.Context, in *DeleteObjectTaggingInput) (*DeleteObjectTaggingOutput, error) {
	bucket, key := deref(in.Bucket), deref(in.Key)
	o, err := s.objectTagsTarget(ctx, bucket, key, deref(in.VersionID), http.MethodDelete)
	if err != nil {
		return nil, err
	}
	if err := s.setObjectTags(ctx, bucket, key, deref(in.VersionID), ""); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoSuchKey(key)
		}
		return nil, errInternal(err)
	}
	return &DeleteObjectTaggingOutput{VersionID: opt(o.VersionID)}, nil
}
