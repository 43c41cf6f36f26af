/** The BFF's answers (/api/bff/tds, see its OpenAPI document), as far as this page reads them. */

export type RunStatus = 'pending' | 'running' | 'completed' | 'partial' | 'failed' | 'cancelled';

export interface RunSummary {
  id: number;
  kind: 'pull' | 'bulk' | 'replay' | 'webhook';
  source: string;
  entityType: string | null;
  status: RunStatus;
  total: number;
  processed: number;
  succeeded: number;
  failed: number;
  skipped: number;
  progressPercent: number;
  successRate: number | null;
  duration: string | null;
  createdAt: string;
}

export type Severity = 'info' | 'warning' | 'error' | 'critical';

export interface Alert {
  id: number;
  rule: string;
  severity: Severity;
  title: string;
  message: string;
  entityType: string | null;
  status: 'active' | 'acknowledged' | 'resolved';
  triggeredAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
}

export interface DeadLetter {
  id: number;
  entityType: string;
  sourceEntityId: string;
  errorCode: string;
  failureReason: string;
  attempts: number;
  state: 'open' | 'resolved' | 'replayed';
  createdAt: string;
}

export interface EntityTypeSummary {
  entityType: string;
  /** Null in the dashboard (it leaves the mirror uncounted); GET entities counts it. */
  mirrored: number | null;
  lastSuccessfulSyncAt: string | null;
  lagSeconds: number | null;
  pending: number;
  openDeadLetters: number;
  applied24h: number;
  failed24h: number;
  successRate24h: number | null;
  state: 'on_time' | 'delayed' | 'error';
}

export interface ThroughputPoint {
  at: string;
  received: number;
  applied: number;
  unchanged: number;
  superseded: number;
  failed: number;
  deadLettered: number;
  avgLatencyMs: number | null;
}

interface ThroughputWindow {
  received: number;
  applied: number;
  failed: number;
  perMinute: ThroughputPoint[];
}

export interface Dashboard {
  generatedAt: string;
  health: { state: 'healthy' | 'degraded' | 'critical'; reasons: { code: string; message: string }[] };
  queue: { pending: number; processing: number; retry: number; deadLetters: number; oldestPendingAgeSeconds: number | null };
  throughput: { last5m: ThroughputWindow; last1h: ThroughputWindow };
  successRate24h: number | null;
  recentRuns: RunSummary[];
  activeAlerts: Alert[];
  entityTypes: EntityTypeSummary[];
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ReplayResult {
  syncRunId: number | null;
  replayed: number;
  skipped: number;
  more: boolean;
}

export interface TimelineEvent {
  at: string;
  kind: string;
  title: string;
  version: number | string | null;
  errorCode: string | null;
  message: string | null;
}

export interface Timeline {
  entityType: string;
  sourceEntityId: string;
  current: { source: string; version: number | string; deleted: boolean; syncedAt: string; contentHash: string } | null;
  events: TimelineEvent[];
}
