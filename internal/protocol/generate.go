package protocol

// The service packages under internal/services are generated from the models in models/.
//go:generate go run ./gen
