"""Versioning through boto3: version ids on writes, reads by version, delete markers,
ListObjectVersions and its pagination, the null version of unversioned and suspended
writes, and what AWS answers for each."""
import sys

from s3check import check, client, equal, expect_error

bucket = sys.argv[1]
s3 = client()
s3.create_bucket(Bucket=bucket)


def status(resp):
    return resp["ResponseMetadata"]["HTTPStatusCode"]


# A bucket that never versioned: no Status, no version ids, "null" reads the object and
# any other id is refused.
v = s3.get_bucket_versioning(Bucket=bucket)
check("Status" not in v, "never-versioned bucket has no Status")
put = s3.put_object(Bucket=bucket, Key="pre", Body=b"before versioning")
check("VersionId" not in put, "unversioned PutObject answers no VersionId")
got = s3.get_object(Bucket=bucket, Key="pre", VersionId="null")
equal(got["Body"].read(), b"before versioning", "GetObject versionId=null in an unversioned bucket")
check("VersionId" not in got, "unversioned GetObject answers no VersionId")
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="pre", VersionId="HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"), "InvalidArgument", 400,
                 "GetObject with a version id in an unversioned bucket")
equal(e.response["Error"]["Message"], "Invalid version id specified", "invalid version id message")
equal(e.response["Error"].get("ArgumentName"), "versionId", "invalid version id ArgumentName")
e = expect_error(lambda: s3.delete_object(Bucket=bucket, Key="pre", VersionId="HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"), "InvalidArgument", 400,
                 "DeleteObject with a version id in an unversioned bucket")
lv = s3.list_object_versions(Bucket=bucket)
equal([(x["Key"], x["VersionId"], x["IsLatest"]) for x in lv["Versions"]], [("pre", "null", True)], "unversioned objects list as the null version")
equal((lv["KeyMarker"], lv["VersionIdMarker"], lv["MaxKeys"], lv["IsTruncated"]), ("", "", 1000, False), "ListObjectVersions markers")

expect_error(lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "enabled"}), "MalformedXML", 400, "lower-case versioning status")
expect_error(lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Disabled"}), "MalformedXML", 400, "versioning status Disabled")
e = expect_error(lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={}), "IllegalVersioningConfigurationException", 400, "empty versioning configuration")
equal(e.response["Error"]["Message"], "The Versioning element must be specified", "empty versioning configuration message")
check("Status" not in s3.get_bucket_versioning(Bucket=bucket), "refused versioning configurations change nothing")
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
equal(s3.get_bucket_versioning(Bucket=bucket).get("Status"), "Enabled", "versioning enabled")

# Enabled: each write is a new version; the object written before is the null version.
v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
check(v1 != v2 and v1 != "null", "distinct version ids")
equal(s3.get_object(Bucket=bucket, Key="k")["VersionId"], v2, "GetObject answers the current version")
equal(s3.get_object(Bucket=bucket, Key="k", VersionId=v1)["Body"].read(), b"one", "GetObject by version")
equal(s3.head_object(Bucket=bucket, Key="k", VersionId=v1)["VersionId"], v1, "HeadObject by version")
equal(s3.head_object(Bucket=bucket, Key="pre")["VersionId"], "null", "an object from before versioning is the null version")
equal(s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1, Tagging={"TagSet": [{"Key": "old", "Value": "yes"}]}).get("VersionId"), v1,
      "PutObjectTagging answers the version")
equal(s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=v1)["TagSet"], [{"Key": "old", "Value": "yes"}], "tags of a noncurrent version")
cur = s3.get_object_tagging(Bucket=bucket, Key="k")
equal((cur["TagSet"], cur.get("VersionId")), ([], v2), "tagging an old version leaves the current one")
cp = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k", "VersionId": v1})
equal(cp["CopySourceVersionId"], v1, "CopyObject CopySourceVersionId")
check(cp.get("VersionId") not in (None, "null"), "CopyObject answers the new version id")
equal(s3.get_object(Bucket=bucket, Key="copy")["Body"].read(), b"one", "copy of an old version")

# Delete markers.
d = s3.delete_object(Bucket=bucket, Key="k")
equal(status(d), 204, "DeleteObject status")
equal(d.get("DeleteMarker"), True, "DeleteObject puts a delete marker")
marker = d["VersionId"]
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="k"), "NoSuchKey", 404, "GetObject under a delete marker")
equal(e.response["ResponseMetadata"]["HTTPHeaders"].get("x-amz-delete-marker"), "true", "NoSuchKey says a delete marker is latest")
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="k", VersionId=marker), "MethodNotAllowed", 405, "GetObject of a delete marker")
equal(e.response["Error"]["Message"], "The specified method is not allowed against this resource.", "MethodNotAllowed message")
equal((e.response["Error"].get("Method"), e.response["Error"].get("ResourceType")), ("GET", "DeleteMarker"), "MethodNotAllowed fields")
equal(s3.get_object(Bucket=bucket, Key="k", VersionId=v2)["Body"].read(), b"two", "old versions survive a delete marker")
tags = {"TagSet": [{"Key": "a", "Value": "b"}]}
for what, call, method in [
        ("PutObjectTagging of a delete marker", lambda: s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=marker, Tagging=tags), "PUT"),
        ("GetObjectTagging of a delete marker", lambda: s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=marker), "GET"),
        ("DeleteObjectTagging of a delete marker", lambda: s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=marker), "DELETE"),
        ("PutObjectTagging under a latest delete marker", lambda: s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tags), "PUT"),
        ("GetObjectTagging under a latest delete marker", lambda: s3.get_object_tagging(Bucket=bucket, Key="k"), "GET")]:
    e = expect_error(call, "MethodNotAllowed", 405, what)
    equal((e.response["Error"].get("Method"), e.response["Error"].get("ResourceType")), (method, "DeleteMarker"), what + " fields")
check("Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="k"), "a deleted key does not list")
marker2 = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]

lv = s3.list_object_versions(Bucket=bucket, Prefix="k")
equal([(x["VersionId"], x["IsLatest"]) for x in lv["DeleteMarkers"]], [(marker2, True), (marker, False)], "delete markers newest first")
equal([(x["VersionId"], x["IsLatest"], x["Size"]) for x in lv["Versions"]], [(v2, False, 3), (v1, False, 3)], "versions newest first")
check(all(x["StorageClass"] == "STANDARD" and "ID" in x["Owner"] for x in lv["Versions"]), "versions carry StorageClass and Owner")

# Deleting a version for good: a delete marker answers DeleteMarker, a version its id;
# deleting the latest marker brings back the version under it.
d = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
equal((d.get("DeleteMarker"), d.get("VersionId")), (True, marker), "delete a delete marker by version")
d = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker2)
equal((d.get("DeleteMarker"), d.get("VersionId")), (True, marker2), "delete the latest delete marker")
equal(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"two", "the version under the marker is current again")
d = s3.delete_object(Bucket=bucket, Key="k", VersionId=v2)
equal((d.get("DeleteMarker"), d.get("VersionId")), (None, v2), "delete a version")
equal(s3.get_object(Bucket=bucket, Key="k")["Body"].read(), b"one", "deleting the current version makes the previous one current")
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="k", VersionId=v2), "NoSuchVersion", 404, "GetObject of a deleted version")
equal(e.response["Error"]["Message"], "The specified version does not exist.", "NoSuchVersion message")
equal(e.response["Error"].get("VersionId"), v2, "NoSuchVersion VersionId")
bad = v1[:-4] + ("ABCD" if not v1.endswith("ABCD") else "EFGH")
e = expect_error(lambda: s3.delete_object(Bucket=bucket, Key="k", VersionId=bad), "InvalidArgument", 400, "DeleteObject with a version id never given")
equal((e.response["Error"]["Message"], e.response["Error"].get("ArgumentName")), ("Invalid version id specified", "versionId"), "bad version id error")
r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k", "VersionId": "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"}]})
equal(r.get("Errors"), [{"Key": "k", "VersionId": "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD", "Code": "NoSuchVersion",
      "Message": "The specified version does not exist."}], "DeleteObjects with a version id never given")

# DeleteObjects: without a version a delete marker, with one the version.
r = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "k"}, {"Key": "copy", "VersionId": cp["VersionId"]}]})
dk = {x["Key"]: x for x in r["Deleted"]}
equal(dk["k"].get("DeleteMarker"), True, "DeleteObjects puts a delete marker")
check(dk["k"].get("DeleteMarkerVersionId") not in (None, "null"), "DeleteObjects answers the marker's version id")
equal(dk["copy"].get("VersionId"), cp["VersionId"], "DeleteObjects deletes a version")

# Suspended: writes are the null version, replacing the null version.
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
equal(s3.get_bucket_versioning(Bucket=bucket).get("Status"), "Suspended", "versioning suspended")
put = s3.put_object(Bucket=bucket, Key="pre", Body=b"null again")
equal(s3.head_object(Bucket=bucket, Key="pre")["VersionId"], "null", "suspended writes are the null version")
nulls = [x for x in s3.list_object_versions(Bucket=bucket, Prefix="pre")["Versions"] if x["VersionId"] == "null"]
equal(len(nulls), 1, "one null version per key")
equal(s3.get_object(Bucket=bucket, Key="pre")["Body"].read(), b"null again", "the null version was replaced")
d = s3.delete_object(Bucket=bucket, Key="pre")
equal((d.get("DeleteMarker"), d.get("VersionId")), (True, "null"), "suspended delete puts a null delete marker")

# Pagination with MaxKeys, KeyMarker and VersionIdMarker walks every version once.
s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
for i in range(3):
    s3.put_object(Bucket=bucket, Key="page/a", Body=str(i).encode())
    s3.put_object(Bucket=bucket, Key="page/b", Body=str(i).encode())
full = s3.list_object_versions(Bucket=bucket, Prefix="page/")["Versions"]
seen, kw = [], {}
while True:
    p = s3.list_object_versions(Bucket=bucket, Prefix="page/", MaxKeys=4, **kw)
    seen += [(x["Key"], x["VersionId"]) for x in p.get("Versions", [])]
    if not p["IsTruncated"]:
        break
    kw = {"KeyMarker": p["NextKeyMarker"], "VersionIdMarker": p["NextVersionIdMarker"]}
equal(seen, [(x["Key"], x["VersionId"]) for x in full], "pages cover every version in order")
equal(len(seen), 6, "six versions")

# A bucket holding versions is not empty.
e = expect_error(lambda: s3.delete_bucket(Bucket=bucket), "BucketNotEmpty", 409, "DeleteBucket with versions")
equal(e.response["Error"]["Message"], "The bucket you tried to delete is not empty. You must delete all versions in the bucket.", "BucketNotEmpty message of a versioned bucket")
lv = s3.list_object_versions(Bucket=bucket)
for x in lv.get("Versions", []) + lv.get("DeleteMarkers", []):
    s3.delete_object(Bucket=bucket, Key=x["Key"], VersionId=x["VersionId"])
equal(status(s3.delete_bucket(Bucket=bucket)), 204, "DeleteBucket once every version is gone")

# Object Lock: only on a bucket with versioning enabled; a bucket created with it gets
# both; its versioning can no longer change. Retention is stored, not enforced.
lock_bucket = bucket + "-lock"
s3.create_bucket(Bucket=lock_bucket)
e = expect_error(lambda: s3.get_object_lock_configuration(Bucket=lock_bucket), "ObjectLockConfigurationNotFoundError", 404, "no Object Lock configuration")
equal(e.response["Error"]["Message"], "Object Lock configuration does not exist for this bucket", "ObjectLockConfigurationNotFoundError message")
enabled = {"ObjectLockEnabled": "Enabled"}
e = expect_error(lambda: s3.put_object_lock_configuration(Bucket=lock_bucket, ObjectLockConfiguration=enabled), "InvalidBucketState", 409, "Object Lock without versioning")
equal(e.response["Error"]["Message"], "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration", "InvalidBucketState message")
s3.put_bucket_versioning(Bucket=lock_bucket, VersioningConfiguration={"Status": "Enabled"})
s3.put_object_lock_configuration(Bucket=lock_bucket, ObjectLockConfiguration=enabled)
equal(s3.get_object_lock_configuration(Bucket=lock_bucket)["ObjectLockConfiguration"], enabled, "Object Lock enabled on an existing bucket")
for what, bad in [("no ObjectLockEnabled", {"Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}),
                  ("empty rule", {"ObjectLockEnabled": "Enabled", "Rule": {}}),
                  ("no days", {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE"}}}),
                  ("days and years", {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}}})]:
    expect_error(lambda: s3.put_object_lock_configuration(Bucket=lock_bucket, ObjectLockConfiguration=bad), "MalformedXML", 400, "Object Lock configuration with " + what)
e = expect_error(lambda: s3.put_bucket_versioning(Bucket=lock_bucket, VersioningConfiguration={"Status": "Suspended"}), "InvalidBucketState", 409, "suspend versioning on a locked bucket")
equal(e.response["Error"]["Message"], "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.", "locked versioning message")
s3.put_bucket_versioning(Bucket=lock_bucket, VersioningConfiguration={"Status": "Enabled"})
s3.delete_bucket(Bucket=lock_bucket)

s3.create_bucket(Bucket=lock_bucket, ObjectLockEnabledForBucket=True)
equal(s3.get_object_lock_configuration(Bucket=lock_bucket)["ObjectLockConfiguration"], enabled, "Object Lock at creation")
equal(s3.get_bucket_versioning(Bucket=lock_bucket).get("Status"), "Enabled", "Object Lock at creation enables versioning")
rule = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}
s3.put_object_lock_configuration(Bucket=lock_bucket, ObjectLockConfiguration=rule)
equal(s3.get_object_lock_configuration(Bucket=lock_bucket)["ObjectLockConfiguration"], rule, "Object Lock default retention")
s3.delete_bucket(Bucket=lock_bucket)
