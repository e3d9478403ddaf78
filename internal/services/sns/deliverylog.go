package sns

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/overcast/overcast/internal/delivery"
	"github.com/overcast/overcast/internal/protocol"
)

// Delivery status logging.
// https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html
//
// A topic's <Protocol>SuccessFeedbackRoleArn, <Protocol>SuccessFeedbackSampleRate and
// <Protocol>FailureFeedbackRoleArn (Protocol one of SQS, HTTP, Lambda, Firehose,
// Application) turn on a JSON record per delivery attempt to subscriptions of that
// protocol, written to CloudWatch Logs: successes to the log group
// sns/<region>/<account>/<topic name>, failures to sns/<region>/<account>/<topic name>/Failure.
// The roles are recorded, not assumed.

// LogEmitter writes delivery status logs to CloudWatch Logs. internal/server adapts
// CloudWatch Logs' in-process Emit to it.
type LogEmitter interface {
	// EmitLogs appends messages, all of time at, to stream in log group group of account
	// and region, creating the group and the stream on first use. It may be called
	// concurrently.
	EmitLogs(ctx context.Context, account, region, group, stream string, at time.Time, messages []string) error
}

// logJobAttr marks the delivery jobs whose outcome may be logged: only they pay for the
// topic lookup after each attempt.
const logJobAttr = "log"

// loggingProtocol is the attribute prefix of a subscription protocol ("" for protocols
// without delivery status logging).
func loggingProtocol(proto string) string {
	switch proto {
	case "sqs":
		return "SQS"
	case "http", "https":
		return "HTTP"
	case "lambda":
		return "Lambda"
	case "firehose":
		return "Firehose"
	case "application":
		return "Application"
	}
	return ""
}

// feedback is a topic's delivery status logging settings of one protocol.
type feedback struct {
	success, failure bool
	// sampleRate is the percentage of successes logged.
	sampleRate int
}

// topicLogging is a topic's delivery status logging settings, by attribute prefix.
type topicLogging map[string]feedback

// loggingOf reads a topic's delivery status logging settings. A success role without a
// sample rate logs every success.
func (s *Service) loggingOf(attrs map[string]string) topicLogging {
	var out topicLogging
	for _, p := range loggingProtocols {
		f := feedback{
			success:    attrs[p+"SuccessFeedbackRoleArn"] != "",
			failure:    attrs[p+"FailureFeedbackRoleArn"] != "",
			sampleRate: 100,
		}
		if v, ok := attrs[p+"SuccessFeedbackSampleRate"]; ok {
			if n, err := strconv.Atoi(v); err == nil {
				f.sampleRate = n
			}
		}
		if f.success || f.failure {
			if out == nil {
				out = topicLogging{}
			}
			out[p] = f
		}
	}
	return out
}

// mark flags j, a delivery to a subscription of proto, for logging when the topic logs
// that protocol.
func (l topicLogging) mark(j *delivery.Job, proto string) {
	if _, ok := l[loggingProtocol(proto)]; !ok {
		return
	}
	if j.Attributes == nil {
		j.Attributes = map[string]string{}
	}
	j.Attributes[logJobAttr] = "1"
}

// attemptReport is what a deliverer tells the log about an attempt: the endpoint's status
// code and response, when it has them.
type attemptReport struct {
	status   int
	response string
}

type reportKey struct{}

// reportOf returns the attempt report of ctx, nil when the attempt is not logged.
func reportOf(ctx context.Context) *attemptReport {
	r, _ := ctx.Value(reportKey{}).(*attemptReport)
	return r
}

// logged wraps a deliverer of notifications so that the outcome of each attempt of a
// marked job is logged as the topic asks.
func (s *Service) logged(dl delivery.DelivererFunc) delivery.DelivererFunc {
	return func(ctx context.Context, j *delivery.Job) error {
		if j.Attributes[logJobAttr] == "" || s.logs == nil {
			return dl(ctx, j)
		}
		rep := &attemptReport{}
		err := dl(context.WithValue(ctx, reportKey{}, rep), j)
		if n, nerr := noticeOf(j); nerr == nil && n.Type == "Notification" {
			s.logAttempts(ctx, []loggedAttempt{{n: n, dest: j.Dest, attempt: j.Attempt, rep: rep, err: err}})
		}
		return err
	}
}

// deliveryRecord is the JSON record of one delivery attempt, as AWS writes it.
type deliveryRecord struct {
	Notification struct {
		MessageMD5Sum string `json:"messageMD5Sum"`
		MessageID     string `json:"messageId"`
		TopicARN      string `json:"topicArn"`
		Timestamp     string `json:"timestamp"`
	} `json:"notification"`
	Delivery struct {
		DeliveryID       string `json:"deliveryId"`
		Destination      string `json:"destination"`
		ProviderResponse string `json:"providerResponse"`
		DwellTimeMs      int64  `json:"dwellTimeMs"`
		Attempts         int    `json:"attempts"`
		StatusCode       int    `json:"statusCode"`
	} `json:"delivery"`
	Status string `json:"status"`
}

// loggedAttempt is one attempt to deliver n to dest, and its outcome derr.
type loggedAttempt struct {
	n       *notice
	dest    string
	attempt int
	rep     *attemptReport
	err     error
}

// logAttempts writes the records of attempts, notifications of one topic, as far as the
// topic logs their outcomes. Logging is best effort: a delivery never fails on it.
func (s *Service) logAttempts(ctx context.Context, attempts []loggedAttempt) {
	if len(attempts) == 0 {
		return
	}
	topic := attempts[0].n.TopicARN
	a, ok := topicOfARN(topic)
	if !ok {
		return
	}
	st, err := s.cache.get(ctx, topic)
	if err != nil {
		return
	}
	logging := s.loggingOf(st.attrs)
	now := s.clock.Now()
	var success, failure []string
	for _, at := range attempts {
		f, ok := logging[loggingProtocol(at.n.Protocol)]
		switch {
		case !ok:
			continue
		case at.err == nil && (!f.success || f.sampleRate <= 0 || rand.IntN(100) >= f.sampleRate):
			continue
		case at.err != nil && !f.failure:
			continue
		}
		b, err := deliveryRecordOf(at, now)
		if err != nil {
			continue
		}
		if at.err != nil {
			failure = append(failure, string(b))
		} else {
			success = append(success, string(b))
		}
	}
	group := "sns/" + a.Region + "/" + a.Account + "/" + a.Resource
	for _, g := range []struct {
		name string
		msgs []string
	}{{group, success}, {group + "/Failure", failure}} {
		if len(g.msgs) == 0 {
			continue
		}
		if err := s.logs.EmitLogs(context.WithoutCancel(ctx), a.Account, a.Region, g.name, s.logStream, now, g.msgs); err != nil {
			s.log.Warn("write sns delivery status log", "group", g.name, "err", err)
		}
	}
}

// deliveryRecordOf renders the log record of attempt at, written at now.
func deliveryRecordOf(at loggedAttempt, now time.Time) ([]byte, error) {
	n, dest, attempt, rep, derr := at.n, at.dest, at.attempt, at.rep, at.err
	var r deliveryRecord
	sum := md5.Sum([]byte(n.Message))
	r.Notification.MessageMD5Sum = hex.EncodeToString(sum[:])
	r.Notification.MessageID = n.MessageID
	r.Notification.TopicARN = n.TopicARN
	published, perr := time.Parse(time.RFC3339Nano, n.Timestamp)
	if perr != nil {
		published = now
	}
	r.Notification.Timestamp = published.UTC().Format("2006-01-02 15:04:05.000")
	r.Delivery.DeliveryID = newID()
	r.Delivery.Destination = dest
	r.Delivery.DwellTimeMs = max(now.Sub(published).Milliseconds(), 0)
	r.Delivery.Attempts = max(attempt, 1)
	r.Status = "SUCCESS"
	if rep == nil {
		rep = &attemptReport{}
	}
	if derr != nil {
		r.Status = "FAILURE"
		if rep.status == 0 {
			rep.status = http.StatusInternalServerError
			var pe *protocol.Error
			if errors.As(derr, &pe) {
				rep.status = pe.HTTPStatus()
			}
		}
		if rep.response == "" {
			rep.response = derr.Error()
		}
	} else if rep.status == 0 {
		rep.status = http.StatusOK
		switch n.Protocol {
		case "sqs":
			rep.response = `{"sqsRequestId":"` + newID() + `"}`
		case "lambda":
			rep.status = http.StatusAccepted
			rep.response = `{"lambdaRequestId":"` + newID() + `"}`
		}
	}
	r.Delivery.StatusCode = rep.status
	r.Delivery.ProviderResponse = rep.response
	return marshal(&r)
}
