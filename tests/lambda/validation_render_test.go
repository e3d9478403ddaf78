package lambda_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	smithy "github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
)

// TestValidationQuotesLists: AWS quotes an offending list as Java prints it ("[a, b]"), and
// a list item that breaks its constraints is reported once for the whole list, with every
// constraint of its items.
func TestValidationQuotesLists(t *testing.T) {
	t.Parallel()
	c := client(sharedServer(t))
	name := uniqueName(t)
	_, err := c.CreateFunction(t.Context(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: types.RuntimePython312, Role: aws.String(role),
		Handler: aws.String("lambda_function.hello"), Code: &types.FunctionCode{ZipFile: handlerZip(t)},
		Architectures: []types.Architecture{types.ArchitectureX8664, types.ArchitectureArm64},
	})
	got := requireError[smithy.APIError](t, err, "ValidationException", 400)
	require.Equal(t, validation("[x86_64, arm64]", "architectures", "Member must have length less than or equal to 1"), got.ErrorMessage())

	_, err = c.CreateFunctionUrlConfig(t.Context(), &lambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String(name), AuthType: types.FunctionUrlAuthTypeNone,
		Cors: &types.Cors{AllowMethods: []string{"GET", "POST", "OPTIONS"}},
	})
	got = requireError[smithy.APIError](t, err, "ValidationException", 400)
	require.Equal(t, validation("[GET, POST, OPTIONS]", "cors.allowMethods", "Member must satisfy constraint: [Member must have length less than or equal to 6, "+
		"Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: .*, Member must not be null]"), got.ErrorMessage())
}
