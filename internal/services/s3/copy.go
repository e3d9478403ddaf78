package s3

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// parseCopySource reads x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded,
// optionally followed by "?versionId=...".
func parseCopySource(src string) (bucket, key, versionID string, ok bool) {
	path, query, _ := strings.Cut(src, "?")
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return "", "", "", false
		}
		versionID = q.Get("versionId")
	}
	path, err := url.PathUnescape(strings.TrimPrefix(path, "/"))
	if err != nil {
		return "", "", "", false
	}
	bucket, key, found := strings.Cut(path, "/")
	if !found || bucket == "" || key == "" {
		return "", "", "", false
	}
	return bucket, key, versionID, true
}

// copySource reads the source object of a copy and applies the x-amz-copy-source-if-*
// conditions.
func (s *Service) copySource(ctx context.Context, bucket, key, versionID string, rc readConditions) (*store.S3Object, error) {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	src, state, err := s.findVersion(ctx, bucket, key, versionID, http.MethodGet, true)
	if err != nil {
		var pe *protocol.Error
		if versionID != "" && errors.As(err, &pe) && pe.Code == "MethodNotAllowed" {
			// A copy from a delete marker is a bad request, not a bad method.
			return nil, errInvalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.")
		}
		return nil, err
	}
	src.VersionID = deref(versionHeader(state, src))
	if err := rc.checkCopy(src); err != nil {
		return nil, err
	}
	return src, nil
}

// CopyObject implements S3 CopyObject within the store: the metadata directive COPY
// (default) keeps the source's metadata and system headers, REPLACE takes the request's.
func (s *Service) CopyObject(ctx context.Context, in *CopyObjectInput) (*CopyObjectOutput, error) {
	bucket, key := deref(in.Bucket), deref(in.Key)
	srcBucket, srcKey, srcVersion, ok := parseCopySource(deref(in.CopySource))
	if !ok {
		return nil, errInvalidArgumentCopySource(deref(in.CopySource))
	}
	if err := checkNewObject(key, in.Metadata); err != nil {
		return nil, err
	}
	directive := deref(in.MetadataDirective)
	if directive == "" {
		directive = "COPY"
	}
	if directive != "COPY" && directive != "REPLACE" {
		return nil, errInvalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", directive)
	}
	tagging := deref(in.TaggingDirective)
	if tagging == "" {
		tagging = "COPY"
	}
	if tagging != "COPY" && tagging != "REPLACE" {
		return nil, errInvalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", tagging)
	}
	tags, err := headerTags(in.Tagging)
	if err != nil {
		return nil, err
	}
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if err := s.checkWriteACL(ctx, bucket, in.ACL); err != nil {
		return nil, err
	}
	src, err := s.copySource(ctx, srcBucket, srcKey, srcVersion,
		readConditions{in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince})
	if err != nil {
		return nil, err
	}
	if srcBucket == bucket && srcKey == key && directive == "COPY" && in.StorageClass == nil &&
		in.WebsiteRedirectLocation == nil && in.ServerSideEncryption == nil && in.SSEKMSKeyID == nil {
		return nil, errInvalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	dst := &store.S3Object{Bucket: bucket, Key: key, Body: src.Body, ETag: src.ETag, ContentType: src.ContentType,
		Headers: src.Headers, Metadata: src.Metadata, Tags: src.Tags, ModifiedAt: s.now(), Size: int64(len(src.Body))}
	if tagging == "REPLACE" {
		dst.Tags = tags
	}
	if directive == "REPLACE" {
		dst.ContentType = deref(in.ContentType)
		if dst.ContentType == "" {
			dst.ContentType = defaultContentType
		}
		// The bytes are the source's, and so is their checksum.
		var srcHeaders storedHeaders
		_ = json.Unmarshal([]byte(src.Headers), &srcHeaders)
		dst.Headers = encodeJSON(storedHeaders{
			CacheControl: deref(in.CacheControl), ContentDisposition: deref(in.ContentDisposition),
			ContentEncoding: contentEncoding(in.ContentEncoding), ContentLanguage: deref(in.ContentLanguage),
			Expires: deref(in.Expires), WebsiteRedirectLocation: deref(in.WebsiteRedirectLocation),
			ChecksumAlgorithm: srcHeaders.ChecksumAlgorithm, Checksum: srcHeaders.Checksum,
		})
		dst.Metadata = encodeJSON(lowerKeys(in.Metadata))
	}
	state, err := s.versioning(ctx, bucket)
	if err != nil {
		return nil, err
	}
	dst.VersionID, dst.Seq = s.newVersion(state)
	hooks := s.notifyHook(ctx, b, &objectEvent{name: "ObjectCreated:Copy", reason: "CopyObject", key: key, obj: dst})
	if err := s.db.S3ObjectPut(ctx, dst, hooks...); err != nil {
		return nil, bucketErr(bucket, err)
	}
	lm := time.UnixMilli(dst.ModifiedAt).UTC()
	return &CopyObjectOutput{
		CopyObjectResult:     &CopyObjectResult{ETag: &dst.ETag, LastModified: &lm},
		ServerSideEncryption: ptr(sseDefault),
		CopySourceVersionID:  opt(src.VersionID),
		VersionID:            writtenVersion(dst.VersionID),
	}, nil
}

// checkCopy applies the x-amz-copy-source-if-* conditions: every failure answers 412
// (a copy has nothing to answer 304 with).
func (rc readConditions) checkCopy(o *store.S3Object) error {
	lm := time.UnixMilli(o.ModifiedAt).UTC().Truncate(time.Second)
	switch {
	case rc.ifMatch != nil && !etagMatches(*rc.ifMatch, o.ETag):
		return errPreconditionFailed("x-amz-copy-source-If-Match")
	case rc.ifMatch == nil && rc.ifUnmodifiedSince != nil && lm.After(*rc.ifUnmodifiedSince):
		return errPreconditionFailed("x-amz-copy-source-If-Unmodified-Since")
	case rc.ifNoneMatch != nil && etagMatches(*rc.ifNoneMatch, o.ETag):
		return errPreconditionFailed("x-amz-copy-source-If-None-Match")
	case rc.ifNoneMatch == nil && rc.ifModifiedSince != nil && !lm.After(*rc.ifModifiedSince):
		return errPreconditionFailed("x-amz-copy-source-If-Modified-Since")
	}
	return nil
}
