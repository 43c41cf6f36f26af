import { documentText } from './document-text.mapper.js';
import type { DocumentKey, SearchableType, SearchDocument } from './search-document.js';

/** A record's state as TDS reports it, live (an entity event) or stored (the mirror). */
export interface RecordState {
  type: SearchableType;
  source: string;
  sourceId: string;
  version: number;
  arrivalSeq: number;
  deleted: boolean;
  data: unknown;
}

export interface DocumentWrites {
  documents: SearchDocument[];
  removals: DocumentKey[];
}

/**
 * Live records become documents, deleted ones tombstones. Several states of one record may
 * come in together, in any order: each goes on, and the commands' precedence keeps the highest.
 */
export function documentWrites(records: readonly RecordState[]): DocumentWrites {
  const writes: DocumentWrites = { documents: [], removals: [] };
  for (const { type, source, sourceId, version, arrivalSeq, deleted, data } of records) {
    const key: DocumentKey = { type, source, sourceId, version, arrivalSeq };
    if (deleted) writes.removals.push(key);
    // Into the fresh key rather than a spread of both: cheaper per record on Node 20's V8.
    else writes.documents.push(Object.assign(key, documentText(type, isRecord(data) ? data : {}, sourceId)));
  }
  return writes;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
