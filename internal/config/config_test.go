package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDefaultIsValid(t *testing.T) {
	t.Parallel()
	c := Default()
	require.NoError(t, c.Validate())
	require.Equal(t, "127.0.0.1:4566", c.Listen)
	require.Equal(t, "000000000000", c.DefaultAccount)
}

func TestApplyEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		"OVERCAST_LISTEN":          "127.0.0.1:9999",
		"OVERCAST_STORE":           "postgres://u:secret@127.0.0.1:5432/test",
		"OVERCAST_EPHEMERAL":       "true",
		"OVERCAST_AUTH":            "sigv4",
		"OVERCAST_CLOCK":           "virtual",
		"OVERCAST_DEFAULT_ACCOUNT": "123456789012",
		"OVERCAST_CREDENTIALS":     "AKID:SECRET:111111111111, other:pw",
	}
	c := Default()
	require.NoError(t, c.ApplyEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }))
	require.NoError(t, c.Validate())
	require.Equal(t, "127.0.0.1:9999", c.Listen)
	require.True(t, c.IsPostgres())
	require.True(t, c.Ephemeral)
	require.Equal(t, "sigv4", c.Auth)
	require.Equal(t, "virtual", c.Clock)
	require.Equal(t, []Credential{{"AKID", "SECRET", "111111111111"}, {"other", "pw", ""}}, c.Credentials)
	require.Equal(t, "postgres://u:xxxxx@127.0.0.1:5432/test", c.RedactedStore())
}

func TestValidateNamesEveryBadField(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Auth = "basic"
	c.Clock = "sundial"
	c.DefaultAccount = "42"
	c.Store = "mysql://x"
	c.SQSURLStyle = "weird"
	c.Sync = "sometimes"
	c.RetryScale = 2
	err := c.Validate()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 7)
	for _, want := range []string{"auth:", "clock:", "default-account:", "store:", "sqs-url-style:", "sync:", "retry-scale:"} {
		require.Contains(t, err.Error(), want)
	}
}

func TestParseCredentialsRejectsGarbage(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"nocolon", ":secret", "a:b:c:d", "key:"} {
		_, err := ParseCredentials(s)
		require.Error(t, err, s)
	}
}

func TestApplyEnvBadBool(t *testing.T) {
	t.Parallel()
	c := Default()
	err := c.ApplyEnv(func(k string) (string, bool) {
		if k == "OVERCAST_EPHEMERAL" {
			return "maybe", true
		}
		return "", false
	})
	require.ErrorContains(t, err, "OVERCAST_EPHEMERAL")
}
