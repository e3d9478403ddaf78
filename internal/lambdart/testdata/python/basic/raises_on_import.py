raise RuntimeError("import-time failure")


def handler(event, context):
    return 1
