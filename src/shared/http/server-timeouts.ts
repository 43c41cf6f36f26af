import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyHttpOptions } from 'fastify';
import type { AppConfig } from '../config/app.config.js';
import { codeForStatus, errorBody } from '../errors/error-response.js';

type ServerTimeouts = Pick<FastifyHttpOptions<Server>, 'requestTimeout' | 'connectionTimeout' | 'http' | 'clientErrorHandler'>;

/** The longest gap between Node's checks of request deadlines (30 s unless told otherwise). */
const MAX_CHECK_INTERVAL_MS = 1000;

/**
 * The Fastify options that bound how long a client may hold a connection (TDS_REQUEST_TIMEOUT_MS,
 * TDS_CONNECTION_TIMEOUT_MS). Two createServer options make Node enforce the request timeout as
 * configured: it checks deadlines only every `connectionsCheckingInterval` (30 s by default), here a
 * tenth of the timeout, at most a second; and when its headers timeout (60 s by default) exceeds
 * the request timeout it swaps the two, so a stalled body would get 60 s: headers get the same.
 */
export function serverTimeouts(config: Pick<AppConfig, 'requestTimeoutMs' | 'connectionTimeoutMs'>): ServerTimeouts {
  return {
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    http: {
      headersTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(MAX_CHECK_INTERVAL_MS, Math.ceil(config.requestTimeoutMs / 10)),
    },
    clientErrorHandler: answerClientError,
  };
}

/**
 * Errors of the connection itself — a request not received in time, malformed HTTP — reach no
 * route, hook or filter: answered here on the raw socket, in the API's error shape, which
 * Fastify's default answer is not. Then the connection is closed, as Node and Fastify do.
 */
function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'The request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'The request headers are too large']
        : [400, 'The request is not valid HTTP'];
  if (socket.writable) {
    const body = JSON.stringify(errorBody(status, codeForStatus(status), message));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
