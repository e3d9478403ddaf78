package edge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
)

// The identification tests run against ServiceInfos built from the service models in
// internal/protocol/models, so that every route the edge knows is the model's own. Their
// operations take and return empty structures.

// testModels are the models the tests serve, as Overcast does.
var testModels = []string{
	"sqs", "sns", "sts", "iam", "lambda", "s3", "cloudwatch", "events", "stepfunctions",
	"kinesis", "logs", "cognito-idp", "cognito-identity", "apigateway", "apigatewayv2",
	"kinesisvideo", "kinesis-video-archived-media", "kinesis-video-media", "scheduler",
	"firehose", "glue", "mq", "appflow", "swf",
}

type modelFile struct {
	Metadata struct {
		APIVersion         string          `json:"apiVersion"`
		EndpointPrefix     string          `json:"endpointPrefix"`
		JSONVersion        string          `json:"jsonVersion"`
		Protocol           string          `json:"protocol"`
		Protocols          []string        `json:"protocols"`
		ServiceFullName    string          `json:"serviceFullName"`
		SigningName        string          `json:"signingName"`
		TargetPrefix       string          `json:"targetPrefix"`
		XMLNamespace       string          `json:"xmlNamespace"`
		AWSQueryCompatible json.RawMessage `json:"awsQueryCompatible"`
	} `json:"metadata"`
	Operations map[string]struct {
		Name string `json:"name"`
		HTTP struct {
			Method       string `json:"method"`
			RequestURI   string `json:"requestUri"`
			ResponseCode int    `json:"responseCode"`
		} `json:"http"`
		AuthType string `json:"authtype"`
		Input    struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]struct {
		Members map[string]struct {
			Location     string `json:"location"`
			LocationName string `json:"locationName"`
		} `json:"members"`
	} `json:"shapes"`
}

var (
	modelInfosOnce sync.Once
	modelInfos     map[string]*protocol.ServiceInfo
	modelInfosErr  error
)

// MustModelInfos returns a ServiceInfo per test model, keyed by model name. They are
// shared by the tests and never changed.
func MustModelInfos(tb testing.TB) map[string]*protocol.ServiceInfo {
	tb.Helper()
	modelInfosOnce.Do(func() {
		modelInfos = make(map[string]*protocol.ServiceInfo)
		for _, name := range testModels {
			info, err := loadModelInfo(name)
			if err != nil {
				modelInfosErr = err
				return
			}
			modelInfos[name] = info
		}
	})
	require.NoError(tb, modelInfosErr)
	return modelInfos
}

func loadModelInfo(name string) (*protocol.ServiceInfo, error) {
	b, err := os.ReadFile(filepath.Join("..", "protocol", "models", name+".json"))
	if err != nil {
		return nil, err
	}
	var m modelFile
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	md := m.Metadata
	info := &protocol.ServiceInfo{
		Package:         strings.ReplaceAll(name, "-", ""),
		ModelName:       name,
		FullName:        md.ServiceFullName,
		APIVersion:      md.APIVersion,
		Protocol:        md.Protocol,
		Protocols:       md.Protocols,
		JSONVersion:     md.JSONVersion,
		TargetPrefix:    md.TargetPrefix,
		SigningName:     md.SigningName,
		EndpointPrefix:  md.EndpointPrefix,
		XMLNamespace:    md.XMLNamespace,
		QueryCompatible: len(md.AWSQueryCompatible) > 0,
	}
	if info.SigningName == "" {
		info.SigningName = md.EndpointPrefix
	}
	if len(info.Protocols) == 0 {
		info.Protocols = []string{md.Protocol}
	}
	for _, o := range m.Operations {
		info.Operations = append(info.Operations, &protocol.Operation{
			Name:          o.Name,
			Method:        o.HTTP.Method,
			RequestURI:    o.HTTP.RequestURI,
			ResponseCode:  o.HTTP.ResponseCode,
			ResultWrapper: o.Name + "Result",
			NewInput:      inputMaker(m, o.Input.Shape),
			Call: func(context.Context, any, any) (any, error) {
				return &struct{}{}, nil
			},
			NoAuth: o.AuthType == "none",
		})
	}
	sort.Slice(info.Operations, func(i, j int) bool { return info.Operations[i].Name < info.Operations[j].Name })
	return info, nil
}

// inputMaker returns a NewInput for the input shape: a struct with a field per member
// bound to a header, query parameter or URI label, tagged as generated inputs are, so
// that the router weighs bindings as it does for the real inputs.
func inputMaker(m modelFile, shape string) func() any {
	var fields []reflect.StructField
	names := make([]string, 0, len(m.Shapes[shape].Members))
	for name := range m.Shapes[shape].Members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		mem := m.Shapes[shape].Members[name]
		var typ reflect.Type
		switch mem.Location {
		case "header", "querystring", "uri":
			typ = reflect.TypeFor[*string]()
		case "headers":
			typ = reflect.TypeFor[map[string]string]()
		default:
			continue
		}
		wire := mem.LocationName
		if wire == "" {
			wire = name
		}
		fields = append(fields, reflect.StructField{
			Name: "F" + name,
			Type: typ,
			Tag:  reflect.StructTag(`name:"` + wire + `" loc:"` + mem.Location + `"`),
		})
	}
	t := reflect.StructOf(fields)
	return func() any { return reflect.New(t).Interface() }
}

// modelAPI is the API of every model service in the tests: the empty operations need
// nothing of it.
type modelAPI struct{}

// MustModelEdge returns an Edge serving every test model.
func MustModelEdge(tb testing.TB, cfg Config) *Edge {
	tb.Helper()
	infos := MustModelInfos(tb)
	for _, name := range testModels {
		cfg.Services = append(cfg.Services, Service{Info: infos[name], API: modelAPI{}})
	}
	return New(cfg)
}
