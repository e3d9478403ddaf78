package protocol

import "context"

// Call is what a service may know of the request behind an operation: who is calling, in
// which region, and how the client reached Overcast (to build URLs the client can follow).
// The edge attaches it to the context; services read it with CallFrom.
type Call struct {
	// Account is the 12-digit account id the access key maps to.
	Account string
	// Region is the region from the signing scope (or the default region).
	Region string
	// AccessKey is the access key id that signed the request ("" when unsigned).
	AccessKey string
	// RequestID is the id answered to the client.
	RequestID string
	// Scheme and Host are how the client reached us ("http", "localhost:4566"), for URLs
	// handed back (QueueUrl, SubscribeURL, ...).
	Scheme string
	Host   string
	// Path is the request path (SQS query requests name the queue by posting to its URL).
	Path string
	// Protocol is the wire protocol of the request.
	Protocol string
}

type callKey struct{}

// WithCall returns ctx carrying c.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the call attached to ctx, or a zero Call (default account and region
// are then the caller's concern) when there is none.
func CallFrom(ctx context.Context) *Call {
	if c, ok := ctx.Value(callKey{}).(*Call); ok {
		return c
	}
	return &Call{}
}
