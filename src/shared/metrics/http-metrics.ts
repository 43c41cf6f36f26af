import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Histogram, Registry } from 'prom-client';

type HttpLabel = 'method' | 'route' | 'status_code';
const HTTP_LABELS: HttpLabel[] = ['method', 'route', 'status_code'];

/** Requests no route matched (404s, scanners): one series, whatever URL they asked for. */
const UNMATCHED_ROUTE = 'unmatched';

/**
 * Request count and duration per route template (`/api/tds/queue/:id`), never the raw URL, whose
 * ids would make a new series per request. One onResponse hook on the Fastify instance, and
 * Fastify's own timing (reply.elapsedTime, from routing to the last byte): the webhook route
 * takes thousands of requests a second, so the hook does two map updates and nothing else.
 */
@Injectable()
export class HttpMetrics implements OnModuleInit {
  private readonly requests: Counter<HttpLabel>;
  private readonly duration: Histogram<HttpLabel>;

  constructor(
    registry: Registry,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.requests = new Counter({
      name: 'tds_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: HTTP_LABELS,
      registers: [registry],
    });
    this.duration = new Histogram({
      name: 'tds_http_request_duration_seconds',
      help: 'HTTP request duration from routing to the last byte of the response, by method, route template and status code',
      labelNames: HTTP_LABELS,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  }

  /** Module init runs before the server is ready, the last moment Fastify accepts a hook. */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.record(request, reply);
      done();
    });
  }

  private record(request: FastifyRequest, reply: FastifyReply): void {
    const labels = { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: reply.statusCode };
    this.requests.inc(labels);
    this.duration.observe(labels, reply.elapsedTime / 1000);
  }
}
