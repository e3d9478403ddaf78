package s3

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Codes of the errors S3 answers that its model does not list
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
const (
	codeBadDigest                          = "BadDigest"
	codeBadRequest                         = "BadRequest"
	codeBucketNotEmpty                     = "BucketNotEmpty"
	codeEntityTooSmall                     = "EntityTooSmall"
	codeIllegalLocationConstraintException = "IllegalLocationConstraintException"
	codeInternalError                      = "InternalError"
	codeInvalidBucketName                  = "InvalidBucketName"
	codeInvalidDigest                      = "InvalidDigest"
	codeInvalidLocationConstraint          = "InvalidLocationConstraint"
	codeInvalidPart                        = "InvalidPart"
	codeInvalidPartOrder                   = "InvalidPartOrder"
	codeInvalidRange                       = "InvalidRange"
	codeInvalidStorageClass                = "InvalidStorageClass"
	codeInvalidTag                         = "InvalidTag"
	codeKeyTooLongError                    = "KeyTooLongError"
	codeMetadataTooLarge                   = "MetadataTooLarge"
	codeNoSuchTagSet                       = "NoSuchTagSet"
	codeNotModified                        = "NotModified"
	codePreconditionFailed                 = "PreconditionFailed"
)

// S3's error bodies carry, beside Code and Message, the resource they are about
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); the messages are
// S3's own.

func errNoSuchBucket(bucket string) *protocol.Error {
	return &protocol.Error{Code: ErrCodeNoSuchBucket, Message: "The specified bucket does not exist", Status: http.StatusNotFound,
		Fields: map[string]any{"BucketName": bucket}}
}

func errNoSuchKey(key string) *protocol.Error {
	return &protocol.Error{Code: ErrCodeNoSuchKey, Message: "The specified key does not exist.", Status: http.StatusNotFound,
		Fields: map[string]any{"Key": key}}
}

func errInvalidBucketName(bucket string) *protocol.Error {
	return &protocol.Error{Code: codeInvalidBucketName, Message: "The specified bucket is not valid.", Status: http.StatusBadRequest,
		Fields: map[string]any{"BucketName": bucket}}
}

func errBucketNotEmpty(bucket string) *protocol.Error {
	return &protocol.Error{Code: codeBucketNotEmpty, Message: "The bucket you tried to delete is not empty", Status: http.StatusConflict,
		Fields: map[string]any{"BucketName": bucket}}
}

func errBucketAlreadyOwnedByYou(bucket string) *protocol.Error {
	return &protocol.Error{Code: ErrCodeBucketAlreadyOwnedByYou,
		Message: "Your previous request to create the named bucket succeeded and you already own it.",
		Status:  http.StatusConflict, Fields: map[string]any{"BucketName": bucket}}
}

func errBucketAlreadyExists(bucket string) *protocol.Error {
	return &protocol.Error{Code: ErrCodeBucketAlreadyExists,
		Message: "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
		Status:  http.StatusConflict, Fields: map[string]any{"BucketName": bucket}}
}

func errAccessDenied() *protocol.Error {
	return &protocol.Error{Code: ErrCodeAccessDenied, Message: "Access Denied", Status: http.StatusForbidden}
}

func errInvalidRequest(msg string) *protocol.Error {
	return &protocol.Error{Code: ErrCodeInvalidRequest, Message: msg, Status: http.StatusBadRequest}
}

// errInvalidRequestCode is a 400 with S3's code for a request that cannot be served as
// asked.
func errInvalidRequestCode(code, msg string) *protocol.Error {
	return &protocol.Error{Code: code, Message: msg, Status: http.StatusBadRequest}
}

func errPreconditionFailed(condition string) *protocol.Error {
	return &protocol.Error{Code: codePreconditionFailed, Message: "At least one of the pre-conditions you specified did not hold",
		Status: http.StatusPreconditionFailed, Fields: map[string]any{"Condition": condition}}
}

// errNotModified answers a conditional GET or HEAD whose object did not change: 304 with
// the object's validators and no body.
func errNotModified(etag, lastModified string) *protocol.Error {
	return &protocol.Error{Code: codeNotModified, Message: "Not Modified", Status: http.StatusNotModified,
		Headers: map[string]string{"ETag": etag, "Last-Modified": lastModified}}
}

func errInvalidRange(requested string, size int64) *protocol.Error {
	return &protocol.Error{Code: codeInvalidRange, Message: "The requested range is not satisfiable", Status: http.StatusRequestedRangeNotSatisfiable,
		Fields: map[string]any{"RangeRequested": requested, "ActualObjectSize": strconv.FormatInt(size, 10)}}
}

func errInternal(err error) *protocol.Error {
	return &protocol.Error{Code: codeInternalError, Message: "We encountered an internal error. Please try again.",
		Fault: protocol.FaultReceiver, Cause: err}
}

// bucketErr maps a store error about bucket to S3's answer.
func bucketErr(bucket string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return errNoSuchBucket(bucket)
	}
	return errInternal(fmt.Errorf("bucket %s: %w", bucket, err))
}

// errInvalidArgument answers a bad argument, naming it as S3 does when name is set.
func errInvalidArgument(msg, name, value string) *protocol.Error {
	e := protocol.InvalidArgument(msg)
	if name != "" {
		e.Fields = map[string]any{"ArgumentName": name, "ArgumentValue": value}
	}
	return e
}

func errInvalidArgumentCopySource(src string) *protocol.Error {
	return errInvalidArgument("Invalid copy source object key", "x-amz-copy-source", src)
}
