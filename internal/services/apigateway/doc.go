// Package apigateway serves Amazon API Gateway. No operation is implemented yet: every
// operation answers NotImplemented.
package apigateway
