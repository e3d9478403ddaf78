import os


def handler(event, context):
    print("hello from", context.function_name)
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("boom")
    if isinstance(event, dict) and event.get("list"):
        # Reaches Overcast through AWS_ENDPOINT_URL (the standard library only: the host
        # interpreter may have no AWS SDK).
        import json
        import urllib.request
        url = os.environ["AWS_ENDPOINT_URL"] + "/2015-03-31/functions/"
        with urllib.request.urlopen(url) as resp:
            names = [f["FunctionName"] for f in json.load(resp)["Functions"]]
        return {"functions": names}
    return {"echo": event, "greeting": os.environ.get("GREETING", ""), "version": context.function_version}
