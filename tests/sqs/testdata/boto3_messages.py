"""Message operations through boto3: attributes of every type and their MD5s, batches and
their errors, visibility and deletion errors, body limits."""
import sys

from sqscheck import check, client, equal, expect_error, md5, md5_of_attributes, receive_n

prefix = sys.argv[1]
sqs = client()
ex = sqs.exceptions
url = sqs.create_queue(QueueName=prefix + "-msgs")["QueueUrl"]

attrs = {
    "s": {"DataType": "String", "StringValue": "żółw 🐢"},
    "n": {"DataType": "Number", "StringValue": "-1.25"},
    "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"},
    "cs": {"DataType": "String.custom", "StringValue": "c"},
    "cn": {"DataType": "Number.float", "StringValue": "3.5"},
    "cb": {"DataType": "Binary.gif", "BinaryValue": b"GIF89a"},
}
trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
r = sqs.send_message(QueueUrl=url, MessageBody="typed", MessageAttributes=attrs,
                     MessageSystemAttributes={"AWSTraceHeader": {"DataType": "String", "StringValue": trace}})
equal(r["MD5OfMessageBody"], md5("typed"), "MD5OfMessageBody")
equal(r["MD5OfMessageAttributes"], md5_of_attributes(attrs), "MD5OfMessageAttributes")
equal(r.get("MD5OfMessageSystemAttributes"),
      md5_of_attributes({"AWSTraceHeader": {"DataType": "String", "StringValue": trace}}), "MD5OfMessageSystemAttributes")

m = receive_n(sqs, url, 1, MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])[0]
equal(m["Body"], "typed", "body")
equal(m["MessageAttributes"], attrs, "message attributes")
equal(m["MD5OfMessageAttributes"], md5_of_attributes(attrs), "received MD5OfMessageAttributes")
equal(m["Attributes"]["AWSTraceHeader"], trace, "AWSTraceHeader")
equal(m["Attributes"]["ApproximateReceiveCount"], "1", "ApproximateReceiveCount")
for k in ("SentTimestamp", "ApproximateFirstReceiveTimestamp", "SenderId"):
    check(m["Attributes"].get(k), f"system attribute {k}")

# Visibility. AWS: on a standard queue the handle still changes the visibility once the
# message is visible again.
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
expect_error(lambda: sqs.change_message_visibility(QueueUrl=url, ReceiptHandle="junk", VisibilityTimeout=5),
             "ReceiptHandleIsInvalid", 404, ex.ReceiptHandleIsInvalid, "ChangeMessageVisibility junk handle")
expect_error(lambda: sqs.delete_message(QueueUrl=url, ReceiptHandle="junk"),
             "ReceiptHandleIsInvalid", 404, ex.ReceiptHandleIsInvalid, "DeleteMessage junk handle")
m = receive_n(sqs, url, 1)[0]
sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
# A change of a deleted message: InvalidParameterValue, whose JSON type botocore reports as
# QueryErrorCode.
e = expect_error(lambda: sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=5),
                 "InvalidParameterValue", 400, None, "change of a deleted message")
equal(e.response["Error"]["Message"], f"Value {m['ReceiptHandle']} for parameter ReceiptHandle is invalid. "
      "Reason: Message does not exist or is not available for visibility timeout change.", "message of a deleted message")
equal(e.response["Error"].get("QueryErrorCode"), "InvalidParameterValueException", "QueryErrorCode")
equal(e.response["Error"]["Type"], "Sender", "error type")

# Bodies.
expect_error(lambda: sqs.send_message(QueueUrl=url, MessageBody="bad\u0000"), "InvalidMessageContents", 400,
             ex.InvalidMessageContents, "body with NUL")
big = "x" * (1 << 20)
sqs.send_message(QueueUrl=url, MessageBody=big)
expect_error(lambda: sqs.send_message(QueueUrl=url, MessageBody=big + "y"), "InvalidParameterValue", 400, None, "body over 1 MiB")
m = receive_n(sqs, url, 1)[0]
equal(len(m["Body"]), 1 << 20, "1 MiB body length")
sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])

# Batches.
entries = [{"Id": f"e{i}", "MessageBody": f"batch {i}"} for i in range(10)]
entries[0]["MessageAttributes"] = {"k": {"DataType": "String", "StringValue": "v"}}
r = sqs.send_message_batch(QueueUrl=url, Entries=entries)
equal(len(r.get("Successful", [])), 10, "SendMessageBatch successes")
for s in r["Successful"]:
    equal(s["MD5OfMessageBody"], md5("batch " + s["Id"][1:]), f"MD5OfMessageBody of {s['Id']}")
equal([s["MD5OfMessageAttributes"] for s in r["Successful"] if s["Id"] == "e0"],
      [md5_of_attributes(entries[0]["MessageAttributes"])], "batch MD5OfMessageAttributes")
expect_error(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[]), "AWS.SimpleQueueService.EmptyBatchRequest", 400,
             ex.EmptyBatchRequest, "empty batch")
expect_error(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": f"i{i}", "MessageBody": "x"} for i in range(11)]),
             "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, ex.TooManyEntriesInBatchRequest, "11 entries")
expect_error(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}]),
             "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, ex.BatchEntryIdsNotDistinct, "repeated Id")
expect_error(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a!", "MessageBody": "x"}]),
             "AWS.SimpleQueueService.InvalidBatchEntryId", 400, ex.InvalidBatchEntryId, "bad Id")
half = "h" * (600 * 1024)
expect_error(lambda: sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": half}, {"Id": "b", "MessageBody": half}]),
             "AWS.SimpleQueueService.BatchRequestTooLong", 400, ex.BatchRequestTooLong, "batch over 1 MiB")

msgs = receive_n(sqs, url, 10)
r = sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
    {"Id": "c0", "ReceiptHandle": msgs[0]["ReceiptHandle"], "VisibilityTimeout": 0},
    {"Id": "bad", "ReceiptHandle": "junk", "VisibilityTimeout": 0}])
equal([s["Id"] for s in r.get("Successful", [])], ["c0"], "ChangeMessageVisibilityBatch successes")
equal([(f["Id"], f["Code"], f["SenderFault"]) for f in r.get("Failed", [])], [("bad", "ReceiptHandleIsInvalid", True)],
      "ChangeMessageVisibilityBatch failures")
again = receive_n(sqs, url, 1)
r = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(msgs[1:] + again)])
equal(len(r.get("Successful", [])), 10, "DeleteMessageBatch successes")
equal(r.get("Failed", []), [], "DeleteMessageBatch failures")
check(not sqs.receive_message(QueueUrl=url).get("Messages"), "queue empty after the batch delete")
print("ok")
