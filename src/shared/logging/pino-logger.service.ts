import type { LoggerService } from '@nestjs/common';
import type { Level, Logger } from 'pino';

const STACK_FRAME = /\n\s+at /;

/**
 * Nest's logger on top of the same pino instance Fastify uses, so framework, application and
 * request lines share one JSON format and destination. Nest passes the context last and, for
 * `error`, a stack before it.
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
    const context = rest.length >= 2 || (rest.length === 1 && !this.looksLikeStack(rest[0])) ? rest.pop() : undefined;
    const stack = rest.find((p) => this.looksLikeStack(p));
    this.emit('error', message, typeof context === 'string' ? context : undefined, stack as string | undefined);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : undefined;
    this.emit(level, message, context);
  }

  private looksLikeStack(value: unknown): boolean {
    return typeof value === 'string' && STACK_FRAME.test(value);
  }

  private emit(level: Level, message: unknown, context?: string, stack?: string): void {
    if (!this.logger.isLevelEnabled(level)) return;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...message, context });
    } else {
      this.logger[level]({ context, stack }, String(message));
    }
  }
}
