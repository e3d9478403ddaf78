"""Event source mapping CRUD and error paths through boto3: python3 boto3_esm.py FUNCTION QUEUE_ARN.

Asserts on its own and exits non-zero naming the failed check."""
import sys, boto3
lam = boto3.client("lambda")
fn, arn = sys.argv[1], sys.argv[2]
m = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, Enabled=False, BatchSize=7)
assert m["BatchSize"] == 7 and m["State"] == "Creating", m
page1 = lam.list_event_source_mappings(FunctionName=fn, MaxItems=1)
assert len(page1["EventSourceMappings"]) == 1 and "NextMarker" not in page1, page1
try:
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    raise SystemExit("duplicate accepted")
except lam.exceptions.ResourceConflictException:
    pass
try:
    lam.get_event_source_mapping(UUID="11111111-1111-4111-8111-111111111111")
    raise SystemExit("unknown uuid found")
except lam.exceptions.ResourceNotFoundException:
    pass
lam.update_event_source_mapping(UUID=m["UUID"], FunctionResponseTypes=["ReportBatchItemFailures"])
got = lam.get_event_source_mapping(UUID=m["UUID"])
assert got["FunctionResponseTypes"] == ["ReportBatchItemFailures"], got
lam.delete_event_source_mapping(UUID=m["UUID"])
print("ok")
