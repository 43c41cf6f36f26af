import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

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

/** The value of the one sample named `name` whose labels include `labels`; 0 when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
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
