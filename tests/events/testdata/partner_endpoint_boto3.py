"""Drives EventBridge global endpoints and partner event sources with boto3. Arguments: a
unique name, the partner's account id (its access key) and the customer's account id.
Prints "ok" when every check passed."""
import json
import os
import sys
import time

import boto3
import botocore.exceptions

name, partner_account, customer_account = sys.argv[1], sys.argv[2], sys.argv[3]
eb = boto3.client("events")
west = boto3.client("events", region_name="us-west-2")
sqs = boto3.client("sqs")
partner = boto3.client("events", aws_access_key_id=partner_account,
                       aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"])


def expect(code, fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, (code, e.response["Error"])
        return
    raise AssertionError("%s did not fail with %s" % (fn.__name__, code))


def receive(url, n):
    got = []
    deadline = time.time() + 15
    while len(got) < n and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            got.append(json.loads(m["Body"]))
    assert len(got) == n, got
    return got


# Global endpoints.
bus = name + "-bus"
buses = [{"EventBusArn": "arn:aws:events:%s:%s:event-bus/%s" % (r, customer_account, bus)}
         for r in ("us-east-1", "us-west-2")]
routing = {"FailoverConfig": {
    "Primary": {"HealthCheck": "arn:aws:route53:::healthcheck/0123abcd-0000-1111-2222-333344445555"},
    "Secondary": {"Route": "us-west-2"}}}
role = "arn:aws:iam::%s:role/replication" % customer_account
out = eb.create_endpoint(Name=name, RoutingConfig=routing, EventBuses=buses, RoleArn=role)
assert out["State"] == "CREATING", out
expect("ResourceAlreadyExistsException", eb.create_endpoint, Name=name, RoutingConfig=routing,
       EventBuses=buses, RoleArn=role)
expect("ValidationException", eb.create_endpoint, Name=name + "-x", RoutingConfig=routing, EventBuses=buses)
expect("ValidationException", eb.create_endpoint, Name=name + "-x", RoutingConfig=routing,
       EventBuses=[buses[0], buses[0]], ReplicationConfig={"State": "DISABLED"})
d = eb.describe_endpoint(Name=name)
assert d["State"] == "ACTIVE" and d["ReplicationConfig"]["State"] == "ENABLED", d
assert d["EndpointUrl"].startswith(os.environ["AWS_ENDPOINT_URL"]), d
assert d["EventBuses"] == buses, d
u = eb.update_endpoint(Name=name, Description="twice")
assert u["State"] == "UPDATING" and u["EndpointId"] == d["EndpointId"], u
assert eb.describe_endpoint(Name=name, HomeRegion="us-east-1")["Description"] == "twice"
expect("ResourceNotFoundException", eb.describe_endpoint, Name=name, HomeRegion="us-west-2")
listed = eb.list_endpoints(NamePrefix=name)["Endpoints"]
assert [e["Name"] for e in listed] == [name], listed
assert west.list_endpoints(NamePrefix=name)["Endpoints"] == []
assert eb.list_endpoints(NamePrefix=name, HomeRegion="us-east-1")["Endpoints"][0]["Name"] == name

# PutEvents through the endpoint is signed with SigV4a, which botocore does with awscrt
# only; without it the client refuses before sending anything.
url = sqs.create_queue(QueueName=name)["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
for client in (eb, west):
    client.create_event_bus(Name=bus)
    client.put_rule(Name="r", EventBusName=bus, EventPattern=json.dumps({"source": [name]}))
    client.put_targets(Rule="r", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
try:
    res = eb.put_events(EndpointId=d["EndpointId"],
                        Entries=[{"Source": name, "DetailType": "t", "Detail": "{}", "EventBusName": bus}])
except botocore.exceptions.MissingDependencyException:
    res = None
if res is not None:
    assert res["FailedEntryCount"] == 0, res
    got = receive(url, 2)
    assert sorted(e["region"] for e in got) == ["us-east-1", "us-east-1"], got
    assert got[0]["id"] == got[1]["id"], got

eb.delete_endpoint(Name=name)
expect("ResourceNotFoundException", eb.delete_endpoint, Name=name)
expect("ResourceNotFoundException", eb.update_endpoint, Name=name, Description="x")

# Partner event sources.
source = "aws.partner/example.com/" + name
out = partner.create_partner_event_source(Name=source, Account=customer_account)
assert out["EventSourceArn"] == "arn:aws:events:us-east-1::event-source/" + source, out
expect("ResourceAlreadyExistsException", partner.create_partner_event_source, Name=source, Account=customer_account)
expect("ValidationException", partner.create_partner_event_source, Name="example.com/" + name, Account=customer_account)
assert partner.describe_partner_event_source(Name=source)["Name"] == source
srcs = partner.list_partner_event_sources(NamePrefix=source)["PartnerEventSources"]
assert [s["Name"] for s in srcs] == [source], srcs
es = eb.describe_event_source(Name=source)
assert es["State"] == "PENDING" and es["CreatedBy"] == "example.com", es
expect("ValidationException", eb.create_event_bus, Name=name + "-other", EventSourceName=source)
eb.create_event_bus(Name=source, EventSourceName=source)
assert eb.describe_event_source(Name=source)["State"] == "ACTIVE"
accts = partner.list_partner_event_source_accounts(EventSourceName=source)["PartnerEventSourceAccounts"]
assert [(a["Account"], a["State"]) for a in accts] == [(customer_account, "ACTIVE")], accts
assert [s["Name"] for s in eb.list_event_sources(NamePrefix=source)["EventSources"]] == [source]

eb.put_rule(Name="partner", EventBusName=source, EventPattern=json.dumps({"source": [source]}))
eb.put_targets(Rule="partner", EventBusName=source, Targets=[{"Id": "q", "Arn": arn}])
res = partner.put_partner_events(Entries=[
    {"Source": source, "DetailType": "Ticket", "Detail": json.dumps({"n": 1})},
    {"Source": source + "-nope", "DetailType": "Ticket", "Detail": "{}"},
])
assert res["FailedEntryCount"] == 1 and "EventId" in res["Entries"][0], res
ev = receive(url, 1)[0]
assert ev["id"] == res["Entries"][0]["EventId"] and ev["account"] == customer_account, ev

eb.deactivate_event_source(Name=source)
assert eb.describe_event_source(Name=source)["State"] == "PENDING"
eb.activate_event_source(Name=source)
assert eb.describe_event_source(Name=source)["State"] == "ACTIVE"
partner.delete_partner_event_source(Name=source, Account=customer_account)
assert eb.describe_event_source(Name=source)["State"] == "DELETED"
expect("InvalidStateException", eb.activate_event_source, Name=source)
expect("ResourceNotFoundException", partner.describe_partner_event_source, Name=source)
expect("ResourceNotFoundException", partner.list_partner_event_source_accounts, EventSourceName=source)
eb.remove_targets(Rule="partner", EventBusName=source, Ids=["q"])
eb.delete_rule(Name="partner", EventBusName=source)
eb.delete_event_bus(Name=source)
expect("ResourceNotFoundException", eb.describe_event_source, Name=source)
expect("ResourceNotFoundException", eb.deactivate_event_source, Name=source)
print("ok")
