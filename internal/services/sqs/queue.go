package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/store"
)

// resolve returns the queue a QueueUrl names: the account and name from its path, the
// region of the call. Another account's queue is found the same way.
func (s *Service) resolve(ctx context.Context, rawURL *string) (*queue, error) {
	c := callOf(ctx)
	u := ""
	if rawURL != nil {
		u = *rawURL
	}
	ref, ok := parseQueueURL(u)
	if !ok {
		return nil, errInvalidAddress(u)
	}
	q, err := s.cache.get(ctx, ref.Account, c.Region, ref.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errQueueDoesNotExist(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("resolve queue %s: %w", u, err)
	}
	return q, nil
}

// resolveARN returns the queue an ARN names, or nil when it does not exist.
func (s *Service) resolveARN(ctx context.Context, arn string) (*queue, error) {
	ref, ok := parseQueueARN(arn)
	if !ok {
		return nil, nil
	}
	q, err := s.cache.get(ctx, ref.Account, ref.Region, ref.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return q, err
}

// checkRedrive validates a's redrive policy against its target: it must exist in the same
// account and region, be of the same type, and allow the queue named sourceARN.
func (s *Service) checkRedrive(ctx context.Context, a *queueAttrs, sourceARN string) error {
	p := a.RedrivePolicy
	if p == nil {
		return nil
	}
	invalid := func(reason string) error { return errParamInvalid(p.render(), "RedrivePolicy", reason) }
	src, _ := parseQueueARN(sourceARN)
	ref, _ := parseQueueARN(p.DeadLetterTargetArn)
	if ref.Account != src.Account || ref.Region != src.Region {
		return invalid("Dead letter target does not exist.")
	}
	dlq, err := s.resolveARN(ctx, p.DeadLetterTargetArn)
	if err != nil {
		return err
	}
	if dlq == nil {
		return invalid("Dead letter target does not exist.")
	}
	if dlq.FIFO != a.FifoQueue {
		return invalid("Dead-letter queue must be same type of queue as the source.")
	}
	if !dlq.Attrs.RedriveAllowPolicy.allows(sourceARN) {
		return invalid("Queue " + sourceARN + " is not allowed to use " + dlq.ARN + " as a dead-letter queue.")
	}
	return nil
}

func dlqARN(a *queueAttrs) string {
	if a.RedrivePolicy == nil {
		return ""
	}
	return a.RedrivePolicy.DeadLetterTargetArn
}

// CreateQueue creates a queue, or answers the URL of an existing one when every attribute
// given matches it.
func (s *Service) CreateQueue(ctx context.Context, in *CreateQueueInput) (*CreateQueueOutput, error) {
	if err := errNotAtQueueURL(ctx, "CreateQueue"); err != nil {
		return nil, err
	}
	c := callOf(ctx)
	name := *in.QueueName
	fifo := false
	if v, ok := in.Attributes[attrFifoQueue]; ok {
		f, err := parseBoolAttr(attrFifoQueue, v)
		if err != nil {
			return nil, err
		}
		fifo = f
	}
	if !validQueueName(name, fifo) {
		if fifo {
			return nil, errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
		}
		return nil, errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	attrs := defaultQueueAttrs(fifo)
	if err := attrs.apply(in.Attributes); err != nil {
		return nil, err
	}
	arn := queueARN(c.Region, c.Account, name)
	if err := s.checkRedrive(ctx, &attrs, arn); err != nil {
		return nil, err
	}
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	tagsJSON, _ := json.Marshal(tags)
	row, created, err := s.db.SQSQueueCreate(ctx, &store.SQSQueueCreateParams{
		Account: c.Account, Region: c.Region, Name: name, FIFO: fifo,
		Attrs: attrs.marshal(), Tags: string(tagsJSON), DLQARN: dlqARN(&attrs),
		RetentionMs: int64(attrs.MessageRetentionPeriod) * 1000,
		Now:         s.now(), DeletedCooldownMs: s.cfg.DeletedQueueCooldown.Milliseconds(),
	})
	switch {
	case errors.Is(err, store.ErrPreconditionFailed):
		return nil, NewQueueDeletedRecently("You must wait 60 seconds after deleting a queue before you can create another with the same name.")
	case err != nil:
		return nil, err
	}
	q, err := queueFromRow(row)
	if err != nil {
		return nil, err
	}
	if !created {
		if q.FIFO != fifo {
			return nil, NewQueueNameExists("A queue already exists with the same name and a different value for attribute FifoQueue")
		}
		if name := conflictingAttribute(q.Attrs, in.Attributes); name != "" {
			return nil, NewQueueNameExists("A queue already exists with the same name and a different value for attribute " + name)
		}
	}
	s.cache.put(q)
	return &CreateQueueOutput{QueueURL: ptr(s.url(c, q.Account, q.Name))}, nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, in *DeleteQueueInput) (*DeleteQueueOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	err = s.db.SQSQueueDelete(ctx, q.ID, s.now())
	s.cache.drop(q.Account, q.Region, q.Name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errQueueDoesNotExist(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &DeleteQueueOutput{}, nil
}

// GetQueueUrl answers the URL of a queue of the caller's account, or of
// QueueOwnerAWSAccountId's.
func (s *Service) GetQueueUrl(ctx context.Context, in *GetQueueUrlInput) (*GetQueueUrlOutput, error) {
	c := callOf(ctx)
	account := c.Account
	if in.QueueOwnerAWSAccountID != nil && *in.QueueOwnerAWSAccountID != "" {
		account = *in.QueueOwnerAWSAccountID
	}
	q, err := s.cache.get(ctx, account, c.Region, *in.QueueName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errQueueDoesNotExist(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &GetQueueUrlOutput{QueueURL: ptr(s.url(c, q.Account, q.Name))}, nil
}

// pageToken is the content of a ListQueues/ListDeadLetterSourceQueues NextToken.
type pageToken struct {
	After string `json:"after"`
}

func encodeToken(after string) string {
	b, _ := json.Marshal(pageToken{After: after})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(s *string) (string, error) {
	if s == nil || *s == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*s)
	var t pageToken
	if err != nil || json.Unmarshal(b, &t) != nil {
		return "", errInvalidParameterValue("Invalid NextToken value.")
	}
	return t.After, nil
}

// pageSize validates MaxResults (1 to 1000). Without it a page holds up to 1000 queues
// and no NextToken is answered, as AWS does.
func pageSize(n *int32) (int, bool, error) {
	if n == nil {
		return defaultListQueuesResult, false, nil
	}
	if *n < 1 || *n > defaultListQueuesResult {
		return 0, false, errInvalidParameterValue("Value for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.")
	}
	return int(*n), true, nil
}

// listQueues pages through queues of the caller's account and region.
func (s *Service) listQueues(ctx context.Context, c *protocol.Call, p *store.SQSQueueListParams, maxResults *int32, next *string) ([]string, *string, error) {
	size, paged, err := pageSize(maxResults)
	if err != nil {
		return nil, nil, err
	}
	after, err := decodeToken(next)
	if err != nil {
		return nil, nil, err
	}
	p.After, p.Limit = after, size+1
	rows, err := s.db.SQSQueueList(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	var token *string
	if len(rows) > size {
		rows = rows[:size]
		if paged {
			token = ptr(encodeToken(rows[size-1].Name))
		}
	}
	urls := make([]string, len(rows))
	for i, r := range rows {
		urls[i] = s.url(c, r.Account, r.Name)
	}
	return urls, token, nil
}

// ListQueues lists the caller's queues in the call's region.
func (s *Service) ListQueues(ctx context.Context, in *ListQueuesInput) (*ListQueuesOutput, error) {
	if err := errNotAtQueueURL(ctx, "ListQueues"); err != nil {
		return nil, err
	}
	c := callOf(ctx)
	p := &store.SQSQueueListParams{Account: c.Account, Region: c.Region}
	if in.QueueNamePrefix != nil {
		p.Prefix = *in.QueueNamePrefix
	}
	urls, token, err := s.listQueues(ctx, c, p, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	if len(urls) == 0 {
		// AWS leaves QueueUrls out when no queue matches (the CLI then prints nothing).
		urls = nil
	}
	return &ListQueuesOutput{QueueURLs: urls, NextToken: token}, nil
}

// ListDeadLetterSourceQueues lists the queues whose redrive policy targets this queue.
func (s *Service) ListDeadLetterSourceQueues(ctx context.Context, in *ListDeadLetterSourceQueuesInput) (*ListDeadLetterSourceQueuesOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	c := callOf(ctx)
	p := &store.SQSQueueListParams{Account: q.Account, Region: q.Region, DLQARN: q.ARN}
	urls, token, err := s.listQueues(ctx, c, p, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	if urls == nil {
		urls = []string{}
	}
	return &ListDeadLetterSourceQueuesOutput{QueueURLs: urls, NextToken: token}, nil
}

// GetQueueAttributes answers the named attributes ("All" for every one).
func (s *Service) GetQueueAttributes(ctx context.Context, in *GetQueueAttributesInput) (*GetQueueAttributesOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	all, perr := validateAttributeNames(in.AttributeNames)
	if perr != nil {
		return nil, perr
	}
	want := map[string]bool{}
	for _, n := range in.AttributeNames {
		want[n] = true
	}
	if len(want) == 0 {
		return &GetQueueAttributesOutput{}, nil
	}
	wanted := func(n string) bool { return all || want[n] }
	out := map[string]string{}
	if wanted(attrApproximateNumberOfMessages) || wanted(attrApproximateNumberOfMessagesNotVisible) || wanted(attrApproximateNumberOfMessagesDelayed) {
		now := s.now()
		counts, err := s.db.SQSQueueCount(ctx, q.ID, now, now-int64(q.Attrs.MessageRetentionPeriod)*1000)
		if err != nil {
			return nil, err
		}
		for name, v := range map[string]int64{
			attrApproximateNumberOfMessages:           counts.Visible,
			attrApproximateNumberOfMessagesNotVisible: counts.NotVisible,
			attrApproximateNumberOfMessagesDelayed:    counts.Delayed,
		} {
			if wanted(name) {
				out[name] = strconv.FormatInt(v, 10)
			}
		}
	}
	for _, name := range staticAttributes {
		if !wanted(name) {
			continue
		}
		switch name {
		case attrQueueArn:
			out[name] = q.ARN
		case attrCreatedTimestamp:
			out[name] = strconv.FormatInt(q.CreatedAt/1000, 10)
		case attrLastModifiedTimestamp:
			out[name] = strconv.FormatInt(q.ModifiedAt/1000, 10)
		default:
			if v, ok := q.Attrs.render(name); ok {
				out[name] = v
			}
		}
	}
	return &GetQueueAttributesOutput{Attributes: out}, nil
}

// SetQueueAttributes changes attributes of a queue.
func (s *Service) SetQueueAttributes(ctx context.Context, in *SetQueueAttributesInput) (*SetQueueAttributesOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	// Validate against the cached copy first so that bad input never takes a write.
	check := q.Attrs
	if err := check.apply(in.Attributes); err != nil {
		return nil, err
	}
	if _, ok := in.Attributes[attrRedrivePolicy]; ok {
		if err := s.checkRedrive(ctx, &check, q.ARN); err != nil {
			return nil, err
		}
	}
	now := s.now()
	row, err := s.db.SQSQueueModify(ctx, q.ID, func(r *store.SQSQueue) error {
		a, err := unmarshalQueueAttrs(r.Attrs)
		if err != nil {
			return err
		}
		if err := a.apply(in.Attributes); err != nil {
			return err
		}
		r.Attrs, r.DLQARN = a.marshal(), dlqARN(&a)
		r.RetentionMs = int64(a.MessageRetentionPeriod) * 1000
		r.ModifiedAt = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		s.cache.drop(q.Account, q.Region, q.Name)
		return nil, errQueueDoesNotExist(ctx)
	}
	var perr *protocol.Error
	if errors.As(err, &perr) {
		return nil, perr
	}
	if err != nil {
		return nil, err
	}
	if err := s.refresh(row); err != nil {
		return nil, err
	}
	return &SetQueueAttributesOutput{}, nil
}

// refresh caches a queue row just written.
func (s *Service) refresh(row *store.SQSQueue) error {
	q, err := queueFromRow(row)
	if err != nil {
		return err
	}
	s.cache.put(q)
	return nil
}

// PurgeQueue deletes every message of a queue, at most once a minute.
func (s *Service) PurgeQueue(ctx context.Context, in *PurgeQueueInput) (*PurgeQueueOutput, error) {
	q, err := s.resolve(ctx, in.QueueURL)
	if err != nil {
		return nil, err
	}
	err = s.db.SQSQueuePurge(ctx, q.ID, s.now(), purgeInterval*1000)
	switch {
	case errors.Is(err, store.ErrPreconditionFailed):
		return nil, NewPurgeQueueInProgress(fmt.Sprintf("Only one PurgeQueue operation on %s is allowed every 60 seconds.", q.Name))
	case errors.Is(err, store.ErrNotFound):
		return nil, errQueueDoesNotExist(ctx)
	case err != nil:
		return nil, err
	}
	return &PurgeQueueOutput{}, nil
}

func ptr[T any](v T) *T { return &v }
