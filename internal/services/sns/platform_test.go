package sns

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPlatformEndpointsAndPush(t *testing.T) {
	t.Parallel()
	b := setup(t)
	app, err := b.svc.CreatePlatformApplication(b.ctx, &CreatePlatformApplicationInput{Name: new("app"), Platform: new("GCM"),
		Attributes: map[string]string{"PlatformCredential": "secret"}})
	require.NoError(t, err)
	require.Equal(t, "arn:aws:sns:us-east-1:123456789012:app/GCM/app", *app.PlatformApplicationARN)
	_, err = b.svc.CreatePlatformApplication(b.ctx, &CreatePlatformApplicationInput{Name: new("x"), Platform: new("PIGEON"), Attributes: map[string]string{}})
	requireCode(t, err, "InvalidParameter")

	attrs, err := b.svc.GetPlatformApplicationAttributes(b.ctx, &GetPlatformApplicationAttributesInput{PlatformApplicationARN: app.PlatformApplicationARN})
	require.NoError(t, err)
	require.NotContains(t, attrs.Attributes, "PlatformCredential", "credentials are write-only")

	ep, err := b.svc.CreatePlatformEndpoint(b.ctx, &CreatePlatformEndpointInput{PlatformApplicationARN: app.PlatformApplicationARN, Token: new("device-1")})
	require.NoError(t, err)
	again, err := b.svc.CreatePlatformEndpoint(b.ctx, &CreatePlatformEndpointInput{PlatformApplicationARN: app.PlatformApplicationARN, Token: new("device-1")})
	require.NoError(t, err)
	require.Equal(t, *ep.EndpointARN, *again.EndpointARN, "the same token gives the same endpoint")
	list, err := b.svc.ListEndpointsByPlatformApplication(b.ctx, &ListEndpointsByPlatformApplicationInput{PlatformApplicationARN: app.PlatformApplicationARN})
	require.NoError(t, err)
	require.Len(t, list.Endpoints, 1)

	_, err = b.svc.Publish(b.ctx, &PublishInput{TargetARN: ep.EndpointARN, MessageStructure: new("json"),
		Message: new(`{"default":"d","GCM":"{\"notification\":{\"title\":\"hi\"}}"}`)})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		es, err := b.db.SNSOutboxList(b.ctx)
		return err == nil && len(es) == 1 && strings.Contains(es[0].Message, `"title":"hi"`) && es[0].Protocol == "application"
	}, 5*time.Second, 10*time.Millisecond)

	_, err = b.svc.SetEndpointAttributes(b.ctx, &SetEndpointAttributesInput{EndpointARN: ep.EndpointARN, Attributes: map[string]string{"Enabled": "false"}})
	require.NoError(t, err)
	_, err = b.svc.Publish(b.ctx, &PublishInput{TargetARN: ep.EndpointARN, Message: new("x")})
	requireCode(t, err, "EndpointDisabled")

	_, err = b.svc.DeletePlatformApplication(b.ctx, &DeletePlatformApplicationInput{PlatformApplicationARN: app.PlatformApplicationARN})
	require.NoError(t, err)
	_, err = b.svc.GetEndpointAttributes(b.ctx, &GetEndpointAttributesInput{EndpointARN: ep.EndpointARN})
	requireCode(t, err, "NotFound")
}

func TestSMSSandbox(t *testing.T) {
	t.Parallel()
	b := setup(t)
	st, err := b.svc.GetSMSSandboxAccountStatus(b.ctx, &GetSMSSandboxAccountStatusInput{})
	require.NoError(t, err)
	require.True(t, *st.IsInSandbox)

	phone := "+15555550123"
	_, err = b.svc.CreateSMSSandboxPhoneNumber(b.ctx, &CreateSMSSandboxPhoneNumberInput{PhoneNumber: &phone})
	require.NoError(t, err)
	var otp string
	require.Eventually(t, func() bool {
		es, err := b.db.SNSOutboxList(b.ctx)
		if err != nil || len(es) != 1 {
			return false
		}
		otp = strings.TrimPrefix(es[0].Message, "Your verification code is ")
		return len(otp) == 6
	}, 5*time.Second, 10*time.Millisecond)
	_, err = b.svc.VerifySMSSandboxPhoneNumber(b.ctx, &VerifySMSSandboxPhoneNumberInput{PhoneNumber: &phone, OneTimePassword: new("wrong")})
	requireCode(t, err, "VerificationException")
	_, err = b.svc.VerifySMSSandboxPhoneNumber(b.ctx, &VerifySMSSandboxPhoneNumberInput{PhoneNumber: &phone, OneTimePassword: &otp})
	require.NoError(t, err)
	list, err := b.svc.ListSMSSandboxPhoneNumbers(b.ctx, &ListSMSSandboxPhoneNumbersInput{})
	require.NoError(t, err)
	require.Len(t, list.PhoneNumbers, 1)
	require.Equal(t, "Verified", *list.PhoneNumbers[0].Status)

	_, err = b.svc.SetSMSAttributes(b.ctx, &SetSMSAttributesInput{Attributes: map[string]string{"DefaultSMSType": "Transactional"}})
	require.NoError(t, err)
	_, err = b.svc.SetSMSAttributes(b.ctx, &SetSMSAttributesInput{Attributes: map[string]string{"DefaultSMSType": "Loud"}})
	requireCode(t, err, "InvalidParameter")
	got, err := b.svc.GetSMSAttributes(b.ctx, &GetSMSAttributesInput{})
	require.NoError(t, err)
	require.Equal(t, map[string]string{"DefaultSMSType": "Transactional"}, got.Attributes)

	out, err := b.svc.CheckIfPhoneNumberIsOptedOut(b.ctx, &CheckIfPhoneNumberIsOptedOutInput{PhoneNumber: &phone})
	require.NoError(t, err)
	require.False(t, *out.IsOptedOut)
}
