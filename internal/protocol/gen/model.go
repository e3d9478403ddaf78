package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// model is a botocore service-2.json model, reduced to what the generator reads.
type model struct {
	Metadata   metadata              `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type metadata struct {
	APIVersion         string          `json:"apiVersion"`
	EndpointPrefix     string          `json:"endpointPrefix"`
	JSONVersion        string          `json:"jsonVersion"`
	Protocol           string          `json:"protocol"`
	Protocols          []string        `json:"protocols"`
	ServiceFullName    string          `json:"serviceFullName"`
	ServiceID          string          `json:"serviceId"`
	SigningName        string          `json:"signingName"`
	TargetPrefix       string          `json:"targetPrefix"`
	XMLNamespace       string          `json:"xmlNamespace"`
	AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
}

type operation struct {
	Name string `json:"name"`
	HTTP struct {
		Method       string `json:"method"`
		RequestURI   string `json:"requestUri"`
		ResponseCode int    `json:"responseCode"`
	} `json:"http"`
	Input  *shapeRef   `json:"input"`
	Output *shapeRef   `json:"output"`
	Errors []*shapeRef `json:"errors"`
	// AuthType and Auth say whether clients sign the call: authtype "none" or
	// auth ["smithy.api#noAuth"] mark operations SDKs send unsigned.
	AuthType string   `json:"authtype"`
	Auth     []string `json:"auth"`
}

// noAuth reports whether clients call op without signing it.
func (op *operation) noAuth() bool {
	if op.AuthType == "none" {
		return true
	}
	for _, a := range op.Auth {
		if a == "smithy.api#noAuth" {
			return true
		}
	}
	return false
}

// shapeRef is a reference to a shape with the traits the referencing member (or
// operation input/output) adds.
type shapeRef struct {
	Shape           string   `json:"shape"`
	Location        string   `json:"location"`
	LocationName    string   `json:"locationName"`
	Flattened       bool     `json:"flattened"`
	XMLNamespace    *xmlns   `json:"xmlNamespace"`
	XMLAttribute    bool     `json:"xmlAttribute"`
	TimestampFormat string   `json:"timestampFormat"`
	Streaming       bool     `json:"streaming"`
	JSONValue       bool     `json:"jsonvalue"`
	HostLabel       bool     `json:"hostLabel"`
	EventPayload    bool     `json:"eventpayload"`
	EventHeader     bool     `json:"eventheader"`
	ResultWrapper   string   `json:"resultWrapper"`
	Enum            []string `json:"enum"`
}

type xmlns struct {
	URI    string `json:"uri"`
	Prefix string `json:"prefix"`
}

// String renders the namespace as the xmlns struct tag spells it: "prefix:uri" or "uri".
func (x *xmlns) String() string {
	if x.Prefix != "" {
		return x.Prefix + ":" + x.URI
	}
	return x.URI
}

type shape struct {
	Type            string       `json:"type"`
	Members         members      `json:"members"`
	Required        []string     `json:"required"`
	Member          *shapeRef    `json:"member"`
	Key             *shapeRef    `json:"key"`
	Value           *shapeRef    `json:"value"`
	Enum            []string     `json:"enum"`
	Min             *json.Number `json:"min"`
	Max             *json.Number `json:"max"`
	Pattern         string       `json:"pattern"`
	Flattened       bool         `json:"flattened"`
	LocationName    string       `json:"locationName"`
	XMLNamespace    *xmlns       `json:"xmlNamespace"`
	XMLOrder        []string     `json:"xmlOrder"`
	TimestampFormat string       `json:"timestampFormat"`
	Streaming       bool         `json:"streaming"`
	JSONValue       bool         `json:"jsonvalue"`
	Payload         string       `json:"payload"`
	Exception       bool         `json:"exception"`
	Fault           bool         `json:"fault"`
	Error           *errorTrait  `json:"error"`
	Document        bool         `json:"document"`
	Union           bool         `json:"union"`
	EventStream     bool         `json:"eventstream"`
	Event           bool         `json:"event"`
	Sensitive       bool         `json:"sensitive"`
}

type errorTrait struct {
	Code           string `json:"code"`
	HTTPStatusCode int    `json:"httpStatusCode"`
	SenderFault    bool   `json:"senderFault"`
}

// member is one member of a structure, in model order.
type member struct {
	Name string
	Ref  *shapeRef
}

// members keeps a structure's members in the order the model lists them: XML and query
// encoders write elements in field order.
type members []member

func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("members: want an object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := t.(string)
		var ref shapeRef
		if err := dec.Decode(&ref); err != nil {
			return fmt.Errorf("member %s: %w", name, err)
		}
		*ms = append(*ms, member{Name: name, Ref: &ref})
	}
	return nil
}

// find returns the member named name, or nil.
func (ms members) find(name string) *shapeRef {
	for _, m := range ms {
		if m.Name == name {
			return m.Ref
		}
	}
	return nil
}

func readModel(path string) (*model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	for name, op := range m.Operations {
		if op.Name == "" {
			op.Name = name
		}
	}
	for name, sh := range m.Shapes {
		if err := m.check(name, sh); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return &m, nil
}

// check makes sure every reference of sh resolves, so the generator can index freely.
func (m *model) check(name string, sh *shape) error {
	refs := []*shapeRef{sh.Member, sh.Key, sh.Value}
	for _, mb := range sh.Members {
		refs = append(refs, mb.Ref)
	}
	for _, r := range refs {
		if r != nil && m.Shapes[r.Shape] == nil {
			return fmt.Errorf("shape %s refers to unknown shape %s", name, r.Shape)
		}
	}
	return nil
}

// queryOverlay is what Overcast adds to a JSON model for a service that still accepts its
// older query protocol (SQS): the last query model and the query error codes.
type queryOverlay struct {
	model  *model
	errors map[string]*errorTrait
}

type errorsFile struct {
	Errors  map[string]*errorTrait `json:"errors"`
	Members map[string]*shapeRef   `json:"members"`
}

// readOverlay reads the query model and the errors file of a query-compatible service.
// Members listed in the errors file (members added after the query model) are added to
// the query model's structures, so that the current members get query names too.
func readOverlay(dir, queryFile, errorsName string, current *model) (*queryOverlay, error) {
	q, err := readModel(filepath.Join(dir, queryFile))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, errorsName))
	if err != nil {
		return nil, err
	}
	var ef errorsFile
	if err := json.Unmarshal(b, &ef); err != nil {
		return nil, fmt.Errorf("parse %s: %w", errorsName, err)
	}
	for key, traits := range ef.Members {
		var structName, memberName string
		if _, err := fmt.Sscanf(dotToSpace(key), "%s %s", &structName, &memberName); err != nil {
			return nil, fmt.Errorf("%s: bad member key %q", errorsName, key)
		}
		qs, cs := q.Shapes[structName], current.Shapes[structName]
		if qs == nil || cs == nil || cs.Members.find(memberName) == nil {
			return nil, fmt.Errorf("%s: unknown member %q", errorsName, key)
		}
		ref := *cs.Members.find(memberName)
		ref.LocationName, ref.Flattened = traits.LocationName, traits.Flattened
		qs.Members = append(qs.Members, member{Name: memberName, Ref: &ref})
	}
	// Shapes that only the current model has are read from it.
	for name, sh := range current.Shapes {
		if q.Shapes[name] == nil {
			q.Shapes[name] = sh
		}
	}
	return &queryOverlay{model: q, errors: ef.Errors}, nil
}

func dotToSpace(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '.' {
			b[i] = ' '
		}
	}
	return string(b)
}
