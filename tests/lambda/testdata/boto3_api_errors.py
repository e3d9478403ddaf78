"""AWS Lambda's answers to requests naming missing or invalid resources, through boto3:
function ARNs of another region, versions, aliases and routing configs, event invoke
configs, reserved concurrency, resource policies, function URLs, provisioned concurrency,
code signing configs and tags; and the fields GetFunction and the list operations return.
Every expected code, status and message is AWS's. Takes a unique function name as its
first argument and the path of the Python handler as its second, and exits non-zero with
a message naming the failed check."""
import io
import sys
import zipfile

import boto3
from botocore.config import Config

from checks import check, equal, expect_error, expect_error_message

name, handler_path = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as zf:
    zf.write(handler_path, "app.py")
code = buf.getvalue()
lam = boto3.client("lambda", config=Config(retries={"max_attempts": 1, "mode": "standard"}))
role = "arn:aws:iam::000000000000:role/lambda-role"


def create(fn):
    return lam.create_function(FunctionName=fn, Runtime="python3.12", Role=role, Handler="app.handler",
                               Code={"ZipFile": code})


def error(what, code_, status, message, fn, *args, **kwargs):
    got = expect_error_message(lambda: fn(*args, **kwargs), code_, status, what)
    equal(got, message, f"{what}: message")


created = create(name)
arn = created["FunctionArn"]
# AWS answers CreateFunction with the function Pending and UpdateFunctionConfiguration
# with the update InProgress; the next reads say Active and Successful.
equal((created["State"], created["StateReason"], created["StateReasonCode"]),
      ("Pending", "The function is being created.", "Creating"), "CreateFunction: state")
check("LastUpdateStatus" not in created, "CreateFunction: no LastUpdateStatus")
updated = lam.update_function_configuration(FunctionName=name, Description="first")
equal((updated["LastUpdateStatus"], updated["LastUpdateStatusReason"], updated["LastUpdateStatusReasonCode"]),
      ("InProgress", "The function is being created.", "Creating"), "UpdateFunctionConfiguration: update status")
got = lam.get_function_configuration(FunctionName=name)
equal((got["State"], got["LastUpdateStatus"]), ("Active", "Successful"), "GetFunctionConfiguration after the update")
# A DeadLetterConfig without TargetArn leaves the dead-letter queue as it is; an empty
# TargetArn removes it.
dlq = f"arn:aws:sqs:{arn.split(':')[3]}:{arn.split(':')[4]}:{name}-dlq"
lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": dlq})
kept = lam.update_function_configuration(FunctionName=name, DeadLetterConfig={})
equal(kept.get("DeadLetterConfig"), {"TargetArn": dlq}, "DeadLetterConfig={} keeps the queue")
removed = lam.update_function_configuration(FunctionName=name, DeadLetterConfig={"TargetArn": ""})
check("TargetArn" not in removed.get("DeadLetterConfig", {}), f"an empty TargetArn removes the queue: {removed.get('DeadLetterConfig')}")
region, account = arn.split(":")[3], arn.split(":")[4]
prefix = f"arn:aws:lambda:{region}:{account}:function:"
missing = name + "-missing"

# A full ARN of another region never reaches this region's function, even to delete it.
other = "eu-west-1" if region != "eu-west-1" else "us-east-1"
other_arn = f"arn:aws:lambda:{other}:{account}:function:{name}"
for op in ["get_function", "get_function_configuration", "get_function_url_config",
           "get_function_code_signing_config", "get_function_event_invoke_config",
           "get_function_concurrency", "delete_function", "invoke"]:
    error(f"{op} with an ARN of {other}", "ResourceNotFoundException", 404,
          f"Functions from '{other}' are not reachable in this region ('{region}')",
          getattr(lam, op), FunctionName=other_arn)
lam.get_function(FunctionName=name)

# Deleting a version that does not exist succeeds; only a missing function is an error,
# named without the qualifier.
lam.delete_function(FunctionName=name, Qualifier="1233")
error("delete a version of a missing function", "ResourceNotFoundException", 404,
      "Function not found: " + prefix + missing, lam.delete_function, FunctionName=missing, Qualifier="1233")

# GetFunction answers the ARN as the request qualified it, and the runtime version; the
# list operations leave out state, update status and runtime version.
v1 = lam.publish_version(FunctionName=name)
check(v1["RuntimeVersionConfig"]["RuntimeVersionArn"].startswith(f"arn:aws:lambda:{region}::runtime:"),
      "PublishVersion: RuntimeVersionConfig")
lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
for qualifier, want in [(None, arn), ("$LATEST", arn + ":$LATEST"), ("1", arn + ":1"), ("live", arn + ":live")]:
    kwargs = {"Qualifier": qualifier} if qualifier else {}
    got = lam.get_function(FunctionName=name, **kwargs)["Configuration"]
    equal(got["FunctionArn"], want, f"GetFunction({qualifier}): FunctionArn")
    equal(lam.get_function_configuration(FunctionName=name, **kwargs)["FunctionArn"], want,
          f"GetFunctionConfiguration({qualifier}): FunctionArn")
    check("RuntimeVersionArn" in got["RuntimeVersionConfig"], f"GetFunction({qualifier}): RuntimeVersionConfig")
equal(lam.get_function(FunctionName=name, Qualifier="live")["Configuration"]["Version"], "1",
      "GetFunction(alias): Version")
listed = [f for f in lam.list_functions()["Functions"] if f["FunctionName"] == name]
equal(len(listed), 1, "ListFunctions: the function")
versions = lam.list_versions_by_function(FunctionName=name)["Versions"]
for entry in listed + versions:
    for key in ["State", "LastUpdateStatus", "RuntimeVersionConfig"]:
        check(key not in entry, f"list entry {entry['FunctionArn']}: no {key}")

# Aliases and their routing configs.
lam.update_function_configuration(FunctionName=name, Description="second")
lam.publish_version(FunctionName=name)
error("alias routing to two versions", "InvalidParameterValueException", 400,
      "Number of items in AdditionalVersionWeights cannot be greater than 1", lam.create_alias,
      FunctionName=name, Name="custom", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"1": 0.8, "2": 0.2}})
error("alias routing weight above 1", "ValidationException", 400,
      "1 validation error detected: Value '{2=2.0}' at 'routingConfig.additionalVersionWeights' failed to satisfy "
      "constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must "
      "have value greater than or equal to 0.0, Member must not be null]", lam.create_alias,
      FunctionName=name, Name="custom", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"2": 2}})
error("alias routing to its own version", "InvalidParameterValueException", 400,
      "Invalid function version 1. Function version 1 is already included in routing configuration.",
      lam.create_alias, FunctionName=name, Name="custom", FunctionVersion="1",
      RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
error("alias of $LATEST with routing", "InvalidParameterValueException", 400,
      "$LATEST is not supported for an alias pointing to more than 1 version", lam.create_alias,
      FunctionName=name, Name="custom", FunctionVersion="$LATEST", RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}})
error("alias routing to $LATEST", "ValidationException", 400,
      "1 validation error detected: Value '{$LATEST=0.5}' at 'routingConfig.additionalVersionWeights' failed to "
      "satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 1024, "
      "Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [0-9]+, "
      "Member must not be null]", lam.create_alias,
      FunctionName=name, Name="custom", FunctionVersion="1", RoutingConfig={"AdditionalVersionWeights": {"$LATEST": 0.5}})
error("DeleteFunction of a version an alias routes to", "ResourceConflictException", 409,
      "Unable to delete version because the following aliases reference it: [live]", lam.delete_function,
      FunctionName=name, Qualifier="1")
lam.get_function(FunctionName=name, Qualifier="1")
error("GetAlias of a missing alias", "ResourceNotFoundException", 404,
      "Cannot find alias arn: " + arn + ":non-existent", lam.get_alias, FunctionName=name, Name="non-existent")
error("UpdateAlias of a missing alias", "ResourceNotFoundException", 404,
      "Alias not found: " + arn + ":non-existent", lam.update_alias, FunctionName=name, Name="non-existent",
      FunctionVersion="1")
equal([a["Name"] for a in lam.list_aliases(FunctionName=name)["Aliases"]], ["live"],
      "the refused CreateAlias calls created nothing")

# Event invoke configs.
error("PutFunctionEventInvokeConfig of a missing function", "ResourceNotFoundException", 404,
      "The function doesn't exist.", lam.put_function_event_invoke_config, FunctionName=missing, MaximumRetryAttempts=1)
error("PutFunctionEventInvokeConfig of a missing alias", "ResourceNotFoundException", 404,
      "The function doesn't exist.", lam.put_function_event_invoke_config, FunctionName=name,
      Qualifier="doesnotexist", MaximumRetryAttempts=1)
error("UpdateFunctionEventInvokeConfig of a missing function", "ResourceNotFoundException", 404,
      "The function doesn't exist.", lam.update_function_event_invoke_config, FunctionName=missing, MaximumRetryAttempts=1)
error("ListFunctionEventInvokeConfigs of a missing function", "ResourceNotFoundException", 404,
      "The function doesn't exist.", lam.list_function_event_invoke_configs, FunctionName=missing)
error("a destination function that does not exist", "InvalidParameterValueException", 400,
      f"The destination ARN {prefix}{missing} is invalid.", lam.put_function_event_invoke_config, FunctionName=name,
      DestinationConfig={"OnSuccess": {"Destination": prefix + missing}})
expect_error(lambda: lam.get_function_event_invoke_config(FunctionName=name), "ResourceNotFoundException", 404,
             "the refused event invoke configs were not stored")

# Reserved concurrency is for functions only.
error("PutFunctionConcurrency of a missing function", "ResourceNotFoundException", 404,
      "Function not found: " + prefix + missing + ":$LATEST", lam.put_function_concurrency,
      FunctionName=missing, ReservedConcurrentExecutions=1)
for op, kwargs in [("put_function_concurrency", {"ReservedConcurrentExecutions": 1}),
                   ("get_function_concurrency", {}), ("delete_function_concurrency", {})]:
    error(f"{op} of a version", "InvalidParameterValueException", 400,
          "This operation is permitted on Lambda functions only. Aliases and versions do not support this "
          "operation. Please specify either a function name or an unqualified function ARN.",
          getattr(lam, op), FunctionName=arn + ":1", **kwargs)

# Resource policies.
perm = dict(Action="lambda:InvokeFunction", StatementId="s3", Principal="s3.amazonaws.com",
            SourceArn="arn:aws:s3:::test-bucket")
error("AddPermission with an invalid principal", "InvalidParameterValueException", 400,
      "The provided principal was invalid. Please check the principal and try again.", lam.add_permission,
      FunctionName=name, Action="lambda:InvokeFunction", StatementId="lambda", Principal="invalid.nonaws.com")
error("GetPolicy of a missing version", "ResourceNotFoundException", 404,
      "The resource you requested does not exist.", lam.get_policy, FunctionName=name, Qualifier="77")
error("RemovePermission without a policy", "ResourceNotFoundException", 404,
      "No policy is associated with the given resource.", lam.remove_permission, FunctionName=name, StatementId="s3")
error("AddPermission to a missing alias", "ResourceNotFoundException", 404,
      "Cannot find alias arn: " + arn + ":alias-doesnotexist", lam.add_permission,
      FunctionName=name + ":alias-doesnotexist", **perm)
error("AddPermission to a missing qualifier with $", "ResourceNotFoundException", 404,
      "Function not found: " + arn + ":valid-with-$-but-doesnotexist", lam.add_permission, FunctionName=name,
      Qualifier="valid-with-$-but-doesnotexist", **perm)
error("AddPermission on a stale revision", "PreconditionFailedException", 412,
      "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to "
      "retrieve the latest Revision Id", lam.add_permission, FunctionName=name, RevisionId="wrong", **perm)
before = lam.get_function(FunctionName=name)["Configuration"]["RevisionId"]
statement = lam.add_permission(FunctionName=name, **perm)["Statement"]
# A policy change is a change of the function: a new revision, which GetPolicy answers.
policy_revision = lam.get_policy(FunctionName=name)["RevisionId"]
check(policy_revision != before, "AddPermission gives the function a new revision")
equal(lam.get_function(FunctionName=name)["Configuration"]["RevisionId"], policy_revision,
      "GetFunction and GetPolicy answer the same revision")
equal(statement, '{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},'
      '"Action":"lambda:InvokeFunction","Resource":"' + arn + '","Condition":{"ArnLike":'
      '{"AWS:SourceArn":"arn:aws:s3:::test-bucket"}}}', "AddPermission: the statement, in AWS's order")
check(lam.get_policy(FunctionName=name)["Policy"].startswith('{"Version":"2012-10-17","Id":"default","Statement":['),
      "GetPolicy: the document, in AWS's order")
statement = lam.add_permission(FunctionName=name, StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*",
                               FunctionUrlAuthType="NONE", PrincipalOrgID="o-1234567890", SourceAccount=account,
                               SourceArn="arn:aws:s3:::test-bucket")["Statement"]
check(statement.endswith('"Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":'
                         '"o-1234567890","AWS:SourceAccount":"' + account + '"},"ArnLike":{"AWS:SourceArn":'
                         '"arn:aws:s3:::test-bucket"}}}'), f"AddPermission: the conditions, in AWS's order: {statement}")
error("AddPermission with a statement id in use", "ResourceConflictException", 409,
      "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing "
      "statement.", lam.add_permission, FunctionName=name, **perm)
error("RemovePermission of a missing function", "ResourceNotFoundException", 404,
      "No policy found for: " + prefix + missing, lam.remove_permission, FunctionName=missing, StatementId="s3")
error("RemovePermission of a missing alias", "ResourceNotFoundException", 404,
      "Cannot find alias arn: " + arn + ":alias-doesnotexist", lam.remove_permission, FunctionName=name,
      StatementId="s3", Qualifier="alias-doesnotexist")

# Function URLs.
for what, fn in [("name", missing), ("ARN", prefix + missing)]:
    error(f"CreateFunctionUrlConfig of a missing function ({what})", "ResourceNotFoundException", 404,
          "Function does not exist", lam.create_function_url_config, FunctionName=fn, AuthType="NONE")
    error(f"UpdateFunctionUrlConfig of a missing function ({what})", "ResourceNotFoundException", 404,
          "Function does not exist", lam.update_function_url_config, FunctionName=fn, AuthType="NONE")
    error(f"GetFunctionUrlConfig of a missing function ({what})", "ResourceNotFoundException", 404,
          "The resource you requested does not exist.", lam.get_function_url_config, FunctionName=fn)
    error(f"DeleteFunctionUrlConfig of a missing function ({what})", "ResourceNotFoundException", 404,
          "The resource you requested does not exist.", lam.delete_function_url_config, FunctionName=fn)
error("CreateFunctionUrlConfig of a missing alias", "ResourceNotFoundException", 404, "Function does not exist",
      lam.create_function_url_config, FunctionName=name, Qualifier="aliasdoesnotexist", AuthType="NONE")
error("GetFunctionUrlConfig of a missing alias", "ResourceNotFoundException", 404,
      "The resource you requested does not exist.", lam.get_function_url_config, FunctionName=name,
      Qualifier="aliasdoesnotexist")
error("UpdateFunctionUrlConfig of an alias without a URL", "ResourceNotFoundException", 404,
      "The resource you requested does not exist.", lam.update_function_url_config, FunctionName=name,
      Qualifier="live", AuthType="NONE")
error("ListFunctionUrlConfigs of a missing function", "ResourceNotFoundException", 404,
      "Function does not exist", lam.list_function_url_configs, FunctionName=missing)

# Provisioned concurrency: a missing function is named as the qualifier was.
error("GetProvisionedConcurrencyConfig of a missing function's alias", "ResourceNotFoundException", 404,
      "Cannot find alias arn: " + prefix + missing + ":noalias", lam.get_provisioned_concurrency_config,
      FunctionName=missing, Qualifier="noalias")
error("PutProvisionedConcurrencyConfig of a missing function's version", "ResourceNotFoundException", 404,
      "Function not found: " + prefix + missing + ":1", lam.put_provisioned_concurrency_config,
      FunctionName=missing, Qualifier="1", ProvisionedConcurrentExecutions=1)
error("DeleteProvisionedConcurrencyConfig of a missing function's version", "ResourceNotFoundException", 404,
      "Function not found: " + prefix + missing + ":1", lam.delete_provisioned_concurrency_config,
      FunctionName=missing, Qualifier="1")

# Code signing: the config is looked up before the function; a function without one
# answers an empty object.
csc = lam.create_code_signing_config(
    AllowedPublishers={"SigningProfileVersionArns": [f"arn:aws:signer:{region}:{account}:/signing-profiles/test"]},
)["CodeSigningConfig"]["CodeSigningConfigArn"]
csc_missing = csc[:-1] + ("x" if csc[-1] != "x" else "y")
error("PutFunctionCodeSigningConfig with neither function nor config", "CodeSigningConfigNotFoundException", 404,
      "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "
      + csc_missing + ".", lam.put_function_code_signing_config, FunctionName=missing, CodeSigningConfigArn=csc_missing)
got = lam.get_function_code_signing_config(FunctionName=name)
check("CodeSigningConfigArn" not in got and "FunctionName" not in got,
      f"GetFunctionCodeSigningConfig without a config: empty, got {got}")
lam.delete_code_signing_config(CodeSigningConfigArn=csc)

# Tags.
error("TagResource on a version", "InvalidParameterValueException", 400,
      "Tags on function aliases and versions are not supported. Please specify a function ARN.",
      lam.tag_resource, Resource=arn + ":1", Tags={"a": "b"})
error("TagResource on $LATEST", "InvalidParameterValueException", 400,
      "Tags on function aliases and versions are not supported. Please specify a function ARN.",
      lam.tag_resource, Resource=arn + ":$LATEST", Tags={"a": "b"})
error("TagResource without tags", "InvalidParameterValueException", 400,
      "An error occurred and the request cannot be processed.", lam.tag_resource, Resource=arn, Tags={})
error("TagResource with 51 tags", "InvalidParameterValueException", 400,
      "Number of tags exceeds resource tag limit.", lam.tag_resource, Resource=arn,
      Tags={f"{i}_key": f"{i}_value" for i in range(51)})
equal(lam.list_tags(Resource=arn)["Tags"], {}, "the refused tags were not stored")

# Event source mappings.
error("CreateEventSourceMapping without a source", "InvalidParameterValueException", 400,
      "Unrecognized event source.", lam.create_event_source_mapping, FunctionName=name)
error("CreateEventSourceMapping of a missing function", "InvalidParameterValueException", 400,
      "Function does not exist", lam.create_event_source_mapping, FunctionName=missing,
      EventSourceArn=f"arn:aws:sqs:{region}:{account}:{name}-no-such-queue")

# An empty environment is kept as such: AWS answers "Environment": {"Variables": {}}.
lam.create_function(FunctionName=name + "-env", Runtime="python3.12", Role=role, Handler="app.handler",
                    Code={"ZipFile": code}, Environment={"Variables": {}})
equal(lam.get_function_configuration(FunctionName=name + "-env").get("Environment"), {"Variables": {}},
      "GetFunctionConfiguration: an empty environment")
lam.delete_function(FunctionName=name + "-env")

# Layers: version numbers start at 1; a publish without compatibilities answers empty lists.
layer = name + "-layer"
published = lam.publish_layer_version(LayerName=layer, Content={"ZipFile": code})
equal(published["CompatibleRuntimes"], [], "PublishLayerVersion: CompatibleRuntimes")
equal(published["CompatibleArchitectures"], [], "PublishLayerVersion: CompatibleArchitectures")
for version in [0, -1]:
    error(f"GetLayerVersion {version}", "InvalidParameterValueException", 400, "Layer Version Cannot be less than 1",
          lam.get_layer_version, LayerName=layer, VersionNumber=version)
error("DeleteLayerVersion -1", "InvalidParameterValueException", 400, "Layer Version Cannot be less than 1",
      lam.delete_layer_version, LayerName=layer, VersionNumber=-1)
statement = lam.add_layer_version_permission(LayerName=layer, VersionNumber=1, StatementId="s1",
                                             Action="lambda:GetLayerVersion", Principal="*")["Statement"]
equal(statement, '{"Sid":"s1","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"'
      + published["LayerVersionArn"] + '"}', "AddLayerVersionPermission: the statement, in AWS's order")
lam.delete_layer_version(LayerName=layer, VersionNumber=1)

lam.delete_function(FunctionName=name)
print("ok")
