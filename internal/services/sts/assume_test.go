package sts

import (
	"encoding/base64"
	"testing"

	"github.com/overcast/overcast/internal/awsid"
)

func TestParseRoleARN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn           string
		wantAcct      string
		wantName      string
		wantValidates bool
	}{
		{"arn:aws:iam::111111111111:role/my-role", "111111111111", "my-role", true},
		{"arn:aws:iam::111111111111:role/path/to/my-role", "111111111111", "my-role", true},
		{"arn:aws:sts::000000000000:role/rd_role", "000000000000", "rd_role", true},
		// AWS answers ValidationError "<arn> is invalid" for these.
		{"nothing-valid-in-here", "", "", false},
		{"arn::b:::something/test-role", "", "", false},
		{"arn:a::::something/test-role", "", "", false},
		{"arn:a:::something/test-role", "", "", false},
		{"arn:a:a::aaaaaaaaaa:", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			t.Parallel()
			got, err := parseRoleARN(tt.arn)
			if !tt.wantValidates {
				if err == nil {
					t.Fatalf("parseRoleARN accepted %s", tt.arn)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRoleARN: %v", err)
			}
			if got.Account != tt.wantAcct || got.Name != tt.wantName {
				t.Fatalf("parseRoleARN = %+v, want account %s name %s", got, tt.wantAcct, tt.wantName)
			}
		})
	}
}

func TestCheckSessionTags(t *testing.T) {
	t.Parallel()
	tag := func(k string) *Tag { return &Tag{Key: ptr(k), Value: ptr("v")} }
	if err := checkSessionTags([]*Tag{tag("a"), tag("b")}, []string{"A"}); err != nil {
		t.Fatalf("valid tags refused: %v", err)
	}
	if err := checkSessionTags([]*Tag{tag("a"), tag("A")}, nil); err == nil {
		t.Fatal("duplicate keys accepted")
	}
	if err := checkSessionTags([]*Tag{tag("a")}, []string{"b"}); err == nil {
		t.Fatal("transitive key without a tag accepted")
	}
}

func TestKeysCarryTheirAccount(t *testing.T) {
	t.Parallel()
	for _, acct := range []string{"000000000000", "123456789012", "999999999999"} {
		for _, id := range []string{awsid.New("ASIA", acct), stableID("AROA", acct, "role")} {
			if got, ok := awsid.Account(id); !ok || got != acct {
				t.Fatalf("awsid.Account(%s) = %s %v, want %s", id, got, ok, acct)
			}
		}
	}
	if stableID("AROA", "123456789012", "r") != stableID("AROA", "123456789012", "r") {
		t.Fatal("stableID is not stable")
	}
	if len(stableID("AROA", "123456789012", "r")) != 21 {
		t.Fatal("unique ids are 21 characters long")
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"u","aud":["a","b"]}`))
	c := jwtClaims("e30." + payload + ".sig")
	if c["sub"] != "u" || claimString(c["aud"]) != "a" {
		t.Fatalf("jwtClaims = %v", c)
	}
	if jwtClaims("token") != nil {
		t.Fatal("a token that is not a JWT has claims")
	}
	saml := base64.StdEncoding.EncodeToString([]byte(`<a:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><a:AttributeValue>
  bob </a:AttributeValue></a:Attribute>`))
	if got := samlAttribute(saml, "https://aws.amazon.com/SAML/Attributes/RoleSessionName"); got != "bob" {
		t.Fatalf("samlAttribute = %q", got)
	}
}

func TestPackedSize(t *testing.T) {
	t.Parallel()
	if n, err := packedSize(nil, nil, nil); n != nil || err != nil {
		t.Fatalf("no session policy: %v %v", n, err)
	}
	n, err := packedSize(ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`), nil, nil)
	if err != nil || *n <= 0 || *n > 100 {
		t.Fatalf("packedSize = %v %v", n, err)
	}
	if _, err := packedSize(ptr(`{`), nil, nil); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}
