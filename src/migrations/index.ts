import { InitialSchema1764300000000 } from './1764300000000-initial-schema.js';
import { InboxLookups1764400000000 } from './1764400000000-inbox-lookups.js';
import { Reactions1764500000000 } from './1764500000000-reactions.js';
import { Inventory1764510000000 } from './1764510000000-inventory.js';
import { Search1764520000000 } from './1764520000000-search.js';
import { Operations1764600000000 } from './1764600000000-operations.js';
import { ReplayGuard1764700000000 } from './1764700000000-replay-guard.js';
import { DeadLetterList1764800000000 } from './1764800000000-dead-letter-list.js';
import { StatusLists1764810000000 } from './1764810000000-status-lists.js';
import { WebhookRuns1764820000000 } from './1764820000000-webhook-runs.js';
import { RecordLookups1764830000000 } from './1764830000000-record-lookups.js';
import { ZohoSources1764840000000 } from './1764840000000-zoho-sources.js';
import { PullRuns1764850000000 } from './1764850000000-pull-runs.js';

/** Listed explicitly: globs match nothing under the test runner (STACK-NOTES). */
export const migrations = [InitialSchema1764300000000, InboxLookups1764400000000, Reactions1764500000000, Inventory1764510000000, Search1764520000000, Operations1764600000000, ReplayGuard1764700000000, DeadLetterList1764800000000, StatusLists1764810000000, WebhookRuns1764820000000, RecordLookups1764830000000, ZohoSources1764840000000, PullRuns1764850000000];
