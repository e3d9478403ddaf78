// A streaming function. With {"http": true} (or any function URL event) it starts with
// the HTTP integration prelude; otherwise it streams plain chunks. {"big": true} streams
// 100,000 bytes in four writes; {"fail": true} fails after writing.
exports.handler = awslambda.streamifyResponse(async (event, responseStream) => {
  if (event.http || event.rawPath !== undefined) {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 207,
      headers: { "content-type": "text/plain", "x-streamed": "yes" },
      cookies: ["streamed=1"],
    });
  } else {
    responseStream.setContentType("text/plain");
  }
  const parts = event.big ? Array(4).fill("x".repeat(25000)) : ["alpha,", "beta,", "gamma"];
  for (const part of parts) {
    responseStream.write(part);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  if (event.fail) {
    throw new Error("stream failure");
  }
  responseStream.end();
});
