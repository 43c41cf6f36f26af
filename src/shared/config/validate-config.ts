import { plainToInstance, Transform } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Turns one concern's environment variables into a typed, validated object.
 * `schema` is a class whose properties are named after the variables (class-validator rules,
 * class-transformer @Type for numbers). A bad value stops start-up with a message naming the
 * variable; the value itself is not repeated, since some variables are secrets.
 */
export function validateConfig<T extends object>(
  schema: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(new schema())) {
    if (env[key] !== undefined && env[key] !== '') picked[key] = env[key];
  }
  const instance = plainToInstance(schema, picked, { exposeDefaultValues: true });
  const errors = validateSync(instance, { whitelist: true, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ') || 'invalid value'}`,
    );
    throw new Error(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  return instance;
}

/** Environment booleans: `true`/`1`/`yes` and `false`/`0`/`no`; anything else fails validation. */
export const EnvBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no'].includes(v)) return false;
    return value;
  });

/** Collects every problem before failing, each naming its variable and never its value (secrets). */
export class ConfigProblems {
  private readonly lines: string[] = [];

  add(variable: string, reason: string): void {
    this.lines.push(`${variable}: ${reason}`);
  }

  throwIfAny(): void {
    if (this.lines.length > 0) throw new Error(`Invalid configuration:\n  ${this.lines.join('\n  ')}`);
  }
}
