"""Buckets and objects through boto3: round trips, ranges, conditional reads, listing with
delimiters and pagination, and S3's error bodies."""
import hashlib
import sys
from datetime import datetime, timedelta, timezone

from s3check import check, client, equal, expect_error

bucket = sys.argv[1]
s3 = client()

s3.create_bucket(Bucket=bucket)
e = expect_error(lambda: s3.create_bucket(Bucket="Invalid_Name"), "InvalidBucketName", 400, "CreateBucket with a bad name")
equal(e.response["Error"].get("BucketName"), "Invalid_Name", "InvalidBucketName names the bucket")

# An upload without Content-Type is stored as binary/octet-stream.
body = bytes(range(256)) * 16
put = s3.put_object(Bucket=bucket, Key="bin", Body=body, Metadata={"Color": "blue"})
equal(put["ETag"], '"' + hashlib.md5(body).hexdigest() + '"', "ETag")
get = s3.get_object(Bucket=bucket, Key="bin")
equal(get["Body"].read(), body, "binary body")
equal(get["ContentType"], "binary/octet-stream", "default Content-Type")
equal(get["Metadata"], {"color": "blue"}, "user metadata (lower-cased)")
equal(get["ContentLength"], len(body), "ContentLength")
equal(get["AcceptRanges"], "bytes", "AcceptRanges")

# A 6 MB object through upload_fileobj and download_fileobj.
import io
big = hashlib.sha256(b"seed").digest() * (6 * 1024 * 1024 // 32)
s3.upload_fileobj(io.BytesIO(big), bucket, "big/object")
buf = io.BytesIO()
s3.download_fileobj(bucket, "big/object", buf)
equal(hashlib.md5(buf.getvalue()).hexdigest(), hashlib.md5(big).hexdigest(), "6 MB round trip")
equal(s3.head_object(Bucket=bucket, Key="big/object")["ContentLength"], len(big), "6 MB ContentLength")

# Presigned URLs carry the signature in the query string.
import urllib.request
url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "presigned"}, ExpiresIn=300)
equal(urllib.request.urlopen(urllib.request.Request(url, data=b"via url", method="PUT")).status, 200, "presigned PUT")
url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "presigned"}, ExpiresIn=300)
equal(urllib.request.urlopen(url).read(), b"via url", "presigned GET")
s3.delete_object(Bucket=bucket, Key="presigned")

# Ranges.
r = s3.get_object(Bucket=bucket, Key="bin", Range="bytes=1-3")
equal(r["Body"].read(), bytes([1, 2, 3]), "range body")
equal(r["ContentRange"], f"bytes 1-3/{len(body)}", "Content-Range")
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="bin", Range=f"bytes={len(body)}-"), "InvalidRange", 416, "unsatisfiable range")
equal(e.response["Error"].get("ActualObjectSize"), str(len(body)), "InvalidRange ActualObjectSize")

# Conditional reads: 304 answers have no body, so botocore reports the status as the code.
etag = put["ETag"]
expect_error(lambda: s3.get_object(Bucket=bucket, Key="bin", IfNoneMatch=etag), "304", 304, "If-None-Match")
expect_error(lambda: s3.get_object(Bucket=bucket, Key="bin", IfModifiedSince=datetime.now(timezone.utc) + timedelta(hours=1)),
             "304", 304, "If-Modified-Since")
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="bin", IfMatch='"abc"'), "PreconditionFailed", 412, "If-Match")
equal(e.response["Error"].get("Condition"), "If-Match", "PreconditionFailed Condition")
expect_error(lambda: s3.head_object(Bucket=bucket, Key="bin", IfMatch='"abc"'), "412", 412, "HeadObject If-Match")

# Errors name their resource.
e = expect_error(lambda: s3.get_object(Bucket=bucket, Key="missing/key"), "NoSuchKey", 404, "GetObject of a missing key")
equal(e.response["Error"].get("Key"), "missing/key", "NoSuchKey Key")
equal(e.response["Error"]["Message"], "The specified key does not exist.", "NoSuchKey Message")
e = expect_error(lambda: s3.list_objects_v2(Bucket=bucket + "-none"), "NoSuchBucket", 404, "ListObjectsV2 of a missing bucket")
equal(e.response["Error"].get("BucketName"), bucket + "-none", "NoSuchBucket BucketName")
expect_error(lambda: s3.head_object(Bucket=bucket, Key="missing"), "404", 404, "HeadObject of a missing key")
e = expect_error(lambda: s3.delete_bucket(Bucket=bucket), "BucketNotEmpty", 409, "DeleteBucket of a bucket with objects")
equal(e.response["Error"].get("BucketName"), bucket, "BucketNotEmpty BucketName")

# Listing: keys with spaces and non-ASCII characters come back intact (boto3 asks for
# url encoding and decodes the answer).
for k in ["photos/2024/a b.jpg", "photos/2024/ü.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme"]:
    s3.put_object(Bucket=bucket, Key=k, Body=k.encode())
out = s3.list_objects_v2(Bucket=bucket, Prefix="photos/", Delimiter="/")
equal([c["Prefix"] for c in out["CommonPrefixes"]], ["photos/2024/", "photos/2025/"], "CommonPrefixes")
equal([o["Key"] for o in out["Contents"]], ["photos/top.jpg"], "Contents beside the prefixes")
equal(out["KeyCount"], 3, "KeyCount")
out = s3.list_objects_v2(Bucket=bucket, Prefix="photos/2024/")
equal([o["Key"] for o in out["Contents"]], ["photos/2024/a b.jpg", "photos/2024/ü.jpg"], "keys decoded")

keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
    check(page["KeyCount"] <= 2, "page size")
    keys += [o["Key"] for o in page.get("Contents", [])]
equal(keys, ["big/object", "bin", "photos/2024/a b.jpg", "photos/2024/ü.jpg", "photos/2025/c.jpg", "photos/top.jpg", "readme"],
      "ListObjectsV2 pages")
keys = []
for page in s3.get_paginator("list_objects").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 1}):
    keys += [o["Key"] for o in page.get("Contents", [])] + [c["Prefix"] for c in page.get("CommonPrefixes", [])]
equal(keys, ["big/", "bin", "photos/", "readme"], "ListObjects pages with a delimiter")

# Copy, then delete everything with DeleteObjects, and the bucket.
s3.copy_object(Bucket=bucket, Key="bin-copy", CopySource={"Bucket": bucket, "Key": "bin"})
equal(s3.get_object(Bucket=bucket, Key="bin-copy")["Metadata"], {"color": "blue"}, "copy keeps metadata")
all_keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
res = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in all_keys], "Quiet": True})
equal(res.get("Deleted", []), [], "Quiet DeleteObjects")
equal(s3.list_objects_v2(Bucket=bucket)["KeyCount"], 0, "bucket emptied")
s3.delete_bucket(Bucket=bucket)
expect_error(lambda: s3.head_bucket(Bucket=bucket), "404", 404, "HeadBucket after delete")
print("ok")
