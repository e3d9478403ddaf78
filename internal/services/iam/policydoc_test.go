package iam

import "testing"

// The cases and expected messages are AWS's answers to CreatePolicy (identity policies)
// and UpdateAssumeRolePolicy (trust policies).
func TestValidatePolicy(t *testing.T) {
	t.Parallel()
	const (
		b    = `"Resource":"arn:aws:s3:::example_bucket"`
		list = `"Action":"s3:ListBucket"`
	)
	stmt := func(body string) string { return `{"Version":"2012-10-17","Statement":{` + body + `}}` }
	tests := []struct {
		name    string
		kind    policyKind
		doc     string
		wantMsg string // "" when the document is valid
	}{
		// Valid identity policies.
		{"resource list", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":["arn:aws:s3:::example_bucket"]`), ""},
		{"action with spaces", identityPolicy, stmt(`"Effect":"Allow","Action":"iam: asdf safdsf af ",` + b), ""},
		{"wildcard action", identityPolicy, stmt(`"Effect":"Allow","Action":"*",` + b), ""},
		{"statement list", identityPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` + list + `,` + b + `}]}`, ""},
		{"date conditions", identityPolicy, stmt(`"Effect":"Allow","Action":"service-prefix:action-name","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2017-07-01T00:00:00Z"},"DateLessThan":{"aws:CurrentTime":"2017-12-31T23:59:59Z"}}`), ""},
		{"iam user resource", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:iam:::user/example_bucket"`), ""},
		{"short arn", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:fdsasf"`), ""},
		{"empty condition", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{}`), ""},
		{"unknown operator without keys", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"x":{},"y":{}}`), ""},
		{"ec2 resource with region", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:ec2:us-east-1::example_bucket"`), ""},
		{"for any value if exists", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}`), ""},
		{"bool condition", identityPolicy, stmt(`"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false}}`), ""},
		{"vendor with dot and hyphen", identityPolicy, stmt(`"Effect":"Allow","Action":["s3.s:ListBucket","s3-s:ListBucket"],` + b), ""},
		{"not action not resource", identityPolicy, stmt(`"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"`), ""},
		{"short date", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateGreaterThan":{"a":"01T"}}`), ""},
		{"date with zone hours", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}`), ""},
		{"negative epoch year", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateLessThan":{"a":"-292275054"}}`), ""},
		{"policy variable", identityPolicy, stmt(`"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::*:user/${aws:username}"`), ""},
		// Invalid identity policies.
		{"not json", identityPolicy, `This is not a json document`, msgSyntax},
		{"missing version", identityPolicy, `{"Statement":{"Effect":"Allow",` + list + `,` + b + `}}`, msgVersion},
		{"old version", identityPolicy, `{"Version":"2008-10-17","Statement":{"Effect":"Allow",` + list + `,` + b + `}}`, msgVersion},
		{"unknown version", identityPolicy, `{"Version":"2013-10-17","Statement":{"Effect":"Allow",` + list + `,` + b + `}}`, msgSyntax},
		{"no statement", identityPolicy, `{"Version":"2012-10-17"}`, msgSyntax},
		{"statement not an object", identityPolicy, `{"Version":"2012-10-17","Statement":["afd"]}`, msgSyntax},
		{"empty statement list", identityPolicy, `{"Version":"2012-10-17","Statement":[]}`, msgSyntax},
		{"extra top-level field", identityPolicy, `{"Version":"2012-10-17","Statement":{"Effect":"Allow",` + list + `,` + b + `},"Extra field":"value"}`, msgSyntax},
		{"extra statement field", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Extra field":"value"`), msgSyntax},
		{"id not a string", identityPolicy, `{"Version":"2012-10-17","Id":{},"Statement":{"Effect":"Allow",` + list + `,` + b + `}}`, msgSyntax},
		{"invalid effect", identityPolicy, stmt(`"Effect":"invalid",` + list + `,` + b), msgSyntax},
		{"missing effect", identityPolicy, stmt(list + `,` + b), msgSyntax},
		{"no vendor", identityPolicy, stmt(`"Effect":"Allow","Action":"invalid",` + b), msgVendor},
		{"empty not action", identityPolicy, stmt(`"Effect":"Allow","NotAction":"",` + b), msgVendor},
		{"vendor with space", identityPolicy, stmt(`"Effect":"Allow","Action":"a a:ListBucket",` + b), "Vendor a a is not valid"},
		{"two colons", identityPolicy, stmt(`"Effect":"Allow","Action":"s3:List:Bucket",` + b), msgOneColon},
		{"not arn", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"invalid resource"`), `Resource invalid resource must be in ARN format or "*".`},
		{"empty resource", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":""`), `Resource  must be in ARN format or "*".`},
		{"resource before action", identityPolicy, stmt(`"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"`), `Resource sdfsadf must be in ARN format or "*".`},
		{"bad partition", identityPolicy, stmt(`"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"`), `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
		{"bad partition with fields", identityPolicy, stmt(`"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"`), `Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".`},
		{"bad partition long", identityPolicy, stmt(`"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"`), `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
		{"no arn prefix", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"aws:s3:::example_bucket"`), `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
		{"no resource", identityPolicy, stmt(`"Effect":"Allow",` + list), msgNoResources},
		{"empty resource list", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":[]`), msgNoResources},
		{"no resource before vendor", identityPolicy, stmt(`"Effect":"Allow","Action":"invalid"`), msgNoResources},
		{"no action", identityPolicy, stmt(`"Effect":"Allow",` + b), msgNoActions},
		{"empty action list", identityPolicy, stmt(`"Effect":"Allow","Action":[],` + b), msgNoActions},
		{"iam path", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:iam:::example_bucket"`), msgIAMPath},
		{"missing field separator", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:s3::example_bucket"`), msgLegacy},
		{"vendor not qualified", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws"`), msgVendorQualified},
		{"resource object", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":{"a":"arn:aws:s3:::example_bucket"}`), msgSyntax},
		{"resource and not resource", identityPolicy, stmt(`"Effect":"Allow","NotAction":"s3:ListBucket",` + b + `,"NotResource":[]`), msgSyntax},
		{"action list of lists", identityPolicy, stmt(`"Effect":"Deny","Action":[[]],` + b), msgSyntax},
		{"condition list", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":[]`), msgSyntax},
		{"condition operator value", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateGreaterThan":"b"}`), msgSyntax},
		{"unknown condition operator", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"x":{"a":"1"}}`), msgSyntax},
		{"double colon operator", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}`), msgSyntax},
		{"iam region", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:iam:us-east-1::example_bucket"`), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"s3 region", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws:s3:us-east-1::example_bucket"`), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
		{"sid object", identityPolicy, stmt(`"Sid":{},"Effect":"Allow",` + list + `,` + b), msgSyntax},
		{"duplicate sids", identityPolicy, `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow",` + list + `,` + b + `},{"Sid":"sdf","Effect":"Allow"}]}`, msgSidUnique},
		{"version before sids", identityPolicy, `{"Statement":[{"Sid":"sdf","Effect":"Allow",` + list + `,` + b + `},{"Sid":"sdf","Effect":"Allow"}]}`, msgVersion},
		{"effect spelling", identityPolicy, stmt(`"Effect":"denY",` + list + `,` + b), msgLegacy},
		{"invalid date", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateGreaterThan":{"a":"sdfdsf"}}`), msgLegacy},
		{"invalid month", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateLessThanEquals":{"a":"234-13"}}`), msgLegacy},
		{"short zone", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}`), msgLegacy},
		{"long fraction", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}`), msgLegacy},
		{"epoch overflow", identityPolicy, stmt(`"Effect":"Allow",` + list + `,` + b + `,"Condition":{"DateLessThan":{"a":"9223372036854775808"}}`), msgLegacy},
		{"legacy before partition", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}`), msgLegacy},
		{"missing service", identityPolicy, stmt(`"Effect":"Allow",` + list + `,"Resource":"arn:aws::fdsasf"`), msgLegacy},
		{"principal in identity policy", identityPolicy, stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"`), msgPrincipal},
		// Trust policies.
		{"trust valid", trustPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ""},
		{"trust without version", trustPolicy, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":["sts:AssumeRole","sts:TagSession"]}]}`, ""},
		{"trust not json", trustPolicy, `not valid json`, msgInvalidJSON},
		{"trust other action", trustPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:InvalidAction"}]}`, msgTrustActions},
		{"trust with resource", trustPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"arn:aws:s3:::example_bucket"}]}`, msgTrustResource},
		{"trust without principal", trustPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, msgTrustNoPrincipal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := validatePolicy(tt.doc, tt.kind)
			switch {
			case tt.wantMsg == "" && err != nil:
				t.Fatalf("validatePolicy = %v, want valid", err)
			case tt.wantMsg != "" && err == nil:
				t.Fatalf("validatePolicy accepted the document, want %q", tt.wantMsg)
			case tt.wantMsg != "" && (err.Code != ErrCodeMalformedPolicyDocumentException || err.Message != tt.wantMsg || err.Status != 400):
				t.Fatalf("validatePolicy = %s %d %q, want MalformedPolicyDocument 400 %q", err.Code, err.Status, err.Message, tt.wantMsg)
			}
		})
	}
}

func TestEncodeDocument(t *testing.T) {
	t.Parallel()
	got := *encodeDocument(`{"a": "b+c/d"}`)
	if want := `%7B%22a%22%3A%20%22b%2Bc%2Fd%22%7D`; got != want {
		t.Fatalf("encodeDocument = %s, want %s", got, want)
	}
}

// FuzzValidatePolicy feeds arbitrary documents to the policy checks: they must answer
// nil or MalformedPolicyDocument, never panic or answer anything else.
func FuzzValidatePolicy(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"a b","Effect":"Deny","NotAction":["*"],"NotResource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}]}`,
		`{"Statement":[]}`, `[]`, `null`, `{"Version":1}`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []policyKind{identityPolicy, trustPolicy} {
			if e := validatePolicy(doc, kind); e != nil && e.Code != ErrCodeMalformedPolicyDocumentException {
				t.Fatalf("validatePolicy(%q) answered %s: %s", doc, e.Code, e.Message)
			}
		}
	})
}
