package edge

import (
	"net/http"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/protocol"
)

// Auth modes of Config.Auth.
const (
	// AuthOff reads signatures only to learn the account and region; nothing is rejected.
	AuthOff = "off"
	// AuthSigV4 verifies every Signature Version 4 signature, in headers and presigned
	// URLs, against the configured credentials.
	AuthSigV4 = "sigv4"
)

// Credential is a secret access key and the account it belongs to.
type Credential struct {
	// Secret is the secret access key.
	Secret string
	// Account is the 12-digit account id. Empty means Config.DefaultAccount.
	Account string
	// SessionToken, when set, must be sent with the key (X-Amz-Security-Token), as for
	// temporary credentials.
	SessionToken string
	// Expires, when set, is when temporary credentials stop being accepted: requests
	// signed with them after it answer ExpiredToken.
	Expires time.Time
}

// authFamily is how a service words authentication failures: AWS's JSON front end, the
// query services, and S3 each have their own codes.
type authFamily int

const (
	familyJSON authFamily = iota
	familyQuery
	familyS3
)

func familyOf(info *protocol.ServiceInfo) authFamily {
	switch {
	case info.SigningName == "s3" && info.Protocol == protocol.RestXML:
		return familyS3
	case info.Protocol == protocol.Query || info.QueryCompatible:
		return familyQuery
	default:
		return familyJSON
	}
}

// AWS's wording of authentication failures.
const (
	msgInvalidToken     = "The security token included in the request is invalid."
	msgSignatureNoMatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgS3NoMatch        = "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	msgPayloadMismatch  = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgExpiredToken     = "The security token included in the request is expired"
)

// authError words f the way the service's family does.
func authError(fam authFamily, f *authFailure, sig *signature) *protocol.Error {
	switch fam {
	case familyS3:
		return s3AuthError(f, sig)
	case familyQuery:
		switch f.kind {
		case authMissing:
			return protocol.NewError("MissingAuthenticationToken", http.StatusForbidden, "Request is missing Authentication Token")
		case authMalformed:
			return protocol.NewError("IncompleteSignature", http.StatusBadRequest, f.msg)
		case authUnknownKey:
			return protocol.NewError("InvalidClientTokenId", http.StatusForbidden, msgInvalidToken)
		case authExpiredToken:
			return protocol.NewError("ExpiredToken", http.StatusForbidden, msgExpiredToken)
		case authPayloadHashMismatch:
			return protocol.NewError("SignatureDoesNotMatch", http.StatusBadRequest, msgPayloadMismatch)
		default:
			return protocol.NewError("SignatureDoesNotMatch", http.StatusForbidden, orDefault(f.msg, msgSignatureNoMatch))
		}
	default:
		switch f.kind {
		case authMissing:
			return protocol.NewError("MissingAuthenticationTokenException", http.StatusForbidden, "Missing Authentication Token")
		case authMalformed:
			return protocol.NewError("IncompleteSignatureException", http.StatusBadRequest, f.msg)
		case authUnknownKey:
			return protocol.NewError("UnrecognizedClientException", http.StatusForbidden, msgInvalidToken)
		case authExpiredToken:
			return protocol.NewError("ExpiredTokenException", http.StatusForbidden, msgExpiredToken)
		case authSkewed:
			return protocol.NewError("InvalidSignatureException", http.StatusBadRequest, f.msg)
		case authPayloadHashMismatch:
			return protocol.NewError("InvalidSignatureException", http.StatusBadRequest, msgPayloadMismatch)
		default:
			return protocol.NewError("InvalidSignatureException", http.StatusForbidden, orDefault(f.msg, msgSignatureNoMatch))
		}
	}
}

// s3AuthError words f as S3 does, with the extra elements S3 puts in its error body
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
func s3AuthError(f *authFailure, sig *signature) *protocol.Error {
	switch f.kind {
	case authMissing:
		return protocol.NewError("AccessDenied", http.StatusForbidden, "Access Denied")
	case authMalformed:
		switch {
		case sig.v2:
			// S3 in regions opened since 2014 answers Signature Version 2 so.
			return protocol.NewError("InvalidRequest", http.StatusBadRequest, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
		case sig.presigned:
			return protocol.NewError("AuthorizationQueryParametersError", http.StatusBadRequest, f.msg)
		case sig.amzDate == "":
			return protocol.NewError("AccessDenied", http.StatusForbidden, "AWS authentication requires a valid Date or x-amz-date header")
		case strings.HasPrefix(f.msg, "Credential"):
			return protocol.NewError("AuthorizationHeaderMalformed", http.StatusBadRequest, `The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
		case strings.HasPrefix(f.msg, "Authorization header requires"), strings.Contains(f.msg, "key=value"):
			return protocol.NewError("AuthorizationHeaderMalformed", http.StatusBadRequest, "The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.")
		default:
			return protocol.NewError("AuthorizationHeaderMalformed", http.StatusBadRequest, "The authorization header is malformed; "+f.msg)
		}
	case authUnknownKey:
		e := protocol.NewError("InvalidAccessKeyId", http.StatusForbidden, "The AWS Access Key Id you provided does not exist in our records.")
		e.Fields = map[string]any{"AWSAccessKeyId": sig.accessKey}
		return e
	case authExpiredToken:
		return protocol.NewError("ExpiredToken", http.StatusBadRequest, "The provided token has expired.")
	case authSkewed:
		e := protocol.NewError("RequestTimeTooSkewed", http.StatusForbidden, "The difference between the request time and the current time is too large.")
		e.Fields = map[string]any{"RequestTime": f.requestTime, "ServerTime": f.serverTime, "MaxAllowedSkewMilliseconds": "900000"}
		return e
	case authPresignExpired:
		e := protocol.NewError("AccessDenied", http.StatusForbidden, "Request has expired")
		e.Fields = map[string]any{"X-Amz-Expires": sig.expires, "Expires": f.expires, "ServerTime": f.serverTime}
		return e
	case authPresignNotYet:
		return protocol.NewError("AccessDenied", http.StatusForbidden, "Request is not valid yet")
	case authPayloadHashMismatch:
		e := protocol.NewError("XAmzContentSHA256Mismatch", http.StatusBadRequest, msgPayloadMismatch)
		e.Fields = map[string]any{"ClientComputedContentSHA256": f.clientSHA256, "S3ComputedContentSHA256": f.computedSHA256}
		return e
	default:
		e := protocol.NewError("SignatureDoesNotMatch", http.StatusForbidden, msgS3NoMatch)
		if f.msg != "" {
			e.Message = f.msg
		}
		e.Fields = map[string]any{
			"AWSAccessKeyId":    sig.accessKey,
			"StringToSign":      f.stringToSign,
			"SignatureProvided": sig.sig,
			"CanonicalRequest":  f.canonical,
		}
		return e
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
