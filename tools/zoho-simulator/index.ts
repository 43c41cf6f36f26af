export { ZOHO_ENTITY_SHAPES, ZOHO_ENTITY_TYPES, ZohoSimulator, parseZohoTimestamp } from './zoho-simulator.js';
export type { SimulatorRequest, SimulatorRequestInfo, WebhookEvent, WebhookTarget, ZohoEntityType, ZohoSimulatorOptions } from './zoho-simulator.js';
export { CatalogueChanges, DEFAULT_BASE_TIME, MIN_SAME_TIMESTAMP_RUN, catalogueId, catalogueRecords, generateCatalogue, zohoTimestamp } from './catalogue.js';
export type { Catalogue, CatalogueChange, CatalogueOptions } from './catalogue.js';
export { main, parseCliArgs, startChanges } from './cli.js';
export type { ChangeOptions, ChangeStats, CliOptions, RunningSimulator } from './cli.js';
