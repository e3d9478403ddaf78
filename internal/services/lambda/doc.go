// Package lambda serves the AWS Lambda control plane on the store and runs functions
// through internal/lambdart.
//
// Supported operations: CreateFunction (ZipFile or S3 packages), GetFunction,
// GetFunctionConfiguration, UpdateFunctionCode, UpdateFunctionConfiguration,
// DeleteFunction, ListFunctions, PublishVersion, ListVersionsByFunction, CreateAlias,
// GetAlias, UpdateAlias (weighted routing), DeleteAlias, ListAliases, Invoke
// (RequestResponse, Event and DryRun), InvokeWithResponseStream, AddPermission,
// RemovePermission, GetPolicy, PutFunctionConcurrency, GetFunctionConcurrency,
// DeleteFunctionConcurrency, GetAccountSettings, TagResource, UntagResource, ListTags;
// Put/Get/Update/Delete/ListFunctionEventInvokeConfig(s) and DeadLetterConfig;
// PublishLayerVersion (ZipFile or S3 content), GetLayerVersion, GetLayerVersionByArn,
// ListLayers, ListLayerVersions, DeleteLayerVersion, AddLayerVersionPermission,
// RemoveLayerVersionPermission, GetLayerVersionPolicy; Put/Get/Delete/
// ListProvisionedConcurrencyConfig(s); Create/Get/Update/Delete/ListFunctionUrlConfig(s);
// Create/Get/Update/Delete/ListEventSourceMapping(s) for SQS queues;
// Create/Get/Update/Delete/ListCodeSigningConfig(s), Put/Get/DeleteFunctionCodeSigningConfig,
// ListFunctionsByCodeSigningConfig; Get/PutFunctionRecursionConfig;
// Get/PutRuntimeManagementConfig; Get/PutFunctionScalingConfig (answering as for a
// function without a capacity provider); InvokeAsync. Every other operation answers
// NotImplemented. InvokeEvent is the in-process API for services that invoke functions
// asynchronously.
//
// Event invocations are durable delivery jobs (target kind "lambda", owner "lambda")
// retried with Lambda's asynchronous policy: the event invoke config of the qualifier
// invoked (MaximumRetryAttempts, MaximumEventAgeInSeconds), else two retries over six
// hours. An event that finally fails goes to the version's dead-letter queue (SQS or SNS,
// with the RequestID, ErrorCode and ErrorMessage attributes) and to the on-failure
// destination; a successful one sends its invocation record to the on-success
// destination. Records reach SQS, SNS, Lambda (asynchronous invoke) and EventBridge
// (source "lambda", detail-type "Lambda Function Invocation Result - Success|Failure") as
// durable jobs of kind "lambda.destination". Without a dispatcher, Event invocations run
// in-process, once, without destinations.
//
// Functions use up to five layer versions, merged under /opt in order; a function version
// keeps the layers it was published with, even once a layer version is deleted.
// Provisioned concurrency configs are stored and re-applied at start; their environments
// start in the background (IN_PROGRESS, then READY, or FAILED when init fails).
//
// Function URLs (url.go) serve $LATEST or an alias; the HTTP endpoint lives in
// internal/server (host <id>.lambda-url.<region>.localhost and path
// /_overcast/lambda-url/<id>/) and calls InvokeURL/InvokeURLStream.
// InvokeWithResponseStream (stream.go) returns a protocol.EventStream of PayloadChunk
// events ending with InvokeComplete (ErrorCode is the runtime's error type).
//
// SQS event source mappings (esm.go, esm_poller.go) are stored and polled by every node
// through the in-process SQS API: batches within the batching window, filter criteria,
// partial batch failures (ReportBatchItemFailures), FIFO order per message group and
// MaximumConcurrency.
//
// Code signing configs (codesigning.go) are stored and attached to functions (at
// CreateFunction or with PutFunctionCodeSigningConfig; a config in use cannot be deleted),
// but Overcast verifies no signature: deployment packages are unsigned zips. A function
// whose config's UntrustedArtifactOnDeployment is Enforce is therefore refused every
// CreateFunction and UpdateFunctionCode, and every UpdateFunctionConfiguration adding
// layers, with CodeVerificationFailedException, as AWS refuses code without a valid
// signature; Warn accepts them. The recursive loop setting (recursion.go, default
// Terminate) and each version's runtime management config (runtimemgmt.go, default Auto)
// are stored and returned; Overcast detects no recursive loops and runs every runtime on
// the host's interpreter, whatever the runtime version ARN. Function scaling configs
// belong to Lambda Managed Instances capacity providers, which Overcast does not serve:
// for any existing version they answer InvalidParameterValueException. InvokeAsync
// (invokeasync.go) queues an Event invocation like Invoke with InvocationType Event. These
// settings are deleted with their function (a version's runtime management config with
// its version).
//
// Invocations read a function version, its configuration and its function row from a
// per-node cache (cache.go). Every change made through a node is seen by that node's next
// invocation; changes made on other nodes are seen within Deps.MetadataTTL (one second by
// default).
//
// LoggingConfig (logging.go) is stored per version and answered as AWS does: Text and
// /aws/lambda/<name> by default; JSON sets ApplicationLogLevel and SystemLogLevel to INFO
// unless given, Text drops them, and a level with the Text format answers
// InvalidParameterValueException. The function's logs go to its LogGroup, in the format
// and at the levels configured (see internal/lambdart).
//
// CreateFunction answers Pending and the update operations InProgress, as AWS does, but
// Overcast sets the function up before it answers: the next read says Active (and the
// update Successful), and revision ids do not change when a function becomes Active.
//
// Known differences from AWS: code and layer content come as ZipFile or from S3 (through
// Deps.Objects), never as container images; S3 on-failure destinations are refused; resource
// policies (including the one a NONE function URL needs) are stored and returned but not
// enforced, and AWS_IAM function URLs check the signature only; layer policies grant other
// accounts use of a version but organization conditions are not evaluated; each node
// initialises the provisioned environments of every config; event source mappings read
// only SQS; model validation failures answer ValidationException.
package lambda
