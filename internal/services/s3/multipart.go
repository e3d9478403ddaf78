package s3

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Multipart upload limits (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
const (
	maxPartNumber   = 10000
	minPartSize     = 5 << 20
	defaultMaxParts = 1000
)

func errNoSuchUpload(uploadID string) *protocol.Error {
	return &protocol.Error{Code: ErrCodeNoSuchUpload, Status: http.StatusNotFound,
		Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
		Fields:  map[string]any{"UploadId": uploadID}}
}

func newUploadID() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// upload returns the upload uploadID of key in bucket, or NoSuchBucket / NoSuchUpload.
func (s *Service) upload(ctx context.Context, bucket, key, uploadID string) (*store.S3Upload, error) {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	u, err := s.db.S3UploadGet(ctx, uploadID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errNoSuchUpload(uploadID)
	case err != nil:
		return nil, errInternal(err)
	case u.Bucket != bucket || u.Key != key:
		return nil, errNoSuchUpload(uploadID)
	}
	return u, nil
}

// CreateMultipartUpload implements S3 CreateMultipartUpload.
func (s *Service) CreateMultipartUpload(ctx context.Context, in *CreateMultipartUploadInput) (*CreateMultipartUploadOutput, error) {
	bucket, key := deref(in.Bucket), deref(in.Key)
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	if err := s.checkWriteACL(ctx, bucket, in.ACL); err != nil {
		return nil, err
	}
	if err := checkNewObject(key, in.Metadata); err != nil {
		return nil, err
	}
	tags, err := headerTags(in.Tagging)
	if err != nil {
		return nil, err
	}
	ct := deref(in.ContentType)
	if ct == "" {
		ct = defaultContentType
	}
	u := &store.S3Upload{UploadID: newUploadID(), Bucket: bucket, Key: key, Account: callOf(ctx).Account, ContentType: ct,
		Headers: encodeJSON(storedHeaders{
			CacheControl: deref(in.CacheControl), ContentDisposition: deref(in.ContentDisposition),
			ContentEncoding: contentEncoding(in.ContentEncoding), ContentLanguage: deref(in.ContentLanguage),
			Expires: deref(in.Expires), WebsiteRedirectLocation: deref(in.WebsiteRedirectLocation),
		}),
		Metadata: encodeJSON(lowerKeys(in.Metadata)), Tags: tags, CreatedAt: s.now()}
	if err := s.db.S3UploadCreate(ctx, u); err != nil {
		return nil, bucketErr(bucket, err)
	}
	return &CreateMultipartUploadOutput{Bucket: &bucket, Key: &key, UploadID: &u.UploadID, ServerSideEncryption: ptr(sseDefault)}, nil
}

// UploadPart implements S3 UploadPart.
func (s *Service) UploadPart(ctx context.Context, in *UploadPartInput) (*UploadPartOutput, error) {
	bucket, key, uploadID := deref(in.Bucket), deref(in.Key), deref(in.UploadID)
	if in.PartNumber == nil || *in.PartNumber < 1 || *in.PartNumber > maxPartNumber {
		v := ""
		if in.PartNumber != nil {
			v = strconv.Itoa(int(*in.PartNumber))
		}
		return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", v)
	}
	if err := checkMD5(in.ContentMD5, in.Body); err != nil {
		return nil, err
	}
	alg, sum, err := verifyChecksum(checksumHeaders{in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME, in.ChecksumSHA1, in.ChecksumSHA256}, in.Body)
	if err != nil {
		return nil, err
	}
	if _, err := s.upload(ctx, bucket, key, uploadID); err != nil {
		return nil, err
	}
	p := &store.S3Part{UploadID: uploadID, PartNumber: *in.PartNumber, Body: in.Body, ETag: etagOf(in.Body), ModifiedAt: s.now()}
	if err := s.db.S3PartPut(ctx, p); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoSuchUpload(uploadID)
		}
		return nil, errInternal(err)
	}
	cs := checksumFields(alg, sum)
	return &UploadPartOutput{ETag: &p.ETag, ServerSideEncryption: ptr(sseDefault), ChecksumCRC32: cs.crc32, ChecksumCRC32C: cs.crc32c,
		ChecksumCRC64NVME: cs.crc64nvme, ChecksumSHA1: cs.sha1, ChecksumSHA256: cs.sha256}, nil
}

// CompleteMultipartUpload implements S3 CompleteMultipartUpload: the parts named, in
// ascending order and with their ETags, become the object; all but the last must be at
// least 5 MiB. The object's ETag is the MD5 of the parts' MD5s, a hyphen and the part
// count.
func (s *Service) CompleteMultipartUpload(ctx context.Context, in *CompleteMultipartUploadInput) (*CompleteMultipartUploadOutput, error) {
	bucket, key, uploadID := deref(in.Bucket), deref(in.Key), deref(in.UploadID)
	u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return nil, err
	}
	if in.MultipartUpload == nil || len(in.MultipartUpload.Parts) == 0 {
		return nil, protocol.MalformedXML()
	}
	stored, err := s.db.S3PartList(ctx, uploadID, 0, maxPartNumber)
	if err != nil {
		return nil, errInternal(err)
	}
	byNumber := make(map[int32]*store.S3Part, len(stored))
	for _, p := range stored {
		byNumber[p.PartNumber] = p
	}
	invalidPart := func(pn int32, etag string) error {
		return &protocol.Error{Code: codeInvalidPart, Status: http.StatusBadRequest,
			Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
			Fields:  map[string]any{"UploadId": uploadID, "PartNumber": strconv.Itoa(int(pn)), "ETag": etag}}
	}
	// The request is checked whole for order first, then each part for existence, then
	// the sizes.
	numbers := make([]int32, 0, len(in.MultipartUpload.Parts))
	prev := int32(0)
	for _, cp := range in.MultipartUpload.Parts {
		pn := int32(0)
		if cp.PartNumber != nil {
			pn = *cp.PartNumber
		}
		if pn <= prev {
			return nil, &protocol.Error{Code: codeInvalidPartOrder, Status: http.StatusBadRequest,
				Message: "The list of parts was not in ascending order. Parts must be ordered by part number.",
				Fields:  map[string]any{"UploadId": uploadID}}
		}
		prev = pn
		numbers = append(numbers, pn)
	}
	for i, pn := range numbers {
		etag := deref(in.MultipartUpload.Parts[i].ETag)
		if p := byNumber[pn]; p == nil || strings.Trim(etag, `"`) != strings.Trim(p.ETag, `"`) {
			return nil, invalidPart(pn, etag)
		}
	}
	sums := make([]byte, 0, md5.Size*len(numbers))
	for i, pn := range numbers {
		p := byNumber[pn]
		if i < len(numbers)-1 && p.Size < minPartSize {
			return nil, &protocol.Error{Code: codeEntityTooSmall, Status: http.StatusBadRequest,
				Message: "Your proposed upload is smaller than the minimum allowed object size.",
				Fields: map[string]any{"ProposedSize": strconv.FormatInt(p.Size, 10), "MinSizeAllowed": strconv.Itoa(minPartSize),
					"PartNumber": strconv.Itoa(int(pn)), "ETag": strings.Trim(p.ETag, `"`)}}
		}
		sum, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		sums = append(sums, sum...)
	}
	total := md5.Sum(sums)
	o := &store.S3Object{Bucket: bucket, Key: key, ContentType: u.ContentType, Headers: u.Headers, Metadata: u.Metadata, Tags: u.Tags,
		ETag: fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(total[:]), len(numbers)), ModifiedAt: s.now()}
	b, err := s.bucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	state, err := s.versioning(ctx, bucket)
	if err != nil {
		return nil, err
	}
	o.VersionID, o.Seq = s.newVersion(state)
	hooks := s.notifyHook(ctx, b, &objectEvent{name: "ObjectCreated:CompleteMultipartUpload", reason: "CompleteMultipartUpload", key: key, obj: o})
	if err := s.db.S3UploadComplete(ctx, uploadID, numbers, o, hooks...); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoSuchUpload(uploadID)
		}
		return nil, errInternal(err)
	}
	c := callOf(ctx)
	loc := c.Scheme + "://" + hostOr(c.Host) + "/" + bucket + "/" + key
	return &CompleteMultipartUploadOutput{Location: &loc, Bucket: &bucket, Key: &key, ETag: &o.ETag, ServerSideEncryption: ptr(sseDefault),
		VersionID: writtenVersion(o.VersionID)}, nil
}

// AbortMultipartUpload implements S3 AbortMultipartUpload.
func (s *Service) AbortMultipartUpload(ctx context.Context, in *AbortMultipartUploadInput) (*AbortMultipartUploadOutput, error) {
	bucket, key, uploadID := deref(in.Bucket), deref(in.Key), deref(in.UploadID)
	if _, err := s.upload(ctx, bucket, key, uploadID); err != nil {
		return nil, err
	}
	if _, err := s.db.S3UploadDelete(ctx, uploadID); err != nil {
		return nil, errInternal(err)
	}
	return &AbortMultipartUploadOutput{}, nil
}

// ListParts implements S3 ListParts.
func (s *Service) ListParts(ctx context.Context, in *ListPartsInput) (*ListPartsOutput, error) {
	bucket, key, uploadID := deref(in.Bucket), deref(in.Key), deref(in.UploadID)
	u, err := s.upload(ctx, bucket, key, uploadID)
	if err != nil {
		return nil, err
	}
	max := defaultMaxParts
	if in.MaxParts != nil {
		if *in.MaxParts < 0 {
			return nil, errInvalidArgument("Argument max-parts must be an integer between 0 and 2147483647", "max-parts", strconv.Itoa(int(*in.MaxParts)))
		}
		max = min(int(*in.MaxParts), defaultMaxParts)
	}
	marker := int32(0)
	if in.PartNumberMarker != nil {
		marker = *in.PartNumberMarker
	}
	parts, err := s.db.S3PartList(ctx, uploadID, marker, max+1)
	if err != nil {
		return nil, errInternal(err)
	}
	truncated := len(parts) > max
	if truncated {
		parts = parts[:max]
	}
	owner := canonicalID(u.Account)
	out := &ListPartsOutput{Bucket: &bucket, Key: &key, UploadID: &uploadID, PartNumberMarker: &marker, MaxParts: ptr(int32(max)),
		IsTruncated: &truncated, Initiator: &Initiator{ID: &owner}, Owner: &Owner{ID: &owner}, StorageClass: ptr("STANDARD")}
	for _, p := range parts {
		lm := time.UnixMilli(p.ModifiedAt).UTC()
		out.Parts = append(out.Parts, &Part{PartNumber: ptr(p.PartNumber), LastModified: &lm, ETag: ptr(p.ETag), Size: ptr(p.Size)})
	}
	if len(parts) > 0 {
		out.NextPartNumberMarker = ptr(parts[len(parts)-1].PartNumber)
	}
	return out, nil
}

// defaultMaxUploads is the most uploads ListMultipartUploads answers in one page.
const defaultMaxUploads = 1000

// ListMultipartUploads implements S3 ListMultipartUploads: uploads in progress ordered by
// key, then by initiation, from KeyMarker (and UploadIdMarker within that key), with
// Prefix, Delimiter and MaxUploads as ListObjects has them.
func (s *Service) ListMultipartUploads(ctx context.Context, in *ListMultipartUploadsInput) (*ListMultipartUploadsOutput, error) {
	bucket, prefix, delim := deref(in.Bucket), deref(in.Prefix), deref(in.Delimiter)
	max := defaultMaxUploads
	if in.MaxUploads != nil {
		if *in.MaxUploads < 0 {
			return nil, errInvalidArgument("Argument max-uploads must be an integer between 0 and 2147483647", "max-uploads", strconv.Itoa(int(*in.MaxUploads)))
		}
		max = min(int(*in.MaxUploads), defaultMaxUploads)
	}
	enc, err := encoder(in.EncodingType)
	if err != nil {
		return nil, err
	}
	if _, err := s.bucket(ctx, bucket); err != nil {
		return nil, err
	}
	all, err := s.db.S3UploadList(ctx, bucket)
	if err != nil {
		return nil, errInternal(err)
	}
	keyMarker, idMarker := deref(in.KeyMarker), deref(in.UploadIDMarker)
	// With an UploadIdMarker the uploads of KeyMarker after that upload are listed too.
	afterID := -1
	if idMarker != "" {
		for i, u := range all {
			if u.Key == keyMarker && u.UploadID == idMarker {
				afterID = i
			}
		}
	}
	out := &ListMultipartUploadsOutput{Bucket: &bucket, KeyMarker: ptr(enc(keyMarker)), UploadIDMarker: ptr(idMarker), Prefix: ptr(enc(prefix)),
		Delimiter: optEnc(enc, in.Delimiter), MaxUploads: ptr(int32(max)), EncodingType: in.EncodingType, IsTruncated: ptr(false)}
	markerIsPrefix := keyMarker != "" && strings.HasPrefix(keyMarker, prefix) && commonPrefix(keyMarker, prefix, delim) == keyMarker
	n, lastPrefix := 0, ""
	var lastUpload *store.S3Upload
	for i, u := range all {
		switch {
		case !strings.HasPrefix(u.Key, prefix):
			continue
		case u.Key < keyMarker, u.Key == keyMarker && i <= afterID, u.Key == keyMarker && afterID < 0:
			continue
		case markerIsPrefix && strings.HasPrefix(u.Key, keyMarker):
			// The previous page ended on this common prefix.
			continue
		}
		cp := commonPrefix(u.Key, prefix, delim)
		if cp != "" && cp == lastPrefix {
			continue
		}
		if n == max {
			out.IsTruncated = ptr(true)
			break
		}
		n++
		if cp != "" {
			out.CommonPrefixes = append(out.CommonPrefixes, &CommonPrefix{Prefix: ptr(enc(cp))})
			lastPrefix, lastUpload = cp, nil
			continue
		}
		owner := canonicalID(u.Account)
		initiated := time.UnixMilli(u.CreatedAt).UTC()
		out.Uploads = append(out.Uploads, &MultipartUpload{UploadID: ptr(u.UploadID), Key: ptr(enc(u.Key)), Initiated: &initiated,
			StorageClass: ptr("STANDARD"), Owner: &Owner{ID: &owner}, Initiator: &Initiator{ID: &owner}})
		lastUpload = u
	}
	if *out.IsTruncated {
		if lastUpload != nil {
			out.NextKeyMarker, out.NextUploadIDMarker = ptr(enc(lastUpload.Key)), ptr(lastUpload.UploadID)
		} else {
			out.NextKeyMarker = ptr(enc(lastPrefix))
		}
	}
	return out, nil
}

// UploadPartCopy implements S3 UploadPartCopy: a part copied from an object, whole or the
// x-amz-copy-source-range "bytes=first-last" of it.
func (s *Service) UploadPartCopy(ctx context.Context, in *UploadPartCopyInput) (*UploadPartCopyOutput, error) {
	bucket, key, uploadID := deref(in.Bucket), deref(in.Key), deref(in.UploadID)
	srcBucket, srcKey, srcVersion, ok := parseCopySource(deref(in.CopySource))
	if !ok {
		return nil, errInvalidArgumentCopySource(deref(in.CopySource))
	}
	if in.PartNumber == nil || *in.PartNumber < 1 || *in.PartNumber > maxPartNumber {
		return nil, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", "")
	}
	if _, err := s.upload(ctx, bucket, key, uploadID); err != nil {
		return nil, err
	}
	src, err := s.copySource(ctx, srcBucket, srcKey, srcVersion,
		readConditions{in.CopySourceIfMatch, in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince, in.CopySourceIfUnmodifiedSince})
	if err != nil {
		return nil, err
	}
	body := src.Body
	if in.CopySourceRange != nil {
		r, err := parseCopyRange(*in.CopySourceRange, src.Size)
		if err != nil {
			return nil, err
		}
		body = body[r.first : r.last+1]
	}
	p := &store.S3Part{UploadID: uploadID, PartNumber: *in.PartNumber, Body: body, ETag: etagOf(body), ModifiedAt: s.now()}
	if err := s.db.S3PartPut(ctx, p); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, errNoSuchUpload(uploadID)
		}
		return nil, errInternal(err)
	}
	lm := time.UnixMilli(p.ModifiedAt).UTC()
	return &UploadPartCopyOutput{CopyPartResult: &CopyPartResult{ETag: &p.ETag, LastModified: &lm}, ServerSideEncryption: ptr(sseDefault)}, nil
}

// parseCopyRange reads x-amz-copy-source-range, which unlike Range must name both ends
// and lie within the source.
func parseCopyRange(h string, size int64) (*byteRange, error) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	a, b, ok2 := strings.Cut(spec, "-")
	first, err1 := parseUint(a)
	last, err2 := parseUint(b)
	if !ok || !ok2 || err1 != nil || err2 != nil || last < first {
		return nil, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
			"x-amz-copy-source-range", h)
	}
	if last >= size {
		return nil, errInvalidArgument("Range specified is not valid for source object of size: "+strconv.FormatInt(size, 10),
			"x-amz-copy-source-range", h)
	}
	return &byteRange{first, last}, nil
}
