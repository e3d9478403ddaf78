package sns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/overcast/overcast/internal/store"
)

// Record kinds of the mobile push APIs in sns_records: applications by ARN, endpoints by
// ARN.
const (
	kindApp      = "app"
	kindEndpoint = "endpoint"
)

var platforms = []string{"ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "GCM", "MACOS", "MACOS_SANDBOX", "MPNS", "WNS"}

type endpointRecord struct {
	App        string            `json:"app"`
	Attributes map[string]string `json:"attrs"`
}

// CreatePlatformApplication stores a platform application. Credentials are kept, never
// used.
func (s *Service) CreatePlatformApplication(ctx context.Context, in *CreatePlatformApplicationInput) (*CreatePlatformApplicationOutput, error) {
	c := callOf(ctx)
	if !slices.Contains(platforms, *in.Platform) {
		return nil, errInvalid("Platform")
	}
	if !topicNameRE.MatchString(*in.Name) {
		return nil, errInvalid("Application Name")
	}
	arn := "arn:aws:sns:" + c.Region + ":" + c.Account + ":app/" + *in.Platform + "/" + *in.Name
	attrs := map[string]string{}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	if attrs["Enabled"] == "" {
		attrs["Enabled"] = "true"
	}
	if err := s.db.SNSRecordPut(ctx, c.Account, c.Region, kindApp, arn, encodeAttrs(attrs)); err != nil {
		return nil, fmt.Errorf("create platform application: %w", err)
	}
	return &CreatePlatformApplicationOutput{PlatformApplicationARN: &arn}, nil
}

func (s *Service) app(ctx context.Context, arn string) (arnParts, map[string]string, error) {
	a, ok := parseARN(arn, "sns")
	if !ok || !strings.HasPrefix(a.Resource, "app/") {
		return a, nil, errInvalid("PlatformApplicationArn")
	}
	v, err := s.db.SNSRecordGet(ctx, a.Account, a.Region, kindApp, arn)
	if errors.Is(err, store.ErrNotFound) {
		return a, nil, errAppNotFound()
	}
	if err != nil {
		return a, nil, fmt.Errorf("get platform application: %w", err)
	}
	return a, decodeAttrs(v), nil
}

// DeletePlatformApplication deletes an application and its endpoints.
func (s *Service) DeletePlatformApplication(ctx context.Context, in *DeletePlatformApplicationInput) (*DeletePlatformApplicationOutput, error) {
	a, ok := parseARN(*in.PlatformApplicationARN, "sns")
	if !ok || !strings.HasPrefix(a.Resource, "app/") {
		return nil, errInvalid("PlatformApplicationArn")
	}
	eps, err := s.db.SNSRecordList(ctx, a.Account, a.Region, kindEndpoint)
	if err != nil {
		return nil, fmt.Errorf("delete platform application: %w", err)
	}
	for _, r := range eps {
		var e endpointRecord
		if json.Unmarshal([]byte(r.Value), &e) == nil && e.App == *in.PlatformApplicationARN {
			_ = s.db.SNSRecordDelete(ctx, a.Account, a.Region, kindEndpoint, r.Name)
		}
	}
	if err := s.db.SNSRecordDelete(ctx, a.Account, a.Region, kindApp, *in.PlatformApplicationARN); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("delete platform application: %w", err)
	}
	return &DeletePlatformApplicationOutput{}, nil
}

// GetPlatformApplicationAttributes answers an application's attributes.
func (s *Service) GetPlatformApplicationAttributes(ctx context.Context, in *GetPlatformApplicationAttributesInput) (*GetPlatformApplicationAttributesOutput, error) {
	_, attrs, err := s.app(ctx, *in.PlatformApplicationARN)
	if err != nil {
		return nil, err
	}
	// Credentials are write-only on AWS.
	delete(attrs, "PlatformCredential")
	return &GetPlatformApplicationAttributesOutput{Attributes: attrs}, nil
}

// SetPlatformApplicationAttributes changes an application's attributes.
func (s *Service) SetPlatformApplicationAttributes(ctx context.Context, in *SetPlatformApplicationAttributesInput) (*SetPlatformApplicationAttributesOutput, error) {
	a, attrs, err := s.app(ctx, *in.PlatformApplicationARN)
	if err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		attrs[k] = v
	}
	if err := s.db.SNSRecordPut(ctx, a.Account, a.Region, kindApp, *in.PlatformApplicationARN, encodeAttrs(attrs)); err != nil {
		return nil, fmt.Errorf("set platform application attributes: %w", err)
	}
	return &SetPlatformApplicationAttributesOutput{}, nil
}

// ListPlatformApplications lists the caller's applications in the region.
func (s *Service) ListPlatformApplications(ctx context.Context, _ *ListPlatformApplicationsInput) (*ListPlatformApplicationsOutput, error) {
	c := callOf(ctx)
	recs, err := s.db.SNSRecordList(ctx, c.Account, c.Region, kindApp)
	if err != nil {
		return nil, fmt.Errorf("list platform applications: %w", err)
	}
	out := &ListPlatformApplicationsOutput{PlatformApplications: []*PlatformApplication{}}
	for _, r := range recs {
		attrs := decodeAttrs(r.Value)
		delete(attrs, "PlatformCredential")
		out.PlatformApplications = append(out.PlatformApplications, &PlatformApplication{PlatformApplicationARN: new(r.Name), Attributes: attrs})
	}
	return out, nil
}

// CreatePlatformEndpoint registers a device token with an application. Registering the
// same token again returns the same endpoint.
func (s *Service) CreatePlatformEndpoint(ctx context.Context, in *CreatePlatformEndpointInput) (*CreatePlatformEndpointOutput, error) {
	a, _, err := s.app(ctx, *in.PlatformApplicationARN)
	if err != nil {
		return nil, err
	}
	if *in.Token == "" {
		return nil, errInvalid("Token")
	}
	recs, err := s.db.SNSRecordList(ctx, a.Account, a.Region, kindEndpoint)
	if err != nil {
		return nil, fmt.Errorf("create platform endpoint: %w", err)
	}
	for _, r := range recs {
		var e endpointRecord
		if json.Unmarshal([]byte(r.Value), &e) == nil && e.App == *in.PlatformApplicationARN && e.Attributes["Token"] == *in.Token {
			// Idempotent for the same token and attributes; other attributes are refused
			// in the words AWS's mobile token guide tells apps to match.
			// https://docs.aws.amazon.com/sns/latest/dg/mobile-platform-endpoint.html
			same := in.CustomUserData == nil || e.Attributes["CustomUserData"] == *in.CustomUserData
			for k, v := range in.Attributes {
				same = same && e.Attributes[k] == v
			}
			if !same {
				return nil, errInvalid("Token Reason: Endpoint " + r.Name + " already exists with the same Token, but different attributes.")
			}
			return &CreatePlatformEndpointOutput{EndpointARN: new(r.Name)}, nil
		}
	}
	appPath := strings.TrimPrefix(a.Resource, "app/")
	arn := "arn:aws:sns:" + a.Region + ":" + a.Account + ":endpoint/" + appPath + "/" + newID()
	e := endpointRecord{App: *in.PlatformApplicationARN, Attributes: map[string]string{"Enabled": "true", "Token": *in.Token}}
	for k, v := range in.Attributes {
		e.Attributes[k] = v
	}
	if in.CustomUserData != nil {
		e.Attributes["CustomUserData"] = *in.CustomUserData
	}
	b, _ := json.Marshal(e)
	if err := s.db.SNSRecordPut(ctx, a.Account, a.Region, kindEndpoint, arn, string(b)); err != nil {
		return nil, fmt.Errorf("create platform endpoint: %w", err)
	}
	return &CreatePlatformEndpointOutput{EndpointARN: &arn}, nil
}

func (s *Service) endpoint(ctx context.Context, arn string) (*endpointRecord, error) {
	a, ok := parseARN(arn, "sns")
	if !ok || !strings.HasPrefix(a.Resource, "endpoint/") {
		return nil, errInvalid("EndpointArn")
	}
	v, err := s.db.SNSRecordGet(ctx, a.Account, a.Region, kindEndpoint, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errEndpointNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("get endpoint: %w", err)
	}
	var e endpointRecord
	if err := json.Unmarshal([]byte(v), &e); err != nil {
		return nil, fmt.Errorf("decode endpoint: %w", err)
	}
	if e.Attributes == nil {
		e.Attributes = map[string]string{}
	}
	return &e, nil
}

// platformOfEndpoint returns the platform (GCM, APNS, ...) of an endpoint ARN.
func platformOfEndpoint(arn string) string {
	a, _ := parseARN(arn, "sns")
	parts := strings.Split(a.Resource, "/")
	if len(parts) > 1 {
		return parts[1]
	}
	return ""
}

// DeleteEndpoint deletes an endpoint; deleting one that does not exist succeeds.
func (s *Service) DeleteEndpoint(ctx context.Context, in *DeleteEndpointInput) (*DeleteEndpointOutput, error) {
	a, ok := parseARN(*in.EndpointARN, "sns")
	if !ok || !strings.HasPrefix(a.Resource, "endpoint/") {
		return nil, errInvalid("EndpointArn")
	}
	if err := s.db.SNSRecordDelete(ctx, a.Account, a.Region, kindEndpoint, *in.EndpointARN); err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("delete endpoint: %w", err)
	}
	return &DeleteEndpointOutput{}, nil
}

// GetEndpointAttributes answers an endpoint's attributes.
func (s *Service) GetEndpointAttributes(ctx context.Context, in *GetEndpointAttributesInput) (*GetEndpointAttributesOutput, error) {
	e, err := s.endpoint(ctx, *in.EndpointARN)
	if err != nil {
		return nil, err
	}
	return &GetEndpointAttributesOutput{Attributes: e.Attributes}, nil
}

// SetEndpointAttributes changes an endpoint's attributes.
func (s *Service) SetEndpointAttributes(ctx context.Context, in *SetEndpointAttributesInput) (*SetEndpointAttributesOutput, error) {
	e, err := s.endpoint(ctx, *in.EndpointARN)
	if err != nil {
		return nil, err
	}
	for k, v := range in.Attributes {
		switch k {
		case "Enabled":
			if v != "true" && v != "false" {
				return nil, errInvalid("Enabled")
			}
		case "Token", "CustomUserData":
		default:
			return nil, errInvalid("Attributes Reason: Invalid attribute name: " + k)
		}
		e.Attributes[k] = v
	}
	a, _ := parseARN(*in.EndpointARN, "sns")
	b, _ := json.Marshal(e)
	if err := s.db.SNSRecordPut(ctx, a.Account, a.Region, kindEndpoint, *in.EndpointARN, string(b)); err != nil {
		return nil, fmt.Errorf("set endpoint attributes: %w", err)
	}
	return &SetEndpointAttributesOutput{}, nil
}

// ListEndpointsByPlatformApplication lists an application's endpoints.
func (s *Service) ListEndpointsByPlatformApplication(ctx context.Context, in *ListEndpointsByPlatformApplicationInput) (*ListEndpointsByPlatformApplicationOutput, error) {
	a, _, err := s.app(ctx, *in.PlatformApplicationARN)
	if err != nil {
		return nil, err
	}
	recs, err := s.db.SNSRecordList(ctx, a.Account, a.Region, kindEndpoint)
	if err != nil {
		return nil, fmt.Errorf("list endpoints: %w", err)
	}
	out := &ListEndpointsByPlatformApplicationOutput{Endpoints: []*Endpoint{}}
	for _, r := range recs {
		var e endpointRecord
		if json.Unmarshal([]byte(r.Value), &e) == nil && e.App == *in.PlatformApplicationARN {
			out.Endpoints = append(out.Endpoints, &Endpoint{EndpointARN: new(r.Name), Attributes: e.Attributes})
		}
	}
	return out, nil
}
