// Package sts serves AWS Security Token Service over the awsQuery protocol.
//
// Supported operations:
//
//   - GetCallerIdentity: the account root (Arn arn:aws:iam::<account>:root, UserId the
//     account id) for plain keys such as "test" or a 12-digit account id; the IAM user for
//     an access key IAM created; the assumed role (arn:aws:sts::<account>:assumed-role/
//     <role>/<session>, UserId <RoleId>:<session>) or federated user for credentials STS
//     issued.
//   - AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML: credentials (ASIA...
//     access key, secret, session token, expiration) for a role session. RoleArn is checked
//     as AWS does (ValidationError "<arn> is invalid"); DurationSeconds is bounded by the
//     role's MaxSessionDuration and by one hour when a role session assumes a role (role
//     chaining); session tags are checked (duplicate keys, transitive keys);
//     PackedPolicySize is answered when a session policy, policy ARNs or tags are given.
//     Web identity tokens and SAML assertions are accepted without verification: the
//     session is named after the SAML RoleSessionName attribute, and Provider, Audience
//     and SubjectFromWebIdentityToken come from the JWT's claims.
//   - GetSessionToken and GetFederationToken (arn:aws:sts::<account>:federated-user/<name>);
//     both refuse session credentials, as AWS does.
//   - GetAccessKeyInfo: the account an access key carries in its bits (AWS keys and the
//     keys Overcast issues alike), a 12-digit key's own account, the caller's otherwise.
//
// Issued credentials are kept in sts_resources (POST /_overcast/reset?service=sts forgets
// them). Access key ids and unique ids carry their account as AWS's do (keys.go), so any
// part of Overcast can tell a key's account. Service.Credential answers the secret,
// session token and account of a key STS issued or IAM created, for the edge's SigV4
// checks.
//
// Known gaps: trust policies and session policies are not evaluated (any caller may
// assume any role); a role that does not exist is refused with AccessDenied only when its
// account has at least one role, so that code assuming roles nobody created still runs;
// PackedPolicySize is an estimate (AWS's packing is undisclosed); expired credentials are
// not swept from the store. DecodeAuthorizationMessage, AssumeRoot,
// GetDelegatedAccessToken and GetWebIdentityToken answer NotImplemented.
package sts
