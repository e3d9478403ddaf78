"""Queue operations through boto3: create, URLs, listing, attributes, tags, permissions,
dead-letter sources, purge and delete, with their documented errors."""
import json
import sys

from sqscheck import check, client, equal, expect_error

prefix = sys.argv[1]
sqs = client()
ex = sqs.exceptions

url = sqs.create_queue(QueueName=prefix + "-main", Attributes={"VisibilityTimeout": "60"}, tags={"team": "core"})["QueueUrl"]
check(url.endswith("/" + prefix + "-main"), f"QueueUrl {url}")
equal(sqs.create_queue(QueueName=prefix + "-main", Attributes={"VisibilityTimeout": "60"})["QueueUrl"], url, "CreateQueue with the same attributes")
expect_error(lambda: sqs.create_queue(QueueName=prefix + "-main", Attributes={"VisibilityTimeout": "61"}),
             "QueueAlreadyExists", 400, ex.QueueNameExists, "CreateQueue with other attributes")
expect_error(lambda: sqs.create_queue(QueueName=prefix + " bad"), "InvalidParameterValue", 400, None, "CreateQueue with a space")
expect_error(lambda: sqs.create_queue(QueueName=prefix + "-v", Attributes={"VisibilityTimeout": "43201"}),
             "InvalidAttributeValue", 400, ex.InvalidAttributeValue, "VisibilityTimeout 43201")
expect_error(lambda: sqs.create_queue(QueueName=prefix + "-n", Attributes={"Bogus": "1"}),
             "InvalidAttributeName", 400, ex.InvalidAttributeName, "unknown attribute")

equal(sqs.get_queue_url(QueueName=prefix + "-main")["QueueUrl"], url, "GetQueueUrl")
e = expect_error(lambda: sqs.get_queue_url(QueueName=prefix + "-missing"),
                 "AWS.SimpleQueueService.NonExistentQueue", 400, ex.QueueDoesNotExist, "GetQueueUrl of a missing queue")
equal(e.response["Error"].get("QueryErrorCode"), "QueueDoesNotExist", "QueryErrorCode (the JSON __type)")
equal(e.response["Error"].get("Type"), "Sender", "error Type")

attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
equal(attrs["VisibilityTimeout"], "60", "VisibilityTimeout")
equal(attrs["MaximumMessageSize"], "1048576", "MaximumMessageSize default")
check(attrs["QueueArn"].startswith("arn:aws:sqs:us-east-1:") and attrs["QueueArn"].endswith(":" + prefix + "-main"), f"QueueArn {attrs['QueueArn']}")
sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "2", "ReceiveMessageWaitTimeSeconds": "1"})
got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["DelaySeconds", "ReceiveMessageWaitTimeSeconds"])["Attributes"]
equal(got, {"DelaySeconds": "2", "ReceiveMessageWaitTimeSeconds": "1"}, "selected attributes")
expect_error(lambda: sqs.set_queue_attributes(QueueUrl=url, Attributes={"DelaySeconds": "901"}),
             "InvalidAttributeValue", 400, ex.InvalidAttributeValue, "DelaySeconds 901")

# Listing with a prefix, paginated.
for i in range(3):
    sqs.create_queue(QueueName=f"{prefix}-list-{i}")
urls = []
for page in sqs.get_paginator("list_queues").paginate(QueueNamePrefix=prefix + "-list", PaginationConfig={"PageSize": 2}):
    check(len(page.get("QueueUrls", [])) <= 2, "page size")
    urls += page.get("QueueUrls", [])
equal(sorted(u.rsplit("/", 1)[1] for u in urls), [f"{prefix}-list-{i}" for i in range(3)], "ListQueues pages")

# Tags.
sqs.tag_queue(QueueUrl=url, Tags={"env": "dev"})
equal(sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "core", "env": "dev"}, "tags")
sqs.untag_queue(QueueUrl=url, TagKeys=["team"])
equal(sqs.list_queue_tags(QueueUrl=url)["Tags"], {"env": "dev"}, "tags after untag")

# Permissions.
sqs.add_permission(QueueUrl=url, Label="partner", AWSAccountIds=["111122223333"], Actions=["SendMessage"])
policy = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"])
equal([s["Sid"] for s in policy["Statement"]], ["partner"], "policy statements")
expect_error(lambda: sqs.add_permission(QueueUrl=url, Label="partner", AWSAccountIds=["111122223333"], Actions=["SendMessage"]),
             "InvalidParameterValue", 400, None, "AddPermission with an existing label")
sqs.remove_permission(QueueUrl=url, Label="partner")

# Dead-letter source queues.
dlq_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
src = sqs.create_queue(QueueName=prefix + "-src", Attributes={
    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 4})})["QueueUrl"]
equal(sqs.list_dead_letter_source_queues(QueueUrl=url)["queueUrls"], [src], "ListDeadLetterSourceQueues")
equal(sqs.list_message_move_tasks(SourceArn=dlq_arn).get("Results", []), [], "no move tasks")

# Purge.
sqs.send_message(QueueUrl=src, MessageBody="purge me")
sqs.purge_queue(QueueUrl=src)
expect_error(lambda: sqs.purge_queue(QueueUrl=src), "AWS.SimpleQueueService.PurgeQueueInProgress", 403,
             ex.PurgeQueueInProgress, "a second purge within 60s")

# Delete.
sqs.delete_queue(QueueUrl=src)
expect_error(lambda: sqs.get_queue_attributes(QueueUrl=src, AttributeNames=["All"]),
             "AWS.SimpleQueueService.NonExistentQueue", 400, ex.QueueDoesNotExist, "attributes of a deleted queue")
print("ok")
