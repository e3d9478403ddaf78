package lambda

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/lambdart"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Lambda's limits (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const (
	maxMemoryMB       = 10240
	maxTimeoutSeconds = 900
	maxEnvBytes       = 4096
	maxZipBytes       = 50 * 1024 * 1024
	lastModifiedFmt   = "2006-01-02T15:04:05.000-0700"
)

// reservedEnvKeys are the environment variables Lambda sets and refuses to let a function
// configure.
var reservedEnvKeys = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// functionConfig is the stored configuration of one function version.
type functionConfig struct {
	Runtime     string `json:"runtime"`
	Role        string `json:"role"`
	Handler     string `json:"handler"`
	Description string `json:"description,omitempty"`
	Timeout     int32  `json:"timeout"`
	MemorySize  int32  `json:"memory"`
	Ephemeral   int32  `json:"ephemeral"`
	// Environment is nil for a function configured without one; an empty map (stored as
	// {}, not left out) is answered as AWS does, "Environment": {"Variables": {}}.
	Environment   map[string]string `json:"env"`
	Architectures []string          `json:"arch"`
	Layers        []string          `json:"layers,omitempty"`
	// LayerRefs are the layer versions of Layers, in order (see layer.go).
	LayerRefs []layerRef `json:"layerRefs,omitempty"`
	// DeadLetter is the DeadLetterConfig's TargetArn, "" when none.
	DeadLetter string `json:"dlq,omitempty"`
	// CodeSHA256 is the hex SHA-256 of the zip (the code cache's key); CodeSha256 on the
	// wire is its base64.
	CodeSHA256   string `json:"sha256"`
	CodeSize     int64  `json:"codeSize"`
	LastModified int64  `json:"modified"`
	// Logging is the LoggingConfig (logging.go).
	Logging logging `json:"logging,omitzero"`
}

func decodeConfig(s string) (*functionConfig, error) {
	var c functionConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode function config: %w", err)
	}
	return &c, nil
}

func (c *functionConfig) encode() string {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err) // plain strings and numbers always marshal
	}
	return string(b)
}

func (c *functionConfig) codeSha256() string {
	code := &lambdart.Code{SHA256: c.CodeSHA256}
	return code.CodeSha256()
}

// wire renders a version's configuration. Published versions carry their qualified ARN,
// as does $LATEST when qualifiedLatest is set (ListVersionsByFunction).
func (c *functionConfig) wire(call *protocol.Call, name string, v *store.LambdaVersion, qualifiedLatest bool) *FunctionConfiguration {
	arn := functionARN(call, name, "")
	if v.Version != store.LambdaLatest || qualifiedLatest {
		arn = functionARN(call, name, versionName(v.Version))
	}
	out := &FunctionConfiguration{
		FunctionName:     ptr(name),
		FunctionARN:      ptr(arn),
		Runtime:          ptr(c.Runtime),
		Role:             ptr(c.Role),
		Handler:          ptr(c.Handler),
		CodeSize:         ptr(c.CodeSize),
		Description:      ptr(c.Description),
		Timeout:          ptr(c.Timeout),
		MemorySize:       ptr(c.MemorySize),
		LastModified:     ptr(time.UnixMilli(c.LastModified).UTC().Format(lastModifiedFmt)),
		CodeSha256:       ptr(c.codeSha256()),
		Version:          ptr(versionName(v.Version)),
		RevisionID:       ptr(v.RevisionID),
		State:            ptr(StateActive),
		LastUpdateStatus: ptr(LastUpdateStatusSuccessful),
		PackageType:      ptr(PackageTypeZip),
		Architectures:    c.Architectures,
		EphemeralStorage: &EphemeralStorage{Size: ptr(c.Ephemeral)},
		TracingConfig:    &TracingConfigResponse{Mode: ptr(TracingModePassThrough)},
		LoggingConfig:    c.Logging.wire(name),
		SnapStart:        &SnapStartResponse{ApplyOn: ptr(SnapStartApplyOnNone), OptimizationStatus: ptr(SnapStartOptimizationStatusOff)},
	}
	if c.Environment != nil {
		out.Environment = &EnvironmentResponse{Variables: c.Environment}
	}
	if c.Runtime != "" {
		out.RuntimeVersionConfig = &RuntimeVersionConfig{RuntimeVersionARN: ptr(runtimeVersionARN(call, c.Runtime))}
	}
	out.Layers = c.wireLayers()
	if c.DeadLetter != "" {
		out.DeadLetterConfig = &DeadLetterConfig{TargetARN: ptr(c.DeadLetter)}
	}
	return out
}

func ptr[T any](v T) *T { return &v }

// newRevisionID returns a random UUID (version 4), the form of Lambda's revision ids.
func newRevisionID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// validateConfig checks what the model cannot: Lambda's own limits and rules.
func validateConfig(c *functionConfig) error {
	if c.Runtime == "" || c.Handler == "" {
		return NewInvalidParameterValueException("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if _, ok := lambdart.LookupRuntime(c.Runtime); !ok {
		return NewInvalidParameterValueException(fmt.Sprintf("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions.", c.Runtime))
	}
	// The model allows more memory and time than Lambda does: AWS answers its own limits
	// in the model validation's words.
	if err := checkRange("memorySize", int64(c.MemorySize), 128, maxMemoryMB); err != nil {
		return err
	}
	if err := checkRange("timeout", int64(c.Timeout), 1, maxTimeoutSeconds); err != nil {
		return err
	}
	if c.Ephemeral < 512 || c.Ephemeral > 10240 {
		return NewInvalidParameterValueException("'EphemeralStorage.Size' value failed to satisfy constraint: Member must have value between 512 and 10240")
	}
	if err := checkDeadLetter(c.DeadLetter); err != nil {
		return err
	}
	if len(c.Architectures) > 1 {
		return NewInvalidParameterValueException("'architectures' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	if c.Environment != nil {
		var reserved []string
		for k := range c.Environment {
			if slices.Contains(reservedEnvKeys, k) {
				reserved = append(reserved, k)
			}
		}
		if len(reserved) > 0 {
			slices.Sort(reserved)
			return NewInvalidParameterValueException("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: " + strings.Join(reserved, ", "))
		}
		b, _ := json.Marshal(c.Environment)
		if len(b) > maxEnvBytes {
			return NewInvalidParameterValueException("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: " + string(b))
		}
	}
	return nil
}

// checkRange answers a value outside [min, max] with a ValidationException worded as
// AWS's model validation words it.
func checkRange(member string, v, min, max int64) error {
	constraint := ""
	switch {
	case v < min:
		constraint = fmt.Sprintf("Member must have value greater than or equal to %d", min)
	case v > max:
		constraint = fmt.Sprintf("Member must have value less than or equal to %d", max)
	default:
		return nil
	}
	return protocol.ValidationException(fmt.Sprintf("1 validation error detected: Value '%d' at '%s' failed to satisfy constraint: %s", v, member, constraint))
}

// unpack checks a deployment package handed to operation (CreateFunction,
// UpdateFunctionCode, PublishLayerVersion) and puts it in the code cache.
func (s *Service) unpack(operation string, zip []byte) (*lambdart.Code, error) {
	if len(zip) > maxZipBytes {
		return nil, protocol.NewError("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge,
			fmt.Sprintf("Request must be smaller than 70167211 bytes for the %s operation", operation))
	}
	rt, err := s.runtime()
	if err != nil {
		return nil, err
	}
	code, err := rt.Code().Unpack(zip)
	var sizeErr *lambdart.CodeSizeError
	switch {
	case errors.Is(err, lambdart.ErrInvalidZip):
		return nil, NewInvalidParameterValueException("Could not unzip uploaded file. Please check your file, then try to upload again.")
	case errors.As(err, &sizeErr):
		return nil, NewInvalidParameterValueException(fmt.Sprintf("Unzipped size must be smaller than %d bytes", sizeErr.Limit))
	case err != nil:
		return nil, fmt.Errorf("unpack code: %w", err)
	}
	return code, nil
}

// CreateFunction creates a function from a zip deployment package, publishing version 1
// when asked.
func (s *Service) CreateFunction(ctx context.Context, in *CreateFunctionInput) (*CreateFunctionOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	if ref.Qualifier != "" {
		return nil, NewInvalidParameterValueException("Unsupported function name format: " + *in.FunctionName)
	}
	if in.PackageType != nil && *in.PackageType != PackageTypeZip {
		return nil, NewInvalidParameterValueException("Overcast supports only Zip packages.")
	}
	var zip []byte
	if in.Code != nil {
		if zip, _, err = s.codeFrom(ctx, call, in.Code.ZipFile, in.Code.S3Bucket, in.Code.S3Key, in.Code.S3ObjectVersion); err != nil {
			return nil, err
		}
	}
	if zip == nil {
		return nil, NewInvalidParameterValueException("Please provide a source for function code.")
	}
	c := &functionConfig{
		Runtime:       deref(in.Runtime),
		Role:          deref(in.Role),
		Handler:       deref(in.Handler),
		Description:   deref(in.Description),
		Timeout:       derefOr(in.Timeout, 3),
		MemorySize:    derefOr(in.MemorySize, 128),
		Ephemeral:     512,
		Architectures: in.Architectures,
		Layers:        in.Layers,
		DeadLetter:    deadLetterTarget(in.DeadLetterConfig),
		LastModified:  s.clock.Now().UnixMilli(),
	}
	if len(c.Architectures) == 0 {
		c.Architectures = []string{ArchitectureX8664}
	}
	if in.EphemeralStorage != nil && in.EphemeralStorage.Size != nil {
		c.Ephemeral = *in.EphemeralStorage.Size
	}
	if in.Environment != nil {
		c.Environment = in.Environment.Variables
		if c.Environment == nil {
			c.Environment = map[string]string{}
		}
	}
	if err := applyLogging(c, in.LoggingConfig); err != nil {
		return nil, err
	}
	if err := validateConfig(c); err != nil {
		return nil, err
	}
	csc, err := s.createCodeSigning(ctx, call, ref.Name, in.CodeSigningConfigARN)
	if err != nil {
		return nil, err
	}
	code, err := s.unpack("CreateFunction", zip)
	if err != nil {
		return nil, err
	}
	if err := s.attachLayers(ctx, call, c, code); err != nil {
		return nil, err
	}
	c.CodeSHA256, c.CodeSize = code.SHA256, int64(len(zip))
	tags := "{}"
	if len(in.Tags) > 0 {
		b, _ := json.Marshal(in.Tags)
		tags = string(b)
	}
	publish := in.Publish != nil && *in.Publish
	p := &store.LambdaFunctionCreateParams{
		Account: call.Account, Region: call.Region, Name: ref.Name, Now: s.clock.Now().UnixMilli(),
		Tags: tags, Config: c.encode(), RevisionID: newRevisionID(), Code: zip,
		Publish: publish, PublishConfig: c.encode(), PublishRevisionID: newRevisionID(),
	}
	err = s.db.LambdaFunctionCreate(ctx, p)
	s.cache.forget(call.Account, call.Region, ref.Name)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, NewResourceConflictException("Function already exist: " + ref.Name)
	case err != nil:
		return nil, err
	}
	if csc != "" {
		if err := s.attachCodeSigning(ctx, call, ref.Name, csc, *in.CodeSigningConfigARN); err != nil {
			// The config was deleted meanwhile: the function is not created after all.
			_ = s.db.LambdaFunctionDelete(ctx, call.Account, call.Region, ref.Name)
			s.cache.forget(call.Account, call.Region, ref.Name)
			return nil, err
		}
	}
	v := &store.LambdaVersion{Version: store.LambdaLatest, RevisionID: p.RevisionID}
	if publish {
		v = &store.LambdaVersion{Version: 1, RevisionID: p.PublishRevisionID}
	}
	return (*CreateFunctionOutput)(creating(c.wire(call, ref.Name, v, false))), nil
}

// Lambda's reason for a function or update that is being set up.
const reasonCreating = "The function is being created."

// creating presents a configuration as CreateFunction (and UpdateFunctionCode with
// Publish) answers it on AWS: Pending while the function is set up, without an update
// status. Overcast sets functions up before it answers, so the next read says Active.
func creating(c *FunctionConfiguration) *FunctionConfiguration {
	c.State, c.StateReason, c.StateReasonCode = ptr(StatePending), ptr(reasonCreating), ptr(StateReasonCodeCreating)
	c.LastUpdateStatus = nil
	return c
}

// updating presents $LATEST's configuration as UpdateFunctionCode and
// UpdateFunctionConfiguration answer it on AWS: the update InProgress. Overcast applies
// updates before it answers, so the next read says Successful.
func updating(c *FunctionConfiguration) *FunctionConfiguration {
	c.LastUpdateStatus, c.LastUpdateStatusReason = ptr(LastUpdateStatusInProgress), ptr(reasonCreating)
	// "Creating" is what AWS sends here, although the model's LastUpdateStatusReasonCode
	// enum does not list it.
	c.LastUpdateStatusReasonCode = ptr(StateReasonCodeCreating)
	return c
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func derefOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// lookup returns the version of the function a request names, with its configuration.
// Qualifiers that are not $LATEST or a version number name aliases, resolved through
// their routing configuration.
func (s *Service) lookup(ctx context.Context, call *protocol.Call, rawName string, qualifier *string) (string, *store.LambdaVersion, *functionConfig, error) {
	ref, err := parseFunctionIn(call, rawName)
	if err != nil {
		return "", nil, nil, err
	}
	q, err := qualifierOf(ref, qualifier)
	if err != nil {
		return "", nil, nil, err
	}
	n, ok := versionNumber(q)
	if !ok {
		_, a, err := s.alias(ctx, call, ref.Name, q)
		if err != nil {
			var pe *protocol.Error
			if errors.As(err, &pe) {
				return "", nil, nil, errFunctionNotFound(call, ref.Name, q)
			}
			return "", nil, nil, err
		}
		if n, ok = versionNumber(a.pick()); !ok {
			return "", nil, nil, errFunctionNotFound(call, ref.Name, q)
		}
	}
	v, err := s.db.LambdaVersionGet(ctx, call.Account, call.Region, ref.Name, n)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil, nil, errFunctionNotFound(call, ref.Name, q)
	case err != nil:
		return "", nil, nil, err
	}
	c, err := decodeConfig(v.Config)
	if err != nil {
		return "", nil, nil, err
	}
	return ref.Name, v, c, nil
}

// GetFunctionConfiguration returns the configuration of a function version.
func (s *Service) GetFunctionConfiguration(ctx context.Context, in *GetFunctionConfigurationInput) (*GetFunctionConfigurationOutput, error) {
	call := callOf(ctx)
	name, v, c, err := s.lookup(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	out := c.wire(call, name, v, false)
	out.FunctionARN = ptr(requestedARN(call, name, *in.FunctionName, in.Qualifier))
	return (*GetFunctionConfigurationOutput)(out), nil
}

// requestedARN is the FunctionArn GetFunction and GetFunctionConfiguration answer: AWS
// qualifies it as the request did ($LATEST, a version or an alias name), not with the
// version an alias points to. rawName was accepted by lookup, so it parses.
func requestedARN(call *protocol.Call, name, rawName string, qualifier *string) string {
	ref, _ := parseFunctionName(rawName)
	q, _ := qualifierOf(ref, qualifier)
	return functionARN(call, name, q)
}

// listed strips from a configuration the fields ListFunctions and ListVersionsByFunction
// leave out: AWS documents that they return a subset of the configuration, without the
// state, last update status and runtime version, which only GetFunction and
// GetFunctionConfiguration return.
func listed(c *FunctionConfiguration) *FunctionConfiguration {
	c.State, c.StateReason, c.StateReasonCode = nil, nil, nil
	c.LastUpdateStatus, c.LastUpdateStatusReason, c.LastUpdateStatusReasonCode = nil, nil, nil
	c.RuntimeVersionConfig = nil
	return c
}

// GetFunction returns a function version's configuration, where to download its code,
// and the function's tags.
func (s *Service) GetFunction(ctx context.Context, in *GetFunctionInput) (*GetFunctionOutput, error) {
	call := callOf(ctx)
	name, v, c, err := s.lookup(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	f, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, name)
	if err != nil {
		return nil, err
	}
	var tags map[string]string
	if err := json.Unmarshal([]byte(f.Tags), &tags); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	conf := c.wire(call, name, v, false)
	conf.FunctionARN = ptr(requestedARN(call, name, *in.FunctionName, in.Qualifier))
	out := &GetFunctionOutput{
		Configuration: conf,
		Code: &FunctionCodeLocation{
			RepositoryType: ptr("S3"),
			Location:       ptr(codeLocation(call, name, v.Version)),
		},
	}
	if len(tags) > 0 {
		out.Tags = tags
	}
	if f.Reserved >= 0 {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: ptr(int32(f.Reserved))}
	}
	return out, nil
}

// codeLocation is the URL GetFunction hands out for downloading a version's code.
func codeLocation(call *protocol.Call, name string, version int64) string {
	scheme, host := call.Scheme, call.Host
	if scheme == "" {
		scheme = "http"
	}
	if host == "" {
		host = "localhost:4566"
	}
	return scheme + "://" + host + "/_overcast/lambda/code/" + call.Account + "/" + call.Region + "/" + name + "/" + versionName(version) + ".zip"
}

// UpdateFunctionCode replaces $LATEST's code, publishing a version when asked.
func (s *Service) UpdateFunctionCode(ctx context.Context, in *UpdateFunctionCodeInput) (*UpdateFunctionCodeOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	zip, ok, err := s.codeFrom(ctx, call, in.ZipFile, in.S3Bucket, in.S3Key, in.S3ObjectVersion)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, NewInvalidParameterValueException("Please provide a source for function code.")
	}
	if err := s.checkFunctionSigning(ctx, call, ref.Name); err != nil {
		return nil, err
	}
	code, err := s.unpack("UpdateFunctionCode", zip)
	if err != nil {
		return nil, err
	}
	if in.DryRun != nil && *in.DryRun {
		_, v, c, err := s.lookup(ctx, call, ref.Name, nil)
		if err != nil {
			return nil, err
		}
		c.CodeSHA256, c.CodeSize = code.SHA256, int64(len(zip))
		return (*UpdateFunctionCodeOutput)(c.wire(call, ref.Name, v, false)), nil
	}
	var c *functionConfig
	v, err := s.db.LambdaVersionUpdate(ctx, call.Account, call.Region, ref.Name, zip, func(v *store.LambdaVersion) error {
		if in.RevisionID != nil && *in.RevisionID != v.RevisionID {
			return errRevision()
		}
		var err error
		if c, err = decodeConfig(v.Config); err != nil {
			return err
		}
		c.CodeSHA256, c.CodeSize = code.SHA256, int64(len(zip))
		if err := checkCombinedSize(code.Size, c.LayerRefs); err != nil {
			return err
		}
		if len(in.Architectures) > 0 {
			c.Architectures = in.Architectures
		}
		c.LastModified = s.clock.Now().UnixMilli()
		v.Config, v.RevisionID = c.encode(), newRevisionID()
		return nil
	})
	s.cache.forget(call.Account, call.Region, ref.Name)
	if err != nil {
		return nil, s.updateError(call, ref.Name, err)
	}
	if in.Publish != nil && *in.Publish {
		out, err := s.publish(ctx, call, ref.Name, "", "", "")
		if err != nil {
			return nil, err
		}
		return (*UpdateFunctionCodeOutput)(creating(out)), nil
	}
	return (*UpdateFunctionCodeOutput)(updating(c.wire(call, ref.Name, v, false))), nil
}

// UpdateFunctionConfiguration changes $LATEST's configuration.
func (s *Service) UpdateFunctionConfiguration(ctx context.Context, in *UpdateFunctionConfigurationInput) (*UpdateFunctionConfigurationOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	var layers []layerRef
	if in.Layers != nil {
		if len(in.Layers) > 0 {
			// Layers are checked against the function's code signing config as its code is.
			if err := s.checkFunctionSigning(ctx, call, ref.Name); err != nil {
				return nil, err
			}
		}
		if layers, err = s.prepareLayers(ctx, call, ref.Name, in.Layers); err != nil {
			return nil, err
		}
	}
	var c *functionConfig
	v, err := s.db.LambdaVersionUpdate(ctx, call.Account, call.Region, ref.Name, nil, func(v *store.LambdaVersion) error {
		if in.RevisionID != nil && *in.RevisionID != v.RevisionID {
			return errRevision()
		}
		var err error
		if c, err = decodeConfig(v.Config); err != nil {
			return err
		}
		setIf(&c.Role, in.Role)
		setIf(&c.Handler, in.Handler)
		setIf(&c.Description, in.Description)
		setIf(&c.Runtime, in.Runtime)
		setIf(&c.Timeout, in.Timeout)
		setIf(&c.MemorySize, in.MemorySize)
		if in.EphemeralStorage != nil && in.EphemeralStorage.Size != nil {
			c.Ephemeral = *in.EphemeralStorage.Size
		}
		if in.Environment != nil {
			c.Environment = in.Environment.Variables
			if c.Environment == nil {
				c.Environment = map[string]string{}
			}
		}
		// A DeadLetterConfig without TargetArn changes nothing on AWS; an empty TargetArn
		// removes the queue.
		if in.DeadLetterConfig != nil && in.DeadLetterConfig.TargetARN != nil {
			c.DeadLetter = deadLetterTarget(in.DeadLetterConfig)
		}
		if in.Layers != nil {
			c.Layers, c.LayerRefs = in.Layers, layers
			if len(layers) == 0 {
				c.Layers, c.LayerRefs = nil, nil
			}
		}
		if err := applyLogging(c, in.LoggingConfig); err != nil {
			return err
		}
		if err := validateConfig(c); err != nil {
			return err
		}
		c.LastModified = s.clock.Now().UnixMilli()
		v.Config, v.RevisionID = c.encode(), newRevisionID()
		return nil
	})
	s.cache.forget(call.Account, call.Region, ref.Name)
	if err != nil {
		return nil, s.updateError(call, ref.Name, err)
	}
	return (*UpdateFunctionConfigurationOutput)(updating(c.wire(call, ref.Name, v, false))), nil
}

func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

// DeleteFunction deletes a function with all its versions or, with a qualifier, one
// published version.
func (s *Service) DeleteFunction(ctx context.Context, in *DeleteFunctionInput) (*DeleteFunctionOutput, error) {
	call := callOf(ctx)
	ref, err := parseFunctionIn(call, *in.FunctionName)
	if err != nil {
		return nil, err
	}
	q, err := qualifierOf(ref, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if q == "" {
		err := s.db.LambdaFunctionDelete(ctx, call.Account, call.Region, ref.Name)
		s.cache.forget(call.Account, call.Region, ref.Name)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return nil, errFunctionNotFound(call, ref.Name, "")
		case err != nil:
			return nil, err
		}
		s.evict(call.Account, call.Region, ref.Name, "")
		s.forgetReserved(call, ref.Name)
		return &DeleteFunctionOutput{}, nil
	}
	if q == latest {
		return nil, NewInvalidParameterValueException("$LATEST version cannot be deleted without deleting the function.")
	}
	n, ok := versionNumber(q)
	if !ok {
		return nil, errFunctionNotFound(call, ref.Name, q)
	}
	if err := s.checkVersionUnaliased(ctx, call, ref.Name, versionName(n)); err != nil {
		return nil, err
	}
	err = s.db.LambdaVersionDelete(ctx, call.Account, call.Region, ref.Name, n)
	s.cache.forget(call.Account, call.Region, ref.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// AWS answers a version that does not exist (or no longer does) with success, so
		// deleting a version is idempotent; only a missing function is an error, and its
		// message names the unqualified function.
		if _, err := s.db.LambdaFunctionGet(ctx, call.Account, call.Region, ref.Name); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, errFunctionNotFound(call, ref.Name, "")
			}
			return nil, err
		}
		return &DeleteFunctionOutput{}, nil
	case err != nil:
		return nil, err
	}
	if err := s.forgetRuntimeManagement(ctx, call, ref.Name, versionName(n)); err != nil {
		return nil, err
	}
	s.evict(call.Account, call.Region, ref.Name, q)
	return &DeleteFunctionOutput{}, nil
}

// checkVersionUnaliased refuses, as AWS does, to delete a version an alias routes to
// (as its version or with a weight).
func (s *Service) checkVersionUnaliased(ctx context.Context, call *protocol.Call, name, version string) error {
	rows, err := s.db.LambdaAliasList(ctx, call.Account, call.Region, name)
	if err != nil {
		return err
	}
	var users []string
	for _, a := range rows {
		c, err := decodeAlias(a.Config)
		if err != nil {
			return err
		}
		if _, weighted := c.Weights[version]; c.Version == version || weighted {
			users = append(users, a.Name)
		}
	}
	if len(users) > 0 {
		return NewResourceConflictException("Unable to delete version because the following aliases reference it: [" + strings.Join(users, ", ") + "]")
	}
	return nil
}

// ListFunctions lists the functions' $LATEST configurations or, with FunctionVersion ALL,
// every version. The marker is the last row's name and version.
func (s *Service) ListFunctions(ctx context.Context, in *ListFunctionsInput) (*ListFunctionsOutput, error) {
	call := callOf(ctx)
	limit := int(derefOr(in.MaxItems, 50))
	p := &store.LambdaVersionListParams{
		Account: call.Account, Region: call.Region, Limit: limit + 1,
		AllVersions: deref(in.FunctionVersion) == FunctionVersionALL,
	}
	if m := deref(in.Marker); m != "" {
		name, ver, _ := strings.Cut(m, ":")
		n, ok := versionNumber(ver)
		if !functionNamePattern.MatchString(name) || !ok {
			return nil, NewInvalidParameterValueException("Invalid marker: " + m)
		}
		p.AfterFunction, p.AfterVersion = name, n
	}
	rows, err := s.db.LambdaVersionList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &ListFunctionsOutput{Functions: []*FunctionConfiguration{}}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[len(rows)-1]
		out.NextMarker = ptr(last.Function + ":" + versionName(last.Version))
	}
	for _, v := range rows {
		c, err := decodeConfig(v.Config)
		if err != nil {
			return nil, err
		}
		out.Functions = append(out.Functions, listed(c.wire(call, v.Function, v, p.AllVersions)))
	}
	return out, nil
}

// CodeZip returns the deployment package of a function version (qualifier "" or $LATEST,
// a version number or an alias), as GetFunction's Code.Location serves it.
func (s *Service) CodeZip(ctx context.Context, account, region, name, qualifier string) ([]byte, error) {
	call := &protocol.Call{Account: account, Region: region}
	ctx = protocol.WithCall(ctx, call)
	fn, v, _, err := s.lookup(ctx, call, name, ptr(qualifier))
	if err != nil {
		return nil, err
	}
	return s.db.LambdaVersionCode(ctx, account, region, fn, v.Version)
}
