"""Overcast's Lambda runtime for Python.

It talks to the Lambda Runtime API named by AWS_LAMBDA_RUNTIME_API and behaves like the AWS
Python runtime: handler resolution, the context object, the error documents, the log format.
Standard library only; it is started with -S, so site-packages is added here without
processing .pth files, which keeps the cold start short.
"""

import os
import sys

if sys.path and sys.path[0] == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)
if os.environ.get("PYTHONPATH") == os.environ.get("LAMBDA_RUNTIME_DIR"):
    # The layers' directories come before the runtime's, after the function's code.
    for _p in ("/opt/python", "/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2]):
        if _p not in sys.path:
            sys.path.insert(0, _p)
sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))
if sys.flags.no_site:
    import site

    for _p in site.getsitepackages():
        if os.path.isdir(_p) and _p not in sys.path:
            sys.path.append(_p)
    site.setquit()
    site.setcopyright()
    del _p

import decimal
import importlib
import json
import logging
import socket
import time
import traceback

_ERROR_LOG_LINE_TERMINATE = "\r"
_ERROR_LOG_IDENT = "\u00a0"
_UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function change, "
    "or can be applied automatically. To determine if the runtime has been updated, check the "
    "runtime version in the INIT_START log entry. If this error correlates with a change in the "
    "runtime version, you may be able to mitigate this error by temporarily rolling back to the "
    "previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html"
)


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


class RuntimeClient:
    """A small HTTP/1.1 keep-alive client for the Runtime API."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.address = (host.strip("[]"), int(port))
        self.sock = None
        self.rfile = None

    def _connect(self):
        sock = socket.create_connection(self.address)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.rfile = sock.makefile("rb")

    def _close(self):
        if self.sock is not None:
            try:
                self.rfile.close()
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.rfile = None

    def request(self, method, path, body=b"", headers=None):
        head = "%s %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: overcast-python-runtime\r\nContent-Length: %d\r\n" % (
            method,
            path,
            self.address[0],
            self.address[1],
            len(body),
        )
        if headers:
            for k, v in headers.items():
                head += "%s: %s\r\n" % (k, v)
        data = (head + "\r\n").encode("latin-1") + body
        for attempt in (0, 1):
            fresh = self.sock is None
            try:
                if fresh:
                    self._connect()
                self.sock.sendall(data)
                return self._read_response()
            except (ConnectionError, OSError):
                self._close()
                if attempt == 1 or fresh:
                    raise

    def _read_response(self):
        line = self.rfile.readline(65537)
        if not line:
            raise ConnectionError("Runtime API closed the connection")
        parts = line.split(None, 2)
        status = int(parts[1])
        headers = {}
        while True:
            line = self.rfile.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            body = b"".join(chunks)
        else:
            body = self.rfile.read(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            self._close()
        return status, headers, body

    def next(self):
        while True:
            status, headers, body = self.request("GET", "/2018-06-01/runtime/invocation/next")
            if status == 200:
                return headers, body
            sys.stderr.write("Runtime API next returned %d: %r\n" % (status, body))
            time.sleep(0.01)

    def post_result(self, request_id, body, content_type):
        self.request(
            "POST",
            "/2018-06-01/runtime/invocation/%s/response" % request_id,
            body,
            {"Content-Type": content_type},
        )

    def post_error(self, request_id, error, error_type):
        self.request(
            "POST",
            "/2018-06-01/runtime/invocation/%s/error" % request_id,
            error,
            {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type},
        )

    def post_init_error(self, error, error_type):
        self.request(
            "POST",
            "/2018-06-01/runtime/init/error",
            error,
            {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": error_type},
        )


class _Encoder(json.JSONEncoder):
    def default(self, obj):
        if isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return float("nan")
            if obj == obj.to_integral_value():
                return int(obj)
            return float(obj)
        return super().default(obj)


def to_json(obj):
    return _Encoder().encode(obj)


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


def _obj_from_dict(cls, d):
    if d is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, d.get(field, None))
    return obj


class LambdaContext(object):
    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms, invoked_function_arn, tenant_id=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _obj_from_dict(Client, self.client_context.client)
        self.identity = _obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s,client_context=%s,identity=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
            )
        )


def make_error(message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i, frame in enumerate(frames):
        if "/bootstrap.py" not in frame[0]:
            return frames[i:]
    return frames


def _fault_result(exc_info, invoke_id=None):
    etype, value, tb = exc_info
    return make_error(str(value), etype.__name__, traceback.format_list(_user_frames(tb)), invoke_id)


def _indent(line):
    n = len(line) - len(line.lstrip(" "))
    return _ERROR_LOG_IDENT * n + line[n:]


def _error_lines(error_result):
    description = "[ERROR]"
    if error_result.get("errorType"):
        description += " " + error_result["errorType"]
    if error_result.get("errorMessage"):
        if error_result.get("errorType"):
            description += ":"
        description += " " + error_result["errorMessage"]
    lines = [description]
    stack = error_result.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            if element == "":
                lines.append("")
            else:
                lines.extend(_indent(l) for l in element.splitlines())
    return lines


def log_error(error_result):
    if _JSON_LOGS:
        record = {"timestamp": time.strftime(_DATETIME_FORMAT, time.gmtime()), "level": "ERROR"}
        record.update(error_result)
        _SINK.log_lines([to_json(record)], logging.ERROR)
    else:
        _SINK.log_lines(_error_lines(error_result), logging.ERROR)


_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S"
_JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


class _StdoutSink(object):
    """Writes records to stdout, a multi-line one on one line with \\r between its lines."""

    def log(self, msg, level=None):
        sys.stdout.write(msg)

    def log_lines(self, lines, level=None):
        sys.stdout.write(_ERROR_LOG_LINE_TERMINATE.join(lines) + "\n")


class _FramedSink(object):
    """Writes each record as one frame on the telemetry log descriptor, so that Lambda logs
    a multi-line record as one event: the frame type (0xA55A00xx: JSON or text, and the
    level), the payload's length, a timestamp in microseconds, all big-endian, then the
    payload."""

    def __init__(self, fd):
        self.file = os.fdopen(fd, "wb", 0)

    def log(self, msg, level=None):
        data = msg.encode("utf-8")
        kind = 0xA55A0002 if _JSON_LOGS else 0xA55A0003
        if level is not None and level >= 10:
            kind += (min(50, level) // 10 + 1) * 4
        header = kind.to_bytes(4, "big") + len(data).to_bytes(4, "big") + (time.time_ns() // 1000).to_bytes(8, "big")
        sys.stdout.flush()
        self.file.write(header + data)

    def log_lines(self, lines, level=None):
        self.log("\n".join(lines), level)


def _make_sink():
    fd = os.environ.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    if fd is not None:
        try:
            return _FramedSink(int(fd))
        except (OSError, ValueError):
            pass
    return _StdoutSink()


_SINK = _StdoutSink()


class Unbuffered(object):
    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        self.stream.write(msg)
        self.stream.flush()

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


_REQUEST_ID = None


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _REQUEST_ID or ""
        return True


class _SinkHandler(logging.Handler):
    def emit(self, record):
        try:
            msg = self.format(record)
            _SINK.log(msg, record.levelno)
        except Exception:
            self.handleError(record)


# Attributes of a LogRecord that are not the caller's extra fields.
_RECORD_FIELDS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"aws_request_id", "message", "asctime", "taskName"}


class _JsonFormatter(logging.Formatter):
    """Formats a record as the AWS Python runtime does with the JSON log format."""

    def format(self, record):
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        ts = time.strftime(_DATETIME_FORMAT, time.gmtime(record.created)) + ".%03dZ" % (int(record.msecs))
        out = {
            "timestamp": ts,
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        if record.exc_info:
            out["stackTrace"] = traceback.format_tb(record.exc_info[2])
            out["errorType"] = record.exc_info[0].__name__
            out["errorMessage"] = str(record.exc_info[1])
        out["requestId"] = getattr(record, "aws_request_id", None)
        if record.exc_info:
            out["location"] = "%s:%s:%s" % (record.pathname, record.funcName, record.lineno)
        for k, v in vars(record).items():
            if k not in _RECORD_FIELDS and k not in out:
                out[k] = v
        out = {k: v for k, v in out.items() if v is not None}
        return json.dumps(out, ensure_ascii=False, default=str) + "\n"


def _setup_logging():
    global _SINK
    _SINK = _make_sink()
    logging.Formatter.converter = time.gmtime
    handler = _SinkHandler()
    if _JSON_LOGS:
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                "%Y-%m-%dT%H:%M:%S",
            )
        )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    # Python's logging has no TRACE: the runtime logs TRACE as DEBUG.
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    level = {"TRACE": "DEBUG"}.get(level, level)
    if level in logging._nameToLevel:
        root.setLevel(level)
    root.addHandler(handler)


def _get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                FaultException.BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e))
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, str(e)), trace
        )
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname)
        )


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(
            FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR, "Unable to parse {} JSON: {}".format(name, str(e))
        )


def handle_event(client, request_handler, headers, body):
    invoke_id = headers.get("lambda-runtime-aws-request-id", "")
    error_result = None
    try:
        client_context = None
        if headers.get("lambda-runtime-client-context"):
            client_context = _parse_json_header(headers["lambda-runtime-client-context"], "Client Context")
        cognito = None
        if headers.get("lambda-runtime-cognito-identity"):
            cognito = _parse_json_header(headers["lambda-runtime-cognito-identity"], "Cognito Identity")
        context = LambdaContext(
            invoke_id,
            client_context,
            cognito,
            int(headers.get("lambda-runtime-deadline-ms", "0")),
            headers.get("lambda-runtime-invoked-function-arn"),
            headers.get("lambda-runtime-aws-tenant-id"),
        )
        content_type = headers.get("content-type", "application/json")
        if content_type == "application/json":
            try:
                event = json.loads(body)
            except Exception as e:
                raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)))
        else:
            event = body
        response = request_handler(event, context)
        if isinstance(response, bytes):
            result, result_type = response, "application/unknown"
        else:
            try:
                result, result_type = to_json(response).encode("utf-8"), "application/json"
            except Exception as e:
                raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)))
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:
        error_result = _fault_result(sys.exc_info(), invoke_id)
    if error_result is not None:
        log_error(error_result)
        client.post_error(invoke_id, to_json(error_result).encode("utf-8"), error_result["errorType"])
    else:
        client.post_result(invoke_id, result, result_type)


def main():
    global _REQUEST_ID
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        _setup_logging()
        request_handler = _get_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        if isinstance(e, FaultException):
            error_result = make_error(e.msg, e.exception_type, e.trace)
        else:
            error_result = _fault_result(sys.exc_info())
        logging.warning(_UNHANDLED_WARNING)
        log_error(error_result)
        client.post_init_error(to_json(error_result).encode("utf-8"), error_result["errorType"])
        sys.exit(1)

    while True:
        headers, body = client.next()
        _REQUEST_ID = headers.get("lambda-runtime-aws-request-id")
        trace_id = headers.get("lambda-runtime-trace-id")
        if trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle_event(client, request_handler, headers, body)


if __name__ == "__main__":
    main()
