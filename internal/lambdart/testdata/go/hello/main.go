// Command hello is a test function for the provided.al2023 runtime, built with
// aws-lambda-go. The configured handler (_HANDLER) selects what it does.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type event struct {
	Name    string `json:"name"`
	Seconds int    `json:"seconds"`
	Gate    string `json:"gate"`
}

var (
	count    int
	instance = fmt.Sprintf("%d-%d", os.Getpid(), time.Now().UnixNano())
)

func main() {
	fmt.Println("init: go bootstrap starting")
	switch os.Getenv("_HANDLER") {
	case "counter":
		lambda.Start(func() (map[string]any, error) {
			count++
			return map[string]any{"count": count, "instance": instance}, nil
		})
	case "fail":
		lambda.Start(func() (string, error) { return "", errors.New("go handler failed") })
	case "ctx":
		lambda.Start(func(ctx context.Context) (map[string]any, error) {
			lc, _ := lambdacontext.FromContext(ctx)
			deadline, _ := ctx.Deadline()
			return map[string]any{
				"request_id":   lc.AwsRequestID,
				"function_arn": lc.InvokedFunctionArn,
				"name":         lambdacontext.FunctionName,
				"version":      lambdacontext.FunctionVersion,
				"memory":       lambdacontext.MemoryLimitInMB,
				"log_group":    lambdacontext.LogGroupName,
				"log_stream":   lambdacontext.LogStreamName,
				"deadline_ok":  time.Until(deadline) > 0,
				"trace":        os.Getenv("_X_AMZN_TRACE_ID"),
			}, nil
		})
	case "sleep":
		lambda.Start(func(e event) (string, error) {
			time.Sleep(time.Duration(e.Seconds) * time.Second)
			return "slept", nil
		})
	case "exit":
		lambda.Start(func() (string, error) {
			fmt.Println("exiting with status 3")
			os.Exit(3)
			return "", nil
		})
	case "stream":
		// Returning an io.Reader makes aws-lambda-go stream the response.
		lambda.Start(func(e event) (io.Reader, error) {
			pr, pw := io.Pipe()
			go func() {
				_, _ = pw.Write([]byte("chunk-1;"))
				if e.Gate != "" {
					resp, err := http.Get(e.Gate)
					if err != nil {
						pw.CloseWithError(err)
						return
					}
					resp.Body.Close()
				}
				_, _ = pw.Write([]byte("chunk-2;"))
				if e.Name == "fail" {
					pw.CloseWithError(errors.New("stream broke"))
					return
				}
				pw.Close()
			}()
			return pr, nil
		})
	default:
		lambda.Start(func(e event) (map[string]string, error) {
			fmt.Println("hello handler called for", e.Name)
			return map[string]string{"hello": strings.ToUpper(e.Name)}, nil
		})
	}
}
