/** The TDS entity types pulled from Zoho, in the order a full sync of everything takes them. */
export const ZOHO_ENTITY_TYPES = ['product', 'customer', 'invoice', 'sales_order', 'price_list'] as const;
export type ZohoEntityType = (typeof ZOHO_ENTITY_TYPES)[number];

/** Where Zoho lists one entity type and how it names it. */
export interface ZohoEntityTypeInfo {
  /** The list path after `/inventory/v1/` or `/books/v3/`. */
  path: string;
  /** The key of the record array in a list answer. */
  responseKey: string;
  /** The key a webhook body holds the record under: a pulled record becomes `{ [moduleKey]: record }`. */
  moduleKey: string;
  idField: string;
}

/** The table of pull-design.md; the simulator serves the same paths and keys. */
export const ZOHO_ENTITY_TYPE_INFO: Readonly<Record<ZohoEntityType, ZohoEntityTypeInfo>> = {
  product: { path: 'items', responseKey: 'items', moduleKey: 'item', idField: 'item_id' },
  customer: { path: 'contacts', responseKey: 'contacts', moduleKey: 'contact', idField: 'contact_id' },
  invoice: { path: 'invoices', responseKey: 'invoices', moduleKey: 'invoice', idField: 'invoice_id' },
  sales_order: { path: 'salesorders', responseKey: 'salesorders', moduleKey: 'salesorder', idField: 'salesorder_id' },
  price_list: { path: 'pricebooks', responseKey: 'pricebooks', moduleKey: 'pricebook', idField: 'pricebook_id' },
};

export const isZohoEntityType = (value: unknown): value is ZohoEntityType =>
  typeof value === 'string' && (ZOHO_ENTITY_TYPES as readonly string[]).includes(value);
