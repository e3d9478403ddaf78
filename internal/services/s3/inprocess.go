package s3

import (
	"context"

	"github.com/overcast/overcast/internal/protocol"
)

// GetObjectBytes returns the bytes of an object, for other services reading S3 in process
// (Lambda's Code.S3Bucket and S3Key). account and region are the caller's: buckets are
// global, and a bucket of another account answers AccessDenied. A missing bucket, key or
// version answers the *protocol.Error S3 would (NoSuchBucket, NoSuchKey, InvalidArgument).
func (s *Service) GetObjectBytes(ctx context.Context, account, region, bucket, key string, versionID string) ([]byte, error) {
	c := *protocol.CallFrom(ctx)
	c.Account, c.Region = account, region
	ctx = protocol.WithCall(ctx, &c)
	o, _, err := s.readObject(ctx, bucket, key, versionID, true, readConditions{}, nil)
	if err != nil {
		return nil, err
	}
	return o.Body, nil
}
