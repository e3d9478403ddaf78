package protocol_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/internal/protocol"
	"github.com/overcast/overcast/internal/services/lambda"
)

type fakeLambda struct {
	lambda.UnimplementedAPI
	mu      sync.Mutex
	invoked *lambda.InvokeInput
	created *lambda.CreateFunctionInput
	listed  *lambda.ListFunctionsInput
}

func (f *fakeLambda) Invoke(_ context.Context, in *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
	f.mu.Lock()
	f.invoked = in
	f.mu.Unlock()
	if aws.ToString(in.InvocationType) == "Event" {
		return &lambda.InvokeOutput{StatusCode: ptr(int32(202))}, nil
	}
	return &lambda.InvokeOutput{
		StatusCode:      ptr(int32(200)),
		FunctionError:   ptr("Unhandled"),
		LogResult:       ptr("U1RBUlQgUmVxdWVzdElkOiAx"),
		ExecutedVersion: ptr("7"),
		Payload:         []byte(`{"errorMessage":"boom","errorType":"Error"}`),
	}, nil
}

func (f *fakeLambda) CreateFunction(_ context.Context, in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
	f.mu.Lock()
	f.created = in
	f.mu.Unlock()
	return &lambda.CreateFunctionOutput{
		FunctionName:  in.FunctionName,
		FunctionARN:   ptr("arn:aws:lambda:us-east-1:000000000000:function:" + *in.FunctionName),
		Runtime:       in.Runtime,
		Timeout:       in.Timeout,
		MemorySize:    in.MemorySize,
		CodeSize:      ptr(int64(len(in.Code.ZipFile))),
		LastModified:  ptr("2024-01-02T03:04:05.678+0000"),
		Environment:   &lambda.EnvironmentResponse{Variables: in.Environment.Variables},
		Architectures: in.Architectures,
		State:         ptr("Pending"),
	}, nil
}

func (f *fakeLambda) GetFunction(_ context.Context, in *lambda.GetFunctionInput) (*lambda.GetFunctionOutput, error) {
	e := lambda.NewResourceNotFoundException("Function not found: arn:aws:lambda:us-east-1:000000000000:function:" + *in.FunctionName)
	e.Fields = map[string]any{"Type": "User"}
	return nil, e
}

func (f *fakeLambda) ListFunctions(_ context.Context, in *lambda.ListFunctionsInput) (*lambda.ListFunctionsOutput, error) {
	f.mu.Lock()
	f.listed = in
	f.mu.Unlock()
	return &lambda.ListFunctionsOutput{
		Functions: []*lambda.FunctionConfiguration{
			{FunctionName: ptr("a"), Layers: []*lambda.Layer{{ARN: ptr("arn:layer:1"), CodeSize: ptr(int64(5))}}},
			{FunctionName: ptr("b")},
		},
		NextMarker: ptr("m2"),
	}, nil
}

func (f *fakeLambda) ListTags(_ context.Context, in *lambda.ListTagsInput) (*lambda.ListTagsOutput, error) {
	return &lambda.ListTagsOutput{Tags: map[string]string{"resource": *in.Resource, "empty": ""}}, nil
}

var esmTime = time.Date(2004, 1, 16, 16, 48, 44, 235e6, time.UTC)

func (f *fakeLambda) ListEventSourceMappings(_ context.Context, in *lambda.ListEventSourceMappingsInput) (*lambda.ListEventSourceMappingsOutput, error) {
	t := esmTime
	return &lambda.ListEventSourceMappingsOutput{EventSourceMappings: []*lambda.EventSourceMappingConfiguration{{
		UUID:                       ptr("u-1"),
		LastModified:               &t,
		StartingPositionTimestamp:  ptr(time.Unix(1700000000, 0).UTC()),
		BatchSize:                  ptr(int32(10)),
		BisectBatchOnFunctionError: ptr(false),
		Topics:                     []string{},
	}}}, nil
}

func (f *fakeLambda) GetAccountSettings(context.Context, *lambda.GetAccountSettingsInput) (*lambda.GetAccountSettingsOutput, error) {
	return nil, &protocol.Error{Code: "TooManyRequestsException", Message: "Rate exceeded", Status: http.StatusTooManyRequests,
		Fields: map[string]any{"Reason": "CallerRateLimitExceeded", "Type": "User"}, Headers: map[string]string{"Retry-After": "3"}}
}

func TestSDKLambdaRestJSON(t *testing.T) {
	t.Parallel()
	fake := &fakeLambda{}
	srv := startEdge(t, lambda.Info, fake)
	client := awslambda.New(awslambda.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: staticCreds, RetryMaxAttempts: 1,
	})
	ctx := t.Context()
	arn := "arn:aws:lambda:us-east-1:000000000000:function:my-fn"

	t.Run("Invoke", func(t *testing.T) {
		out, err := client.Invoke(ctx, &awslambda.InvokeInput{
			FunctionName:  aws.String(arn),
			Qualifier:     aws.String("prod"),
			ClientContext: aws.String("eyJjdXN0b20iOnsiYSI6MX19"),
			LogType:       lambdatypes.LogTypeTail,
			Payload:       []byte(`{"k": "v", "n": [1, 2]}`),
		})
		require.NoError(t, err)
		require.Equal(t, int32(200), out.StatusCode)
		require.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
		require.Equal(t, "U1RBUlQgUmVxdWVzdElkOiAx", aws.ToString(out.LogResult))
		require.Equal(t, "7", aws.ToString(out.ExecutedVersion))
		require.JSONEq(t, `{"errorMessage":"boom","errorType":"Error"}`, string(out.Payload))
		fake.mu.Lock()
		in := fake.invoked
		fake.mu.Unlock()
		require.Equal(t, arn, *in.FunctionName)
		require.Equal(t, "prod", *in.Qualifier)
		require.Equal(t, "eyJjdXN0b20iOnsiYSI6MX19", *in.ClientContext)
		require.Equal(t, "Tail", *in.LogType)
		require.Equal(t, `{"k": "v", "n": [1, 2]}`, string(in.Payload))

		async, err := client.Invoke(ctx, &awslambda.InvokeInput{
			FunctionName: aws.String("my-fn"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{}`),
		})
		require.NoError(t, err)
		require.Equal(t, int32(202), async.StatusCode)
		require.Empty(t, async.Payload)
	})

	t.Run("CreateFunction", func(t *testing.T) {
		out, err := client.CreateFunction(ctx, &awslambda.CreateFunctionInput{
			FunctionName:  aws.String("my-fn"),
			Role:          aws.String("arn:aws:iam::000000000000:role/r"),
			Runtime:       lambdatypes.RuntimePython312,
			Handler:       aws.String("app.handler"),
			Code:          &lambdatypes.FunctionCode{ZipFile: []byte("PK\x03\x04zipbytes\x00\xff")},
			Timeout:       aws.Int32(30),
			MemorySize:    aws.Int32(256),
			Publish:       true,
			Environment:   &lambdatypes.Environment{Variables: map[string]string{"AA": "1", "BB": "two words"}},
			Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
			Tags:          map[string]string{"team": "x"},
		})
		require.NoError(t, err)
		require.Equal(t, "my-fn", aws.ToString(out.FunctionName))
		require.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:my-fn", aws.ToString(out.FunctionArn))
		require.Equal(t, lambdatypes.RuntimePython312, out.Runtime)
		require.Equal(t, int32(30), aws.ToInt32(out.Timeout))
		require.Equal(t, int32(256), aws.ToInt32(out.MemorySize))
		require.Equal(t, int64(14), out.CodeSize)
		require.Equal(t, "2024-01-02T03:04:05.678+0000", aws.ToString(out.LastModified))
		require.Equal(t, map[string]string{"AA": "1", "BB": "two words"}, out.Environment.Variables)
		require.Equal(t, []lambdatypes.Architecture{lambdatypes.ArchitectureArm64}, out.Architectures)
		require.Equal(t, lambdatypes.StatePending, out.State)
		fake.mu.Lock()
		in := fake.created
		fake.mu.Unlock()
		require.Equal(t, []byte("PK\x03\x04zipbytes\x00\xff"), in.Code.ZipFile)
		require.True(t, *in.Publish)
		require.Equal(t, map[string]string{"team": "x"}, in.Tags)
	})

	t.Run("ModeledError", func(t *testing.T) {
		_, err := client.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("nope")})
		var rnf *lambdatypes.ResourceNotFoundException
		require.ErrorAs(t, err, &rnf)
		require.Equal(t, "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", rnf.ErrorMessage())
		require.Equal(t, "User", aws.ToString(rnf.Type))
		require.Equal(t, "ResourceNotFoundException", rnf.ErrorCode())
		var re interface{ HTTPStatusCode() int }
		require.ErrorAs(t, err, &re)
		require.Equal(t, http.StatusNotFound, re.HTTPStatusCode())
	})

	t.Run("ErrorFields", func(t *testing.T) {
		_, err := client.GetAccountSettings(ctx, &awslambda.GetAccountSettingsInput{})
		var tmr *lambdatypes.TooManyRequestsException
		require.ErrorAs(t, err, &tmr)
		require.Equal(t, lambdatypes.ThrottleReasonCallerRateLimitExceeded, tmr.Reason)
		require.Equal(t, "User", aws.ToString(tmr.Type))
		require.Equal(t, "3", aws.ToString(tmr.RetryAfterSeconds))
		var apiErr smithy.APIError
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "TooManyRequestsException", apiErr.ErrorCode())
	})

	t.Run("QueryAndLabels", func(t *testing.T) {
		out, err := client.ListFunctions(ctx, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(2), Marker: aws.String("m1 /&=")})
		require.NoError(t, err)
		require.Len(t, out.Functions, 2)
		require.Equal(t, "arn:layer:1", aws.ToString(out.Functions[0].Layers[0].Arn))
		require.Equal(t, int64(5), out.Functions[0].Layers[0].CodeSize)
		require.Equal(t, "m2", aws.ToString(out.NextMarker))
		fake.mu.Lock()
		in := fake.listed
		fake.mu.Unlock()
		require.Equal(t, int32(2), *in.MaxItems)
		require.Equal(t, "m1 /&=", *in.Marker)

		tags, err := client.ListTags(ctx, &awslambda.ListTagsInput{Resource: aws.String(arn)})
		require.NoError(t, err)
		require.Equal(t, map[string]string{"resource": arn, "empty": ""}, tags.Tags)
	})

	t.Run("Timestamps", func(t *testing.T) {
		out, err := client.ListEventSourceMappings(ctx, &awslambda.ListEventSourceMappingsInput{})
		require.NoError(t, err)
		require.Len(t, out.EventSourceMappings, 1)
		m := out.EventSourceMappings[0]
		require.Equal(t, esmTime, m.LastModified.UTC())
		require.Equal(t, time.Unix(1700000000, 0).UTC(), m.StartingPositionTimestamp.UTC())
		require.Equal(t, int32(10), aws.ToInt32(m.BatchSize))
		require.False(t, aws.ToBool(m.BisectBatchOnFunctionError))
		require.Empty(t, m.Topics)
	})
}
