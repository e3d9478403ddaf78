package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/overcast/overcast/internal/pattern"
	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// Event source mapping states (EventSourceMappingConfiguration.State). Only Enabled and
// Disabled are stored; the others are answered by the call that starts the change.
const (
	esmCreating  = "Creating"
	esmEnabling  = "Enabling"
	esmEnabled   = "Enabled"
	esmDisabling = "Disabling"
	esmDisabled  = "Disabled"
	esmUpdating  = "Updating"
	esmDeleting  = "Deleting"
)

// Limits and defaults of SQS event source mappings
// (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html).
const (
	esmDefaultBatchSize = 10
	esmMaxBatchSize     = 10000
	esmMaxFIFOBatchSize = 10
	// esmMaxFilters is Lambda's default quota of filters per mapping.
	esmMaxFilters = 5
	// esmDefaultListItems is ListEventSourceMappings' page size without MaxItems.
	esmDefaultListItems = 100
)

// esmUserInitiated is the StateTransitionReason of changes made through the API.
const esmUserInitiated = "USER_INITIATED"

// Values of LastProcessingResult.
const (
	esmNoRecords = "No records processed"
	esmOK        = "OK"
	esmProblem   = "PROBLEM: Function call failed"
)

// esmConfig is the JSON configuration of a mapping kept in the store.
type esmConfig struct {
	BatchSize             int32    `json:"batchSize"`
	BatchingWindow        int32    `json:"window"`
	MaximumConcurrency    int32    `json:"maxConcurrency,omitempty"`
	Filters               []string `json:"filters,omitempty"`
	FunctionResponseTypes []string `json:"responseTypes,omitempty"`
	FIFO                  bool     `json:"fifo,omitempty"`
	StateReason           string   `json:"stateReason"`
	LastResult            string   `json:"lastResult"`
}

func decodeESMConfig(s string) (*esmConfig, error) {
	var c esmConfig
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return nil, fmt.Errorf("decode event source mapping: %w", err)
	}
	return &c, nil
}

func (c *esmConfig) encode() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// reportsItemFailures reports whether the function answers partial batch responses.
func (c *esmConfig) reportsItemFailures() bool {
	for _, t := range c.FunctionResponseTypes {
		if t == FunctionResponseTypeReportBatchItemFailures {
			return true
		}
	}
	return false
}

// esmWire renders a mapping; state, when not "", overrides the stored state.
func esmWire(m *store.LambdaESM, c *esmConfig, state string) *EventSourceMappingConfiguration {
	if state == "" {
		state = esmDisabled
		if m.Enabled {
			state = esmEnabled
		}
	}
	out := &EventSourceMappingConfiguration{
		UUID:                           ptr(m.UUID),
		BatchSize:                      ptr(c.BatchSize),
		MaximumBatchingWindowInSeconds: ptr(c.BatchingWindow),
		EventSourceARN:                 ptr(m.EventSourceARN),
		FunctionARN:                    ptr(m.FunctionARN),
		LastModified:                   ptr(time.UnixMilli(m.ModifiedAt).UTC()),
		LastProcessingResult:           ptr(c.LastResult),
		State:                          ptr(state),
		StateTransitionReason:          ptr(c.StateReason),
		FunctionResponseTypes:          c.FunctionResponseTypes,
		EventSourceMappingARN:          ptr(esmARN(m)),
	}
	if out.FunctionResponseTypes == nil {
		out.FunctionResponseTypes = []string{}
	}
	if len(c.Filters) > 0 {
		out.FilterCriteria = &FilterCriteria{}
		for _, f := range c.Filters {
			out.FilterCriteria.Filters = append(out.FilterCriteria.Filters, &Filter{Pattern: ptr(f)})
		}
	}
	if c.MaximumConcurrency > 0 {
		out.ScalingConfig = &ScalingConfig{MaximumConcurrency: ptr(c.MaximumConcurrency)}
	}
	return out
}

// esmARN is the mapping's own ARN.
func esmARN(m *store.LambdaESM) string {
	return "arn:aws:lambda:" + m.Region + ":" + m.Account + ":event-source-mapping:" + m.UUID
}

func errESMNotFound() *protocol.Error {
	return NewResourceNotFoundException("The resource you requested does not exist.")
}

// errQueueMissing is Lambda's answer for a mapping of a queue that does not exist.
func errQueueMissing() *protocol.Error {
	return NewInvalidParameterValueException("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist or you do not have access to it.")
}

// sourceKinds names the event sources Lambda maps, by the service of their ARN.
var sourceKinds = map[string]string{
	"kinesis":  "Amazon Kinesis",
	"dynamodb": "Amazon DynamoDB Streams",
	"kafka":    "Amazon MSK",
	"mq":       "Amazon MQ",
	"rds":      "Amazon DocumentDB",
}

// checkSource accepts SQS queue ARNs and refuses every other source: those Lambda maps
// but Overcast does not serve yet, and the rest.
func checkSource(arn string) error {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || parts[0] != "arn" {
		return NewInvalidParameterValueException("Unrecognized event source.")
	}
	if parts[2] == "sqs" && len(parts) == 6 && parts[5] != "" {
		return nil
	}
	if kind, ok := sourceKinds[parts[2]]; ok {
		return NewInvalidParameterValueException(fmt.Sprintf("Overcast does not serve event source mappings for %s yet: only Amazon SQS queues can be mapped.", kind))
	}
	return NewInvalidParameterValueException("Unrecognized event source, must be kinesis, dynamodb stream or sqs. Unsupported source arn : " + arn)
}

// streamOnly lists the parameters of stream and Kafka sources, which SQS mappings refuse.
func streamOnly(startingPosition *string, startingTimestamp *time.Time, parallelization, maxRecordAge, maxRetries, tumbling *int32, bisect *bool, dest *DestinationConfig, topics, queues []string, sac []*SourceAccessConfiguration) error {
	if startingPosition != nil || startingTimestamp != nil {
		return NewInvalidParameterValueException("StartingPosition is not valid for SQS event sources.")
	}
	for _, p := range []struct {
		name string
		set  bool
	}{
		{"ParallelizationFactor", parallelization != nil},
		{"MaximumRecordAgeInSeconds", maxRecordAge != nil},
		{"MaximumRetryAttempts", maxRetries != nil},
		{"TumblingWindowInSeconds", tumbling != nil},
		{"BisectBatchOnFunctionError", bisect != nil},
		{"DestinationConfig", dest != nil && dest.OnFailure != nil && dest.OnFailure.Destination != nil},
		{"Topics", len(topics) > 0},
		{"Queues", len(queues) > 0},
		{"SourceAccessConfigurations", len(sac) > 0},
	} {
		if p.set {
			return NewInvalidParameterValueException(fmt.Sprintf("Unsupported %s parameter for given event source mapping type.", p.name))
		}
	}
	return nil
}

// compileFilters compiles FilterCriteria's patterns (EventBridge patterns over the SQS
// record) and returns their documents.
func compileFilters(fc *FilterCriteria) ([]string, []*pattern.Pattern, error) {
	if fc == nil {
		return nil, nil, nil
	}
	if len(fc.Filters) > esmMaxFilters {
		return nil, nil, NewInvalidParameterValueException(fmt.Sprintf("The maximum number of filters per event source mapping is %d.", esmMaxFilters))
	}
	var docs []string
	var pats []*pattern.Pattern
	for _, f := range fc.Filters {
		doc := deref(f.Pattern)
		p, err := pattern.ParseEventPattern([]byte(doc))
		if err != nil {
			return nil, nil, NewInvalidParameterValueException("Invalid filter pattern definition.")
		}
		docs = append(docs, doc)
		pats = append(pats, p)
	}
	return docs, pats, nil
}

// checkBatching applies Lambda's rules on batch size and batching window to SQS.
func checkBatching(c *esmConfig) error {
	switch {
	case c.BatchSize < 1 || c.BatchSize > esmMaxBatchSize:
		return NewInvalidParameterValueException(fmt.Sprintf("BatchSize must be between 1 and %d.", esmMaxBatchSize))
	case c.FIFO && c.BatchSize > esmMaxFIFOBatchSize:
		return NewInvalidParameterValueException(fmt.Sprintf("Invalid batch size %d. The maximum batch size for FIFO queues is %d.", c.BatchSize, esmMaxFIFOBatchSize))
	case c.FIFO && c.BatchingWindow > 0:
		return NewInvalidParameterValueException("Batching window is not supported for FIFO queues.")
	case c.BatchSize > 10 && c.BatchingWindow < 1:
		return NewInvalidParameterValueException("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	case c.MaximumConcurrency != 0 && (c.MaximumConcurrency < 2 || c.MaximumConcurrency > 1000):
		return NewInvalidParameterValueException("MaximumConcurrency must be between 2 and 1000.")
	}
	return nil
}

// esmFunctionError translates the error of looking up a mapping's function: AWS answers
// a missing function, version or alias with InvalidParameterValueException.
func esmFunctionError(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Code == ErrCodeResourceNotFoundException {
		return NewInvalidParameterValueException("Function does not exist")
	}
	return err
}

// esmTarget resolves the function a mapping names: its name and the ARN the mapping
// invokes (qualified when the name carries a version or alias). The function (version,
// alias) must exist and its timeout may not exceed the queue's visibility timeout.
func (s *Service) esmTarget(ctx context.Context, call *protocol.Call, raw string, q *Queue) (string, string, error) {
	ref, err := parseFunctionIn(call, raw)
	if err != nil {
		return "", "", err
	}
	name, _, c, err := s.lookup(ctx, call, raw, nil)
	if err != nil {
		return "", "", esmFunctionError(err)
	}
	if q != nil && int(c.Timeout) > q.VisibilityTimeout {
		return "", "", NewInvalidParameterValueException(fmt.Sprintf("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", q.VisibilityTimeout, c.Timeout))
	}
	return name, functionARN(call, name, ref.Qualifier), nil
}

// esmQueue describes the mapped queue.
func (s *Service) esmQueue(ctx context.Context, arn string) (*Queue, error) {
	if s.queues == nil {
		return nil, NewInvalidParameterValueException("Overcast does not serve event source mappings without SQS.")
	}
	q, err := s.queues.Queue(ctx, arn)
	switch {
	case errors.Is(err, ErrQueueNotFound):
		return nil, errQueueMissing()
	case err != nil:
		return nil, fmt.Errorf("describe queue %s: %w", arn, err)
	}
	return q, nil
}

// CreateEventSourceMapping maps an SQS queue to a function. The mapping polls the queue
// as soon as it is stored, on every node.
func (s *Service) CreateEventSourceMapping(ctx context.Context, in *CreateEventSourceMappingInput) (*CreateEventSourceMappingOutput, error) {
	call := callOf(ctx)
	if in.EventSourceARN == nil {
		if in.SelfManagedEventSource != nil {
			return nil, NewInvalidParameterValueException("Overcast does not serve event source mappings for self-managed Apache Kafka yet: only Amazon SQS queues can be mapped.")
		}
		return nil, NewInvalidParameterValueException("Unrecognized event source.")
	}
	source := *in.EventSourceARN
	if err := checkSource(source); err != nil {
		return nil, err
	}
	if err := streamOnly(in.StartingPosition, in.StartingPositionTimestamp, in.ParallelizationFactor, in.MaximumRecordAgeInSeconds,
		in.MaximumRetryAttempts, in.TumblingWindowInSeconds, in.BisectBatchOnFunctionError, in.DestinationConfig, in.Topics, in.Queues, in.SourceAccessConfigurations); err != nil {
		return nil, err
	}
	if _, err := parseFunctionIn(call, *in.FunctionName); err != nil {
		return nil, err
	}
	// AWS looks the function up before the queue.
	if _, _, _, err := s.lookup(ctx, call, *in.FunctionName, nil); err != nil {
		return nil, esmFunctionError(err)
	}
	q, err := s.esmQueue(ctx, source)
	if err != nil {
		return nil, err
	}
	c := &esmConfig{
		BatchSize:             derefOr(in.BatchSize, esmDefaultBatchSize),
		BatchingWindow:        derefOr(in.MaximumBatchingWindowInSeconds, 0),
		FunctionResponseTypes: in.FunctionResponseTypes,
		FIFO:                  q.FIFO,
		StateReason:           esmUserInitiated,
		LastResult:            esmNoRecords,
	}
	if in.ScalingConfig != nil {
		c.MaximumConcurrency = derefOr(in.ScalingConfig.MaximumConcurrency, 0)
	}
	if err := checkBatching(c); err != nil {
		return nil, err
	}
	if c.Filters, _, err = compileFilters(in.FilterCriteria); err != nil {
		return nil, err
	}
	name, fnARN, err := s.esmTarget(ctx, call, *in.FunctionName, q)
	if err != nil {
		return nil, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	m := &store.LambdaESM{
		UUID: newRevisionID(), Account: call.Account, Region: call.Region,
		Function: name, FunctionARN: fnARN, EventSourceARN: source,
		Enabled: enabled, ModifiedAt: s.clock.Now().UnixMilli(), Config: c.encode(),
	}
	err = s.db.LambdaESMCreate(ctx, m)
	switch {
	case errors.Is(err, store.ErrConflict):
		return nil, s.errESMExists(ctx, call, source, fnARN, name)
	case err != nil:
		return nil, err
	}
	s.esmChanged(ctx)
	return (*CreateEventSourceMappingOutput)(esmWire(m, c, esmCreating)), nil
}

// errESMExists is Lambda's answer for a second mapping of a queue to a function.
func (s *Service) errESMExists(ctx context.Context, call *protocol.Call, source, fnARN, name string) error {
	rows, err := s.db.LambdaESMList(ctx, &store.LambdaESMListParams{Account: call.Account, Region: call.Region, EventSourceARN: source, FunctionARN: fnARN, Limit: 1})
	if err != nil {
		return err
	}
	uuid := ""
	if len(rows) > 0 {
		uuid = rows[0].UUID
	}
	return NewResourceConflictException(fmt.Sprintf(`An event source mapping with SQS arn (" %s ") and function (" %s ") already exists. Please update or delete the existing mapping with UUID %s`, source, name, uuid))
}

// GetEventSourceMapping returns a mapping.
func (s *Service) GetEventSourceMapping(ctx context.Context, in *GetEventSourceMappingInput) (*GetEventSourceMappingOutput, error) {
	call := callOf(ctx)
	m, err := s.db.LambdaESMGet(ctx, call.Account, call.Region, *in.UUID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errESMNotFound()
	case err != nil:
		return nil, err
	}
	c, err := decodeESMConfig(m.Config)
	if err != nil {
		return nil, err
	}
	return (*GetEventSourceMappingOutput)(esmWire(m, c, "")), nil
}

// UpdateEventSourceMapping changes a mapping: its function, whether it is enabled, its
// batching, filters, response types and concurrency.
func (s *Service) UpdateEventSourceMapping(ctx context.Context, in *UpdateEventSourceMappingInput) (*UpdateEventSourceMappingOutput, error) {
	call := callOf(ctx)
	if err := streamOnly(nil, nil, in.ParallelizationFactor, in.MaximumRecordAgeInSeconds, in.MaximumRetryAttempts,
		in.TumblingWindowInSeconds, in.BisectBatchOnFunctionError, in.DestinationConfig, nil, nil, in.SourceAccessConfigurations); err != nil {
		return nil, err
	}
	if in.FunctionName != nil {
		if _, err := parseFunctionIn(call, *in.FunctionName); err != nil {
			return nil, err
		}
	}
	current, err := s.db.LambdaESMGet(ctx, call.Account, call.Region, *in.UUID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errESMNotFound()
	case err != nil:
		return nil, err
	}
	// The new function is resolved before the write, which may not read other tables.
	var name, fnARN string
	if in.FunctionName != nil {
		q, err := s.esmQueue(ctx, current.EventSourceARN)
		if err != nil {
			return nil, err
		}
		if name, fnARN, err = s.esmTarget(ctx, call, *in.FunctionName, q); err != nil {
			return nil, err
		}
	}
	var (
		c     *esmConfig
		state string
	)
	m, err := s.db.LambdaESMUpdate(ctx, call.Account, call.Region, *in.UUID, func(m *store.LambdaESM) error {
		var err error
		if c, err = decodeESMConfig(m.Config); err != nil {
			return err
		}
		setIf(&c.BatchSize, in.BatchSize)
		setIf(&c.BatchingWindow, in.MaximumBatchingWindowInSeconds)
		if in.ScalingConfig != nil {
			c.MaximumConcurrency = derefOr(in.ScalingConfig.MaximumConcurrency, 0)
		}
		if in.FunctionResponseTypes != nil {
			c.FunctionResponseTypes = in.FunctionResponseTypes
		}
		if in.FilterCriteria != nil {
			if c.Filters, _, err = compileFilters(in.FilterCriteria); err != nil {
				return err
			}
		}
		if err := checkBatching(c); err != nil {
			return err
		}
		if in.FunctionName != nil {
			m.Function, m.FunctionARN = name, fnARN
		}
		state = esmUpdating
		if in.Enabled != nil && *in.Enabled != m.Enabled {
			state = esmDisabling
			if *in.Enabled {
				state = esmEnabling
			}
			m.Enabled = *in.Enabled
		}
		c.StateReason = esmUserInitiated
		m.ModifiedAt = s.clock.Now().UnixMilli()
		m.Config = c.encode()
		return nil
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errESMNotFound()
	case errors.Is(err, store.ErrConflict):
		return nil, s.errESMExists(ctx, call, current.EventSourceARN, fnARN, name)
	case err != nil:
		var pe *protocol.Error
		if errors.As(err, &pe) {
			return nil, pe
		}
		return nil, err
	}
	s.esmChanged(ctx)
	return (*UpdateEventSourceMappingOutput)(esmWire(m, c, state)), nil
}

// DeleteEventSourceMapping deletes a mapping; its pollers stop.
func (s *Service) DeleteEventSourceMapping(ctx context.Context, in *DeleteEventSourceMappingInput) (*DeleteEventSourceMappingOutput, error) {
	call := callOf(ctx)
	m, err := s.db.LambdaESMDelete(ctx, call.Account, call.Region, *in.UUID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, errESMNotFound()
	case err != nil:
		return nil, err
	}
	c, err := decodeESMConfig(m.Config)
	if err != nil {
		return nil, err
	}
	s.esmChanged(ctx)
	return (*DeleteEventSourceMappingOutput)(esmWire(m, c, esmDeleting)), nil
}

// ListEventSourceMappings lists the mappings of the account and region, of one queue
// and/or one function (a qualified name selects that version or alias only). The marker
// is the last mapping's UUID.
func (s *Service) ListEventSourceMappings(ctx context.Context, in *ListEventSourceMappingsInput) (*ListEventSourceMappingsOutput, error) {
	call := callOf(ctx)
	limit := int(derefOr(in.MaxItems, esmDefaultListItems))
	p := &store.LambdaESMListParams{
		Account: call.Account, Region: call.Region, EventSourceARN: deref(in.EventSourceARN),
		After: deref(in.Marker), Limit: limit + 1,
	}
	if in.FunctionName != nil && *in.FunctionName != "" {
		ref, err := parseFunctionIn(call, *in.FunctionName)
		if err != nil {
			return nil, err
		}
		p.Function = ref.Name
		if ref.Qualifier != "" {
			p.FunctionARN = functionARN(call, ref.Name, ref.Qualifier)
		}
	}
	rows, err := s.db.LambdaESMList(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &ListEventSourceMappingsOutput{EventSourceMappings: []*EventSourceMappingConfiguration{}}
	if len(rows) > limit {
		rows = rows[:limit]
		out.NextMarker = ptr(rows[len(rows)-1].UUID)
	}
	for _, m := range rows {
		c, err := decodeESMConfig(m.Config)
		if err != nil {
			return nil, err
		}
		out.EventSourceMappings = append(out.EventSourceMappings, esmWire(m, c, ""))
	}
	return out, nil
}
