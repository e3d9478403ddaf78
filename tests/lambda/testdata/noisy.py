"""Prints {"lines": N} numbered lines of 70 characters, to fill the log tail."""


def handler(event, context):
    n = event.get("lines", 200)
    for i in range(n):
        print("line %04d %s" % (i, "x" * 60))
    return {"lines": n}
