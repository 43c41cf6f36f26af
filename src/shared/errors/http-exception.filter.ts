import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse } from './error-response.js';

/**
 * The single place errors become HTTP responses. Nest also routes Fastify's own errors
 * (body parsing, content type, body size) and unknown routes through global filters, so
 * every failure leaves with the same JSON shape.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, headers, internal } = toErrorResponse(exception);
    if (internal) request.log.error({ err: exception }, 'request failed with an unexpected error');
    if (reply.sent) return;
    void reply.status(body.statusCode).headers(headers).send(body);
  }
}
