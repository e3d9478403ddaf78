package s3

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// The bucket configurations S3 stores and answers without acting on them: each is one JSON
// document per bucket and kind in the store (s3_bucket_configs), the generated type of the
// configuration marshalled as is. A kind without a document is "not configured".
const (
	cfgPolicy            = "policy"
	cfgCORS              = "cors"
	cfgLifecycle         = "lifecycle"
	cfgEncryption        = "encryption"
	cfgPublicAccessBlock = "publicAccessBlock"
	cfgOwnership         = "ownership"
	cfgACL               = "acl"
	cfgWebsite           = "website"
	cfgLogging           = "logging"
	cfgRequestPayment    = "requestPayment"
	cfgAccelerate        = "accelerate"
	cfgObjectLock        = "objectLock"
)

// newBucketConfigs are the configurations S3 gives every new bucket since April 2023:
// ACLs disabled (BucketOwnerEnforced) and all public access blocked.
func newBucketConfigs(ownership string) map[string]string {
	own, _ := json.Marshal(&OwnershipControls{Rules: []*OwnershipControlsRule{{ObjectOwnership: &ownership}}})
	pab, _ := json.Marshal(&PublicAccessBlockConfiguration{BlockPublicAcls: ptr(true), IgnorePublicAcls: ptr(true),
		BlockPublicPolicy: ptr(true), RestrictPublicBuckets: ptr(true)})
	return map[string]string{cfgOwnership: string(own), cfgPublicAccessBlock: string(pab)}
}

// putConfig stores v (a string is stored as is, anything else as its JSON) as the
// configuration of kind of bucket.
func (s *Service) putConfig(ctx context.Context, bucket, kind string, v any) error {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return err
	}
	doc, ok := v.(string)
	if !ok {
		b, err := json.Marshal(v)
		if err != nil {
			return errInternal(err)
		}
		doc = string(b)
	}
	if err := s.db.S3BucketConfigPut(ctx, bucket, kind, doc); err != nil {
		return bucketErr(bucket, err)
	}
	return nil
}

// getConfig reads the configuration of kind of bucket into v (a *string takes the
// document as is) and reports whether the bucket has one.
func (s *Service) getConfig(ctx context.Context, bucket, kind string, v any) (bool, error) {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return false, err
	}
	doc, err := s.db.S3BucketConfigGet(ctx, bucket, kind)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, errInternal(err)
	}
	if p, ok := v.(*string); ok {
		*p = doc
		return true, nil
	}
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return false, errInternal(err)
	}
	return true, nil
}

// requireConfig reads the configuration of kind of bucket into v, as getConfig, and
// answers S3's error code and message for a bucket without one.
func (s *Service) requireConfig(ctx context.Context, bucket, kind string, v any, code, msg string) error {
	ok, err := s.getConfig(ctx, bucket, kind, v)
	if err == nil && !ok {
		err = errNotConfigured(code, msg, bucket)
	}
	return err
}

// deleteConfig deletes the configuration of kind of bucket; deleting none succeeds, as in S3.
func (s *Service) deleteConfig(ctx context.Context, bucket, kind string) error {
	if _, err := s.bucket(ctx, bucket); err != nil {
		return err
	}
	if err := s.db.S3BucketConfigDelete(ctx, bucket, kind); err != nil {
		return bucketErr(bucket, err)
	}
	return nil
}

// errNotConfigured is S3's 404 for a bucket without the configuration asked for.
func errNotConfigured(code, msg, bucket string) *protocol.Error {
	return &protocol.Error{Code: code, Message: msg, Status: http.StatusNotFound, Fields: map[string]any{"BucketName": bucket}}
}

// --- Policy ---

func errMalformedPolicy(msg string) *protocol.Error {
	return &protocol.Error{Code: "MalformedPolicy", Message: msg, Status: http.StatusBadRequest}
}

// checkPolicy checks a bucket policy as S3 does before storing it: JSON whose first byte
// is '{', with statements that each name an effect, a principal, actions and resources.
func checkPolicy(doc string) error {
	var p map[string]json.RawMessage
	if !strings.HasPrefix(doc, "{") || json.Unmarshal([]byte(doc), &p) != nil {
		return errMalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
	}
	raw, ok := p["Statement"]
	if !ok {
		return errMalformedPolicy("Missing required field Statement")
	}
	var stmts []map[string]json.RawMessage
	if json.Unmarshal(raw, &stmts) != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return errMalformedPolicy("Policies must be valid JSON and the first byte must be '{'")
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		var effect string
		if e, ok := st["Effect"]; !ok {
			return errMalformedPolicy("Missing required field Effect")
		} else if json.Unmarshal(e, &effect) != nil || (effect != "Allow" && effect != "Deny") {
			return errMalformedPolicy("Invalid effect: " + strings.Trim(string(e), `"`))
		}
		for _, field := range []string{"Principal", "Action", "Resource"} {
			if _, ok := st[field]; !ok {
				if _, ok := st["Not"+field]; !ok {
					return errMalformedPolicy("Missing required field " + field)
				}
			}
		}
	}
	return nil
}

// policyIsPublic reports whether a policy grants access to everyone: an Allow statement
// for the principal "*" without conditions
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status).
func policyIsPublic(doc string) bool {
	var p struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &p) != nil {
		return false
	}
	type statement struct {
		Effect    string
		Principal json.RawMessage
		Condition json.RawMessage
	}
	var stmts []statement
	if json.Unmarshal(p.Statement, &stmts) != nil {
		var one statement
		if json.Unmarshal(p.Statement, &one) != nil {
			return false
		}
		stmts = []statement{one}
	}
	for _, st := range stmts {
		if st.Effect != "Allow" || len(st.Condition) > 0 {
			continue
		}
		var star string
		if json.Unmarshal(st.Principal, &star) == nil && star == "*" {
			return true
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(st.Principal, &m) == nil {
			var aws string
			var awsList []string
			if json.Unmarshal(m["AWS"], &aws) == nil && aws == "*" {
				return true
			}
			if json.Unmarshal(m["AWS"], &awsList) == nil {
				for _, a := range awsList {
					if a == "*" {
						return true
					}
				}
			}
		}
	}
	return false
}

// PutBucketPolicy implements S3 PutBucketPolicy. The policy is stored as given, not enforced.
func (s *Service) PutBucketPolicy(ctx context.Context, in *PutBucketPolicyInput) (*PutBucketPolicyOutput, error) {
	doc := deref(in.Policy)
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	if err := checkPolicy(doc); err != nil {
		return nil, err
	}
	if policyIsPublic(doc) {
		pab, err := s.publicAccessBlock(ctx, deref(in.Bucket))
		if err != nil {
			return nil, err
		}
		if pab != nil && pab.BlockPublicPolicy != nil && *pab.BlockPublicPolicy {
			return nil, &protocol.Error{Code: ErrCodeAccessDenied, Status: http.StatusForbidden,
				Message: "User: arn:aws:iam::" + callOf(ctx).Account + ":root is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::" +
					deref(in.Bucket) + "\" because public policies are blocked by the BlockPublicPolicy block public access setting."}
		}
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgPolicy, doc); err != nil {
		return nil, err
	}
	return &PutBucketPolicyOutput{}, nil
}

// GetBucketPolicy implements S3 GetBucketPolicy: the policy as it was put.
func (s *Service) GetBucketPolicy(ctx context.Context, in *GetBucketPolicyInput) (*GetBucketPolicyOutput, error) {
	var doc string
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgPolicy, &doc, "NoSuchBucketPolicy", "The bucket policy does not exist"); err != nil {
		return nil, err
	}
	return &GetBucketPolicyOutput{Policy: &doc}, nil
}

// DeleteBucketPolicy implements S3 DeleteBucketPolicy.
func (s *Service) DeleteBucketPolicy(ctx context.Context, in *DeleteBucketPolicyInput) (*DeleteBucketPolicyOutput, error) {
	return &DeleteBucketPolicyOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgPolicy)
}

// GetBucketPolicyStatus implements S3 GetBucketPolicyStatus.
func (s *Service) GetBucketPolicyStatus(ctx context.Context, in *GetBucketPolicyStatusInput) (*GetBucketPolicyStatusOutput, error) {
	var doc string
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgPolicy, &doc, "NoSuchBucketPolicy", "The bucket policy does not exist"); err != nil {
		return nil, err
	}
	return &GetBucketPolicyStatusOutput{PolicyStatus: &PolicyStatus{IsPublic: ptr(policyIsPublic(doc))}}, nil
}

// --- CORS ---

// corsMethods are the methods a CORS rule may allow.
var corsMethods = map[string]bool{"GET": true, "PUT": true, "HEAD": true, "POST": true, "DELETE": true}

// maxCORSRules is the most rules a CORS configuration holds
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html).
const maxCORSRules = 100

// PutBucketCors implements S3 PutBucketCors. The rules are stored, not applied to requests.
func (s *Service) PutBucketCors(ctx context.Context, in *PutBucketCorsInput) (*PutBucketCorsOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.CORSConfiguration
	if c == nil || len(c.CORSRules) == 0 {
		return nil, protocol.MalformedXML()
	}
	if len(c.CORSRules) > maxCORSRules {
		return nil, errInvalidRequest("The number of CORS rules should not exceed allowed limit of 100 rules.")
	}
	for _, r := range c.CORSRules {
		if len(r.AllowedMethods) == 0 || len(r.AllowedOrigins) == 0 {
			return nil, protocol.MalformedXML()
		}
		for _, m := range r.AllowedMethods {
			if !corsMethods[m] {
				return nil, errInvalidRequest("Found unsupported HTTP method in CORS config. Unsupported method is " + m)
			}
		}
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgCORS, c); err != nil {
		return nil, err
	}
	return &PutBucketCorsOutput{}, nil
}

// GetBucketCors implements S3 GetBucketCors.
func (s *Service) GetBucketCors(ctx context.Context, in *GetBucketCorsInput) (*GetBucketCorsOutput, error) {
	var c CORSConfiguration
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgCORS, &c, "NoSuchCORSConfiguration", "The CORS configuration does not exist"); err != nil {
		return nil, err
	}
	return &GetBucketCorsOutput{CORSRules: c.CORSRules}, nil
}

// DeleteBucketCors implements S3 DeleteBucketCors.
func (s *Service) DeleteBucketCors(ctx context.Context, in *DeleteBucketCorsInput) (*DeleteBucketCorsOutput, error) {
	return &DeleteBucketCorsOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgCORS)
}

// --- Lifecycle ---

// maxLifecycleRules is the most rules a lifecycle configuration holds.
const maxLifecycleRules = 1000

// PutBucketLifecycleConfiguration implements S3 PutBucketLifecycleConfiguration. The
// rules are stored, never applied: objects do not expire or change storage class.
func (s *Service) PutBucketLifecycleConfiguration(ctx context.Context, in *PutBucketLifecycleConfigurationInput) (*PutBucketLifecycleConfigurationOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.LifecycleConfiguration
	if c == nil || len(c.Rules) == 0 {
		return nil, protocol.MalformedXML()
	}
	if len(c.Rules) > maxLifecycleRules {
		return nil, errInvalidRequest("The number of lifecycle rules should not exceed allowed limit of 1000 rules")
	}
	ids := map[string]bool{}
	for _, r := range c.Rules {
		if st := deref(r.Status); st != "Enabled" && st != "Disabled" {
			return nil, protocol.MalformedXML()
		}
		if len(deref(r.ID)) > 255 {
			return nil, errInvalidArgument("ID length should not exceed allowed limit of 255", "ID", deref(r.ID))
		}
		if r.ID != nil && *r.ID != "" {
			if ids[*r.ID] {
				return nil, errInvalidArgument("Rule ID must be unique. Found same ID for more than one rule", "ID", *r.ID)
			}
			ids[*r.ID] = true
		}
		if r.Prefix != nil && r.Filter != nil {
			return nil, protocol.MalformedXML()
		}
		if r.Expiration == nil && len(r.Transitions) == 0 && r.NoncurrentVersionExpiration == nil &&
			len(r.NoncurrentVersionTransitions) == 0 && r.AbortIncompleteMultipartUpload == nil {
			return nil, errInvalidRequest("At least one action needs to be specified in a rule")
		}
		if r.ID == nil || *r.ID == "" {
			// S3 names the rules put without an ID.
			r.ID = ptr(newConfigurationID())
		}
	}
	size := minimumObjectSize(in.TransitionDefaultMinimumObjectSize)
	if size != "all_storage_classes_128K" && size != "varies_by_storage_class" {
		return nil, errInvalidRequest("Invalid TransitionDefaultMinimumObjectSize found: " + size)
	}
	stored := &GetBucketLifecycleConfigurationOutput{Rules: c.Rules, TransitionDefaultMinimumObjectSize: &size}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgLifecycle, stored); err != nil {
		return nil, err
	}
	return &PutBucketLifecycleConfigurationOutput{TransitionDefaultMinimumObjectSize: &size}, nil
}

// minimumObjectSize is the x-amz-transition-default-minimum-object-size S3 answers: the
// one given, or all_storage_classes_128K, its default since September 2024.
func minimumObjectSize(p *string) string {
	if p == nil || *p == "" {
		return "all_storage_classes_128K"
	}
	return *p
}

// GetBucketLifecycleConfiguration implements S3 GetBucketLifecycleConfiguration.
func (s *Service) GetBucketLifecycleConfiguration(ctx context.Context, in *GetBucketLifecycleConfigurationInput) (*GetBucketLifecycleConfigurationOutput, error) {
	var out GetBucketLifecycleConfigurationOutput
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgLifecycle, &out, "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteBucketLifecycle implements S3 DeleteBucketLifecycle.
func (s *Service) DeleteBucketLifecycle(ctx context.Context, in *DeleteBucketLifecycleInput) (*DeleteBucketLifecycleOutput, error) {
	return &DeleteBucketLifecycleOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgLifecycle)
}

// --- Default encryption ---

// sseAlgorithms are the default encryption algorithms a bucket may name.
var sseAlgorithms = map[string]bool{"AES256": true, "aws:kms": true, "aws:kms:dsse": true}

// PutBucketEncryption implements S3 PutBucketEncryption. Overcast stores objects
// unencrypted whatever the configuration says.
func (s *Service) PutBucketEncryption(ctx context.Context, in *PutBucketEncryptionInput) (*PutBucketEncryptionOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.ServerSideEncryptionConfiguration
	if c == nil || len(c.Rules) != 1 || c.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return nil, protocol.MalformedXML()
	}
	def := c.Rules[0].ApplyServerSideEncryptionByDefault
	alg := deref(def.SSEAlgorithm)
	if !sseAlgorithms[alg] {
		return nil, protocol.MalformedXML()
	}
	if def.KMSMasterKeyID != nil && alg == "AES256" {
		e := protocol.InvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		e.Fields = map[string]any{"ArgumentName": "ApplyServerSideEncryptionByDefault"}
		return nil, e
	}
	if c.Rules[0].BucketKeyEnabled == nil {
		c.Rules[0].BucketKeyEnabled = ptr(false)
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgEncryption, c); err != nil {
		return nil, err
	}
	return &PutBucketEncryptionOutput{}, nil
}

// GetBucketEncryption implements S3 GetBucketEncryption. Every bucket is encrypted since
// January 2023: one without a configuration answers SSE-S3 (AES256).
func (s *Service) GetBucketEncryption(ctx context.Context, in *GetBucketEncryptionInput) (*GetBucketEncryptionOutput, error) {
	var c ServerSideEncryptionConfiguration
	ok, err := s.getConfig(ctx, deref(in.Bucket), cfgEncryption, &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		c = ServerSideEncryptionConfiguration{Rules: []*ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &ServerSideEncryptionByDefault{SSEAlgorithm: ptr("AES256")},
			BucketKeyEnabled:                   ptr(false),
		}}}
	}
	return &GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: &c}, nil
}

// DeleteBucketEncryption implements S3 DeleteBucketEncryption: the bucket is back to the
// default, SSE-S3.
func (s *Service) DeleteBucketEncryption(ctx context.Context, in *DeleteBucketEncryptionInput) (*DeleteBucketEncryptionOutput, error) {
	return &DeleteBucketEncryptionOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgEncryption)
}

// --- Public access block ---

// PutPublicAccessBlock implements S3 PutPublicAccessBlock; flags not given are false.
func (s *Service) PutPublicAccessBlock(ctx context.Context, in *PutPublicAccessBlockInput) (*PutPublicAccessBlockOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.PublicAccessBlockConfiguration
	if c == nil {
		return nil, protocol.MalformedXML()
	}
	for _, f := range []**bool{&c.BlockPublicAcls, &c.IgnorePublicAcls, &c.BlockPublicPolicy, &c.RestrictPublicBuckets} {
		if *f == nil {
			*f = ptr(false)
		}
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgPublicAccessBlock, c); err != nil {
		return nil, err
	}
	return &PutPublicAccessBlockOutput{}, nil
}

// GetPublicAccessBlock implements S3 GetPublicAccessBlock. New buckets block all public
// access (newBucketConfigs).
func (s *Service) GetPublicAccessBlock(ctx context.Context, in *GetPublicAccessBlockInput) (*GetPublicAccessBlockOutput, error) {
	var c PublicAccessBlockConfiguration
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgPublicAccessBlock, &c, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found"); err != nil {
		return nil, err
	}
	return &GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: &c}, nil
}

// publicAccessBlock returns the bucket's public access block, nil when it has none.
func (s *Service) publicAccessBlock(ctx context.Context, bucket string) (*PublicAccessBlockConfiguration, error) {
	var c PublicAccessBlockConfiguration
	ok, err := s.getConfig(ctx, bucket, cfgPublicAccessBlock, &c)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

// DeletePublicAccessBlock implements S3 DeletePublicAccessBlock.
func (s *Service) DeletePublicAccessBlock(ctx context.Context, in *DeletePublicAccessBlockInput) (*DeletePublicAccessBlockOutput, error) {
	return &DeletePublicAccessBlockOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgPublicAccessBlock)
}

// --- Website ---

// PutBucketWebsite implements S3 PutBucketWebsite. Overcast has no website endpoint: the
// configuration is stored and answered only.
func (s *Service) PutBucketWebsite(ctx context.Context, in *PutBucketWebsiteInput) (*PutBucketWebsiteOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.WebsiteConfiguration
	if c == nil {
		return nil, protocol.MalformedXML()
	}
	if c.RedirectAllRequestsTo != nil {
		if c.IndexDocument != nil || c.ErrorDocument != nil || len(c.RoutingRules) > 0 {
			return nil, errInvalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.",
				"RedirectAllRequestsTo", "not null")
		}
	} else if c.IndexDocument == nil {
		return nil, errInvalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
			"IndexDocument", "null")
	} else if suffix := deref(c.IndexDocument.Suffix); suffix == "" || strings.Contains(suffix, "/") {
		return nil, errInvalidArgument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix)
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgWebsite, c); err != nil {
		return nil, err
	}
	return &PutBucketWebsiteOutput{}, nil
}

// GetBucketWebsite implements S3 GetBucketWebsite.
func (s *Service) GetBucketWebsite(ctx context.Context, in *GetBucketWebsiteInput) (*GetBucketWebsiteOutput, error) {
	var c WebsiteConfiguration
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgWebsite, &c, "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration"); err != nil {
		return nil, err
	}
	return &GetBucketWebsiteOutput{RedirectAllRequestsTo: c.RedirectAllRequestsTo, IndexDocument: c.IndexDocument,
		ErrorDocument: c.ErrorDocument, RoutingRules: c.RoutingRules}, nil
}

// DeleteBucketWebsite implements S3 DeleteBucketWebsite.
func (s *Service) DeleteBucketWebsite(ctx context.Context, in *DeleteBucketWebsiteInput) (*DeleteBucketWebsiteOutput, error) {
	return &DeleteBucketWebsiteOutput{}, s.deleteConfig(ctx, deref(in.Bucket), cfgWebsite)
}

// --- Logging, request payment, transfer acceleration ---

// PutBucketLogging implements S3 PutBucketLogging: a status with LoggingEnabled turns
// logging on (no log is ever written), an empty one turns it off.
func (s *Service) PutBucketLogging(ctx context.Context, in *PutBucketLoggingInput) (*PutBucketLoggingOutput, error) {
	b, err := s.bucket(ctx, deref(in.Bucket))
	if err != nil {
		return nil, err
	}
	if in.BucketLoggingStatus == nil {
		return nil, protocol.MalformedXML()
	}
	le := in.BucketLoggingStatus.LoggingEnabled
	if le == nil {
		return &PutBucketLoggingOutput{}, s.deleteConfig(ctx, b.Name, cfgLogging)
	}
	target, err := s.db.S3BucketGet(ctx, deref(le.TargetBucket))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, &protocol.Error{Code: "InvalidTargetBucketForLogging", Message: "The target bucket for logging does not exist",
			Status: http.StatusBadRequest, Fields: map[string]any{"TargetBucket": deref(le.TargetBucket)}}
	case err != nil:
		return nil, errInternal(err)
	case target.Account != b.Account:
		return nil, &protocol.Error{Code: "InvalidTargetBucketForLogging",
			Message: "The owner for the bucket to be logged and the target bucket must be the same.",
			Status:  http.StatusBadRequest, Fields: map[string]any{"TargetBucket": target.Name}}
	case target.Region != b.Region:
		return nil, &protocol.Error{Code: "CrossLocationLoggingProhibitted",
			Message: "Cross S3 location logging not allowed. ", Status: http.StatusForbidden,
			Fields: map[string]any{"SourceBucketLocation": b.Region, "TargetBucketLocation": target.Region}}
	}
	if err := s.putConfig(ctx, b.Name, cfgLogging, le); err != nil {
		return nil, err
	}
	return &PutBucketLoggingOutput{}, nil
}

// GetBucketLogging implements S3 GetBucketLogging: an empty status when logging is off.
func (s *Service) GetBucketLogging(ctx context.Context, in *GetBucketLoggingInput) (*GetBucketLoggingOutput, error) {
	var le LoggingEnabled
	ok, err := s.getConfig(ctx, deref(in.Bucket), cfgLogging, &le)
	if err != nil || !ok {
		return &GetBucketLoggingOutput{}, err
	}
	return &GetBucketLoggingOutput{LoggingEnabled: &le}, nil
}

// PutBucketRequestPayment implements S3 PutBucketRequestPayment. Overcast charges no one.
func (s *Service) PutBucketRequestPayment(ctx context.Context, in *PutBucketRequestPaymentInput) (*PutBucketRequestPaymentOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	c := in.RequestPaymentConfiguration
	if c == nil || (deref(c.Payer) != "Requester" && deref(c.Payer) != "BucketOwner") {
		return nil, protocol.MalformedXML()
	}
	if err := s.putConfig(ctx, deref(in.Bucket), cfgRequestPayment, c); err != nil {
		return nil, err
	}
	return &PutBucketRequestPaymentOutput{}, nil
}

// GetBucketRequestPayment implements S3 GetBucketRequestPayment: BucketOwner unless
// Requester was put.
func (s *Service) GetBucketRequestPayment(ctx context.Context, in *GetBucketRequestPaymentInput) (*GetBucketRequestPaymentOutput, error) {
	c := RequestPaymentConfiguration{Payer: ptr("BucketOwner")}
	if _, err := s.getConfig(ctx, deref(in.Bucket), cfgRequestPayment, &c); err != nil {
		return nil, err
	}
	return &GetBucketRequestPaymentOutput{Payer: c.Payer}, nil
}

// PutBucketAccelerateConfiguration implements S3 PutBucketAccelerateConfiguration.
func (s *Service) PutBucketAccelerateConfiguration(ctx context.Context, in *PutBucketAccelerateConfigurationInput) (*PutBucketAccelerateConfigurationOutput, error) {
	name := deref(in.Bucket)
	if _, err := s.bucket(ctx, name); err != nil {
		return nil, err
	}
	c := in.AccelerateConfiguration
	if c == nil || (deref(c.Status) != "Enabled" && deref(c.Status) != "Suspended") {
		return nil, protocol.MalformedXML()
	}
	if strings.Contains(name, ".") {
		return nil, errInvalidRequest("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
	}
	if err := s.putConfig(ctx, name, cfgAccelerate, c); err != nil {
		return nil, err
	}
	return &PutBucketAccelerateConfigurationOutput{}, nil
}

// GetBucketAccelerateConfiguration implements S3 GetBucketAccelerateConfiguration: no
// Status until one was put.
func (s *Service) GetBucketAccelerateConfiguration(ctx context.Context, in *GetBucketAccelerateConfigurationInput) (*GetBucketAccelerateConfigurationOutput, error) {
	var c AccelerateConfiguration
	if _, err := s.getConfig(ctx, deref(in.Bucket), cfgAccelerate, &c); err != nil {
		return nil, err
	}
	return &GetBucketAccelerateConfigurationOutput{Status: c.Status}, nil
}

// --- Configurations Overcast never has, or keeps without applying ---

// GetBucketReplication implements S3 GetBucketReplication: Overcast does not replicate,
// so no bucket has a replication configuration.
func (s *Service) GetBucketReplication(ctx context.Context, in *GetBucketReplicationInput) (*GetBucketReplicationOutput, error) {
	if _, err := s.bucket(ctx, deref(in.Bucket)); err != nil {
		return nil, err
	}
	return nil, errNotConfigured("ReplicationConfigurationNotFoundError", "The replication configuration was not found", deref(in.Bucket))
}

// errInvalidBucketState answers a configuration the bucket's state does not allow.
func errInvalidBucketState(msg string) *protocol.Error {
	return &protocol.Error{Code: "InvalidBucketState", Message: msg, Status: http.StatusConflict}
}

// PutObjectLockConfiguration implements S3 PutObjectLockConfiguration on a bucket with
// versioning enabled. The default retention is stored, not enforced: objects stay
// deletable.
func (s *Service) PutObjectLockConfiguration(ctx context.Context, in *PutObjectLockConfigurationInput) (*PutObjectLockConfigurationOutput, error) {
	name := deref(in.Bucket)
	if _, err := s.bucket(ctx, name); err != nil {
		return nil, err
	}
	c := in.ObjectLockConfiguration
	if c == nil || deref(c.ObjectLockEnabled) != "Enabled" {
		return nil, protocol.MalformedXML()
	}
	if c.Rule != nil {
		r := c.Rule.DefaultRetention
		if r == nil || r.Mode == nil || (r.Days == nil) == (r.Years == nil) {
			return nil, protocol.MalformedXML()
		}
		if (r.Days != nil && *r.Days <= 0) || (r.Years != nil && *r.Years <= 0) {
			return nil, errInvalidArgument("Default retention period must be a positive integer value", "", "")
		}
	}
	state, err := s.versioning(ctx, name)
	if err != nil {
		return nil, err
	}
	if state != versioningEnabled {
		return nil, errInvalidBucketState("Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	}
	if err := s.putConfig(ctx, name, cfgObjectLock, c); err != nil {
		return nil, err
	}
	return &PutObjectLockConfigurationOutput{}, nil
}

// GetObjectLockConfiguration implements S3 GetObjectLockConfiguration.
func (s *Service) GetObjectLockConfiguration(ctx context.Context, in *GetObjectLockConfigurationInput) (*GetObjectLockConfigurationOutput, error) {
	var c ObjectLockConfiguration
	if err := s.requireConfig(ctx, deref(in.Bucket), cfgObjectLock, &c, "ObjectLockConfigurationNotFoundError",
		"Object Lock configuration does not exist for this bucket"); err != nil {
		return nil, err
	}
	return &GetObjectLockConfigurationOutput{ObjectLockConfiguration: &c}, nil
}
