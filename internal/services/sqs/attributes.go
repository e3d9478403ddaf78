package sqs

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/overcast/overcast/internal/protocol"
)

// Queue attribute names, as the API spells them.
const (
	attrAll                                   = "All"
	attrPolicy                                = "Policy"
	attrVisibilityTimeout                     = "VisibilityTimeout"
	attrMaximumMessageSize                    = "MaximumMessageSize"
	attrMessageRetentionPeriod                = "MessageRetentionPeriod"
	attrApproximateNumberOfMessages           = "ApproximateNumberOfMessages"
	attrApproximateNumberOfMessagesNotVisible = "ApproximateNumberOfMessagesNotVisible"
	attrApproximateNumberOfMessagesDelayed    = "ApproximateNumberOfMessagesDelayed"
	attrCreatedTimestamp                      = "CreatedTimestamp"
	attrLastModifiedTimestamp                 = "LastModifiedTimestamp"
	attrQueueArn                              = "QueueArn"
	attrDelaySeconds                          = "DelaySeconds"
	attrReceiveMessageWaitTimeSeconds         = "ReceiveMessageWaitTimeSeconds"
	attrRedrivePolicy                         = "RedrivePolicy"
	attrRedriveAllowPolicy                    = "RedriveAllowPolicy"
	attrFifoQueue                             = "FifoQueue"
	attrContentBasedDeduplication             = "ContentBasedDeduplication"
	attrKmsMasterKeyID                        = "KmsMasterKeyId"
	attrKmsDataKeyReusePeriodSeconds          = "KmsDataKeyReusePeriodSeconds"
	attrDeduplicationScope                    = "DeduplicationScope"
	attrFifoThroughputLimit                   = "FifoThroughputLimit"
	attrSqsManagedSseEnabled                  = "SqsManagedSseEnabled"
)

// Values of DeduplicationScope and FifoThroughputLimit.
const (
	dedupScopeQueue        = "queue"
	dedupScopeMessageGroup = "messageGroup"
	throughputPerQueue     = "perQueue"
	throughputPerGroup     = "perMessageGroupId"
)

// Attribute limits and defaults, as AWS documents them today (1 MiB messages since 2026).
const (
	maxDelaySeconds         = 900
	minMessageSize          = 1024
	maxMessageSize          = 1048576
	minRetention            = 60
	maxRetention            = 1209600
	defaultRetention        = 345600
	maxReceiveWait          = 20
	maxVisibilityTimeout    = 43200
	defaultVisibility       = 30
	minKmsReuse             = 60
	maxKmsReuse             = 86400
	defaultKmsReuse         = 300
	dedupInterval           = 5 * 60 // seconds
	receiveAttemptInterval  = 5 * 60 // seconds
	purgeInterval           = 60     // seconds
	defaultDeletedCooldown  = 60     // seconds
	maxBatchEntries         = 10
	maxMessageAttributes    = 10
	maxMoveTaskRatePerSec   = 500
	defaultListQueuesResult = 1000
)

// queueAttrs holds the settable attributes of a queue. It is stored as JSON in the queue's
// row; the computed attributes (counts, timestamps, ARN) are not part of it.
type queueAttrs struct {
	DelaySeconds                  int                 `json:"delay"`
	MaximumMessageSize            int                 `json:"maxSize"`
	MessageRetentionPeriod        int                 `json:"retention"`
	ReceiveMessageWaitTimeSeconds int                 `json:"wait"`
	VisibilityTimeout             int                 `json:"visibility"`
	Policy                        string              `json:"policy,omitempty"`
	RedrivePolicy                 *redrivePolicy      `json:"redrive,omitempty"`
	RedriveAllowPolicy            *redriveAllowPolicy `json:"redriveAllow,omitempty"`
	FifoQueue                     bool                `json:"fifo,omitempty"`
	ContentBasedDeduplication     bool                `json:"contentDedup,omitempty"`
	DeduplicationScope            string              `json:"dedupScope,omitempty"`
	FifoThroughputLimit           string              `json:"throughput,omitempty"`
	KmsMasterKeyID                string              `json:"kmsKey,omitempty"`
	KmsDataKeyReusePeriodSeconds  int                 `json:"kmsReuse"`
	SqsManagedSseEnabled          bool                `json:"sqsSse"`
}

// defaultQueueAttrs returns the attributes of a new queue that sets none: AWS's defaults,
// with SQS-managed encryption on as AWS turns it on for new queues.
func defaultQueueAttrs(fifo bool) queueAttrs {
	a := queueAttrs{
		MaximumMessageSize:           maxMessageSize,
		MessageRetentionPeriod:       defaultRetention,
		VisibilityTimeout:            defaultVisibility,
		KmsDataKeyReusePeriodSeconds: defaultKmsReuse,
		SqsManagedSseEnabled:         true,
		FifoQueue:                    fifo,
	}
	if fifo {
		a.DeduplicationScope = dedupScopeQueue
		a.FifoThroughputLimit = throughputPerQueue
	}
	return a
}

// marshal returns the stored form.
func (a *queueAttrs) marshal() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// unmarshalQueueAttrs reads the stored form.
func unmarshalQueueAttrs(s string) (queueAttrs, error) {
	var a queueAttrs
	err := json.Unmarshal([]byte(s), &a)
	return a, err
}

// settable lists the attributes CreateQueue and SetQueueAttributes accept. FIFO-only
// attributes, FifoQueue itself included, are unknown on standard queues, as AWS answers:
// even FifoQueue "false" is InvalidAttributeName "Unknown Attribute FifoQueue." there.
func settable(name string, fifo bool) bool {
	switch name {
	case attrDelaySeconds, attrMaximumMessageSize, attrMessageRetentionPeriod, attrPolicy,
		attrReceiveMessageWaitTimeSeconds, attrVisibilityTimeout, attrRedrivePolicy,
		attrRedriveAllowPolicy, attrKmsMasterKeyID, attrKmsDataKeyReusePeriodSeconds,
		attrSqsManagedSseEnabled:
		return true
	case attrFifoQueue, attrContentBasedDeduplication, attrDeduplicationScope, attrFifoThroughputLimit:
		return fifo
	}
	return false
}

// knownAttribute reports whether name is any queue attribute GetQueueAttributes knows.
func knownAttribute(name string) bool {
	switch name {
	case attrAll, attrApproximateNumberOfMessages, attrApproximateNumberOfMessagesNotVisible,
		attrApproximateNumberOfMessagesDelayed, attrCreatedTimestamp, attrLastModifiedTimestamp,
		attrQueueArn, attrContentBasedDeduplication, attrDeduplicationScope, attrFifoThroughputLimit:
		return true
	}
	return settable(name, true)
}

// parseIntAttr parses a whole number attribute within [lo, hi].
func parseIntAttr(name, v string, lo, hi int) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi || strings.HasPrefix(v, "+") {
		return 0, errInvalidAttributeValue(name)
	}
	return n, nil
}

// parseBoolAttr parses "true" or "false" in any case.
func parseBoolAttr(name, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errInvalidAttributeValue(name)
}

// sortedKeys returns the keys of m in order, so that the first invalid attribute reported
// does not depend on map order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// apply validates in and sets it on a. FifoQueue must already be settled (a.FifoQueue);
// apply only checks that in does not try to change it. Cross-queue checks of RedrivePolicy
// (target exists, allow policy) are the caller's.
func (a *queueAttrs) apply(in map[string]string) error {
	kmsSet, sseSet := false, false
	for _, name := range sortedKeys(in) {
		v := in[name]
		if !settable(name, a.FifoQueue) {
			return errUnknownAttribute(name)
		}
		if !validBodyChars(v) {
			return errInvalidAttributeValue(name)
		}
		var err error
		switch name {
		case attrDelaySeconds:
			a.DelaySeconds, err = parseIntAttr(name, v, 0, maxDelaySeconds)
		case attrMaximumMessageSize:
			a.MaximumMessageSize, err = parseIntAttr(name, v, minMessageSize, maxMessageSize)
		case attrMessageRetentionPeriod:
			a.MessageRetentionPeriod, err = parseIntAttr(name, v, minRetention, maxRetention)
		case attrReceiveMessageWaitTimeSeconds:
			a.ReceiveMessageWaitTimeSeconds, err = parseIntAttr(name, v, 0, maxReceiveWait)
		case attrVisibilityTimeout:
			a.VisibilityTimeout, err = parseIntAttr(name, v, 0, maxVisibilityTimeout)
		case attrKmsDataKeyReusePeriodSeconds:
			a.KmsDataKeyReusePeriodSeconds, err = parseIntAttr(name, v, minKmsReuse, maxKmsReuse)
		case attrPolicy:
			if v != "" && !json.Valid([]byte(v)) {
				err = errInvalidAttributeValue(name)
			}
			a.Policy = v
		case attrRedrivePolicy:
			a.RedrivePolicy, err = parseRedrivePolicy(v)
		case attrRedriveAllowPolicy:
			a.RedriveAllowPolicy, err = parseRedriveAllowPolicy(v)
		case attrFifoQueue:
			var fifo bool
			fifo, err = parseBoolAttr(name, v)
			if err == nil && fifo != a.FifoQueue {
				err = NewInvalidAttributeValue("Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.")
			}
		case attrContentBasedDeduplication:
			a.ContentBasedDeduplication, err = parseBoolAttr(name, v)
		case attrDeduplicationScope:
			if v != dedupScopeQueue && v != dedupScopeMessageGroup {
				err = errInvalidAttributeValue(name)
			}
			a.DeduplicationScope = v
		case attrFifoThroughputLimit:
			if v != throughputPerQueue && v != throughputPerGroup {
				err = errInvalidAttributeValue(name)
			}
			a.FifoThroughputLimit = v
		case attrKmsMasterKeyID:
			a.KmsMasterKeyID = v
			kmsSet = v != ""
		case attrSqsManagedSseEnabled:
			a.SqsManagedSseEnabled, err = parseBoolAttr(name, v)
			sseSet = a.SqsManagedSseEnabled
		}
		if err != nil {
			return err
		}
	}
	// SQS-managed and KMS encryption exclude each other: naming a KMS key turns SQS-managed
	// encryption off, asking for both at once is refused.
	if kmsSet && sseSet {
		return NewInvalidAttributeName("You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.")
	}
	if kmsSet {
		a.SqsManagedSseEnabled = false
	}
	if sseSet {
		a.KmsMasterKeyID = ""
	}
	// High throughput mode: a per-group throughput limit needs per-group deduplication.
	if a.FifoQueue && a.FifoThroughputLimit == throughputPerGroup && a.DeduplicationScope != dedupScopeMessageGroup {
		return errInvalidParameterCombination("The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.")
	}
	return nil
}

// render returns the settable attribute name as GetQueueAttributes answers it, and whether
// the queue has it at all (unset policies and FIFO attributes of standard queues are left
// out, as AWS leaves them out).
func (a *queueAttrs) render(name string) (string, bool) {
	switch name {
	case attrDelaySeconds:
		return strconv.Itoa(a.DelaySeconds), true
	case attrMaximumMessageSize:
		return strconv.Itoa(a.MaximumMessageSize), true
	case attrMessageRetentionPeriod:
		return strconv.Itoa(a.MessageRetentionPeriod), true
	case attrReceiveMessageWaitTimeSeconds:
		return strconv.Itoa(a.ReceiveMessageWaitTimeSeconds), true
	case attrVisibilityTimeout:
		return strconv.Itoa(a.VisibilityTimeout), true
	case attrPolicy:
		return a.Policy, a.Policy != ""
	case attrRedrivePolicy:
		if a.RedrivePolicy == nil {
			return "", false
		}
		return a.RedrivePolicy.render(), true
	case attrRedriveAllowPolicy:
		if a.RedriveAllowPolicy == nil {
			return "", false
		}
		return a.RedriveAllowPolicy.render(), true
	case attrFifoQueue:
		return "true", a.FifoQueue
	case attrContentBasedDeduplication:
		return strconv.FormatBool(a.ContentBasedDeduplication), a.FifoQueue
	case attrDeduplicationScope:
		return a.DeduplicationScope, a.FifoQueue
	case attrFifoThroughputLimit:
		return a.FifoThroughputLimit, a.FifoQueue
	case attrKmsMasterKeyID:
		return a.KmsMasterKeyID, a.KmsMasterKeyID != ""
	case attrKmsDataKeyReusePeriodSeconds:
		return strconv.Itoa(a.KmsDataKeyReusePeriodSeconds), a.KmsMasterKeyID != ""
	case attrSqsManagedSseEnabled:
		return strconv.FormatBool(a.SqsManagedSseEnabled), true
	}
	return "", false
}

// staticAttributes lists, in AWS's order, the attributes "All" answers besides the counts.
var staticAttributes = []string{
	attrQueueArn, attrCreatedTimestamp, attrLastModifiedTimestamp, attrVisibilityTimeout,
	attrMaximumMessageSize, attrMessageRetentionPeriod, attrDelaySeconds, attrPolicy,
	attrReceiveMessageWaitTimeSeconds, attrRedrivePolicy, attrRedriveAllowPolicy,
	attrFifoQueue, attrContentBasedDeduplication, attrDeduplicationScope,
	attrFifoThroughputLimit, attrKmsMasterKeyID, attrKmsDataKeyReusePeriodSeconds,
	attrSqsManagedSseEnabled,
}

// conflictingAttribute returns the first attribute of in (by name) whose value differs from
// what queue a has, for CreateQueue on an existing name. It returns "" when every attribute
// matches. in must already have been validated.
func conflictingAttribute(a queueAttrs, in map[string]string) string {
	for _, name := range sortedKeys(in) {
		b := a
		if err := b.apply(map[string]string{name: in[name]}); err != nil {
			return name
		}
		have, _ := a.render(name)
		want, _ := b.render(name)
		if have != want {
			return name
		}
	}
	return ""
}

// validateAttributeNames checks names of GetQueueAttributes and expands "All".
func validateAttributeNames(names []string) (all bool, err *protocol.Error) {
	for _, n := range names {
		if !knownAttribute(n) {
			return false, errUnknownAttribute(n)
		}
		if n == attrAll {
			all = true
		}
	}
	return all, nil
}
