/** The TDS entity types that become search documents; the table's CHECK lists the same. */
export const SEARCHABLE_TYPES = ['product', 'customer', 'invoice', 'sales_order'] as const;
export type SearchableType = (typeof SEARCHABLE_TYPES)[number];

export const isSearchableType = (value: string): value is SearchableType => (SEARCHABLE_TYPES as readonly string[]).includes(value);

/** Which record, and the precedence of the change: (version, delete beats update, arrival sequence), as the mirror orders them. */
export interface DocumentKey {
  type: SearchableType;
  source: string;
  sourceId: string;
  version: number;
  /** The TDS queue item id that carried this version (the mirror's arrival sequence). */
  arrivalSeq: number;
}

/** What a record reads as: `title` and `keywords` (codes, numbers, emails) weigh most in ranking. */
export interface DocumentText {
  title: string;
  /** Identifiers people type exactly (SKU, invoice number): indexed beside the title, not stored. */
  keywords: string;
  body: string;
}

export type SearchDocument = DocumentKey & DocumentText;
