// Package appflow serves Amazon Appflow. No operation is implemented yet: every operation
// answers NotImplemented.
package appflow
