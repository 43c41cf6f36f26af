import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments skipped). */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(LABEL)) labels[name] = value;
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples named `name` whose labels include `labels`; more than one is an error. */
function matchingSample(samples: Sample[], name: string, labels: Record<string, string>): Sample | undefined {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0];
}

/**
 * The value of the one sample named `name` whose labels include `labels`. Throws when there is
 * none: a missing metric must not read as 0. Where absence is meant, use `sampleValueOr`.
 */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = matchingSample(samples, name, labels);
  if (!found) throw new Error(`no sample of ${name} matches ${JSON.stringify(labels)}`);
  return found.value;
}

/**
 * As `sampleValue`, but `whenAbsent` when no sample matches: for a series that may not exist
 * yet (e.g. a counter before its first increment, read as the baseline of a delta).
 */
export function sampleValueOr(samples: Sample[], name: string, labels: Record<string, string>, whenAbsent: number): number {
  return matchingSample(samples, name, labels)?.value ?? whenAbsent;
}

/** GET /metrics (no key needed): expects 200 and the Prometheus text format, returns the exposition. */
export async function scrape(app: NestFastifyApplication): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/metrics' });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return res.body;
}

const PROMTOOL = '/usr/bin/promtool';

/**
 * `promtool check metrics` on an exposition: its lint findings, '' when clean. Without promtool
 * the check fails on CI (`.ci/run` installs Debian's prometheus package) and is skipped, loudly,
 * elsewhere: returns undefined.
 */
export function promtoolFindings(text: string): string | undefined {
  if (!existsSync(PROMTOOL)) {
    const ci = process.env.CI?.toLowerCase();
    if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') throw new Error(`CI: ${PROMTOOL} is missing`);
    console.warn(`!!! ${PROMTOOL} is missing: the Prometheus format check is SKIPPED (apt-get install prometheus)`);
    return undefined;
  }
  const result = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) throw result.error;
  return result.status === 0 ? '' : `${result.stdout}${result.stderr}`.trim() || `exit status ${result.status}`;
}
