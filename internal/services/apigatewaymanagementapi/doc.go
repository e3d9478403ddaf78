// Package apigatewaymanagementapi serves AmazonApiGatewayManagementApi. No operation is
// implemented yet: every operation answers NotImplemented.
package apigatewaymanagementapi
