import type { DocumentText, SearchableType } from './search-document.js';

/**
 * A body beyond this is cut. A tsvector holds at most 1 MB and positions stop at 16,383, and
 * ranking and snippets read the whole body on every hit; an order with hundreds of lines is
 * still found by its first few thousand words.
 */
export const MAX_BODY_CHARS = 10_000;
const MAX_TITLE_CHARS = 500;
const MAX_KEYWORDS_CHARS = 1_000;

type Payload = Record<string, unknown>;

/** A string or number field as text; anything else (objects, booleans, null) is not text to search. */
function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

function records(value: unknown): Payload[] {
  return Array.isArray(value) ? value.filter((v): v is Payload => typeof v === 'object' && v !== null && !Array.isArray(v)) : [];
}

/** Non-empty, each once, in order. */
function join(parts: readonly string[], separator: string): string {
  return [...new Set(parts.filter((part) => part.length > 0))].join(separator);
}

function fields(data: Payload, names: readonly string[]): string[] {
  return names.map((name) => text(data[name]));
}

/** Zoho custom fields (`[{ label, value }]`): the values are what people remember. */
const customFieldValues = (data: Payload, name = 'custom_fields') => records(data[name]).map((field) => text(field.value));

/** Invoice and sales order lines: the product's name and SKU, so a document is found by what it sold. */
const lineTexts = (data: Payload) => records(data.line_items).flatMap((line) => fields(line, ['name', 'sku', 'description']));

function address(value: unknown): string {
  if (typeof value !== 'object' || value === null) return '';
  return join(fields(value as Payload, ['attention', 'address', 'street2', 'city', 'state', 'zip', 'country']), ', ');
}

const MAPPERS: Record<SearchableType, (data: Payload) => DocumentText> = {
  // A Zoho Inventory item.
  product: (data) => ({
    title: text(data.name),
    keywords: join(fields(data, ['sku', 'upc', 'ean', 'isbn', 'part_number']), ' '),
    body: join(
      [
        ...fields(data, ['sku', 'description', 'brand', 'manufacturer', 'category_name', 'item_type', 'product_type', 'unit']),
        ...customFieldValues(data),
      ],
      '\n',
    ),
  }),
  // A Zoho contact.
  customer: (data) => ({
    title: text(data.contact_name),
    keywords: join(fields(data, ['email', 'phone', 'mobile']), ' '),
    body: join(
      [
        ...fields(data, ['company_name', 'email', 'phone', 'mobile', 'website']),
        ...records(data.contact_persons).map((person) => join(fields(person, ['first_name', 'last_name', 'email', 'phone']), ' ')),
        address(data.billing_address),
        address(data.shipping_address),
        ...customFieldValues(data),
      ],
      '\n',
    ),
  }),
  invoice: (data) => ({
    title: text(data.invoice_number),
    keywords: join(fields(data, ['invoice_number', 'reference_number']), ' '),
    body: join([...fields(data, ['customer_name', 'reference_number', 'status', 'date', 'notes']), ...lineTexts(data)], '\n'),
  }),
  sales_order: (data) => ({
    title: text(data.salesorder_number),
    keywords: join(fields(data, ['salesorder_number', 'reference_number']), ' '),
    body: join(
      [...fields(data, ['customer_name', 'reference_number', 'status', 'date', 'delivery_method', 'notes']), ...lineTexts(data)],
      '\n',
    ),
  }),
};

/** At most `max` UTF-16 units, never half a surrogate pair: JSON would carry it as a lone `\ud8xx`, which PostgreSQL refuses. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value[max - 1]) ? max - 1 : max;
  return value.slice(0, end);
}

/**
 * The one place a Zoho record becomes searchable text, for live changes and reindexing alike.
 * A record without its name field is titled by its id, so it still shows as something.
 */
export function documentText(type: SearchableType, data: Payload, sourceId: string): DocumentText {
  const mapped = MAPPERS[type](data);
  return {
    title: cut(mapped.title || sourceId, MAX_TITLE_CHARS),
    keywords: cut(mapped.keywords, MAX_KEYWORDS_CHARS),
    body: cut(mapped.body, MAX_BODY_CHARS),
  };
}
