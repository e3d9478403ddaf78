package sns

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"time"

	"github.com/overcast/overcast/internal/protocol"
)

// Handler serves SNS's non-AWS routes under /_overcast/sns/: the signing certificate
// (SigningCertURL), subscription confirmation (SubscribeURL), unsubscription
// (UnsubscribeURL) and the outbox of email, SMS and push messages.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+certPath, s.handleCert)
	mux.HandleFunc("GET /_overcast/sns/confirm", s.handleConfirm)
	mux.HandleFunc("GET /_overcast/sns/unsubscribe", s.handleUnsubscribe)
	mux.HandleFunc("GET /_overcast/sns/outbox", s.handleOutbox)
	return mux
}

func (s *Service) handleCert(w http.ResponseWriter, _ *http.Request) {
	cert := s.signer.cert()
	if cert == nil {
		http.Error(w, "sns is not started", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(cert)
}

// withCall gives an admin request the call context an API request would have: the account
// and region of the ARN it names, and the host it came in on.
func withCall(r *http.Request, arn string) *http.Request {
	a, _ := parseARN(arn, "sns")
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return r.WithContext(protocol.WithCall(r.Context(), &protocol.Call{Account: a.Account, Region: a.Region, Scheme: scheme, Host: r.Host}))
}

// The routes answer in the shape of the awsQuery API, as AWS's own SubscribeURL and
// UnsubscribeURL do: the request id included.
type xmlError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func writeAPIError(w http.ResponseWriter, err error) {
	var perr *protocol.Error
	if !errors.As(err, &perr) {
		perr = &protocol.Error{Code: "InternalError", Message: "internal error", Status: http.StatusInternalServerError}
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(perr.Status)
	_ = xml.NewEncoder(w).Encode(xmlError{Xmlns: Info.XMLNamespace, Type: "Sender", Code: perr.Code, Message: perr.Message, RequestID: newID()})
}

func (s *Service) handleConfirm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	topic, token := q.Get("TopicArn"), q.Get("Token")
	if _, ok := topicOfARN(topic); !ok {
		// The SubscribeURL names the parameter "Topic".
		writeAPIError(w, errInvalid("Topic"))
		return
	}
	if !isHex(token) {
		writeAPIError(w, errInvalid("Token"))
		return
	}
	r = withCall(r, topic)
	c := callOf(r.Context())
	out, err := s.ConfirmByToken(r.Context(), c.Account, c.Region, token)
	if err != nil {
		writeAPIError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName         xml.Name `xml:"ConfirmSubscriptionResponse"`
		Xmlns           string   `xml:"xmlns,attr"`
		SubscriptionArn string   `xml:"ConfirmSubscriptionResult>SubscriptionArn"`
		RequestID       string   `xml:"ResponseMetadata>RequestId"`
	}{Xmlns: Info.XMLNamespace, SubscriptionArn: *out.SubscriptionARN, RequestID: newID()})
}

func (s *Service) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	arn := r.URL.Query().Get("SubscriptionArn")
	r = withCall(r, arn)
	if _, err := s.Unsubscribe(r.Context(), &UnsubscribeInput{SubscriptionARN: &arn}); err != nil {
		writeAPIError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(struct {
		XMLName   xml.Name `xml:"UnsubscribeResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		RequestID string   `xml:"ResponseMetadata>RequestId"`
	}{Xmlns: Info.XMLNamespace, RequestID: newID()})
}

// OutboxMessage is one entry of GET /_overcast/sns/outbox.
type OutboxMessage struct {
	MessageID       string `json:"MessageId"`
	Protocol        string `json:"Protocol"`
	Endpoint        string `json:"Endpoint"`
	TopicARN        string `json:"TopicArn,omitempty"`
	SubscriptionARN string `json:"SubscriptionArn,omitempty"`
	Subject         string `json:"Subject,omitempty"`
	Message         string `json:"Message"`
	Timestamp       string `json:"Timestamp"`
}

// handleOutbox answers {"messages":[...]}, oldest first, optionally only those of one
// ?protocol= or ?endpoint=.
func (s *Service) handleOutbox(w http.ResponseWriter, r *http.Request) {
	entries, err := s.db.SNSOutboxList(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	proto, ep := r.URL.Query().Get("protocol"), r.URL.Query().Get("endpoint")
	out := []OutboxMessage{}
	for _, e := range entries {
		if (proto != "" && e.Protocol != proto) || (ep != "" && e.Endpoint != ep) {
			continue
		}
		id := e.ID
		if i := len(id) - len(e.Endpoint) - 1; i > 0 && id[i] == '/' {
			id = id[:i]
		}
		out = append(out, OutboxMessage{
			MessageID: id, Protocol: e.Protocol, Endpoint: e.Endpoint, TopicARN: e.TopicARN,
			SubscriptionARN: e.SubscriptionARN, Subject: e.Subject, Message: e.Message,
			Timestamp: timestamp(time.UnixMilli(e.CreatedAt)),
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"messages": out})
}
