"""FIFO queues through boto3: order per group, deduplication, sequence numbers and
receive request attempt ids."""
import sys

from sqscheck import check, client, equal, expect_error

prefix = sys.argv[1]
sqs = client()
url = sqs.create_queue(QueueName=prefix + ".fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]

seqs = []
for i in range(6):
    for g in ("a", "b"):
        r = sqs.send_message(QueueUrl=url, MessageBody=f"{g}{i}", MessageGroupId=g)
        check(r.get("SequenceNumber"), f"SendMessage to a FIFO queue returns a SequenceNumber: {r}")
        seqs.append(int(r["SequenceNumber"]))
check(seqs == sorted(seqs) and len(set(seqs)) == len(seqs), f"SequenceNumbers increase: {seqs}")
dup = sqs.send_message(QueueUrl=url, MessageBody="a0", MessageGroupId="a")
check(dup.get("MessageId"), "a content duplicate is accepted")
expect_error(lambda: sqs.send_message(QueueUrl=url, MessageBody="x"), "MissingParameter", 400, None, "no MessageGroupId")

got = {"a": [], "b": []}
attempt = 0
while sum(len(v) for v in got.values()) < 12 and attempt < 100:
    attempt += 1
    r = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"],
                            ReceiveRequestAttemptId=f"attempt-{attempt}")
    msgs = r.get("Messages", [])
    if attempt == 1:
        again = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, ReceiveRequestAttemptId="attempt-1").get("Messages", [])
        equal([m["ReceiptHandle"] for m in again], [m["ReceiptHandle"] for m in msgs], "retry of attempt-1")
    for m in msgs:
        got[m["Attributes"]["MessageGroupId"]].append(m["Body"])
        check(m["Attributes"].get("SequenceNumber"), "SequenceNumber attribute")
        check(m["Attributes"].get("MessageDeduplicationId"), "MessageDeduplicationId attribute")
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
equal(got["a"], [f"a{i}" for i in range(6)], "group a in order, duplicate dropped")
equal(got["b"], [f"b{i}" for i in range(6)], "group b in order")
print("ok")
