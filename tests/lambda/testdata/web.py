import base64
import json


def handler(event, context):
    """A function behind a function URL: answers by its path."""
    path = event.get("rawPath", "")
    if path == "/bare":
        return {"bare": True, "query": event.get("queryStringParameters")}
    if path == "/fail":
        raise RuntimeError("url failure")
    if path == "/binary":
        return {"statusCode": 200, "headers": {"content-type": "application/octet-stream"},
                "body": base64.b64encode(b"\x00\x01\xfe\xff").decode(), "isBase64Encoded": True}
    return {
        "statusCode": 201,
        "headers": {"content-type": "application/json", "x-handled-by": context.function_name},
        "cookies": ["session=abc; Path=/", "theme=dark"],
        "body": json.dumps(event),
    }
