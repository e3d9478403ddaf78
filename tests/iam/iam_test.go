package iam_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/stretchr/testify/require"

	"github.com/overcast/overcast/tests/harness"
)

// TestRolesBoto3 checks the role lifecycle against AWS's recorded answers: the members
// CreateRole, GetRole, ListRoles and UpdateRoleDescription carry, NoSuchEntity and
// EntityAlreadyExists wording, trust policy errors, tags, PathPrefix and Marker paging,
// DeleteConflict while policies or instance profiles hold the role, permissions
// boundaries.
func TestRolesBoto3(t *testing.T) {
	t.Parallel()
	mustOK(t, "testdata/roles_boto3.py")
}

// TestPoliciesBoto3 checks managed policies (versions and their five-version limit,
// attachment counts, DeleteConflict), AWS managed policies, ListPolicies scopes and
// paging, inline role policies and the identity policy grammar's errors.
func TestPoliciesBoto3(t *testing.T) {
	t.Parallel()
	mustOK(t, "testdata/policies_boto3.py")
}

// TestSTSBoto3 checks GetCallerIdentity for root and temporary credentials, AssumeRole's
// answer and errors (invalid ARNs, session names, durations, session tags, unknown
// roles), GetFederationToken, GetSessionToken and the web identity and SAML variants.
func TestSTSBoto3(t *testing.T) {
	t.Parallel()
	mustOK(t, "testdata/sts_boto3.py")
}

// TestUsersBoto3 checks users, access keys (the key acts as its user in STS and IAM),
// groups and user policy attachments.
func TestUsersBoto3(t *testing.T) {
	t.Parallel()
	mustOK(t, "testdata/users_boto3.py")
}

// TestLambdaWithRoleBoto3 runs the setup code most suites start with: create a role,
// attach AWSLambdaBasicExecutionRole, create a function with the role's ARN, invoke it.
func TestLambdaWithRoleBoto3(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	out := srv.Python(t, "testdata/lambda_role_boto3.py", uniqueName(t))
	require.Equal(t, "ok", strings.TrimSpace(out), out)
}

// TestCLIGetCallerIdentity: `aws sts get-caller-identity` answers the account of the key,
// the root ARN and the account id as UserId, as AWS does for an account's root user.
func TestCLIGetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	id := newAccount(t)
	res := srv.AWSAs(t, id, "sts", "get-caller-identity")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	var who struct{ UserId, Account, Arn string }
	res.JSON(t, &who)
	require.Equal(t, id.AccessKey, who.Account)
	require.Equal(t, "arn:aws:iam::"+id.AccessKey+":root", who.Arn)
	require.Equal(t, id.AccessKey, who.UserId)
}

// TestCLIAssumeRoleThenSQS assumes a role with the CLI and calls SQS with the returned
// credentials (session token included) through aws-sdk-go-v2.
func TestCLIAssumeRoleThenSQS(t *testing.T) {
	t.Parallel()
	srv := sharedServer(t)
	id := newAccount(t)
	name := uniqueName(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + id.AccessKey + `"},"Action":"sts:AssumeRole"}]}`
	var role struct{ Role struct{ Arn, RoleId string } }
	res := srv.AWSAs(t, id, "iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &role)
	res = srv.AWSAs(t, id, "iam", "attach-role-policy", "--role-name", name, "--policy-arn", "arn:aws:iam::aws:policy/AmazonSQSFullAccess")
	require.Equal(t, 0, res.ExitCode, res.Stderr)

	var assumed struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		AssumedRoleUser struct{ Arn, AssumedRoleId string }
	}
	res = srv.AWSAs(t, id, "sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "cli-session")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &assumed)
	require.Equal(t, "arn:aws:sts::"+id.AccessKey+":assumed-role/"+name+"/cli-session", assumed.AssumedRoleUser.Arn)
	require.Equal(t, role.Role.RoleId+":cli-session", assumed.AssumedRoleUser.AssumedRoleId)
	require.True(t, strings.HasPrefix(assumed.Credentials.AccessKeyId, "ASIA"), assumed.Credentials.AccessKeyId)

	c := assumed.Credentials
	q := srv.SQS(func(o *sqs.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
	})
	url, err := q.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err)
	require.Contains(t, aws.ToString(url.QueueUrl), "/"+id.AccessKey+"/", "a role session acts in the role's account")
	_, err = q.SendMessage(t.Context(), &sqs.SendMessageInput{QueueUrl: url.QueueUrl, MessageBody: aws.String("from a role session")})
	require.NoError(t, err)
	got, err := q.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, WaitTimeSeconds: 2})
	require.NoError(t, err)
	require.Len(t, got.Messages, 1)
	require.Equal(t, "from a role session", aws.ToString(got.Messages[0].Body))

	// The CLI signing with the session's key answers the assumed role. (The harness's
	// identities carry no session token; the server runs with auth off.)
	var who struct{ Account, Arn, UserId string }
	res = srv.AWSAs(t, harness.Identity{AccessKey: c.AccessKeyId, Secret: c.SecretAccessKey}, "sts", "get-caller-identity")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &who)
	require.Equal(t, id.AccessKey, who.Account)
	require.Equal(t, assumed.AssumedRoleUser.Arn, who.Arn)
	require.Equal(t, assumed.AssumedRoleUser.AssumedRoleId, who.UserId)
}

// TestResetWipesIAM: POST /_overcast/reset?service=iam forgets every IAM entity.
func TestResetWipesIAM(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	res := srv.AWS(t, "iam", "create-role", "--role-name", "before-reset", "--assume-role-policy-document", trust)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	srv.Reset(t, "iam")
	res = srv.AWS(t, "iam", "get-role", "--role-name", "before-reset")
	require.NotEqual(t, 0, res.ExitCode)
	require.Contains(t, res.Stderr, "NoSuchEntity")
	status, _ := srv.Admin(t, http.MethodPost, "/_overcast/reset?service=sts", nil)
	require.Equal(t, http.StatusOK, status)
}

// TestSigV4AcceptsIssuedCredentials: with --auth=sigv4, keys STS and IAM issued verify
// like configured ones, the session token must come with a session key, and a key nobody
// issued is refused.
func TestSigV4AcceptsIssuedCredentials(t *testing.T) {
	t.Parallel()
	admin := harness.Identity{AccessKey: "222222222222", Secret: "admin-secret"}
	srv := harness.Start(t, harness.Options{Auth: "sigv4", Credentials: admin.AccessKey + ":" + admin.Secret})
	name := uniqueName(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}]}`
	var role struct{ Role struct{ Arn string } }
	res := srv.AWSAs(t, admin, "iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &role)
	var assumed struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	res = srv.AWSAs(t, admin, "sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "signed")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &assumed)
	c := assumed.Credentials

	session := srv.SQS(func(o *sqs.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyId, c.SecretAccessKey, c.SessionToken)
	})
	url, err := session.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: aws.String(name)})
	require.NoError(t, err, "a session key STS issued verifies")
	require.Contains(t, aws.ToString(url.QueueUrl), "/222222222222/")

	noToken := srv.SQS(func(o *sqs.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyId, c.SecretAccessKey, "")
	})
	_, err = noToken.ListQueues(t.Context(), &sqs.ListQueuesInput{})
	require.Error(t, err, "a session key without its token is refused")

	wrong := srv.SQS(func(o *sqs.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider(c.AccessKeyId, "not-the-secret", c.SessionToken)
	})
	_, err = wrong.ListQueues(t.Context(), &sqs.ListQueuesInput{})
	require.ErrorContains(t, err, "SignatureDoesNotMatch")

	// An IAM user's access key verifies too, in its account.
	var key struct{ AccessKey struct{ AccessKeyId, SecretAccessKey string } }
	res = srv.AWSAs(t, admin, "iam", "create-user", "--user-name", name)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res = srv.AWSAs(t, admin, "iam", "create-access-key", "--user-name", name)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &key)
	var who struct{ Account, Arn string }
	res = srv.AWSAs(t, harness.Identity{AccessKey: key.AccessKey.AccessKeyId, Secret: key.AccessKey.SecretAccessKey}, "sts", "get-caller-identity")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &who)
	require.Equal(t, "222222222222", who.Account)
	require.Equal(t, "arn:aws:iam::222222222222:user/"+name, who.Arn)

	unknown := srv.SQS(func(o *sqs.Options) {
		o.Credentials = credentials.NewStaticCredentialsProvider("ASIAQAAAAAAAAAAAAAAA", "whatever", "token")
	})
	_, err = unknown.ListQueues(t.Context(), &sqs.ListQueuesInput{})
	require.ErrorContains(t, err, "InvalidClientTokenId")
}

// TestIAMSurvivesKill: roles, attachments, users, access keys and STS sessions that were
// acknowledged survive kill -9 and a restart on the same data directory, and the issued
// keys still act in their account.
func TestIAMSurvivesKill(t *testing.T) {
	t.Parallel()
	srv := harness.Start(t, harness.Options{})
	id := newAccount(t)
	name := uniqueName(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + id.AccessKey + `"},"Action":"sts:AssumeRole"}]}`
	var role struct{ Role struct{ Arn string } }
	res := srv.AWSAs(t, id, "iam", "create-role", "--role-name", name, "--assume-role-policy-document", trust)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &role)
	res = srv.AWSAs(t, id, "iam", "attach-role-policy", "--role-name", name, "--policy-arn", "arn:aws:iam::aws:policy/AmazonSQSFullAccess")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	var assumed struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	res = srv.AWSAs(t, id, "sts", "assume-role", "--role-arn", role.Role.Arn, "--role-session-name", "before-kill")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &assumed)

	srv.Kill(t)
	srv.Restart(t)

	var attached struct{ AttachedPolicies []struct{ PolicyArn string } }
	res = srv.AWSAs(t, id, "iam", "list-attached-role-policies", "--role-name", name)
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &attached)
	require.Len(t, attached.AttachedPolicies, 1)
	require.Equal(t, "arn:aws:iam::aws:policy/AmazonSQSFullAccess", attached.AttachedPolicies[0].PolicyArn)

	c := assumed.Credentials
	var who struct{ Account, Arn string }
	res = srv.AWSAs(t, harness.Identity{AccessKey: c.AccessKeyId, Secret: c.SecretAccessKey}, "sts", "get-caller-identity")
	require.Equal(t, 0, res.ExitCode, res.Stderr)
	res.JSON(t, &who)
	require.Equal(t, id.AccessKey, who.Account, "the session issued before the kill is still known")
	require.Equal(t, "arn:aws:sts::"+id.AccessKey+":assumed-role/"+name+"/before-kill", who.Arn)
}
