package sqs_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestQueryErrorDetailAndUnknownAction: AWS's SQS query API answers an unknown action
// "The action X is not valid for this endpoint." and every query error carries an empty
// <Detail/> element after the message (boto3 reports it as "Detail": null).
func TestQueryErrorDetailAndUnknownAction(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	root := srv.Endpoint() + "/"
	qurl := newQueue(t, srv.SQS(), nil)

	for _, target := range []string{root, qurl} {
		doc := queryError(t, srv, target, map[string]string{"Action": "NoSuchAction"}, http.StatusBadRequest, "InvalidAction")
		require.Equal(t, "The action NoSuchAction is not valid for this endpoint.", doc.get("Error/Message"), target)
	}

	for _, params := range []map[string]string{
		{"Action": "NoSuchAction"},
		{"Action": "GetQueueUrl", "QueueName": uniqueName(t, "missing")},
		{"Action": "CreateQueue", "QueueName": "bad name"},
	} {
		form := url.Values{"Version": {"2012-11-05"}}
		for k, v := range params {
			form.Set(k, v)
		}
		status, body := rawQuery(t, srv.HTTPClient(), root, "", form)
		require.Equal(t, http.StatusBadRequest, status, "%s", body)
		require.Contains(t, string(body), "</Message><Detail/></Error>", "%s", params["Action"])
		require.Equal(t, 1, strings.Count(string(body), "<Detail"), "%s", body)
	}
}
