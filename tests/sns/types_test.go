package sns_test

import sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

type (
	sqsMessage   = sqstypes.Message
	sqsTypesName = sqstypes.QueueAttributeName
)
