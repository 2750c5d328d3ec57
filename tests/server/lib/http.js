// One HTTP or HTTPS request per call, on a fresh connection, with the raw
// header lines kept. fetch() merges repeated headers into one value and adds
// Accept-Encoding by itself, which would hide exactly what these tests
// check, so node:http is used instead.

import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Time one request may take before the test fails. */
const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends one request and returns its status, its headers and its body.
 *
 * `headers(name)` returns every value sent for that header name, in order,
 * so a header sent twice shows up as two values.
 */
export function send(url, { method = 'GET', headers = {}, body, ca } = {}) {
  const target = new URL(url);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise((resolve, reject) => {
    const outgoing = request(target, { method, headers, agent: false, ca }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        resolve({
          status: response.statusCode,
          rawHeaders: response.rawHeaders,
          headers: (name) => headerValues(response.rawHeaders, name),
          body: Buffer.concat(chunks),
        });
      });
    });
    outgoing.setTimeout(REQUEST_TIMEOUT_MS, () => {
      outgoing.destroy(new Error(`${method} ${url} timed out after ${REQUEST_TIMEOUT_MS} ms`));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

/** Returns the values of every header line named `name`, case-insensitively. */
function headerValues(rawHeaders, name) {
  const lowerCaseName = name.toLowerCase();
  const values = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === lowerCaseName) {
      values.push(rawHeaders[i + 1]);
    }
  }
  return values;
}
