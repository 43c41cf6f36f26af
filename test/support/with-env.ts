/** Runs a config factory against `env` only, as ConfigModule would at boot. */
export function withEnv<T>(env: Record<string, string>, load: () => T): T {
  const previous = process.env;
  process.env = { ...env };
  try {
    return load();
  } finally {
    process.env = previous;
  }
}
