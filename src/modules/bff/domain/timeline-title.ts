import type { TimelineEvent } from '../../tds/public.js';

/**
 * A short line naming what happened to the record, for a timeline row ("Applied version 3",
 * "Attempt 2 failed: UPSTREAM.TIMEOUT"). Built from the event's own fields only: the message
 * (an error text, a note) is shown beside it, not in it.
 */
export function timelineTitle({ kind, version, errorCode, refs }: Pick<TimelineEvent, 'kind' | 'version' | 'errorCode' | 'refs'>): string {
  const ofVersion = version === null ? '' : ` version ${version}`;
  const code = errorCode === null ? '' : `: ${errorCode}`;
  switch (kind) {
    case 'delivery_received':
      return `Received${ofVersion}`;
    case 'delivery_invalid':
      return `Refused invalid delivery${code}`;
    case 'queued':
      return `Queued${ofVersion}`;
    case 'attempt_failed':
      return `Attempt${refs.attempt === undefined ? '' : ` ${refs.attempt}`} failed${code}`;
    case 'applied':
      return `Applied${ofVersion}`;
    case 'unchanged':
      return version === null ? 'Unchanged' : `Version ${version} unchanged`;
    case 'superseded':
      return version === null ? 'Superseded by a newer version' : `Version ${version} superseded`;
    case 'cancelled':
      return `Cancelled${ofVersion}`;
    case 'dead_lettered':
      return `Dead-lettered${code}`;
    case 'dead_letter_resolved':
      return 'Dead letter resolved';
    case 'dead_letter_replayed':
      return 'Dead letter replayed';
    case 'reaction_receipt':
      return refs.reaction === undefined ? 'Handled downstream' : `Handled by ${refs.reaction}`;
  }
}
