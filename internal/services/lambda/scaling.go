package lambda

import (
	"context"
)

// Function scaling configs belong to Lambda Managed Instances: they set how many
// execution environments a version keeps on its capacity provider
// (https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionScalingConfig.html).
// Overcast serves no capacity providers, so no function has one: both operations check
// the function version and then answer as Lambda answers for a function without a
// capacity provider configuration.

// errNoCapacityProvider is the answer for a scaling config of a function that runs on
// Lambda's default compute.
func errNoCapacityProvider(arn string) error {
	return NewInvalidParameterValueException("Function scaling configuration is only supported for functions with a capacity provider configuration: " + arn)
}

// GetFunctionScalingConfig answers for a function version that exists that it has no
// capacity provider.
func (s *Service) GetFunctionScalingConfig(ctx context.Context, in *GetFunctionScalingConfigInput) (*GetFunctionScalingConfigOutput, error) {
	call := callOf(ctx)
	_, _, arn, err := s.runtimeVersionOf(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	return nil, errNoCapacityProvider(arn)
}

// PutFunctionScalingConfig answers for a function version that exists that it has no
// capacity provider.
func (s *Service) PutFunctionScalingConfig(ctx context.Context, in *PutFunctionScalingConfigInput) (*PutFunctionScalingConfigOutput, error) {
	call := callOf(ctx)
	_, _, arn, err := s.runtimeVersionOf(ctx, call, *in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	return nil, errNoCapacityProvider(arn)
}
