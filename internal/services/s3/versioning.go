package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Versioning (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html): the
// state is a bucket configuration; the store keeps each key's current version in
// s3_objects and its noncurrent versions and delete markers beside them. Objects written
// while the bucket is unversioned or suspended are the "null" version.

const cfgVersioning = "versioning"

const (
	versioningEnabled   = "Enabled"
	versioningSuspended = "Suspended"
	nullVersion         = "null"
)

// versionIDLen is the length of the version ids S3 gives.
const versionIDLen = 32

// versioning returns the bucket's versioning state: "" when versioning was never
// enabled, else Enabled or Suspended.
func (s *Service) versioning(ctx context.Context, bucket string) (string, error) {
	var c VersioningConfiguration
	if _, err := s.getConfig(ctx, bucket, cfgVersioning, &c); err != nil {
		return "", err
	}
	return deref(c.Status), nil
}

var seqMu sync.Mutex
var lastSeq int64

// newVersion returns the version id and order of an object or delete marker written in a
// bucket in versioning state: a fresh id when versioning is enabled, else "null".
func (s *Service) newVersion(state string) (string, int64) {
	seqMu.Lock()
	seq := s.clock.Now().UnixNano()
	if seq <= lastSeq {
		seq = lastSeq + 1
	}
	lastSeq = seq
	seqMu.Unlock()
	if state != versioningEnabled {
		return nullVersion, seq
	}
	b := make([]byte, versionIDLen*3/4)
	_, _ = rand.Read(b[:len(b)-versionCheckLen])
	sum := sha256.Sum256(b[:len(b)-versionCheckLen])
	copy(b[len(b)-versionCheckLen:], sum[:])
	return base64.RawURLEncoding.EncodeToString(b), seq
}

// versionCheckLen is the bytes of a version id that check the rest: S3 tells an id it
// could have given (NoSuchVersion once that version is gone) from one it never gave
// (InvalidArgument), and so does Overcast.
const versionCheckLen = 3

// issuedVersionID reports whether vid has the shape and check bytes of an id newVersion
// gives.
func issuedVersionID(vid string) bool {
	if len(vid) != versionIDLen {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(vid)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(b[:len(b)-versionCheckLen])
	return bytes.Equal(sum[:versionCheckLen], b[len(b)-versionCheckLen:])
}

// checkVersionID refuses a version id S3 could not have given: any but "null" in a bucket
// that never versioned, and any id not issued by newVersion.
func checkVersionID(state, vid string) error {
	if vid == nullVersion || (state != "" && issuedVersionID(vid)) {
		return nil
	}
	return errInvalidArgument("Invalid version id specified", "versionId", vid)
}

// versionHeader is the x-amz-version-id S3 answers for o: none in a bucket that never
// versioned.
func versionHeader(state string, o *store.S3Object) *string {
	if state == "" && (o.VersionID == "" || o.VersionID == nullVersion) {
		return nil
	}
	if o.VersionID == "" {
		return ptr(nullVersion)
	}
	return ptr(o.VersionID)
}

// writtenVersion is the x-amz-version-id of a write: the new id when versioning is
// enabled; writes of the null version answer none.
func writtenVersion(vid string) *string {
	if vid == nullVersion || vid == "" {
		return nil
	}
	return ptr(vid)
}

func errNoSuchVersion(key, vid string) *protocol.Error {
	return &protocol.Error{Code: "NoSuchVersion", Message: "The specified version does not exist.", Status: http.StatusNotFound,
		Fields: map[string]any{"Key": key, "VersionId": vid}}
}

// errDeleteMarker answers a GET or HEAD of a delete marker by its version id.
func errDeleteMarker(method string, m *store.S3Object) *protocol.Error {
	return &protocol.Error{Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource.",
		Status: http.StatusMethodNotAllowed, Fields: map[string]any{"Method": method, "ResourceType": "DeleteMarker"},
		Headers: map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": m.VersionID, "Allow": "DELETE",
			"Last-Modified": time.UnixMilli(m.ModifiedAt).UTC().Format(http.TimeFormat)}}
}

// findVersion reads the object a GET, HEAD, copy or tagging call names: the current
// version, or version vid. It answers S3's errors for missing keys, versions and delete
// markers, and returns the bucket's versioning state.
func (s *Service) findVersion(ctx context.Context, bucket, key, vid, method string, withBody bool) (*store.S3Object, string, error) {
	state, err := s.versioning(ctx, bucket)
	if err != nil {
		return nil, "", err
	}
	if vid == "" {
		var o *store.S3Object
		if withBody {
			o, err = s.db.S3ObjectGet(ctx, bucket, key)
		} else {
			o, err = s.db.S3ObjectHead(ctx, bucket, key)
		}
		switch {
		case err == nil:
			return o, state, nil
		case !errors.Is(err, store.ErrNotFound):
			return nil, "", errInternal(err)
		}
		e := errNoSuchKey(key)
		if state != "" {
			if m, err := s.db.S3ObjectLatestMarker(ctx, bucket, key); err == nil {
				e.Headers = map[string]string{"x-amz-delete-marker": "true", "x-amz-version-id": m.VersionID}
			}
		}
		return nil, "", e
	}
	if err := checkVersionID(state, vid); err != nil {
		return nil, "", err
	}
	o, err := s.db.S3ObjectVersionGet(ctx, bucket, key, vid, withBody)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if state == "" {
			return nil, "", errNoSuchKey(key)
		}
		return nil, "", errNoSuchVersion(key, vid)
	case err != nil:
		return nil, "", errInternal(err)
	case o.DeleteMarker:
		return nil, "", errDeleteMarker(method, o)
	}
	return o, state, nil
}

// PutBucketVersioning implements S3 PutBucketVersioning: Enabled or Suspended. A bucket
// once versioned never returns to unversioned.
func (s *Service) PutBucketVersioning(ctx context.Context, in *PutBucketVersioningInput) (*PutBucketVersioningOutput, error) {
	name := deref(in.Bucket)
	if _, err := s.bucket(ctx, name); err != nil {
		return nil, err
	}
	c := in.VersioningConfiguration
	if c != nil && c.Status == nil && c.MFADelete == nil {
		return nil, errInvalidRequestCode("IllegalVersioningConfigurationException", "The Versioning element must be specified")
	}
	if c == nil || (deref(c.Status) != versioningEnabled && deref(c.Status) != versioningSuspended) {
		return nil, protocol.MalformedXML()
	}
	if deref(c.Status) != versioningEnabled {
		var lock ObjectLockConfiguration
		ok, err := s.getConfig(ctx, name, cfgObjectLock, &lock)
		if err != nil {
			return nil, err
		}
		if ok {
			return nil, errInvalidBucketState("An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.")
		}
	}
	// MfaDelete is kept as given: Overcast has no MFA devices to check x-amz-mfa against,
	// and never asks for one on deletes.
	stored := VersioningConfiguration{Status: c.Status, MFADelete: c.MFADelete}
	if err := s.putConfig(ctx, name, cfgVersioning, &stored); err != nil {
		return nil, err
	}
	return &PutBucketVersioningOutput{}, nil
}

// GetBucketVersioning implements S3 GetBucketVersioning: a bucket that never versioned
// answers neither Status nor MfaDelete.
func (s *Service) GetBucketVersioning(ctx context.Context, in *GetBucketVersioningInput) (*GetBucketVersioningOutput, error) {
	var c VersioningConfiguration
	if _, err := s.getConfig(ctx, deref(in.Bucket), cfgVersioning, &c); err != nil {
		return nil, err
	}
	return &GetBucketVersioningOutput{Status: c.Status, MFADelete: c.MFADelete}, nil
}

// deleteResult is what deleting a key or a version did.
type deleteResult struct {
	deleteMarker bool
	versionID    string // the version deleted, or the delete marker put
}

// deleteObject deletes key (vid "") or one of its versions in bucket b as S3 does in the
// bucket's versioning state: without a version, a versioning bucket gets a delete marker.
func (s *Service) deleteObject(ctx context.Context, b *store.S3Bucket, key, vid, reason string) (deleteResult, error) {
	state, err := s.versioning(ctx, b.Name)
	if err != nil {
		return deleteResult{}, err
	}
	if vid != "" {
		if err := checkVersionID(state, vid); err != nil {
			return deleteResult{}, err
		}
		hooks := s.notifyHook(ctx, b, &objectEvent{name: "ObjectRemoved:Delete", reason: reason, key: key, versionID: vid})
		o, err := s.db.S3ObjectVersionDelete(ctx, b.Name, key, vid, hooks...)
		switch {
		case errors.Is(err, store.ErrNotFound):
			// Deleting a version that is already gone succeeds.
			return deleteResult{versionID: vid}, nil
		case err != nil:
			return deleteResult{}, errInternal(err)
		}
		return deleteResult{deleteMarker: o.DeleteMarker, versionID: vid}, nil
	}
	if state == "" {
		hooks := s.notifyHook(ctx, b, &objectEvent{name: "ObjectRemoved:Delete", reason: reason, key: key})
		if _, err := s.db.S3ObjectDelete(ctx, b.Name, key, hooks...); err != nil {
			return deleteResult{}, errInternal(err)
		}
		return deleteResult{}, nil
	}
	mvid, seq := s.newVersion(state)
	m := &store.S3Object{Bucket: b.Name, Key: key, VersionID: mvid, Seq: seq, ModifiedAt: s.now()}
	hooks := s.notifyHook(ctx, b, &objectEvent{name: "ObjectRemoved:DeleteMarkerCreated", reason: reason, key: key, versionID: mvid})
	if err := s.db.S3ObjectDeleteMarker(ctx, m, hooks...); err != nil {
		return deleteResult{}, errInternal(err)
	}
	return deleteResult{deleteMarker: true, versionID: mvid}, nil
}

// ListObjectVersions implements S3 ListObjectVersions: every version and delete marker,
// by key and newest first, with Prefix, Delimiter, KeyMarker / VersionIdMarker and MaxKeys.
func (s *Service) ListObjectVersions(ctx context.Context, in *ListObjectVersionsInput) (*ListObjectVersionsOutput, error) {
	bucket := deref(in.Bucket)
	max, enc, b, err := s.prepareList(ctx, bucket, in.MaxKeys, in.EncodingType)
	if err != nil {
		return nil, err
	}
	keyMarker, vidMarker := deref(in.KeyMarker), deref(in.VersionIDMarker)
	if vidMarker != "" && keyMarker == "" {
		return nil, errInvalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", vidMarker)
	}
	prefix, delimiter := deref(in.Prefix), deref(in.Delimiter)
	out := &ListObjectVersionsOutput{Name: &bucket, Prefix: ptr(enc(prefix)), KeyMarker: ptr(enc(keyMarker)), VersionIDMarker: &vidMarker,
		MaxKeys: ptr(int32(max)), Delimiter: optEnc(enc, in.Delimiter), EncodingType: in.EncodingType, IsTruncated: ptr(false)}
	all, err := s.db.S3ObjectVersionList(ctx, bucket, prefix, keyMarker)
	if err != nil {
		return nil, errInternal(err)
	}
	owner := &Owner{ID: ptr(canonicalID(b.Account))}
	// Skip what the markers say was answered: the key marker's versions up to and
	// including the version id marker, or all of them without one.
	i := 0
	if keyMarker != "" {
		for i < len(all) && all[i].Key == keyMarker {
			i++
		}
		if vidMarker != "" {
			for j := 0; j < len(all) && all[j].Key == keyMarker; j++ {
				if all[j].VersionID == vidMarker {
					i = j + 1
					break
				}
			}
		}
	}
	n := 0
	lastPrefix := ""
	for ; i < len(all); i++ {
		o := all[i]
		cp := commonPrefix(o.Key, prefix, delimiter)
		if cp != "" && cp == lastPrefix {
			continue
		}
		if cp != "" && keyMarker != "" && strings.HasPrefix(keyMarker, cp) {
			continue
		}
		if n == max {
			out.IsTruncated = ptr(true)
			prev := all[i-1]
			if lastPrefix != "" && strings.HasPrefix(prev.Key, lastPrefix) {
				out.NextKeyMarker = ptr(enc(lastPrefix))
			} else {
				out.NextKeyMarker, out.NextVersionIDMarker = ptr(enc(prev.Key)), ptr(prev.VersionID)
			}
			break
		}
		n++
		if cp != "" {
			lastPrefix = cp
			out.CommonPrefixes = append(out.CommonPrefixes, &CommonPrefix{Prefix: ptr(enc(cp))})
			continue
		}
		lastPrefix = ""
		lm := time.UnixMilli(o.ModifiedAt).UTC()
		if o.DeleteMarker {
			out.DeleteMarkers = append(out.DeleteMarkers, &DeleteMarkerEntry{Owner: owner, Key: ptr(enc(o.Key)),
				VersionID: ptr(o.VersionID), IsLatest: ptr(o.IsLatest), LastModified: &lm})
			continue
		}
		v := &ObjectVersion{ETag: ptr(o.ETag), Size: ptr(o.Size), StorageClass: ptr("STANDARD"), Key: ptr(enc(o.Key)),
			VersionID: ptr(o.VersionID), IsLatest: ptr(o.IsLatest), LastModified: &lm, Owner: owner}
		var h storedHeaders
		if json.Unmarshal([]byte(o.Headers), &h) == nil && h.ChecksumAlgorithm != "" {
			v.ChecksumAlgorithm, v.ChecksumType = []string{h.ChecksumAlgorithm}, ptr("FULL_OBJECT")
		}
		out.Versions = append(out.Versions, v)
	}
	return out, nil
}
