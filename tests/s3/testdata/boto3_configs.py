"""Bucket configurations through boto3: policy, CORS, lifecycle, default encryption, public
access block, ownership controls, ACLs, website, logging, request payment, transfer
acceleration, and the "not configured" answers AWS gives for each."""
import json
import sys

from s3check import check, client, equal, expect_error

bucket = sys.argv[1]
s3 = client()
s3.create_bucket(Bucket=bucket)
s3.put_object(Bucket=bucket, Key="obj", Body=b"x")


def not_configured(fn, code, message, what):
    e = expect_error(fn, code, 404, what)
    equal(e.response["Error"]["Message"], message, what + " (message)")
    equal(e.response["Error"].get("BucketName"), bucket, what + " (BucketName)")


def status(resp):
    return resp["ResponseMetadata"]["HTTPStatusCode"]


# New buckets block all public access.
all_blocked = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
equal(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"], all_blocked, "default public access block")

# Policy: AWS answers NoSuchBucketPolicy until one is put, 204 to Put and Delete, and the
# policy as it was put; a public policy only once public policies are not blocked.
not_configured(lambda: s3.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", "The bucket policy does not exist", "GetBucketPolicy before put")
not_configured(lambda: s3.get_bucket_policy_status(Bucket=bucket), "NoSuchBucketPolicy", "The bucket policy does not exist", "GetBucketPolicyStatus before put")
for bad, msg in [("", "Policies must be valid JSON and the first byte must be '{'"),
                 ("randomstring", "Policies must be valid JSON and the first byte must be '{'"),
                 ("{}", "Missing required field Statement")]:
    e = expect_error(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=bad), "MalformedPolicy", 400, "PutBucketPolicy " + repr(bad))
    equal(e.response["Error"]["Message"], msg, "MalformedPolicy message for " + repr(bad))
policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                     "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]})
e = expect_error(lambda: s3.put_bucket_policy(Bucket=bucket, Policy=policy), "AccessDenied", 403, "public policy with BlockPublicPolicy")
check("because public policies are blocked by the BlockPublicPolicy block public access setting." in e.response["Error"]["Message"], "BlockPublicPolicy message")
none_blocked = {k: False for k in all_blocked}
s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=none_blocked)
equal(status(s3.put_bucket_policy(Bucket=bucket, Policy=policy)), 204, "PutBucketPolicy status")
equal(json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]), json.loads(policy), "GetBucketPolicy")
equal(s3.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"], {"IsPublic": True}, "a policy granting * is public")
equal(status(s3.delete_bucket_policy(Bucket=bucket)), 204, "DeleteBucketPolicy status")
not_configured(lambda: s3.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", "The bucket policy does not exist", "GetBucketPolicy after delete")
equal(status(s3.delete_bucket_policy(Bucket=bucket)), 204, "DeleteBucketPolicy again")
e = expect_error(lambda: s3.get_bucket_policy(Bucket=bucket + "-missing"), "NoSuchBucket", 404, "GetBucketPolicy of a missing bucket")

# CORS.
not_configured(lambda: s3.get_bucket_cors(Bucket=bucket), "NoSuchCORSConfiguration", "The CORS configuration does not exist", "GetBucketCors before put")
rules = [{"AllowedOrigins": ["https://example.com"], "AllowedMethods": ["GET", "PUT"], "AllowedHeaders": ["*"],
          "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}]
s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
equal(s3.get_bucket_cors(Bucket=bucket)["CORSRules"], rules, "GetBucketCors")
e = expect_error(lambda: s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
    {"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}), "InvalidRequest", 400, "CORS rule with PATCH")
equal(e.response["Error"]["Message"], "Found unsupported HTTP method in CORS config. Unsupported method is PATCH", "unsupported CORS method message")
equal(status(s3.delete_bucket_cors(Bucket=bucket)), 204, "DeleteBucketCors status")
not_configured(lambda: s3.get_bucket_cors(Bucket=bucket), "NoSuchCORSConfiguration", "The CORS configuration does not exist", "GetBucketCors after delete")

# Lifecycle: stored and answered, never applied.
not_configured(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket), "NoSuchLifecycleConfiguration",
               "The lifecycle configuration does not exist", "GetBucketLifecycleConfiguration before put")
lc = [{"ID": "expire-logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled", "Expiration": {"Days": 7}}]
put = s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": lc})
equal(put.get("TransitionDefaultMinimumObjectSize"), "all_storage_classes_128K", "PutBucketLifecycleConfiguration minimum object size")
got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)
equal(got["Rules"], lc, "GetBucketLifecycleConfiguration rules")
equal(got.get("TransitionDefaultMinimumObjectSize"), "all_storage_classes_128K", "GetBucketLifecycleConfiguration minimum object size")
expect_error(lambda: s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
    {"ID": "x", "Filter": {}, "Status": "Enabled"}]}), "InvalidRequest", 400, "lifecycle rule without an action")
equal(s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"], lc, "a refused lifecycle configuration changes nothing")
equal(status(s3.delete_bucket_lifecycle(Bucket=bucket)), 204, "DeleteBucketLifecycle status")
not_configured(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket), "NoSuchLifecycleConfiguration",
               "The lifecycle configuration does not exist", "GetBucketLifecycleConfiguration after delete")

# Default encryption: every bucket answers SSE-S3 until another is put.
sse_s3 = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}
equal(s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"], sse_s3, "default encryption")
kms = {"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/key"}, "BucketKeyEnabled": True}]}
s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration=kms)
equal(s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"], kms, "GetBucketEncryption after put")
e = expect_error(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256", "KMSMasterKeyID": "key"}}]}), "InvalidArgument", 400, "KMS key with AES256")
equal(e.response["Error"]["Message"], "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", "KMS key with AES256 message")
equal(e.response["Error"].get("ArgumentName"), "ApplyServerSideEncryptionByDefault", "KMS key with AES256 ArgumentName")
for rules in ([], [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}] * 2):
    expect_error(lambda: s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": rules}), "MalformedXML", 400, f"encryption with {len(rules)} rules")
equal(status(s3.delete_bucket_encryption(Bucket=bucket)), 204, "DeleteBucketEncryption status")
equal(s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"], sse_s3, "encryption after delete")

# Public access block: what was put; flags not given are false.
equal(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"], none_blocked, "GetPublicAccessBlock after put")
s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={"BlockPublicAcls": True})
equal(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"], dict(none_blocked, BlockPublicAcls=True), "unnamed flags are false")
equal(status(s3.delete_public_access_block(Bucket=bucket)), 204, "DeletePublicAccessBlock status")
not_configured(lambda: s3.get_public_access_block(Bucket=bucket), "NoSuchPublicAccessBlockConfiguration",
               "The public access block configuration was not found", "GetPublicAccessBlock after delete")
equal(status(s3.delete_public_access_block(Bucket=bucket)), 204, "DeletePublicAccessBlock again")

# Ownership controls and ACLs: new buckets enforce bucket ownership, which disables ACLs.
owner_id = s3.list_buckets()["Owner"]["ID"]
owner_full = [{"Grantee": {"ID": owner_id, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}]
equal(s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"], {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}, "default ownership")
acl = s3.get_bucket_acl(Bucket=bucket)
equal(acl["Owner"]["ID"], owner_id, "GetBucketAcl owner")
equal(acl["Grants"], owner_full, "GetBucketAcl grants")
equal(s3.get_object_acl(Bucket=bucket, Key="obj")["Grants"], owner_full, "GetObjectAcl grants")
expect_error(lambda: s3.get_object_acl(Bucket=bucket, Key="missing"), "NoSuchKey", 404, "GetObjectAcl of a missing key")
s3.put_bucket_acl(Bucket=bucket, ACL="private")
s3.put_object_acl(Bucket=bucket, Key="obj", ACL="private")
e = expect_error(lambda: s3.put_bucket_acl(Bucket=bucket, ACL="public-read"), "AccessControlListNotSupported", 400, "PutBucketAcl public-read with ACLs disabled")
equal(e.response["Error"]["Message"], "The bucket does not allow ACLs", "AccessControlListNotSupported message")
expect_error(lambda: s3.put_object_acl(Bucket=bucket, Key="obj", ACL="public-read"), "AccessControlListNotSupported", 400, "PutObjectAcl with ACLs disabled")
expect_error(lambda: s3.put_object(Bucket=bucket, Key="acl", Body=b"x", ACL="public-read"), "AccessControlListNotSupported", 400, "PutObject with an ACL with ACLs disabled")
for bad in [[], [{"ObjectOwnership": "BucketOwnerEnforced"}, {"ObjectOwnership": "ObjectWriter"}], [{"ObjectOwnership": "RandomValue"}]]:
    e = expect_error(lambda: s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": bad}), "MalformedXML", 400, f"ownership rules {bad}")
    equal(e.response["Error"]["Message"], "The XML you provided was not well-formed or did not validate against our published schema", "MalformedXML message")
s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
equal(s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"], {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}, "GetBucketOwnershipControls after put")
s3.put_bucket_acl(Bucket=bucket, ACL="public-read")
equal(s3.get_bucket_acl(Bucket=bucket)["Grants"], owner_full + [
    {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}], "GetBucketAcl after public-read")
equal(status(s3.delete_bucket_ownership_controls(Bucket=bucket)), 204, "DeleteBucketOwnershipControls status")
not_configured(lambda: s3.get_bucket_ownership_controls(Bucket=bucket), "OwnershipControlsNotFoundError",
               "The bucket ownership controls were not found", "GetBucketOwnershipControls after delete")
e = expect_error(lambda: s3.create_bucket(Bucket=bucket + "-own", ObjectOwnership="RandomValue"), "InvalidArgument", 400, "CreateBucket with a bad ownership")
equal(e.response["Error"]["Message"], "Invalid x-amz-object-ownership header: RandomValue", "bad ownership header message")
equal(e.response["Error"].get("ArgumentName"), "x-amz-object-ownership", "bad ownership header ArgumentName")
e = expect_error(lambda: s3.create_bucket(Bucket=bucket + "-own", ACL="public-read"), "InvalidBucketAclWithObjectOwnership", 400, "CreateBucket with a public ACL and ACLs disabled")
equal(e.response["Error"]["Message"], "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", "InvalidBucketAclWithObjectOwnership message")
e = expect_error(lambda: s3.create_bucket(Bucket=bucket + "-own", ACL="public-read", ObjectOwnership="ObjectWriter"),
                 "InvalidBucketAclWithBlockPublicAccessError", 400, "CreateBucket with a public ACL")
equal(e.response["Error"]["Message"], "Bucket cannot have public ACLs set with BlockPublicAccess enabled", "InvalidBucketAclWithBlockPublicAccessError message")
s3.create_bucket(Bucket=bucket + "-own", ObjectOwnership="BucketOwnerPreferred")
expect_error(lambda: s3.put_bucket_acl(Bucket=bucket + "-own", ACL="public-read"), "AccessDenied", 403, "public ACL with BlockPublicAcls")
equal(s3.get_bucket_ownership_controls(Bucket=bucket + "-own")["OwnershipControls"], {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]}, "ownership at creation")
s3.delete_bucket(Bucket=bucket + "-own")

# Website.
not_configured(lambda: s3.get_bucket_website(Bucket=bucket), "NoSuchWebsiteConfiguration",
               "The specified bucket does not have a website configuration", "GetBucketWebsite before put")
s3.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"IndexDocument": {"Suffix": "index.html"}, "ErrorDocument": {"Key": "error.html"}})
w = s3.get_bucket_website(Bucket=bucket)
equal((w["IndexDocument"], w["ErrorDocument"]), ({"Suffix": "index.html"}, {"Key": "error.html"}), "GetBucketWebsite")
equal(status(s3.delete_bucket_website(Bucket=bucket)), 204, "DeleteBucketWebsite status")
not_configured(lambda: s3.get_bucket_website(Bucket=bucket), "NoSuchWebsiteConfiguration",
               "The specified bucket does not have a website configuration", "GetBucketWebsite after delete")

# Logging, request payment, acceleration: defaults, then what was put.
check("LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket), "no logging by default")
s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": bucket, "TargetPrefix": "log/"}})
equal(s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"], {"TargetBucket": bucket, "TargetPrefix": "log/"}, "GetBucketLogging")
e = expect_error(lambda: s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": bucket + "-missing", "TargetPrefix": "log/"}}),
                 "InvalidTargetBucketForLogging", 400, "logging to a missing bucket")
s3.put_bucket_logging(Bucket=bucket, BucketLoggingStatus={})
check("LoggingEnabled" not in s3.get_bucket_logging(Bucket=bucket), "logging off")
equal(s3.get_bucket_request_payment(Bucket=bucket)["Payer"], "BucketOwner", "default payer")
s3.put_bucket_request_payment(Bucket=bucket, RequestPaymentConfiguration={"Payer": "Requester"})
equal(s3.get_bucket_request_payment(Bucket=bucket)["Payer"], "Requester", "payer after put")
check("Status" not in s3.get_bucket_accelerate_configuration(Bucket=bucket), "no acceleration status by default")
s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Enabled"})
equal(s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"], "Enabled", "acceleration after put")
s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "Suspended"})
equal(s3.get_bucket_accelerate_configuration(Bucket=bucket)["Status"], "Suspended", "acceleration suspended")
expect_error(lambda: s3.put_bucket_accelerate_configuration(Bucket=bucket, AccelerateConfiguration={"Status": "enabled"}),
             "MalformedXML", 400, "lower-case acceleration status")

# Configurations a bucket never has here.
not_configured(lambda: s3.get_bucket_replication(Bucket=bucket), "ReplicationConfigurationNotFoundError",
               "The replication configuration was not found", "GetBucketReplication")
not_configured(lambda: s3.get_object_lock_configuration(Bucket=bucket), "ObjectLockConfigurationNotFoundError",
               "Object Lock configuration does not exist for this bucket", "GetObjectLockConfiguration")
v = s3.get_bucket_versioning(Bucket=bucket)
check("Status" not in v and "MFADelete" not in v, "a never-versioned bucket answers no Status")

# A bucket's configurations go with it.
s3.put_bucket_policy(Bucket=bucket, Policy=policy)
s3.delete_object(Bucket=bucket, Key="obj")
s3.delete_bucket(Bucket=bucket)
s3.create_bucket(Bucket=bucket)
not_configured(lambda: s3.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", "The bucket policy does not exist", "policy of a re-created bucket")
s3.delete_bucket(Bucket=bucket)
