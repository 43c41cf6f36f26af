import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const STACK_FRAME = /\n\s+at /;

/**
 * Nest's logger on top of the same pino instance Fastify uses, so framework, application and
 * request lines share one JSON format and destination. Nest passes the context last and, for
 * `error`, a stack or the error itself before it (@nestjs/cqrs: `error(message, error)`); the
 * error is logged as `err`, through the same serializer as every other.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    const rest = [...params];
    const last = rest.at(-1);
    const context = typeof last === 'string' && (rest.length >= 2 || !this.looksLikeStack(last)) ? (rest.pop() as string) : undefined;
    const stack = rest.find((p) => this.looksLikeStack(p));
    const err = rest.find((p) => p instanceof Error);
    this.emit('error', message, context, stack as string | undefined, err as Error | undefined);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    this.emit(level, message, context);
  }

  private looksLikeStack(value: unknown): boolean {
    return typeof value === 'string' && STACK_FRAME.test(value);
  }

  private emit(level: Level, message: unknown, context?: string, stack?: string, err?: Error): void {
    if (!this.logger.isLevelEnabled(level)) return;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...message, context });
    } else {
      this.logger[level]({ context, stack, err }, String(message));
    }
  }
}
