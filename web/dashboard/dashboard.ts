/**
 * The operator dashboard page (served at / by the app): one poll of GET dashboard and of the open
 * dead letters every few seconds, the operator's actions, and one record's timeline on request.
 * Every API value reaches the page as text (dom.ts), never as markup.
 */
import { ApiError, ApiUnreachableError, BffClient } from './api.js';
import { ThroughputChart } from './chart.js';
import { badge, byId, el, table } from './dom.js';
import { formatCount, formatPercent, formatSeconds, formatTime } from './format.js';
import type { Alert, Dashboard, DeadLetter, EntityTypeSummary, Page, ReplayResult, RunSummary, Timeline } from './types.js';

/** Per tab and gone with it: the key is not left behind on a shared machine. */
const KEY_STORAGE = 'tds.dashboard.apiKey';
const POLL_MS = 5_000;
const OPEN_DEAD_LETTERS = 'dead-letter?resolved=false&limit=50';
/** The entity types with their mirror counts, which the dashboard leaves out (cached 60 s). */
const ENTITY_TYPES = 'entities';

type BannerKind = 'unreachable' | 'auth' | 'role';

class DashboardPage {
  private client: BffClient | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastUpdate: string | undefined;
  private readonly chart = new ThroughputChart(byId('throughput-chart'));

  start(): void {
    byId<HTMLFormElement>('key-form').addEventListener('submit', (event) => {
      event.preventDefault();
      const input = byId<HTMLInputElement>('key-input');
      const key = input.value.trim();
      if (key === '') return;
      input.value = '';
      sessionStorage.setItem(KEY_STORAGE, key);
      this.signIn(key);
    });
    byId('change-key').addEventListener('click', () => this.signOut());
    byId('banner-dismiss').addEventListener('click', () => this.clearBanner());
    byId<HTMLFormElement>('timeline-form').addEventListener('submit', (event) => {
      event.preventDefault();
      void this.showTimeline();
    });
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) this.signIn(key);
    else this.signOut();
  }

  private signIn(key: string): void {
    this.client = new BffClient(key);
    this.clearBanner('auth');
    byId('key-form').hidden = true;
    byId('board').hidden = false;
    byId('change-key').hidden = false;
    void this.refresh();
  }

  private signOut(): void {
    clearTimeout(this.timer);
    this.client = undefined;
    sessionStorage.removeItem(KEY_STORAGE);
    byId('board').hidden = true;
    byId('change-key').hidden = true;
    byId('key-form').hidden = false;
    byId('key-input').focus();
  }

  /** One poll; the next is scheduled whatever happens, unless the key was refused. */
  private async refresh(): Promise<void> {
    clearTimeout(this.timer);
    const client = this.client;
    if (!client) return;
    try {
      const [dashboard, deadLetters, entityTypes] = await Promise.all([
        client.get<Dashboard>('dashboard'),
        client.get<Page<DeadLetter>>(OPEN_DEAD_LETTERS),
        client.get<{ items: EntityTypeSummary[] }>(ENTITY_TYPES),
      ]);
      if (client !== this.client) return;
      this.render(dashboard, deadLetters.items, entityTypes.items);
      this.clearBanner('unreachable');
    } catch (error) {
      if (client !== this.client) return;
      this.fail(error);
    }
    if (client !== this.client) return;
    // An action's refresh may have run beside this poll: one timer stays, not one per caller.
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), POLL_MS);
  }

  /** What went wrong, told apart: no answer, a refused key, a role too low, or the action's own error. */
  private fail(error: unknown, action?: string): void {
    if (error instanceof ApiError && error.status === 401) {
      this.signOut();
      this.banner('auth', `The API key was refused (${error.code}): ${error.message}. Enter a valid key.`);
    } else if (error instanceof ApiError && error.status === 403) {
      this.banner('role', `Your key may not ${action ?? 'read this'} (${error.code}): ${error.message}. An operator key is needed.`);
    } else if (error instanceof ApiUnreachableError || (error instanceof ApiError && error.status >= 500)) {
      const detail = error instanceof ApiError ? `${error.status} ${error.code}` : 'no answer';
      const since = this.lastUpdate ? ` Showing the data of ${formatTime(this.lastUpdate)}.` : '';
      this.banner('unreachable', `The API is unreachable (${detail}); retrying every ${POLL_MS / 1000} s.${since}`);
    } else if (error instanceof ApiError) {
      this.notice(`Could not ${action ?? 'load'}: ${error.message} (${error.code})`, true);
    } else {
      this.notice(`Could not ${action ?? 'load'}: ${String(error)}`, true);
    }
  }

  private banner(kind: BannerKind, message: string): void {
    const banner = byId('banner');
    banner.dataset.kind = kind;
    byId('banner-text').textContent = message;
    banner.hidden = false;
  }

  /** Clears the banner, or only when it shows `kind` (a good poll clears "unreachable", not "role"). */
  private clearBanner(kind?: BannerKind): void {
    const banner = byId('banner');
    if (kind === undefined || banner.dataset.kind === kind) banner.hidden = true;
  }

  private notice(message: string, isError = false): void {
    const notice = byId('notice');
    notice.textContent = message;
    notice.classList.toggle('notice--error', isError);
    notice.hidden = false;
  }

  /** An operator action: its button is off while it runs; the board is polled again right after. */
  private async act(button: HTMLButtonElement, action: string, run: (client: BffClient) => Promise<string>): Promise<void> {
    const client = this.client;
    if (!client) return;
    button.disabled = true;
    try {
      this.notice(await run(client));
      this.clearBanner('role');
      await this.refresh();
    } catch (error) {
      button.disabled = false;
      this.fail(error, action);
    }
  }

  private render(dashboard: Dashboard, deadLetters: DeadLetter[], entityTypes: EntityTypeSummary[]): void {
    this.lastUpdate = dashboard.generatedAt;
    byId('updated').textContent = `Updated ${formatTime(dashboard.generatedAt)}`;
    this.renderTiles(dashboard);
    this.chart.update(dashboard.throughput.last1h.perMinute);
    byId('entity-types').replaceChildren(entityTypesTable(entityTypes));
    byId('entity-type-options').replaceChildren(...entityTypes.map((t) => el('option', { attrs: { value: t.entityType } })));
    byId('runs').replaceChildren(runList(dashboard.recentRuns));
    byId('alerts').replaceChildren(this.alertList(dashboard.activeAlerts));
    byId('dead-letters').replaceChildren(this.deadLetterTable(deadLetters));
  }

  private renderTiles(d: Dashboard): void {
    const tiles: [string, string, string | HTMLElement][] = [
      ['health', 'Health', badge(d.health.state)],
      ['pending', 'Pending', formatCount(d.queue.pending)],
      ['processing', 'Processing', formatCount(d.queue.processing)],
      ['retry', 'To retry', formatCount(d.queue.retry)],
      ['dead-letters', 'Dead letters', formatCount(d.queue.deadLetters)],
      ['oldest-pending', 'Oldest pending', formatSeconds(d.queue.oldestPendingAgeSeconds)],
      ['success-rate', 'Success 24 h', formatPercent(d.successRate24h)],
      ['received-5m', 'Received 5 min', formatCount(d.throughput.last5m.received)],
      ['applied-5m', 'Applied 5 min', formatCount(d.throughput.last5m.applied)],
      ['failed-5m', 'Failed 5 min', formatCount(d.throughput.last5m.failed)],
    ];
    byId('tiles').replaceChildren(
      ...tiles.map(([name, label, value]) =>
        el('div', { className: 'tile', attrs: { 'data-tile': name } }, el('span', { className: 'tile__label' }, label), el('span', { className: 'tile__value' }, value)),
      ),
    );
    byId('health-reasons').replaceChildren(...d.health.reasons.map((r) => el('li', {}, `${r.message} (${r.code})`)));
  }

  private alertList(alerts: Alert[]): HTMLElement {
    if (alerts.length === 0) return el('p', { className: 'empty' }, 'No open alerts.');
    return el(
      'ul',
      { className: 'cards' },
      ...alerts.map((alert) => {
        const button = alert.status === 'active' ? el('button', { attrs: { type: 'button' } }, 'Acknowledge') : null;
        button?.addEventListener('click', () =>
          void this.act(button, 'acknowledge alerts', async (client) => {
            await client.post<Alert>(`alerts/${alert.id}/acknowledge`);
            return `Alert #${alert.id} acknowledged.`;
          }),
        );
        const when =
          alert.status === 'acknowledged'
            ? `Acknowledged by ${alert.acknowledgedBy ?? 'someone'} at ${formatTime(alert.acknowledgedAt)}`
            : `Triggered ${formatTime(alert.triggeredAt)}`;
        return el(
          'li',
          { className: 'card', attrs: { 'data-alert-id': String(alert.id) } },
          el('div', { className: 'card__head' }, badge(alert.severity), el('strong', {}, alert.title), badge(alert.status)),
          el('p', {}, alert.message),
          el('div', { className: 'card__foot' }, el('span', { className: 'muted' }, when), button),
        );
      }),
    );
  }

  private deadLetterTable(deadLetters: DeadLetter[]): HTMLElement {
    return table(
      ['ID', 'Record', 'Error', 'Attempts', 'Created', ''],
      deadLetters,
      (dl) => {
        const button = el('button', { attrs: { type: 'button' } }, 'Replay');
        button.addEventListener('click', () =>
          void this.act(button, 'replay dead letters', async (client) => {
            const result = await client.post<ReplayResult>('dead-letter/replay', { ids: [dl.id] });
            return result.replayed > 0
              ? `Dead letter #${dl.id} replayed in run #${result.syncRunId ?? '?'}.`
              : `Dead letter #${dl.id} was no longer open: nothing replayed.`;
          }),
        );
        return [
          `#${dl.id}`,
          `${dl.entityType} / ${dl.sourceEntityId}`,
          el('span', {}, el('code', {}, dl.errorCode), ' ', dl.failureReason),
          String(dl.attempts),
          formatTime(dl.createdAt),
          button,
        ];
      },
      'No open dead letters.',
    );
  }

  private async showTimeline(): Promise<void> {
    const client = this.client;
    const entityType = byId<HTMLInputElement>('timeline-type').value.trim();
    const sourceEntityId = byId<HTMLInputElement>('timeline-id').value.trim();
    const output = byId('timeline');
    if (!client || entityType === '' || sourceEntityId === '') return;
    output.replaceChildren(el('p', { className: 'muted' }, 'Loading…'));
    try {
      const timeline = await client.get<Timeline>(`entities/${encodeURIComponent(entityType)}/${encodeURIComponent(sourceEntityId)}`);
      output.replaceChildren(timelineView(timeline));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        output.replaceChildren(el('p', { className: 'empty' }, `No record ${entityType} / ${sourceEntityId} is known.`));
      } else {
        output.replaceChildren();
        this.fail(error, 'read the timeline');
      }
    }
  }
}

function entityTypesTable(types: EntityTypeSummary[]): HTMLElement {
  return table(
    ['Type', 'State', 'Mirrored', 'Pending', 'Lag', 'Open dead letters', 'Applied 24 h', 'Failed 24 h', 'Success 24 h', 'Last sync'],
    types,
    (t) => [
      t.entityType,
      badge(t.state),
      formatCount(t.mirrored),
      formatCount(t.pending),
      formatSeconds(t.lagSeconds),
      formatCount(t.openDeadLetters),
      formatCount(t.applied24h),
      formatCount(t.failed24h),
      formatPercent(t.successRate24h),
      formatTime(t.lastSuccessfulSyncAt),
    ],
    'No entity types yet.',
  );
}

function runList(runs: RunSummary[]): HTMLElement {
  if (runs.length === 0) return el('p', { className: 'empty' }, 'No sync runs yet.');
  return el(
    'ul',
    { className: 'cards' },
    ...runs.map((run) => {
      const progress = el('progress', { attrs: { max: '100', value: String(run.progressPercent) } }, `${run.progressPercent}%`);
      const counts = `${formatCount(run.processed)} of ${formatCount(run.total)} · ${formatCount(run.succeeded)} ok, ${formatCount(run.failed)} failed, ${formatCount(run.skipped)} skipped`;
      return el(
        'li',
        { className: 'card', attrs: { 'data-run-id': String(run.id) } },
        el('div', { className: 'card__head' }, el('strong', {}, `#${run.id} ${run.kind}`), el('span', { className: 'muted' }, [run.source, run.entityType].filter(Boolean).join(' · ')), badge(run.status)),
        el('div', { className: 'progress' }, progress, el('span', {}, `${run.progressPercent}%`)),
        el('p', { className: 'muted' }, counts, run.duration ? ` · ${run.duration}` : '', ` · success ${formatPercent(run.successRate)}`),
      );
    }),
  );
}

function timelineView(timeline: Timeline): HTMLElement {
  const current = timeline.current;
  return el(
    'div',
    {},
    el('h3', {}, `${timeline.entityType} / ${timeline.sourceEntityId}`),
    el(
      'p',
      { className: 'muted', attrs: { 'data-timeline': 'current' } },
      current
        ? `Version ${current.version} from ${current.source}, synced ${formatTime(current.syncedAt)}${current.deleted ? ' (deleted)' : ''}`
        : 'Not in the mirror.',
    ),
    timeline.events.length === 0
      ? el('p', { className: 'empty' }, 'No events.')
      : el(
          'ol',
          { className: 'timeline' },
          ...timeline.events.map((event) =>
            el(
              'li',
              { attrs: { 'data-kind': event.kind } },
              el('span', { className: 'muted' }, formatTime(event.at)),
              ' ',
              badge(event.kind),
              ' ',
              el('strong', {}, event.title),
              event.message ? el('p', {}, event.message) : null,
            ),
          ),
        ),
  );
}

new DashboardPage().start();
