import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ALERT_RULES } from '../../src/shared/config/alerts.config.js';

const ROOT = join(__dirname, '..', '..');
const DOCS = join(ROOT, 'docs');
const CONFIG_DIR = join(ROOT, 'src', 'shared', 'config');

const read = (path: string) => readFileSync(path, 'utf8');
const docFiles = readdirSync(DOCS)
  .filter((name) => name.endsWith('.md'))
  .sort()
  .map((name) => join(DOCS, name));

/** Fenced blocks blanked out: code may show anything; headings and links are read from the prose. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, '');
}

function headings(markdown: string): string[] {
  return [...prose(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)].map((match) => match[1]);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

interface Link {
  file: string;
  target: string;
}

const shown = ({ file, target }: Link) => `${relative(ROOT, file)}: ${target}`;

/** Targets of inline links and images outside code (fenced blocks and `code spans`), except absolute URLs. */
function relativeTargets(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((match) => match[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

const configText = readdirSync(CONFIG_DIR)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => read(join(CONFIG_DIR, name)))
  .join('\n');

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether the configuration reads `name`: a full name word for word; a family written as a
 * prefix (`TDS_RETENTION_*`) by some variable starting with it; a templated name
 * (`TDS_ZOHO_<ACCOUNT>_REFRESH_TOKEN`) by its prefix built in a template and its suffix read as a
 * string of its own, as the per-source and per-account settings are.
 */
function configReads(name: string): boolean {
  const templated = /^(TDS_(?:[A-Z0-9]+_)*)<[A-Z]+>_([A-Z0-9_]*[A-Z0-9])$/.exec(name);
  if (templated) return configText.includes(`\`${templated[1]}\${`) && configText.includes(`'${templated[2]}'`);
  if (name.endsWith('_')) return new RegExp(`\\b${escape(name)}`).test(configText);
  return new RegExp(`\\b${escape(name)}\\b`).test(configText);
}

function variablesNamedIn(markdown: string): string[] {
  const names = markdown.match(/\bTDS_(?:[A-Z0-9]+_)*<[A-Z]+>_[A-Z0-9_]*[A-Z0-9]|\bTDS_[A-Z0-9_]+/g) ?? [];
  return [...new Set(names)].sort();
}

describe('docs/', () => {
  it('holds the three guides', () => {
    expect(docFiles.map((file) => relative(DOCS, file))).toEqual(expect.arrayContaining(['architecture.md', 'deployment.md', 'operations.md']));
  });

  describe('operations.md', () => {
    const titles = headings(read(join(DOCS, 'operations.md'))).map((title) => title.replace(/`/g, ''));

    it.each([...ALERT_RULES])('has a section for the alert rule %s', (rule) => {
      expect(titles).toContain(rule);
    });

    it('has no section for an alert rule the code does not define', () => {
      const ruleLike = titles.filter((title) => /^[a-z]+(_[a-z]+)+$/.test(title));
      expect(ruleLike.filter((title) => !(ALERT_RULES as readonly string[]).includes(title))).toEqual([]);
    });
  });

  describe('deployment.md', () => {
    const named = variablesNamedIn(read(join(DOCS, 'deployment.md')));

    it('names TDS_* variables', () => {
      expect(named.length).toBeGreaterThan(10);
    });

    it('names only TDS_* variables that src/shared/config reads', () => {
      expect(named.filter((name) => !configReads(name))).toEqual([]);
    });
  });

  describe('links', () => {
    const links: Link[] = docFiles.flatMap((file) => relativeTargets(read(file)).map((target) => ({ file, target })));

    it('are found', () => {
      expect(links.length).toBeGreaterThan(0);
    });

    it('point to files that exist', () => {
      const broken = links.filter(({ file, target }) => {
        const path = decodeURIComponent(target.split('#')[0]);
        return path !== '' && !existsSync(resolve(dirname(file), path));
      });
      expect(broken.map(shown)).toEqual([]);
    });

    it('point to headings that exist when they name one in a markdown file', () => {
      const broken = links.filter(({ file, target }) => {
        const [path, anchor] = target.split('#');
        if (anchor === undefined) return false;
        const linked = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
        if (!linked.endsWith('.md') || !existsSync(linked)) return false;
        return !headings(read(linked)).map(anchorOf).includes(anchor);
      });
      expect(broken.map(shown)).toEqual([]);
    });
  });
});

describe('the docs checks themselves', () => {
  it('read headings outside code only', () => {
    expect(headings('# A\n```bash\n# not a heading\n```\n## `b_c`\n')).toEqual(['A', '`b_c`']);
  });

  it('make GitHub anchors', () => {
    expect(anchorOf('PostgreSQL settings that matter for a queue')).toBe('postgresql-settings-that-matter-for-a-queue');
    expect(anchorOf('`queue_backlog`')).toBe('queue_backlog');
    expect(anchorOf('Connections, pgbouncer and LISTEN/NOTIFY')).toBe('connections-pgbouncer-and-listennotify');
  });

  it('tell a variable the configuration reads from one it does not', () => {
    expect(configReads('TDS_WORKER_COUNT')).toBe(true);
    expect(configReads('TDS_WORKER')).toBe(false);
    expect(configReads('TDS_RETENTION_')).toBe(true);
    expect(configReads('TDS_ZOHO_<ACCOUNT>_REFRESH_TOKEN')).toBe(true);
    expect(configReads('TDS_ZOHO_<ACCOUNT>_PASSWORD')).toBe(false);
    expect(configReads('TDS_NO_SUCH_SETTING')).toBe(false);
  });

  it('find names, templated ones whole', () => {
    expect(variablesNamedIn('set `TDS_BATCH_SIZE`, `TDS_SOURCES_<NAME>_SECRETS` and TDS_BFF_*_TTL_MS')).toEqual([
      'TDS_BATCH_SIZE',
      'TDS_BFF_',
      'TDS_SOURCES_<NAME>_SECRETS',
    ]);
  });

  it('find relative links outside code only', () => {
    expect(relativeTargets('[a](b.md) [c](https://x.y) [h](#top) `[d](e.md)`\n```\n[f](g.md)\n```\n![i](../j.png "t")\n')).toEqual(['b.md', '#top', '../j.png']);
  });
});
