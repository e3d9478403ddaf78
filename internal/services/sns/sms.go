package sns

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/store"
)

// Record kinds of the SMS APIs in sns_records.
const (
	kindSMSAttr = "sms"
	kindSandbox = "sandbox"
	kindOptOut  = "optout"
)

var smsAttributeNames = []string{
	"MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate", "DefaultSenderID",
	"DefaultSMSType", "UsageReportS3Bucket",
}

// SetSMSAttributes stores the account's SMS settings.
func (s *Service) SetSMSAttributes(ctx context.Context, in *SetSMSAttributesInput) (*SetSMSAttributesOutput, error) {
	c := callOf(ctx)
	for k, v := range in.Attributes {
		if !slices.Contains(smsAttributeNames, k) {
			return nil, errInvalid(k)
		}
		if k == "DefaultSMSType" && v != "Promotional" && v != "Transactional" {
			return nil, errInvalid("DefaultSMSType")
		}
	}
	for k, v := range in.Attributes {
		if err := s.db.SNSRecordPut(ctx, c.Account, c.Region, kindSMSAttr, k, v); err != nil {
			return nil, fmt.Errorf("set sms attributes: %w", err)
		}
	}
	return &SetSMSAttributesOutput{}, nil
}

// GetSMSAttributes answers the account's SMS settings (those named, or all).
func (s *Service) GetSMSAttributes(ctx context.Context, in *GetSMSAttributesInput) (*GetSMSAttributesOutput, error) {
	c := callOf(ctx)
	recs, err := s.db.SNSRecordList(ctx, c.Account, c.Region, kindSMSAttr)
	if err != nil {
		return nil, fmt.Errorf("get sms attributes: %w", err)
	}
	out := map[string]string{}
	for _, r := range recs {
		if len(in.Attributes) == 0 || slices.Contains(in.Attributes, r.Name) {
			out[r.Name] = r.Value
		}
	}
	return &GetSMSAttributesOutput{Attributes: out}, nil
}

// GetSMSSandboxAccountStatus answers that the account is in the SMS sandbox, as new AWS
// accounts are.
func (s *Service) GetSMSSandboxAccountStatus(context.Context, *GetSMSSandboxAccountStatusInput) (*GetSMSSandboxAccountStatusOutput, error) {
	return &GetSMSSandboxAccountStatusOutput{IsInSandbox: new(true)}, nil
}

type sandboxNumber struct {
	Status string `json:"status"`
	OTP    string `json:"otp"`
}

// CreateSMSSandboxPhoneNumber adds a destination number to the sandbox and "sends" it a
// one-time password through the outbox.
func (s *Service) CreateSMSSandboxPhoneNumber(ctx context.Context, in *CreateSMSSandboxPhoneNumberInput) (*CreateSMSSandboxPhoneNumberOutput, error) {
	c := callOf(ctx)
	if !phoneRE.MatchString(*in.PhoneNumber) {
		return nil, errInvalid("PhoneNumber")
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	otp := fmt.Sprintf("%06d", n.Int64())
	b, _ := json.Marshal(sandboxNumber{Status: "Pending", OTP: otp})
	if err := s.db.SNSRecordPut(ctx, c.Account, c.Region, kindSandbox, *in.PhoneNumber, string(b)); err != nil {
		return nil, fmt.Errorf("create sandbox number: %w", err)
	}
	j, err := s.jobFor(&notice{
		Type: "Notification", MessageID: newID(), Message: "Your verification code is " + otp,
		Timestamp: timestamp(s.clock.Now()), Protocol: "sms", Endpoint: *in.PhoneNumber,
	}, "sms", *in.PhoneNumber, delivery.Policy{}, "")
	if err == nil {
		err = s.dispatch.Enqueue(ctx, nil, j)
	}
	if err != nil {
		return nil, fmt.Errorf("send one-time password: %w", err)
	}
	return &CreateSMSSandboxPhoneNumberOutput{}, nil
}

// VerifySMSSandboxPhoneNumber verifies a sandbox number with its one-time password.
func (s *Service) VerifySMSSandboxPhoneNumber(ctx context.Context, in *VerifySMSSandboxPhoneNumberInput) (*VerifySMSSandboxPhoneNumberOutput, error) {
	c := callOf(ctx)
	v, err := s.db.SNSRecordGet(ctx, c.Account, c.Region, kindSandbox, *in.PhoneNumber)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewResourceNotFoundException("Phone number does not exist in the sandbox")
	}
	if err != nil {
		return nil, fmt.Errorf("verify sandbox number: %w", err)
	}
	var n sandboxNumber
	_ = json.Unmarshal([]byte(v), &n)
	if n.OTP != *in.OneTimePassword {
		return nil, NewVerificationException("Invalid one-time password")
	}
	n.Status = "Verified"
	b, _ := json.Marshal(n)
	if err := s.db.SNSRecordPut(ctx, c.Account, c.Region, kindSandbox, *in.PhoneNumber, string(b)); err != nil {
		return nil, fmt.Errorf("verify sandbox number: %w", err)
	}
	return &VerifySMSSandboxPhoneNumberOutput{}, nil
}

// DeleteSMSSandboxPhoneNumber removes a number from the sandbox.
func (s *Service) DeleteSMSSandboxPhoneNumber(ctx context.Context, in *DeleteSMSSandboxPhoneNumberInput) (*DeleteSMSSandboxPhoneNumberOutput, error) {
	c := callOf(ctx)
	err := s.db.SNSRecordDelete(ctx, c.Account, c.Region, kindSandbox, *in.PhoneNumber)
	if errors.Is(err, store.ErrNotFound) {
		return nil, NewResourceNotFoundException("Phone number does not exist in the sandbox")
	}
	if err != nil {
		return nil, fmt.Errorf("delete sandbox number: %w", err)
	}
	return &DeleteSMSSandboxPhoneNumberOutput{}, nil
}

// ListSMSSandboxPhoneNumbers lists the sandbox numbers with their status.
func (s *Service) ListSMSSandboxPhoneNumbers(ctx context.Context, in *ListSMSSandboxPhoneNumbersInput) (*ListSMSSandboxPhoneNumbersOutput, error) {
	c := callOf(ctx)
	recs, err := s.db.SNSRecordList(ctx, c.Account, c.Region, kindSandbox)
	if err != nil {
		return nil, fmt.Errorf("list sandbox numbers: %w", err)
	}
	out := &ListSMSSandboxPhoneNumbersOutput{PhoneNumbers: []*SMSSandboxPhoneNumber{}}
	for _, r := range recs {
		var n sandboxNumber
		_ = json.Unmarshal([]byte(r.Value), &n)
		out.PhoneNumbers = append(out.PhoneNumbers, &SMSSandboxPhoneNumber{PhoneNumber: new(r.Name), Status: new(n.Status)})
	}
	return out, nil
}

// ListOriginationNumbers answers no origination numbers: Overcast owns none.
func (s *Service) ListOriginationNumbers(context.Context, *ListOriginationNumbersInput) (*ListOriginationNumbersOutput, error) {
	return &ListOriginationNumbersOutput{PhoneNumbers: []*PhoneNumberInformation{}}, nil
}

// CheckIfPhoneNumberIsOptedOut answers whether a number opted out of SMS. Numbers opt out
// through the admin API only (there are no real replies of "STOP").
func (s *Service) CheckIfPhoneNumberIsOptedOut(ctx context.Context, in *CheckIfPhoneNumberIsOptedOutInput) (*CheckIfPhoneNumberIsOptedOutOutput, error) {
	c := callOf(ctx)
	if !phoneRE.MatchString(*in.PhoneNumber) {
		return nil, errInvalid("PhoneNumber")
	}
	_, err := s.db.SNSRecordGet(ctx, c.Account, "", kindOptOut, *in.PhoneNumber)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("check opt-out: %w", err)
	}
	return &CheckIfPhoneNumberIsOptedOutOutput{IsOptedOut: new(err == nil)}, nil
}

// ListPhoneNumbersOptedOut lists the numbers that opted out.
func (s *Service) ListPhoneNumbersOptedOut(ctx context.Context, _ *ListPhoneNumbersOptedOutInput) (*ListPhoneNumbersOptedOutOutput, error) {
	c := callOf(ctx)
	recs, err := s.db.SNSRecordList(ctx, c.Account, "", kindOptOut)
	if err != nil {
		return nil, fmt.Errorf("list opted-out numbers: %w", err)
	}
	out := &ListPhoneNumbersOptedOutOutput{PhoneNumbers: []string{}}
	for _, r := range recs {
		out.PhoneNumbers = append(out.PhoneNumbers, r.Name)
	}
	return out, nil
}

// OptInPhoneNumber opts a number back in.
func (s *Service) OptInPhoneNumber(ctx context.Context, in *OptInPhoneNumberInput) (*OptInPhoneNumberOutput, error) {
	c := callOf(ctx)
	err := s.db.SNSRecordDelete(ctx, c.Account, "", kindOptOut, *in.PhoneNumber)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("opt in: %w", err)
	}
	return &OptInPhoneNumberOutput{}, nil
}
