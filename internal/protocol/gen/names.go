package main

import (
	"go/token"
	"strings"
	"unicode"
)

// service is one AWS API Overcast serves: the botocore model it is generated from and
// the Go package under internal/services it is generated into.
type service struct {
	// Model is the botocore directory name and the file name (without .json) in models/.
	Model string
	// Package is the signing name without punctuation; where two models share a signing
	// name, the model name without punctuation.
	Package string
	// QueryModel and QueryErrors name the overlay files of a JSON service that still
	// accepts its older query protocol.
	QueryModel, QueryErrors string
	// ItemByItem: the service reports a list item that breaks its constraints by itself
	// ("Unknown Attribute Bogus."), not the whole list as AWS's Java validation does.
	ItemByItem bool
}

// services lists every service Overcast generates, in the order the generator writes them.
var services = []service{
	{Model: "sqs", Package: "sqs", QueryModel: "sqs-query.json", QueryErrors: "sqs-errors.json", ItemByItem: true},
	{Model: "sns", Package: "sns"},
	{Model: "lambda", Package: "lambda"},
	{Model: "events", Package: "events"},
	{Model: "scheduler", Package: "scheduler"},
	{Model: "stepfunctions", Package: "states"},
	{Model: "apigateway", Package: "apigateway"},
	{Model: "apigatewayv2", Package: "apigatewayv2"},
	{Model: "apigatewaymanagementapi", Package: "apigatewaymanagementapi"},
	{Model: "kinesis", Package: "kinesis"},
	{Model: "firehose", Package: "firehose"},
	{Model: "kinesisanalytics", Package: "kinesisanalytics"},
	{Model: "kinesisanalyticsv2", Package: "kinesisanalyticsv2"},
	{Model: "kinesisvideo", Package: "kinesisvideo"},
	{Model: "kinesis-video-archived-media", Package: "kinesisvideoarchivedmedia"},
	{Model: "kinesis-video-media", Package: "kinesisvideomedia"},
	{Model: "cognito-idp", Package: "cognitoidp"},
	{Model: "cognito-identity", Package: "cognitoidentity"},
	{Model: "glue", Package: "glue"},
	{Model: "mq", Package: "mq"},
	{Model: "appflow", Package: "appflow"},
	{Model: "swf", Package: "swf"},
	{Model: "logs", Package: "logs"},
	{Model: "sts", Package: "sts"},
	{Model: "iam", Package: "iam"},
	{Model: "s3", Package: "s3"},
	{Model: "cloudwatch", Package: "monitoring"},
}

// reservedNames are identifiers every service package keeps for its hand-written code.
var reservedNames = []string{"Service", "New", "Deps", "Config", "Info", "API", "UnimplementedAPI"}

// initialisms maps camel-case segments to their Go spelling.
var initialisms = map[string]string{
	"Id": "ID", "Ids": "IDs",
	"Url": "URL", "Urls": "URLs",
	"Arn": "ARN", "Arns": "ARNs",
	"Uri":  "URI",
	"Http": "HTTP", "Https": "HTTPS",
	"Json": "JSON",
	"Xml":  "XML",
	"Api":  "API",
	"Sql":  "SQL",
}

// alnum drops every character that cannot appear in a Go identifier.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return r
		}
		return -1
	}, s)
}

// packageName is a signing name or model name without punctuation, lower-cased.
func packageName(s string) string { return strings.ToLower(alnum(s)) }

// exported returns s as an exported identifier: punctuation dropped, first letter
// upper-cased, and "X" put in front of a leading digit.
func exported(s string) string {
	s = alnum(s)
	if s == "" {
		return ""
	}
	if s[0] >= '0' && s[0] <= '9' {
		return "X" + s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fieldName turns a member name into a Go field name: exported, with the initialisms
// applied to each camel-case segment (a run from an upper-case letter up to the next
// upper-case letter or the end). QueueUrl becomes QueueURL, Identity stays.
func fieldName(s string) string {
	s = exported(s)
	var b strings.Builder
	start := 0
	flush := func(end int) {
		seg := s[start:end]
		if r, ok := initialisms[seg]; ok {
			seg = r
		}
		b.WriteString(seg)
		start = end
	}
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' {
			flush(i)
		}
	}
	flush(len(s))
	return b.String()
}

// enumValueName turns an enum value into the suffix of its constant: the value split at
// every character that cannot appear in an identifier, each part capitalised.
// "python3.12" becomes Python312, "AWS_IAM" AWSIAM, "us-east-1" UsEast1.
func enumValueName(v string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(v, func(r rune) bool {
		return r >= unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// namespace hands out package-level identifiers without collisions.
type namespace map[string]bool

func newNamespace() namespace {
	ns := namespace{}
	for _, n := range reservedNames {
		ns[n] = true
	}
	return ns
}

// claim reserves name, appending "Shape" until it is free and not a Go keyword.
func (ns namespace) claim(name string) string {
	for ns[name] || token.IsKeyword(name) {
		name += "Shape"
	}
	ns[name] = true
	return name
}
