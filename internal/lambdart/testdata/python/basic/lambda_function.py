import json
import logging
import os
import sys
import time

logger = logging.getLogger()
logger.setLevel(logging.INFO)

COUNTER = 0
# Every environment gets its own instance id (pids are 1 inside a pid namespace).
INSTANCE = os.urandom(8).hex()
print("init: loading lambda_function")


def hello(event, context):
    return {"hello": event.get("name", "world")}


def counter(event, context):
    global COUNTER
    COUNTER += 1
    return {"count": COUNTER, "instance": INSTANCE}


def fail(event, context):
    raise ValueError("boom: " + str(event.get("why", "no reason")))


def env(event, context):
    keys = event.get("keys") or sorted(os.environ)
    return {k: os.environ.get(k) for k in keys}


def ctx(event, context):
    remaining = context.get_remaining_time_in_millis()
    return {
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "invoked_function_arn": context.invoked_function_arn,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining_ok": 0 < remaining <= 30000,
        "identity_id": context.identity.cognito_identity_id,
        "client_custom": context.client_context.custom if context.client_context else None,
        "trace_id": os.environ.get("_X_AMZN_TRACE_ID"),
        "cwd": os.getcwd(),
        "tmp_writable": _tmp_writable(),
    }


def _tmp_writable():
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "probe")
    with open(path, "w") as f:
        f.write("ok")
    return True


def logs(event, context):
    print("plain print line")
    logger.info("info via logging %s", event.get("n", 1))
    logger.warning("a warning")
    sys.stderr.write("to stderr\n")
    return "logged"


def sleep(event, context):
    time.sleep(event.get("seconds", 10))
    return "slept"


def crash(event, context):
    print("about to exit")
    os._exit(int(event.get("code", 1)))


def hog(event, context):
    chunks = []
    for _ in range(event.get("mb", 1024)):
        chunks.append(bytearray(1024 * 1024))
    with open("/proc/self/cgroup") as f:
        return {"allocated_mb": len(chunks), "cgroup": f.read()}


def big(event, context):
    return "x" * event.get("bytes", 7 * 1024 * 1024)


def from_layer(event, context):
    import greeting

    return greeting.greet(event.get("name", "layer"))


def nested(event, context):
    return {"nested": True}


def gate(event, context):
    import urllib.request

    urllib.request.urlopen(event["url"], timeout=60).read()
    return "opened"


def fill(event, context):
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "fill.bin")
    chunk = b"\0" * (1024 * 1024)
    written = 0
    try:
        with open(path, "wb") as f:
            for _ in range(event.get("mb", 1)):
                f.write(chunk)
                f.flush()
                written += 1
    except OSError as e:
        return {"written_mb": written, "error": e.strerror}
    finally:
        os.remove(path)
    return {"written_mb": written, "error": None}


def fetch(event, context):
    import urllib.request

    results = {}
    for name, url in event["urls"].items():
        try:
            results[name] = urllib.request.urlopen(url, timeout=5).read().decode()
        except Exception as e:
            results[name] = "error: " + type(e).__name__
    return results
