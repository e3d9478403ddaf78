package iam

// Service serves AWS Identity and Access Management. It embeds UnimplementedAPI, so every
// operation answers NotImplemented until it gets a handler.
type Service struct {
	UnimplementedAPI
}

// New returns the service.
func New() *Service { return &Service{} }

var _ API = (*Service)(nil)
