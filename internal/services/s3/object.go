package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// defaultContentType is what S3 stores for an object uploaded without a Content-Type.
const defaultContentType = "binary/octet-stream"

// sseDefault is the server-side encryption S3 applies to every new object since January
// 2023, and reports on writes and reads.
const sseDefault = "AES256"

// storedHeaders are the system headers S3 keeps with an object and answers on reads.
type storedHeaders struct {
	CacheControl            string `json:"Cache-Control,omitempty"`
	ContentDisposition      string `json:"Content-Disposition,omitempty"`
	ContentEncoding         string `json:"Content-Encoding,omitempty"`
	ContentLanguage         string `json:"Content-Language,omitempty"`
	Expires                 string `json:"Expires,omitempty"`
	WebsiteRedirectLocation string `json:"x-amz-website-redirect-location,omitempty"`
	// ChecksumAlgorithm and Checksum are the additional checksum the upload carried.
	ChecksumAlgorithm string `json:"checksum-algorithm,omitempty"`
	Checksum          string `json:"checksum,omitempty"`
}

// contentEncoding drops aws-chunked, which names the upload's framing and is not stored.
func contentEncoding(v *string) string {
	var keep []string
	for _, p := range strings.Split(deref(v), ",") {
		if p = strings.TrimSpace(p); p != "" && !strings.EqualFold(p, "aws-chunked") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

func encodeJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func etagOf(body []byte) string {
	sum := md5.Sum(body)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// checkMD5 compares a Content-MD5 header with the body.
func checkMD5(header *string, body []byte) error {
	if header == nil {
		return nil
	}
	want, err := base64.StdEncoding.DecodeString(*header)
	if err != nil || len(want) != md5.Size {
		return &protocol.Error{Code: codeInvalidDigest, Message: "The Content-MD5 you specified was invalid.", Status: http.StatusBadRequest,
			Fields: map[string]any{"Content-MD5": *header}}
	}
	sum := md5.Sum(body)
	if !bytes.Equal(want, sum[:]) {
		return &protocol.Error{Code: codeBadDigest, Message: "The Content-MD5 you specified did not match what we received.",
			Status: http.StatusBadRequest,
			Fields: map[string]any{"ExpectedDigest": *header, "CalculatedDigest": base64.StdEncoding.EncodeToString(sum[:])}}
	}
	return nil
}

// S3's limits on keys and user metadata
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html).
const (
	maxKeyBytes      = 1024
	maxMetadataBytes = 2048
)

// checkNewObject applies the limits of a key and user metadata being written: the
// metadata size counts the UTF-8 bytes of every name and value.
func checkNewObject(key string, meta map[string]string) error {
	if len(key) > maxKeyBytes {
		return &protocol.Error{Code: codeKeyTooLongError, Message: "Your key is too long", Status: http.StatusBadRequest,
			Fields: map[string]any{"Size": strconv.Itoa(len(key)), "MaxSizeAllowed": strconv.Itoa(maxKeyBytes)}}
	}
	size := 0
	for k, v := range meta {
		size += len(k) + len(v)
	}
	if size > maxMetadataBytes {
		return &protocol.Error{Code: codeMetadataTooLarge, Message: "Your metadata headers exceed the maximum allowed metadata size.",
			Status: http.StatusBadRequest, Fields: map[string]any{"Size": strconv.Itoa(size), "MaxSizeAllowed": strconv.Itoa(maxMetadataBytes)}}
	}
	return nil
}

// lowerKeys returns user metadata with lower-case names, as S3 stores them.
func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// PutObject implements S3 PutObject.
func (s *Service) PutObject(ctx context.Context, in *PutObjectInput) (*PutObjectOutput, error) {
	bucket, key := deref(in.Bucket), deref(in.Key)
	if err := checkNewObject(key, in.Metadata); err != nil {
		return nil, err
	}
	if err := checkMD5(in.ContentMD5, in.Body); err != nil {
		return nil, err
	}
	alg, sum, err := verifyChecksum(checksumHeaders{in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME, in.ChecksumSHA1, in.ChecksumSHA256}, in.Body)
	if err != nil {
		return nil, err
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
	if in.IfMatch != nil || in.IfNoneMatch != nil {
		if err := s.checkWriteConditions(ctx, bucket, key, in.IfMatch, in.IfNoneMatch); err != nil {
			return nil, err
		}
	}
	ct := deref(in.ContentType)
	if ct == "" {
		ct = defaultContentType
	}
	h := storedHeaders{
		CacheControl: deref(in.CacheControl), ContentDisposition: deref(in.ContentDisposition),
		ContentEncoding: contentEncoding(in.ContentEncoding), ContentLanguage: deref(in.ContentLanguage),
		Expires: deref(in.Expires), WebsiteRedirectLocation: deref(in.WebsiteRedirectLocation),
		ChecksumAlgorithm: alg, Checksum: sum,
	}
	state, err := s.versioning(ctx, bucket)
	if err != nil {
		return nil, err
	}
	vid, seq := s.newVersion(state)
	o := &store.S3Object{Bucket: bucket, Key: key, Body: in.Body, ETag: etagOf(in.Body), ContentType: ct,
		Headers: encodeJSON(h), Metadata: encodeJSON(lowerKeys(in.Metadata)), Tags: tags, ModifiedAt: s.now(), Size: int64(len(in.Body)),
		VersionID: vid, Seq: seq}
	hooks := s.notifyHook(ctx, b, &objectEvent{name: "ObjectCreated:Put", reason: "PutObject", key: key, obj: o})
	if err := s.db.S3ObjectPut(ctx, o, hooks...); err != nil {
		return nil, bucketErr(bucket, err)
	}
	cs := checksumFields(alg, sum)
	return &PutObjectOutput{ETag: &o.ETag, ServerSideEncryption: ptr(sseDefault), ChecksumCRC32: cs.crc32, ChecksumCRC32C: cs.crc32c,
		ChecksumCRC64NVME: cs.crc64nvme, ChecksumSHA1: cs.sha1, ChecksumSHA256: cs.sha256, ChecksumType: cs.typ, VersionID: writtenVersion(vid)}, nil
}

// checkWriteConditions applies the conditional write headers of PutObject: If-None-Match
// "*" fails when the key exists, If-Match when the object's ETag differs or it is missing.
func (s *Service) checkWriteConditions(ctx context.Context, bucket, key string, ifMatch, ifNoneMatch *string) error {
	cur, err := s.db.S3ObjectHead(ctx, bucket, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return errInternal(err)
	}
	if ifNoneMatch != nil && cur != nil {
		return errPreconditionFailed("If-None-Match")
	}
	if ifMatch != nil {
		if cur == nil {
			return errNoSuchKey(key)
		}
		if !etagMatches(*ifMatch, cur.ETag) {
			return errPreconditionFailed("If-Match")
		}
	}
	return nil
}

// etagMatches reports whether an If-Match / If-None-Match list names etag ("*" names any).
func etagMatches(list, etag string) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		v = strings.TrimPrefix(v, "W/")
		if v == "*" || strings.Trim(v, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// readConditions are the conditional headers of GetObject and HeadObject.
type readConditions struct {
	ifMatch, ifNoneMatch               *string
	ifModifiedSince, ifUnmodifiedSince *time.Time
}

// check applies the conditions as S3 documents them (RFC 7232 precedence): a failed
// If-Match, or If-Unmodified-Since without If-Match, answers 412; a matched If-None-Match,
// or If-Modified-Since without If-None-Match, answers 304.
func (rc readConditions) check(o *store.S3Object) error {
	lm := time.UnixMilli(o.ModifiedAt).UTC().Truncate(time.Second)
	if rc.ifMatch != nil {
		if !etagMatches(*rc.ifMatch, o.ETag) {
			return errPreconditionFailed("If-Match")
		}
	} else if rc.ifUnmodifiedSince != nil && lm.After(*rc.ifUnmodifiedSince) {
		return errPreconditionFailed("If-Unmodified-Since")
	}
	if rc.ifNoneMatch != nil {
		if etagMatches(*rc.ifNoneMatch, o.ETag) {
			return errNotModified(o.ETag, lm.Format(http.TimeFormat))
		}
	} else if rc.ifModifiedSince != nil && !lm.After(*rc.ifModifiedSince) {
		return errNotModified(o.ETag, lm.Format(http.TimeFormat))
	}
	return nil
}

// byteRange is a satisfiable range of an object: first and last byte, both included.
type byteRange struct{ first, last int64 }

// parseRange reads a Range header for an object of size bytes. A header that is not a
// single bytes range is ignored (S3 then answers the whole object); one that starts beyond
// the object answers InvalidRange.
func parseRange(h string, size int64) (*byteRange, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, nil
	}
	var first, last int64
	switch {
	case a == "" && b == "":
		return nil, nil
	case a == "":
		n, err := parseUint(b)
		if err != nil {
			return nil, nil
		}
		if n == 0 {
			return nil, errInvalidRange(h, size)
		}
		first, last = max(size-n, 0), size-1
	default:
		n, err := parseUint(a)
		if err != nil {
			return nil, nil
		}
		first, last = n, size-1
		if b != "" {
			m, err := parseUint(b)
			if err != nil || m < n {
				return nil, nil
			}
			last = min(m, size-1)
		}
	}
	if first >= size {
		return nil, errInvalidRange(h, size)
	}
	return &byteRange{first, last}, nil
}

func parseUint(s string) (int64, error) {
	var n int64
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	for _, c := range s {
		if c < '0' || c > '9' || n > (1<<62)/10 {
			return 0, fmt.Errorf("not a number")
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// objectView is what GetObject and HeadObject answer about an object, besides its body.
type objectView struct {
	etag, contentType, contentRange, sse string
	lastModified                         time.Time
	length                               int64
	headers                              storedHeaders
	metadata                             map[string]string
}

// view prepares the answer of a read of o, with the range r if any and the response-*
// overrides.
func view(o *store.S3Object, r *byteRange, ov responseOverrides) objectView {
	v := objectView{etag: o.ETag, contentType: o.ContentType, sse: sseDefault,
		lastModified: time.UnixMilli(o.ModifiedAt).UTC().Truncate(time.Second), length: o.Size}
	_ = json.Unmarshal([]byte(o.Headers), &v.headers)
	_ = json.Unmarshal([]byte(o.Metadata), &v.metadata)
	if r != nil {
		v.length = r.last - r.first + 1
		v.contentRange = fmt.Sprintf("bytes %d-%d/%d", r.first, r.last, o.Size)
	}
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&v.contentType, ov.contentType)
	set(&v.headers.CacheControl, ov.cacheControl)
	set(&v.headers.ContentDisposition, ov.contentDisposition)
	set(&v.headers.ContentEncoding, ov.contentEncoding)
	set(&v.headers.ContentLanguage, ov.contentLanguage)
	if ov.expires != nil {
		v.headers.Expires = ov.expires.UTC().Format(http.TimeFormat)
	}
	return v
}

// checksum returns the object's checksum members: only when the client asked for them
// (x-amz-checksum-mode ENABLED) and reads the whole object, as S3 answers.
func (v objectView) checksum(mode *string, r *byteRange) checksumOutput {
	if deref(mode) != "ENABLED" || r != nil {
		return checksumOutput{}
	}
	return checksumFields(v.headers.ChecksumAlgorithm, v.headers.Checksum)
}

// responseOverrides are the response-* query parameters of GetObject and HeadObject.
type responseOverrides struct {
	cacheControl, contentDisposition, contentEncoding, contentLanguage, contentType *string
	expires                                                                         *time.Time
}

func opt(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// readObject finds the object of a GetObject or HeadObject and applies its conditions
// and range.
func (s *Service) readObject(ctx context.Context, bucket, key, versionID string, withBody bool, rc readConditions, rng *string) (*store.S3Object, *byteRange, error) {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, nil, err
	}
	method := http.MethodHead
	if withBody {
		method = http.MethodGet
	}
	o, state, err := s.findVersion(ctx, bucket, key, versionID, method, withBody)
	if err != nil {
		return nil, nil, err
	}
	// The answer carries the version the object is, when the bucket ever versioned.
	o.VersionID = deref(versionHeader(state, o))
	if err := rc.check(o); err != nil {
		return nil, nil, err
	}
	var r *byteRange
	if rng != nil {
		if r, err = parseRange(*rng, o.Size); err != nil {
			return nil, nil, err
		}
	}
	return o, r, nil
}

// GetObject implements S3 GetObject.
func (s *Service) GetObject(ctx context.Context, in *GetObjectInput) (*GetObjectOutput, error) {
	o, r, err := s.readObject(ctx, deref(in.Bucket), deref(in.Key), deref(in.VersionID), true,
		readConditions{in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince}, in.Range)
	if err != nil {
		return nil, err
	}
	v := view(o, r, responseOverrides{in.ResponseCacheControl, in.ResponseContentDisposition, in.ResponseContentEncoding,
		in.ResponseContentLanguage, in.ResponseContentType, in.ResponseExpires})
	body := o.Body
	if r != nil {
		body = body[r.first : r.last+1]
	}
	cs := v.checksum(in.ChecksumMode, r)
	return &GetObjectOutput{
		ChecksumCRC32: cs.crc32, ChecksumCRC32C: cs.crc32c, ChecksumCRC64NVME: cs.crc64nvme, ChecksumSHA1: cs.sha1,
		ChecksumSHA256: cs.sha256, ChecksumType: cs.typ,
		Body: io.NopCloser(bytes.NewReader(body)), AcceptRanges: ptr("bytes"), LastModified: &v.lastModified,
		ContentLength: &v.length, ETag: &v.etag, ContentType: &v.contentType, ContentRange: opt(v.contentRange),
		CacheControl: opt(v.headers.CacheControl), ContentDisposition: opt(v.headers.ContentDisposition),
		ContentEncoding: opt(v.headers.ContentEncoding), ContentLanguage: opt(v.headers.ContentLanguage),
		Expires: opt(v.headers.Expires), WebsiteRedirectLocation: opt(v.headers.WebsiteRedirectLocation),
		ServerSideEncryption: &v.sse, Metadata: v.metadata, TagCount: tagCount(o.Tags), VersionID: opt(o.VersionID),
	}, nil
}

// HeadObject implements S3 HeadObject.
func (s *Service) HeadObject(ctx context.Context, in *HeadObjectInput) (*HeadObjectOutput, error) {
	o, r, err := s.readObject(ctx, deref(in.Bucket), deref(in.Key), deref(in.VersionID), false,
		readConditions{in.IfMatch, in.IfNoneMatch, in.IfModifiedSince, in.IfUnmodifiedSince}, in.Range)
	if err != nil {
		return nil, err
	}
	v := view(o, r, responseOverrides{in.ResponseCacheControl, in.ResponseContentDisposition, in.ResponseContentEncoding,
		in.ResponseContentLanguage, in.ResponseContentType, in.ResponseExpires})
	cs := v.checksum(in.ChecksumMode, r)
	return &HeadObjectOutput{
		ChecksumCRC32: cs.crc32, ChecksumCRC32C: cs.crc32c, ChecksumCRC64NVME: cs.crc64nvme, ChecksumSHA1: cs.sha1,
		ChecksumSHA256: cs.sha256, ChecksumType: cs.typ,
		AcceptRanges: ptr("bytes"), LastModified: &v.lastModified,
		ContentLength: &v.length, ETag: &v.etag, ContentType: &v.contentType, ContentRange: opt(v.contentRange),
		CacheControl: opt(v.headers.CacheControl), ContentDisposition: opt(v.headers.ContentDisposition),
		ContentEncoding: opt(v.headers.ContentEncoding), ContentLanguage: opt(v.headers.ContentLanguage),
		Expires: opt(v.headers.Expires), WebsiteRedirectLocation: opt(v.headers.WebsiteRedirectLocation),
		ServerSideEncryption: &v.sse, Metadata: v.metadata, TagCount: tagCount(o.Tags), VersionID: opt(o.VersionID),
	}, nil
}

// DeleteObject implements S3 DeleteObject: deleting a missing key succeeds (204).
func (s *Service) DeleteObject(ctx context.Context, in *DeleteObjectInput) (*DeleteObjectOutput, error) {
	bucket, key := deref(in.Bucket), deref(in.Key)
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	if in.IfMatch != nil {
		cur, err := s.db.S3ObjectHead(ctx, bucket, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, errNoSuchKey(key)
		case err != nil:
			return nil, errInternal(err)
		case !etagMatches(*in.IfMatch, cur.ETag):
			return nil, errPreconditionFailed("If-Match")
		}
	}
	res, err := s.deleteObject(ctx, b, key, deref(in.VersionID), "DeleteObject")
	if err != nil {
		return nil, err
	}
	out := &DeleteObjectOutput{VersionID: opt(res.versionID)}
	if res.deleteMarker {
		out.DeleteMarker = ptr(true)
	}
	return out, nil
}

// maxDeleteObjects is the most keys one DeleteObjects request may name.
const maxDeleteObjects = 1000

// DeleteObjects implements S3 DeleteObjects. Every named key is reported deleted, whether
// it existed or not; Quiet answers only the failures.
func (s *Service) DeleteObjects(ctx context.Context, in *DeleteObjectsInput) (*DeleteObjectsOutput, error) {
	bucket := deref(in.Bucket)
	if in.Delete == nil || len(in.Delete.Objects) == 0 || len(in.Delete.Objects) > maxDeleteObjects {
		return nil, protocol.MalformedXML()
	}
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	quiet := in.Delete.Quiet != nil && *in.Delete.Quiet
	out := &DeleteObjectsOutput{}
	for _, obj := range in.Delete.Objects {
		key, vid := deref(obj.Key), deref(obj.VersionID)
		res, err := s.deleteObject(ctx, b, key, vid, "DeleteObject")
		if err != nil {
			var pe *protocol.Error
			if !errors.As(err, &pe) || pe.Code == codeInternalError {
				s.log.Error("delete object", "bucket", bucket, "key", key, "err", err)
				pe = errInternal(err)
			}
			if pe.Code == "InvalidArgument" {
				// DeleteObjects reports a version id S3 could not have given as missing.
				pe = errNoSuchVersion(key, vid)
			}
			out.Errors = append(out.Errors, &Error{Key: ptr(key), VersionID: opt(vid), Code: ptr(pe.Code), Message: ptr(pe.Message)})
			continue
		}
		if quiet {
			continue
		}
		d := &DeletedObject{Key: ptr(key), VersionID: opt(vid)}
		if res.deleteMarker {
			d.DeleteMarker = ptr(true)
			if vid == "" {
				d.DeleteMarkerVersionID = opt(res.versionID)
			} else {
				d.DeleteMarkerVersionID = ptr(vid)
			}
		}
		out.Deleted = append(out.Deleted, d)
	}
	return out, nil
}
