import { Query } from '@nestjs/cqrs';

/** One mirrored record as other modules may read it (e.g. to rebuild a read model). */
export interface MirrorEntity {
  source: string;
  entityType: string;
  sourceEntityId: string;
  version: number;
  /** The mirror's tie-break at equal version (the applied queue item's id). */
  arrivalSeq: number;
  deleted: boolean;
  data: Record<string, unknown>;
}

export interface MirrorEntityPage {
  items: MirrorEntity[];
  /** Pass as `after` for the next page; null after the last one. */
  nextCursor: string | null;
}

/** Pages through the mirror (every applied record of the given types, deleted ones included), in key order. */
export class ListMirrorEntitiesQuery extends Query<MirrorEntityPage> {
  constructor(readonly params: { entityTypes: string[]; after?: string | null; limit: number }) {
    super();
  }
}
