/**
 * Overcast's Lambda runtime for Node.js.
 *
 * It talks to the Lambda Runtime API named by AWS_LAMBDA_RUNTIME_API and behaves like the AWS
 * Node.js runtime: handler resolution (CommonJS and ES modules), the context object, async
 * and callback handlers with callbackWaitsForEmptyEventLoop, response streaming, the error
 * documents and the log format. Standard library only.
 */

'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');
const { createRequire } = require('module');

// AWS's runtime loads the function's code from /var/runtime/index.mjs, so a missing module
// reports "Require stack:\n- /var/runtime/index.mjs"; requiring through this function makes
// the stack name the same file.
const userRequire = createRequire(
  path.join(process.env.LAMBDA_RUNTIME_DIR || path.dirname(__dirname), 'index.mjs'),
);

const HANDLER_STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HANDLER_HIGHWATERMARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');
const STREAM_RESPONSE = 'response';
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');

// ---------------------------------------------------------------------------------------
// Errors

class RuntimeError extends Error {}
const errorClasses = {};
for (const name of [
  'ImportModuleError',
  'HandlerNotFound',
  'MalformedHandlerName',
  'UserCodeSyntaxError',
  'MalformedStreamingHandler',
  'InvalidStreamingOperation',
  'NodeJsExit',
]) {
  const cls = class extends RuntimeError {};
  Object.defineProperty(cls, 'name', { value: name });
  cls.prototype.name = `Runtime.${name}`;
  errorClasses[name] = cls;
}
class UnhandledPromiseRejection extends RuntimeError {
  constructor(reason, promise) {
    super(reason);
    this.reason = reason;
    this.promise = promise;
  }
}
UnhandledPromiseRejection.prototype.name = 'Runtime.UnhandledPromiseRejection';

function isError(obj) {
  return (
    obj &&
    typeof obj.name === 'string' &&
    typeof obj.message === 'string' &&
    typeof obj.stack === 'string'
  );
}

function intoError(err) {
  return err instanceof Error ? err : new Error(err);
}

// toRapidResponse renders an error as the runtime posts it to the Runtime API.
function toRapidResponse(error) {
  try {
    if (util.types.isNativeError(error) || isError(error)) {
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: error.stack.split('\n'),
      };
    }
    return {
      errorType: typeof error,
      errorMessage: String(error),
      trace: [],
    };
  } catch (_err) {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

function withEnumerableProperties(error) {
  if (error instanceof Error) {
    const ret = Object.assign(
      { errorType: error.name, errorMessage: error.message, code: error.code },
      error,
    );
    if (typeof error.stack === 'string') {
      ret.stack = error.stack.split('\n');
    }
    return ret;
  }
  return error;
}

function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => withEnumerableProperties(v));
  } catch (_err) {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}

// ---------------------------------------------------------------------------------------
// Logging

function patchConsole() {
  const levels = {
    TRACE: { name: 'TRACE', priority: 1 },
    DEBUG: { name: 'DEBUG', priority: 2 },
    INFO: { name: 'INFO', priority: 3 },
    WARN: { name: 'WARN', priority: 4 },
    ERROR: { name: 'ERROR', priority: 5 },
    FATAL: { name: 'FATAL', priority: 6 },
  };
  const min =
    levels[(process.env.AWS_LAMBDA_LOG_LEVEL || '').toUpperCase()] || levels.TRACE;
  const json = (process.env.AWS_LAMBDA_LOG_FORMAT || '').toUpperCase() === 'JSON';
  const format = json ? formatJSON : formatText;
  // With the telemetry log descriptor each record is one frame, so that Lambda logs a
  // multi-line record as one event; without it, lines are joined by \r on stdout.
  const fdEnv = process.env._LAMBDA_TELEMETRY_LOG_FD;
  delete process.env._LAMBDA_TELEMETRY_LOG_FD;
  const fd = fdEnv !== undefined && /^\d+$/.test(fdEnv) ? Number(fdEnv) : -1;
  const log = (level, message, ...params) => {
    const line = format(new Date().toISOString(), global[REQUEST_ID], level, message, params);
    if (fd >= 0) {
      writeFrame(fd, json, level, line);
    } else {
      process.stdout.write(line.replace(/\n/g, '\r') + '\n');
    }
  };
  const nop = () => {};
  const bind = (level) =>
    level.priority >= min.priority ? (msg, ...params) => log(level, msg, ...params) : nop;
  console.trace = bind(levels.TRACE);
  console.debug = bind(levels.DEBUG);
  console.info = bind(levels.INFO);
  console.log = console.info;
  console.warn = bind(levels.WARN);
  console.error = bind(levels.ERROR);
  console.fatal = (msg, ...params) => log(levels.FATAL, msg, ...params);
}

function formatText(time, requestId, level, message, params) {
  return `${time}\t${requestId}\t${level.name}\t${util.format(message, ...params)}`;
}

// formatJSON renders a record as the AWS Node.js runtime does with the JSON log format.
function formatJSON(time, requestId, level, message, params) {
  const out = { timestamp: time, level: level.name, requestId: requestId };
  if (params.length === 0) {
    out.message = message;
    try {
      return JSON.stringify(out, errorReplacer);
    } catch (_err) {
      out.message = util.format(message);
      return JSON.stringify(out);
    }
  }
  out.message = util.format(message, ...params);
  for (const p of params) {
    if (p instanceof Error) {
      out.errorType = (p.constructor && p.constructor.name) || 'UnknownError';
      out.errorMessage = p.message;
      out.stackTrace = typeof p.stack === 'string' ? p.stack.split('\n') : [];
      break;
    }
  }
  return JSON.stringify(out);
}

function errorReplacer(_key, value) {
  if (value instanceof Error) {
    const out = Object.assign(
      {
        errorType: (value.constructor && value.constructor.name) || 'UnknownError',
        errorMessage: value.message,
        stackTrace: typeof value.stack === 'string' ? value.stack.split('\n') : value.stack,
      },
      value,
    );
    return out;
  }
  return value;
}

// writeFrame writes one record on the telemetry log descriptor: the frame type
// (0xA55A0002 JSON or 0xA55A0003 text, with the level in bits 2-4), the payload's length,
// a timestamp in microseconds, all big-endian, then the payload.
function writeFrame(fd, json, level, line) {
  const payload = Buffer.from(line, 'utf8');
  const header = Buffer.alloc(16);
  header.writeUInt32BE(((json ? 0xa55a0002 : 0xa55a0003) | (level.priority << 2)) >>> 0, 0);
  header.writeUInt32BE(payload.length, 4);
  header.writeBigUInt64BE(BigInt(Date.now()) * 1000n, 8);
  fs.writeSync(fd, Buffer.concat([header, payload]));
}

function logError(msg, err) {
  console.error(msg, toFormatted(intoError(err)));
}

// ---------------------------------------------------------------------------------------
// Runtime API client

class RuntimeClient {
  constructor(address) {
    const i = address.lastIndexOf(':');
    this.hostname = address.slice(0, i).replace(/^\[|\]$/g, '');
    this.port = parseInt(address.slice(i + 1), 10);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  }

  request(method, urlPath, body, headers) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent: this.agent,
          hostname: this.hostname,
          port: this.port,
          method,
          path: urlPath,
          headers: Object.assign(
            body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) },
            headers || {},
          ),
        },
        (res) => {
          const chunks = [];
          res.on('data', (c) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  async nextInvocation() {
    for (;;) {
      const res = await this.request('GET', '/2018-06-01/runtime/invocation/next');
      if (res.status === 200) {
        return { bodyJson: res.body.toString('utf8'), headers: res.headers };
      }
      process.stderr.write(`Runtime API next returned ${res.status}: ${res.body}\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  postInvocationResponse(response, id, callback) {
    const body = serialize(response);
    this.request(
      'POST',
      `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`,
      body,
      { 'Content-Type': 'application/json' },
    ).then(() => callback && callback(), fatal);
  }

  postInvocationError(error, id, callback) {
    const response = toRapidResponse(error);
    this.request(
      'POST',
      `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/error`,
      serialize(response),
      { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': response.errorType },
    ).then(() => callback && callback(), fatal);
  }

  postInitError(error, callback) {
    const response = toRapidResponse(error);
    this.request('POST', '/2018-06-01/runtime/init/error', serialize(response), {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Function-Error-Type': response.errorType,
    }).then(() => callback && callback(), fatal);
  }

  // responseStream opens a streamed response: a writable ClientRequest whose failures
  // travel in trailers.
  responseStream(id, highWaterMark) {
    const req = http.request({
      agent: this.agent,
      hostname: this.hostname,
      port: this.port,
      method: 'POST',
      path: `/2018-06-01/runtime/invocation/${encodeURIComponent(id)}/response`,
      highWaterMark,
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
        'Content-Type': 'application/octet-stream',
      },
    });
    const done = new Promise((resolve, reject) => {
      req.on('response', (res) => {
        res.on('data', () => {});
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    req.setContentType = (contentType) => {
      if (req.headersSent) {
        throw new errorClasses.InvalidStreamingOperation('Cannot set content-type, too late.');
      }
      req.setHeader('Content-Type', contentType);
    };
    req.fail = (err) => {
      const response = toRapidResponse(err);
      req.addTrailers({
        'Lambda-Runtime-Function-Error-Type': response.errorType,
        'Lambda-Runtime-Function-Error-Body': Buffer.from(JSON.stringify(response)).toString('base64'),
      });
      req.end();
    };
    return { stream: req, done };
  }
}

function serialize(body) {
  try {
    return JSON.stringify(body === undefined ? null : body);
  } catch (_err) {
    throw new Error('Unable to stringify response body');
  }
}

function fatal(err) {
  process.stderr.write(`Runtime API request failed: ${err && err.stack}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------
// Handler loading, as the AWS runtime resolves handler strings.

const FUNCTION_EXPR = /^([^.]*)\.(.*)$/;

function moduleRootAndHandler(fullHandlerString) {
  const handlerString = path.basename(fullHandlerString);
  const moduleRoot = fullHandlerString.substring(0, fullHandlerString.indexOf(handlerString));
  return [moduleRoot, handlerString];
}

function splitHandlerString(handler) {
  const match = handler.match(FUNCTION_EXPR);
  if (!match || match.length !== 3) {
    throw new errorClasses.MalformedHandlerName('Bad handler');
  }
  return [match[1], match[2]];
}

function resolveHandler(object, nestedProperty) {
  return nestedProperty.split('.').reduce((nested, key) => nested && nested[key], object);
}

function tryRequireFile(file, extension) {
  const p = file + (extension || '');
  return fs.existsSync(p) ? userRequire(p) : undefined;
}

async function tryAwaitImport(file, extension) {
  const p = file + (extension || '');
  if (fs.existsSync(p)) {
    return await import(pathToFileURL(p).href);
  }
  return undefined;
}

function hasFolderPackageJsonTypeModule(folder) {
  if (folder.endsWith('/node_modules')) {
    return false;
  }
  const pj = path.join(folder, '/package.json');
  if (fs.existsSync(pj)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(pj));
      if (pkg) {
        return pkg.type === 'module';
      }
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  if (folder === '/') {
    return false;
  }
  return hasFolderPackageJsonTypeModule(path.resolve(folder, '..'));
}

async function tryRequire(appRoot, moduleRoot, module) {
  const lambdaStylePath = path.resolve(appRoot, moduleRoot, module);
  const extensionless = tryRequireFile(lambdaStylePath);
  if (extensionless) {
    return extensionless;
  }
  const pjHasModule = hasFolderPackageJsonTypeModule(path.resolve(path.dirname(lambdaStylePath)));
  if (!pjHasModule) {
    const loaded = tryRequireFile(lambdaStylePath, '.js');
    if (loaded) {
      return loaded;
    }
  }
  const loaded =
    (pjHasModule && (await tryAwaitImport(lambdaStylePath, '.js'))) ||
    (await tryAwaitImport(lambdaStylePath, '.mjs')) ||
    tryRequireFile(lambdaStylePath, '.cjs');
  if (loaded) {
    return loaded;
  }
  const nodeStylePath = userRequire.resolve(module, { paths: [appRoot, moduleRoot] });
  return userRequire(nodeStylePath);
}

async function loadUserApp(appRoot, moduleRoot, module) {
  if (!['1', 'true'].includes(process.env.AWS_LAMBDA_NODEJS_NO_GLOBAL_AWSLAMBDA)) {
    globalThis.awslambda = {
      streamifyResponse: (handler, options) => {
        handler[HANDLER_STREAMING] = STREAM_RESPONSE;
        if (options && typeof options.highWaterMark === 'number') {
          handler[HANDLER_HIGHWATERMARK] = parseInt(options.highWaterMark, 10);
        }
        return handler;
      },
      HttpResponseStream,
    };
  }
  try {
    return await tryRequire(appRoot, moduleRoot, module);
  } catch (e) {
    if (e instanceof SyntaxError) {
      throw new errorClasses.UserCodeSyntaxError(e);
    } else if (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND') {
      throw new errorClasses.ImportModuleError(e);
    }
    throw e;
  }
}

async function loadHandler(appRoot, fullHandlerString) {
  if (fullHandlerString.includes('..')) {
    throw new errorClasses.MalformedHandlerName(
      `'${fullHandlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const [moduleRoot, moduleAndHandler] = moduleRootAndHandler(fullHandlerString);
  const [module, handlerPath] = splitHandlerString(moduleAndHandler);
  const userApp = await loadUserApp(appRoot, moduleRoot, module);
  const handlerFunc = resolveHandler(userApp, handlerPath);
  if (!handlerFunc) {
    throw new errorClasses.HandlerNotFound(`${fullHandlerString} is undefined or not exported`);
  }
  if (typeof handlerFunc !== 'function') {
    throw new errorClasses.HandlerNotFound(`${fullHandlerString} is not a function`);
  }
  return handlerFunc;
}

class HttpResponseStream {
  static from(underlyingStream, prelude) {
    underlyingStream.setContentType('application/vnd.awslambda.http-integration-response');
    underlyingStream.write(JSON.stringify(prelude));
    underlyingStream.write(new Uint8Array(8));
    return underlyingStream;
  }
}

// ---------------------------------------------------------------------------------------
// The invoke loop

let beforeExitListener = () => {};
const beforeExit = {
  invoke: () => beforeExitListener(),
  reset: () => {
    beforeExitListener = () => {};
  },
  set: (f) => {
    beforeExitListener = f;
  },
};

function isPromise(obj) {
  return obj && typeof obj.then === 'function';
}

function isAsync(handler) {
  try {
    return handler && handler.constructor && handler.constructor.name === 'AsyncFunction';
  } catch (_e) {
    return false;
  }
}

function buildCallbackContext(client, id, scheduleNext) {
  const postError = (err, callback) => {
    logError('Invoke Error', err);
    client.postInvocationError(err, id, callback);
  };
  let isCompleteInvoked = false;
  const complete = (result, callback) => {
    if (isCompleteInvoked) {
      console.error(
        'Invocation has already been reported as done. Cannot call complete more than once per invocation.',
      );
      return;
    }
    isCompleteInvoked = true;
    client.postInvocationResponse(result, id, callback);
  };
  let waitForEmptyEventLoop = true;
  const callback = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else if (!waitForEmptyEventLoop) {
      complete(result, scheduleNext);
    } else {
      beforeExit.set(() => setImmediate(() => complete(result, scheduleNext)));
    }
  };
  const done = (err, result) => {
    beforeExit.reset();
    if (err !== undefined && err !== null) {
      postError(err, scheduleNext);
    } else {
      complete(result, scheduleNext);
    }
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: (result) => done(null, result),
    fail: (err) => (err === undefined || err === null ? done('handled') : done(err, null)),
    done,
  };
  // Only the first call to any of the callbacks counts.
  let finished = false;
  const once = (f) =>
    function () {
      if (!finished) {
        finished = true;
        f.apply(null, arguments);
      }
    };
  context.succeed = once(context.succeed);
  context.fail = once(context.fail);
  context.done = once(context.done);
  return [once(callback), context, () => (isCompleteInvoked = true)];
}

function parseJSONHeader(value, name) {
  if (value === undefined) {
    return undefined;
  }
  try {
    return JSON.parse(value);
  } catch (err) {
    throw new Error(`Cannot parse ${name} as json: ${err.toString()}`);
  }
}

function attachContext(target, headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  if (headers['lambda-runtime-trace-id']) {
    process.env._X_AMZN_TRACE_ID = headers['lambda-runtime-trace-id'];
  } else {
    delete process.env._X_AMZN_TRACE_ID;
  }
  return Object.assign(target, {
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parseJSONHeader(headers['lambda-runtime-client-context'], 'ClientContext'),
    identity: parseJSONHeader(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    tenantId: headers['lambda-runtime-aws-tenant-id'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
  });
}

class Runtime {
  constructor(client, handler, errorCallbacks) {
    this.client = client;
    this.handler = handler;
    this.errorCallbacks = errorCallbacks;
    this.isAsync = isAsync(handler);
    this.streaming = handler[HANDLER_STREAMING] === STREAM_RESPONSE;
    if (handler[HANDLER_STREAMING] && !this.streaming) {
      throw new errorClasses.MalformedStreamingHandler('Only response streaming is supported.');
    }
    this.highWaterMark = handler[HANDLER_HIGHWATERMARK];
  }

  scheduleIteration() {
    setImmediate(() => {
      const once = this.streaming ? this.handleOnceStreaming() : this.handleOnce();
      once.then(
        () => {},
        (err) => {
          console.log(`Unexpected Top Level Error: ${err.toString()}`);
          this.errorCallbacks.uncaughtException(err);
        },
      );
    });
  }

  setErrorCallbacks(id) {
    this.errorCallbacks.uncaughtException = (error) => {
      this.client.postInvocationError(error, id, () => process.exit(129));
    };
    this.errorCallbacks.unhandledRejection = (error) => {
      this.client.postInvocationError(error, id, () => process.exit(128));
    };
  }

  async handleOnce() {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const id = headers['lambda-runtime-aws-request-id'];
    global[REQUEST_ID] = id;
    const [callback, callbackContext, markCompleted] = buildCallbackContext(
      this.client,
      id,
      this.scheduleIteration.bind(this),
    );
    try {
      this.setErrorCallbacks(id);
      beforeExit.set(() => {
        markCompleted();
        if (this.isAsync) {
          const err = new errorClasses.NodeJsExit(
            'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.',
          );
          logError('Invoke Error', err);
          this.client.postInvocationError(err, id, () => this.scheduleIteration());
        } else {
          this.client.postInvocationResponse(null, id, () => this.scheduleIteration());
        }
      });
      const context = attachContext(callbackContext, headers);
      const result = this.handler(JSON.parse(bodyJson), context, callback);
      if (isPromise(result)) {
        result.then(context.succeed, context.fail).catch(context.fail);
      }
    } catch (err) {
      callback(err);
    }
  }

  async handleOnceStreaming() {
    const { bodyJson, headers } = await this.client.nextInvocation();
    const id = headers['lambda-runtime-aws-request-id'];
    global[REQUEST_ID] = id;
    this.setErrorCallbacks(id);
    beforeExit.set(() => this.scheduleIteration());
    const { stream, done } = this.client.responseStream(id, this.highWaterMark);
    let failed = false;
    const fail = (err) => {
      if (failed) {
        return;
      }
      failed = true;
      logError('Invoke Error', err);
      if (!stream.writableEnded) {
        stream.fail(intoError(err));
      }
    };
    try {
      const context = attachContext({}, headers);
      const result = this.handler(JSON.parse(bodyJson), stream, context);
      if (!isPromise(result)) {
        fail(new Error('Streaming does not support non-async handlers.'));
      } else {
        const value = await result;
        if (value !== undefined) {
          console.warn('Streaming handlers ignore return values.');
        }
        if (!stream.writableEnded) {
          fail(new Error('Response stream is not finished.'));
        }
      }
    } catch (err) {
      fail(err);
    }
    try {
      await done;
    } catch (err) {
      fatal(err);
    }
    beforeExit.reset();
    this.scheduleIteration();
  }
}

async function main() {
  patchConsole();
  const client = new RuntimeClient(process.env.AWS_LAMBDA_RUNTIME_API);
  const errorCallbacks = {
    uncaughtException: (error) => client.postInitError(error, () => process.exit(129)),
    unhandledRejection: (error) => client.postInitError(error, () => process.exit(128)),
  };
  process.on('uncaughtException', (error) => {
    logError('Uncaught Exception', error);
    errorCallbacks.uncaughtException(error);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const error = new UnhandledPromiseRejection(reason, promise);
    logError('Unhandled Promise Rejection', error);
    errorCallbacks.unhandledRejection(error);
  });
  beforeExit.reset();
  process.on('beforeExit', beforeExit.invoke);

  let handler;
  try {
    handler = await loadHandler(
      process.env.LAMBDA_TASK_ROOT || process.cwd(),
      process.env._HANDLER || '',
    );
    new Runtime(client, handler, errorCallbacks).scheduleIteration();
  } catch (err) {
    logError('Uncaught Exception', err);
    errorCallbacks.uncaughtException(err);
  }
}

main();
