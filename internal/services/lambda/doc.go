// Package lambda serves the AWS Lambda control plane on the store and runs functions
// through internal/lambdart.
//
// Supported operations: CreateFunction (ZipFile packages), GetFunction,
// GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration,
// DeleteFunction, ListFunctions, PublishVersion, ListVersionsByFunction, CreateAlias,
// GetAlias, UpdateAlias (weighted routing), DeleteAlias, ListAliases, Invoke
// (RequestResponse, Event and DryRun), AddPermission, RemovePermission, GetPolicy,
// PutFunctionConcurrency, GetFunctionConcurrency, DeleteFunctionConcurrency,
// GetAccountSettings, TagResource, UntagResource and ListTags. Every other operation
// answers NotImplemented. InvokeEvent is the in-process API for services that invoke
// functions asynchronously.
//
// Event invocations are durable delivery jobs (target kind "lambda") retried with
// Lambda's asynchronous policy (two retries, six hours); without a dispatcher they run
// in-process, once.
//
// Known differences from AWS: functions are Active (and updates Successful) as soon as
// the call returns; code is accepted only as ZipFile (no S3 or container images); layers
// are stored by ARN but not merged under /opt; GetFunction's Code.Location is not served
// yet; per-function asynchronous invocation configuration, destinations and dead-letter
// queues are not implemented; resource policies are stored and returned but not
// enforced; model validation failures answer ValidationException.
package lambda
