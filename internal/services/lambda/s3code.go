package lambda

import (
	"context"
	"errors"
	"fmt"

	"github.com/overcast/overcast/internal/protocol"
)

// codeFrom returns a deployment package: zip when the request carries it, else the S3
// object bucket/key (at version) names. A location S3 cannot serve is answered as Lambda
// answers it, InvalidParameterValueException quoting S3's error code and message.
// ok is false when the request names no source at all.
func (s *Service) codeFrom(ctx context.Context, call *protocol.Call, zip []byte, bucket, key, version *string) (code []byte, ok bool, err error) {
	if zip != nil {
		return zip, true, nil
	}
	if bucket == nil && key == nil {
		return nil, false, nil
	}
	if bucket == nil || key == nil || *bucket == "" || *key == "" {
		return nil, true, NewInvalidParameterValueException("Please provide a source for function code.")
	}
	if s.objects == nil {
		return nil, true, NewInvalidParameterValueException("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
	}
	b, err := s.objects(ctx, call.Account, call.Region, *bucket, *key, deref(version))
	var pe *protocol.Error
	switch {
	case errors.As(err, &pe):
		return nil, true, NewInvalidParameterValueException(fmt.Sprintf("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", pe.Code, pe.Message))
	case err != nil:
		return nil, true, fmt.Errorf("read code from s3://%s/%s: %w", *bucket, *key, err)
	}
	return b, true, nil
}
