// Package apigatewayv2 serves AmazonApiGatewayV2. No operation is implemented yet: every
// operation answers NotImplemented.
package apigatewayv2
