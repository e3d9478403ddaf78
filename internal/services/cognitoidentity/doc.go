// Package cognitoidentity serves Amazon Cognito Identity. No operation is implemented yet:
// every operation answers NotImplemented.
package cognitoidentity
