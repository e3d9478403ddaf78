'use strict';

let count = 0;
const instance = require('crypto').randomUUID();
console.log('init: loading index.js');

exports.hello = async (event) => ({ hello: event.name || 'world' });

exports.callback = (event, context, callback) => {
  callback(null, { via: 'callback', name: event.name });
};

exports.counter = async () => {
  count += 1;
  return { count, instance };
};

class CustomError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CustomError';
  }
}

exports.fail = async (event) => {
  throw new CustomError('boom: ' + (event.why || 'no reason'));
};

exports.failCallback = (event, context, callback) => {
  callback(new Error('callback failure'));
};

exports.ctx = async (event, context) => ({
  awsRequestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  memoryLimitInMB: context.memoryLimitInMB,
  invokedFunctionArn: context.invokedFunctionArn,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  remainingOk: context.getRemainingTimeInMillis() > 0,
  callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
  identity: context.identity,
  clientContext: context.clientContext,
  trace: process.env._X_AMZN_TRACE_ID,
});

exports.logs = async () => {
  console.log('log line', 1);
  console.error('error line');
  console.info('multi\nline');
  process.stdout.write('raw stdout\n');
  return 'logged';
};

// waits answers through the callback while a timer is still pending: with
// callbackWaitsForEmptyEventLoop the response waits for the timer, without it does not.
exports.waits = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = event.wait !== false;
  setTimeout(() => console.log('timer fired'), event.ms || 300);
  callback(null, { answered: true });
};

exports.sleep = async (event) => {
  await new Promise((r) => setTimeout(r, (event.seconds || 10) * 1000));
  return 'slept';
};

exports.crash = async () => {
  console.log('about to exit');
  process.exit(2);
};

exports.nested = { deeper: { handler: async () => 'nested property' } };

exports.notAFunction = 42;

exports.stream = awslambda.streamifyResponse(async (event, responseStream) => {
  responseStream.setContentType('text/plain');
  responseStream.write('chunk-1;');
  if (event.gate) {
    await fetch(event.gate);
  }
  responseStream.write('chunk-2;');
  if (event.name === 'fail') {
    throw new Error('stream broke');
  }
  responseStream.end();
});
