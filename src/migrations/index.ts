import { InitialSchema1764300000000 } from './1764300000000-initial-schema.js';
import { InboxLookups1764400000000 } from './1764400000000-inbox-lookups.js';

/** Listed explicitly: globs match nothing under the test runner (STACK-NOTES). */
export const migrations = [InitialSchema1764300000000, InboxLookups1764400000000];
