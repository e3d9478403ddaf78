// Package cognitoidp serves Amazon Cognito Identity Provider. No operation is implemented
// yet: every operation answers NotImplemented.
package cognitoidp
