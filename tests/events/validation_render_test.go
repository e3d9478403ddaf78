package events_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/require"
)

// TestPutEventsTooManyEntriesMessage: AWS quotes the whole list of entries in its
// validation message, each entry printed as Java prints the request structure:
// "PutEventsRequestEntry(time=null, source=..., resources=null, ...)".
func TestPutEventsTooManyEntriesMessage(t *testing.T) {
	t.Parallel()
	c := clientsOf(sharedServer(t))
	detail := `{"command": "update-account", "payload": {"acc_id": "0a787ecb-4015", "sf_id": "baz"}}`
	entries := make([]types.PutEventsRequestEntry, 11)
	for i := range entries {
		entries[i] = types.PutEventsRequestEntry{Source: aws.String("core.update-account-command"),
			DetailType: aws.String("core.update-account-command"), Detail: aws.String(detail), EventBusName: aws.String("my-bus")}
	}
	_, err := c.eb.PutEvents(ctx(t), &eventbridge.PutEventsInput{Entries: entries})
	msg := requireCode(t, err, "ValidationException").ErrorMessage()
	// AWS's structure ends with members its public model does not list (kmsKeyIdentifier,
	// internalMetadata); the entries are compared up to the trace header.
	entry := "PutEventsRequestEntry(time=null, source=core.update-account-command, resources=null, " +
		"detailType=core.update-account-command, detail=" + detail + ", eventBusName=my-bus, traceHeader=null"
	require.True(t, strings.HasPrefix(msg, "1 validation error detected: Value '["+entry), msg)
	require.Equal(t, 11, strings.Count(msg, entry), msg)
	require.True(t, strings.HasSuffix(msg, ")]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"), msg)
}
