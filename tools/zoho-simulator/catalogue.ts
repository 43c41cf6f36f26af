import type { ZohoEntityType } from './zoho-simulator.js';

/**
 * A realistic Zoho Inventory / Books catalogue for the simulator: a trading company's items with
 * stock per warehouse, its customers, their invoices and sales orders (lines referencing those
 * items and customers) and its price books. Every record is what Zoho's list endpoints answer
 * and what TDS's processors accept (src/modules/tds/processors); the simulator's spec runs them
 * through ZohoDeliveryMapper to keep it so.
 *
 * Deterministic: a record is a pure function of (seed, entity type, index), so an invoice line
 * re-derives the item it references instead of the generator holding every item in memory, and a
 * given seed always yields the same catalogue.
 */
export interface CatalogueOptions {
  products: number;
  /** Warehouses of the company; every item lists its stock in each (Zoho's `warehouses[]`), at most 1000. */
  warehouses: number;
  customers: number;
  invoices: number;
  salesOrders: number;
  priceBooks: number;
  /** Default 1. */
  seed?: number;
  /** Epoch ms of the newest `last_modified_time`; default 2026-01-01T00:00:00Z, fixed so that a seed alone fixes the records. */
  baseTime?: number;
  /**
   * Groups of at least 250 records sharing one `last_modified_time`, per entity type with a
   * timestamp (price books have none), as many of them as the type's count holds: with 200 records
   * a page, every such group crosses a page edge.
   */
  sameTimestampRuns?: number;
}

/** Records by entity type, each list in generation (index) order. */
export type Catalogue = Record<ZohoEntityType, Record<string, unknown>[]>;

export const DEFAULT_BASE_TIME = Date.UTC(2026, 0, 1);
/** Zoho's stock levels per item are capped by TDS (TDS_INGEST_MAX_STOCK_LEVELS_PER_ITEM, default 1000). */
const MAX_WAREHOUSES = 1000;
/** Arrays of a record are capped by TDS (TDS_INGEST_MAX_ARRAY_ENTRIES, default 1000); price books stay well below. */
const MAX_PRICEBOOK_ITEMS = 200;
export const MIN_SAME_TIMESTAMP_RUN = 250;

const SECOND = 1000;
const DAY = 86_400 * SECOND;
/** How far back records were last modified, before baseTime. */
const MODIFIED_SPAN = 180 * DAY;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness

/** A 32-bit hash of a few integers: the seed of one record's own random stream. */
function hash32(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) {
    h = Math.imul(h ^ (part | 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** mulberry32: small, fast, and good enough for test data. */
class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/** Streams, one per kind of record, so adding a field to one kind changes no other kind. */
const STREAM = { product: 1, productStock: 2, customer: 3, invoice: 4, salesOrder: 5, priceBook: 6, runs: 7, changes: 8 } as const;

function randomFor(seed: number, stream: number, index: number): Random {
  return new Random(hash32(seed, stream, index));
}

// ---------------------------------------------------------------------------------------------
// Formats

const round2 = (value: number): number => Math.round(value * 100) / 100;
const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Zoho's timestamp format at second precision, in UTC: `2026-12-04T10:15:30+0000`. */
export function zohoTimestamp(ms: number): string {
  return `${new Date(Math.floor(ms / SECOND) * SECOND).toISOString().slice(0, 19)}+0000`;
}

const dateOnly = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Zoho ids are 16-17 digit numbers sent as strings; a 7-digit prefix per kind keeps kinds apart. */
const ID_PREFIX = {
  product: '4815000',
  warehouse: '4815002',
  tax: '4815003',
  salesOrder: '4815001',
  salesOrderLine: '4815004',
  customer: '4600000',
  invoice: '4600001',
  invoiceLine: '4600004',
  currency: '4600003',
  priceBook: '1152891',
} as const;

const id = (prefix: string, index: number): string => `${prefix}${pad(index, 9)}`;

/** The id the catalogue gives the record of `entityType` at `index` (0-based). */
export function catalogueId(entityType: ZohoEntityType, index: number): string {
  switch (entityType) {
    case 'product':
      return id(ID_PREFIX.product, index + 1);
    case 'customer':
      return id(ID_PREFIX.customer, index + 1);
    case 'invoice':
      return id(ID_PREFIX.invoice, index + 1);
    case 'sales_order':
      return id(ID_PREFIX.salesOrder, index + 1);
    case 'price_list':
      return id(ID_PREFIX.priceBook, index + 1);
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: an Iraqi trading company's range

/** A kind of item: its name, the unit it is sold in, its variants and the USD price range they span. */
type ItemKind = readonly [name: string, unit: string, specs: readonly string[], price: readonly [number, number]];

interface Category {
  code: string;
  name: string;
  kinds: readonly ItemKind[];
  taxable: boolean;
}

const CATEGORIES: readonly Category[] = [
  {
    code: 'ELC',
    name: 'Electrical',
    taxable: true,
    kinds: [
      ['LED Bulb', 'pcs', ['9W Warm White', '12W Daylight', '18W Cool White', 'E14 5W Candle'], [0.8, 4]],
      ['Extension Cord', 'pcs', ['3m 4-Way', '5m 6-Way', '10m Heavy Duty'], [3, 18]],
      ['Circuit Breaker', 'pcs', ['16A Single Pole', '32A Double Pole', '63A Three Pole'], [2.5, 40]],
      ['Wall Socket', 'pcs', ['Single UK', 'Double UK', 'Double with USB'], [1.2, 9]],
      ['Electrical Cable', 'roll', ['2.5mm 100m', '4mm 100m', '6mm 50m'], [25, 140]],
      ['Ceiling Fan', 'pcs', ['48in 3-Blade', '56in 3-Blade', '56in 5-Blade Remote'], [22, 95]],
      ['Voltage Stabilizer', 'pcs', ['1kVA', '5kVA', '10kVA'], [35, 420]],
    ],
  },
  {
    code: 'PLB',
    name: 'Plumbing',
    taxable: true,
    kinds: [
      ['PVC Pipe', 'pcs', ['1/2in 4m', '3/4in 4m', '110mm 4m'], [1.5, 14]],
      ['Ball Valve', 'pcs', ['1/2in Brass', '3/4in Brass', '1in Brass'], [2, 12]],
      ['Kitchen Faucet', 'pcs', ['Chrome Single Lever', 'Pull-Out Spray', 'Wall Mounted'], [14, 85]],
      ['Water Heater', 'pcs', ['30L', '50L', '80L'], [75, 230]],
      ['Water Pump', 'pcs', ['0.5HP', '1HP', '1.5HP Booster'], [45, 260]],
      ['Water Tank', 'pcs', ['500L', '1000L', '2000L'], [60, 310]],
    ],
  },
  {
    code: 'HWR',
    name: 'Hardware',
    taxable: true,
    kinds: [
      ['Hex Bolt', 'box', ['M8x40 100pcs', 'M10x50 50pcs', 'M12x60 25pcs'], [3, 12]],
      ['Wood Screw', 'box', ['4x30mm 200pcs', '4x50mm 200pcs', '5x70mm 100pcs'], [2, 7]],
      ['Padlock', 'pcs', ['40mm Brass', '50mm Brass', '60mm Hardened Steel'], [2.5, 14]],
      ['Door Hinge', 'pair', ['100mm Stainless', '125mm Stainless', '100mm Brass'], [1.5, 8]],
      ['Drill Bit Set', 'set', ['13-Piece HSS', '19-Piece HSS', '5-Piece Masonry'], [6, 30]],
      ['Claw Hammer', 'pcs', ['16oz Fibreglass', '20oz Steel'], [4, 15]],
      ['Measuring Tape', 'pcs', ['5m', '8m', '50m Fibreglass'], [1.5, 16]],
    ],
  },
  {
    code: 'APL',
    name: 'Home Appliances',
    taxable: true,
    kinds: [
      ['Air Cooler', 'pcs', ['40L', '70L Tower', '100L Industrial'], [60, 320]],
      ['Electric Kettle', 'pcs', ['1.7L Steel', '1.7L Glass', '1L Travel'], [8, 35]],
      ['Blender', 'pcs', ['600W 1.5L', '1000W 2L', '1500W Professional'], [18, 120]],
      ['Water Dispenser', 'pcs', ['Hot & Cold', 'Hot & Cold with Fridge'], [65, 210]],
      ['Split Air Conditioner', 'pcs', ['1 Ton', '1.5 Ton', '2 Ton Inverter'], [240, 650]],
      ['Microwave Oven', 'pcs', ['20L', '25L Grill', '30L Convection'], [55, 190]],
    ],
  },
  {
    code: 'PNT',
    name: 'Paint',
    taxable: true,
    kinds: [
      ['Wall Paint', 'pcs', ['White 4L', 'Ivory 4L', 'White 18L', 'Ivory 18L'], [9, 60]],
      ['Primer', 'pcs', ['Water-Based 4L', 'Oil-Based 4L'], [8, 25]],
      ['Spray Paint', 'pcs', ['Black 400ml', 'Silver 400ml', 'Clear 400ml'], [1.5, 4]],
      ['Paint Roller', 'pcs', ['7in', '9in with Tray'], [1.5, 7]],
      ['Brush Set', 'set', ['5-Piece', '10-Piece'], [3, 11]],
    ],
  },
  {
    code: 'FOD',
    name: 'Food & Beverage',
    taxable: false,
    kinds: [
      ['Basmati Rice', 'pcs', ['5kg', '10kg', '25kg Sack'], [6, 38]],
      ['Sunflower Oil', 'pcs', ['1.8L', '5L'], [2.5, 9]],
      ['Black Tea', 'pcs', ['500g', '1kg'], [3, 9]],
      ['White Sugar', 'pcs', ['1kg', '5kg', '50kg Sack'], [0.9, 38]],
      ['Tomato Paste', 'box', ['24x400g', '12x800g'], [10, 22]],
      ['Dates', 'pcs', ['1kg Box', '5kg Box'], [3, 20]],
    ],
  },
  {
    code: 'CLN',
    name: 'Cleaning',
    taxable: true,
    kinds: [
      ['Dish Soap', 'pcs', ['750ml Lemon', '1.5L'], [0.9, 3]],
      ['Laundry Detergent', 'pcs', ['3kg', '6kg', '3L Liquid'], [4, 14]],
      ['Floor Cleaner', 'pcs', ['1L Pine', '4L'], [1.2, 5]],
      ['Bleach', 'pcs', ['1L', '4L'], [0.7, 3]],
      ['Hand Soap', 'box', ['6x500ml'], [4, 8]],
    ],
  },
  {
    code: 'OFF',
    name: 'Office',
    taxable: true,
    kinds: [
      ['A4 Paper', 'box', ['80gsm 5 Reams', '70gsm 5 Reams'], [14, 26]],
      ['Ballpoint Pen', 'box', ['Blue 50pcs', 'Black 50pcs'], [4, 9]],
      ['Stapler', 'pcs', ['Standard', 'Heavy Duty'], [2.5, 14]],
      ['File Folder', 'pack', ['Lever Arch 10pcs', 'Clear Pocket 20pcs'], [3, 12]],
      ['Printer Toner', 'pcs', ['Black 12A', 'Black 85A', 'Black 26A'], [22, 85]],
    ],
  },
];

const BRANDS = ['Tigris', 'Euphrates', 'Babil', 'Ishtar', 'Zagros', 'Sumer', 'Akkad', 'Noor', 'Rafidain', 'Hadba'] as const;
const WAREHOUSE_NAMES = ['Baghdad Main', 'Basra', 'Erbil', 'Mosul', 'Najaf', 'Karbala', 'Sulaymaniyah', 'Kirkuk', 'Nasiriyah', 'Ramadi', 'Duhok', 'Hillah'];
const CITIES = ['Baghdad', 'Basra', 'Erbil', 'Mosul', 'Najaf', 'Karbala', 'Sulaymaniyah', 'Kirkuk', 'Nasiriyah', 'Ramadi', 'Duhok', 'Hillah'];
const COMPANY_NAMES = [
  'Al-Rashid', 'Al-Noor', 'Babylon', 'Tigris', 'Al-Mansour', 'Karkh', 'Rusafa', 'Al-Zawraa', 'Al-Amal', 'Dijla',
  'Al-Furat', 'Shatt al-Arab', 'Zagros', 'Al-Hadba', 'Al-Kawthar', 'Al-Salam', 'Al-Waha', 'Ur', 'Nineveh', 'Al-Jazeera',
];
const COMPANY_KINDS = [
  'Trading Co.', 'General Trading', 'Supermarket', 'Hardware Store', 'Electrical Supplies', 'Construction LLC', 'Home Center', 'Wholesale',
  'Building Materials', 'Appliances',
];
const FIRST_NAMES = ['Ahmed', 'Zainab', 'Mohammed', 'Fatima', 'Ali', 'Maryam', 'Hussein', 'Noor', 'Omar', 'Sara', 'Karim', 'Huda', 'Yousif', 'Layla'];
const LAST_NAMES = ['Hassan', 'Al-Tamimi', 'Kareem', 'Jabbar', 'Al-Obaidi', 'Salih', 'Mahmoud', 'Al-Jubouri', 'Abbas', 'Rahim', 'Al-Dulaimi', 'Kadhim'];
const DELIVERY_METHODS = ['Company Truck', 'Customer Pickup', 'Aramex', 'DHL', 'Local Courier'];
const PRICE_BOOK_NAMES = ['Wholesale', 'Retail', 'Distributor', 'Contractor', 'Ramadan Promotion', 'VIP Customers', 'Export', 'Clearance'];

const TAX = { tax_id: `${ID_PREFIX.tax}000000001`, tax_name: 'Sales Tax', tax_percentage: 5 } as const;
const CURRENCIES = {
  USD: { currency_id: `${ID_PREFIX.currency}000000001`, currency_code: 'USD', rate: 1 },
  IQD: { currency_id: `${ID_PREFIX.currency}000000002`, currency_code: 'IQD', rate: 1310 },
} as const;
type CurrencyCode = keyof typeof CURRENCIES;

/** An amount in USD in the document's currency: dinars come in multiples of 250. */
function inCurrency(usd: number, currency: CurrencyCode): number {
  return currency === 'USD' ? round2(usd) : Math.max(250, Math.round((usd * CURRENCIES.IQD.rate) / 250) * 250);
}

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

// ---------------------------------------------------------------------------------------------
// Options and timestamps

interface Plan {
  readonly options: Required<CatalogueOptions>;
  /** Per entity type, the runs of records sharing one timestamp: index ranges and their time. */
  readonly runs: Readonly<Record<ZohoEntityType, readonly SameTimestampRun[]>>;
}

interface SameTimestampRun {
  readonly start: number;
  readonly size: number;
  readonly time: number;
}

function count(name: string, value: unknown, max = 100_000_000): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) > max) {
    throw new RangeError(`CatalogueOptions.${name} must be a whole number from 0 to ${max}`);
  }
  return value as number;
}

function planOf(options: CatalogueOptions): Plan {
  const resolved: Required<CatalogueOptions> = {
    products: count('products', options.products),
    warehouses: count('warehouses', options.warehouses, MAX_WAREHOUSES),
    customers: count('customers', options.customers),
    invoices: count('invoices', options.invoices),
    salesOrders: count('salesOrders', options.salesOrders),
    priceBooks: count('priceBooks', options.priceBooks, 1_000_000),
    seed: options.seed ?? 1,
    baseTime: Math.floor((options.baseTime ?? DEFAULT_BASE_TIME) / SECOND) * SECOND,
    sameTimestampRuns: count('sameTimestampRuns', options.sameTimestampRuns ?? 0, 10_000),
  };
  if (!Number.isSafeInteger(resolved.seed)) throw new RangeError('CatalogueOptions.seed must be an integer');
  if (!Number.isFinite(resolved.baseTime) || resolved.baseTime < MODIFIED_SPAN * 3) {
    throw new RangeError('CatalogueOptions.baseTime must be epoch milliseconds after 1971');
  }
  if ((resolved.invoices > 0 || resolved.salesOrders > 0) && resolved.customers === 0) {
    throw new RangeError('CatalogueOptions: invoices and sales orders need at least one customer');
  }
  const runsOf = (entityType: ZohoEntityType, records: number): SameTimestampRun[] => {
    const random = randomFor(resolved.seed, STREAM.runs, ZOHO_TYPES.indexOf(entityType));
    const runs = Math.min(resolved.sameTimestampRuns, Math.floor(records / MIN_SAME_TIMESTAMP_RUN));
    if (runs === 0) return [];
    const segment = Math.floor(records / runs);
    return Array.from({ length: runs }, (_, run) => {
      const size = Math.min(segment, MIN_SAME_TIMESTAMP_RUN + random.int(0, 60));
      // Spread over the span so that the runs sit among other records, not at one end.
      const time = resolved.baseTime - Math.floor(((run + 1) * MODIFIED_SPAN) / (runs + 1) / SECOND) * SECOND;
      return { start: run * segment + random.int(0, segment - size), size, time };
    });
  };
  return {
    options: resolved,
    runs: {
      product: runsOf('product', resolved.products),
      customer: runsOf('customer', resolved.customers),
      invoice: runsOf('invoice', resolved.invoices),
      sales_order: runsOf('sales_order', resolved.salesOrders),
      price_list: [],
    },
  };
}

const ZOHO_TYPES: readonly ZohoEntityType[] = ['product', 'customer', 'invoice', 'sales_order', 'price_list'];

/** When the record was last modified: its run's time if it is in one, else anywhere in the span. */
function modifiedAt(plan: Plan, entityType: ZohoEntityType, index: number, random: Random): number {
  const run = plan.runs[entityType].find(({ start, size }) => index >= start && index < start + size);
  if (run) return run.time;
  return plan.options.baseTime - random.int(0, MODIFIED_SPAN / SECOND) * SECOND;
}

// ---------------------------------------------------------------------------------------------
// Products

interface ProductBasics {
  item_id: string;
  name: string;
  sku: string;
  unit: string;
  rate: number;
  taxable: boolean;
  category: Category;
  brand: string;
}

/** What a line item repeats of its item: re-derived from the index, never stored. */
function productBasics(seed: number, index: number): ProductBasics {
  const random = randomFor(seed, STREAM.product, index);
  const category = random.pick(CATEGORIES);
  const brand = random.pick(BRANDS);
  const [kind, unit, specs, [low, high]] = random.pick(category.kinds);
  const spec = random.int(0, specs.length - 1);
  // Variants are priced in order across the kind's range (18L paint dearer than 4L), ±15% by item.
  const level = specs.length === 1 ? low : low * Math.pow(high / low, spec / (specs.length - 1));
  const rate = round2(level * (0.85 + random.next() * 0.3));
  const model = `${brand.slice(0, 2).toUpperCase()}-${pad(random.int(100, 9999), 4)}`;
  return {
    item_id: catalogueId('product', index),
    name: `${brand} ${kind} ${specs[spec]} (${model})`,
    sku: `${category.code}-${brand.slice(0, 3).toUpperCase()}-${pad(index + 1, 6)}`,
    unit,
    rate: Math.max(0.1, rate),
    taxable: category.taxable,
    category,
    brand,
  };
}

function warehouseFigures(stock: number, random: Random): { warehouse_stock_on_hand: number; warehouse_committed_stock: number; warehouse_available_stock: number; warehouse_actual_available_stock: number } {
  const committed = stock === 0 ? 0 : random.int(0, Math.min(stock, 20));
  return {
    warehouse_stock_on_hand: stock,
    warehouse_committed_stock: committed,
    warehouse_available_stock: stock - committed,
    warehouse_actual_available_stock: stock - committed,
  };
}

/** The item's totals, the sums over its warehouses, as Zoho reports them. */
function stockTotals(warehouses: readonly Record<string, unknown>[]): Record<string, number> {
  let onHand = 0;
  let available = 0;
  for (const warehouse of warehouses) {
    onHand += Number(warehouse.warehouse_stock_on_hand ?? 0);
    available += Number(warehouse.warehouse_available_stock ?? 0);
  }
  return { stock_on_hand: onHand, available_stock: available, actual_available_stock: available };
}

function product(plan: Plan, index: number): Record<string, unknown> {
  const { seed, warehouses: warehouseCount } = plan.options;
  const basics = productBasics(seed, index);
  const random = randomFor(seed, STREAM.productStock, index);
  const modified = modifiedAt(plan, 'product', index, random);
  const created = modified - random.int(0, 365 * 86_400) * SECOND;
  const scarce = random.chance(0.1);
  const warehouses = Array.from({ length: warehouseCount }, (_, w) => ({
    warehouse_id: id(ID_PREFIX.warehouse, w + 1),
    warehouse_name: WAREHOUSE_NAMES[w] ?? `Warehouse ${w + 1}`,
    is_primary: w === 0,
    ...warehouseFigures(scarce ? random.int(0, 3) : random.int(0, w === 0 ? 800 : 250), random),
  }));
  return {
    item_id: basics.item_id,
    name: basics.name,
    sku: basics.sku,
    status: random.chance(0.04) ? 'inactive' : 'active',
    unit: basics.unit,
    item_type: 'inventory',
    product_type: 'goods',
    description: `${basics.category.name}: ${basics.name}`,
    brand: basics.brand,
    manufacturer: `${basics.brand} Industries`,
    category_name: basics.category.name,
    rate: basics.rate,
    purchase_rate: round2(basics.rate * (0.55 + random.next() * 0.25)),
    reorder_level: random.int(0, 25),
    ...stockTotals(warehouses),
    is_taxable: basics.taxable,
    ...(basics.taxable ? TAX : { tax_id: '', tax_name: '', tax_percentage: 0 }),
    upc: '',
    ean: `62${pad(index + 1, 10)}${index % 10}`,
    warehouses,
    created_time: zohoTimestamp(created),
    last_modified_time: zohoTimestamp(modified),
  };
}

// ---------------------------------------------------------------------------------------------
// Customers

interface CustomerBasics {
  contact_id: string;
  contact_name: string;
  currency: CurrencyCode;
  payment_terms: number;
  individual: boolean;
}

const COMPANY_COMBINATIONS = COMPANY_NAMES.length * COMPANY_KINDS.length * CITIES.length;

function customerBasics(seed: number, index: number): CustomerBasics {
  const random = randomFor(seed, STREAM.customer, index);
  const individual = random.chance(0.2);
  let contactName: string;
  if (individual) {
    contactName = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)} ${index + 1}`;
  } else {
    // A permutation of the combinations keeps names unique within each round of them.
    const combination = (index * 1597) % COMPANY_COMBINATIONS;
    const round = Math.floor(index / COMPANY_COMBINATIONS);
    const name = COMPANY_NAMES[combination % COMPANY_NAMES.length];
    const kind = COMPANY_KINDS[Math.floor(combination / COMPANY_NAMES.length) % COMPANY_KINDS.length];
    const city = CITIES[Math.floor(combination / (COMPANY_NAMES.length * COMPANY_KINDS.length))];
    contactName = `${name} ${kind} - ${city}${round > 0 ? ` ${round + 1}` : ''}`;
  }
  return {
    contact_id: catalogueId('customer', index),
    contact_name: contactName,
    currency: random.chance(0.25) ? 'IQD' : 'USD',
    payment_terms: random.pick([0, 15, 30, 45, 60]),
    individual,
  };
}

const phone = (random: Random): string => `+964 7${random.int(50, 90)} ${pad(random.int(0, 999), 3)} ${pad(random.int(0, 9999), 4)}`;

function customer(plan: Plan, index: number): Record<string, unknown> {
  const basics = customerBasics(plan.options.seed, index);
  const random = randomFor(plan.options.seed, STREAM.customer, index + 0x40000000);
  const modified = modifiedAt(plan, 'customer', index, random);
  const created = modified - random.int(0, 730 * 86_400) * SECOND;
  const city = random.pick(CITIES);
  const [first, last] = [random.pick(FIRST_NAMES), random.pick(LAST_NAMES)];
  const email = basics.individual
    ? `${slug(first)}.${slug(last)}${index + 1}@mail.iq`
    : `sales${index + 1}@${slug(basics.contact_name.split(' - ')[0])}.iq`;
  return {
    contact_id: basics.contact_id,
    contact_name: basics.contact_name,
    company_name: basics.individual ? '' : basics.contact_name,
    contact_type: 'customer',
    customer_sub_type: basics.individual ? 'individual' : 'business',
    status: random.chance(0.05) ? 'inactive' : 'active',
    email,
    phone: phone(random),
    mobile: random.chance(0.6) ? phone(random) : '',
    currency_id: CURRENCIES[basics.currency].currency_id,
    currency_code: basics.currency,
    payment_terms: basics.payment_terms,
    payment_terms_label: basics.payment_terms === 0 ? 'Due on Receipt' : `Net ${basics.payment_terms}`,
    outstanding_receivable_amount: random.chance(0.4) ? inCurrency(random.next() * 5000, basics.currency) : 0,
    billing_address: { attention: `${first} ${last}`, address: `Street ${random.int(1, 120)}, Block ${random.int(1, 900)}`, city, country: 'Iraq' },
    contact_persons: [
      { contact_person_id: `${basics.contact_id}1`, first_name: first, last_name: last, email, is_primary_contact: true },
    ],
    created_time: zohoTimestamp(created),
    last_modified_time: zohoTimestamp(modified),
  };
}

// ---------------------------------------------------------------------------------------------
// Invoices and sales orders

interface Lines {
  line_items: Record<string, unknown>[];
  sub_total: number;
  tax_total: number;
  total: number;
}

function lines(plan: Plan, random: Random, currency: CurrencyCode, linePrefix: string, documentIndex: number): Lines {
  const { seed, products } = plan.options;
  const lineCount = random.int(1, 6);
  const lineItems: Record<string, unknown>[] = [];
  let subTotal = 0;
  let taxTotal = 0;
  const used = new Set<number>();
  for (let line = 0; line < lineCount; line += 1) {
    const lineId = id(linePrefix, documentIndex * 10 + line + 1);
    const quantity = random.int(1, 40);
    if (products === 0 || random.chance(0.04)) {
      // A free-text line: a service with no item, which Zoho allows.
      const rate = inCurrency(random.pick([15, 30, 45, 60]), currency);
      const itemTotal = round2(rate * 1);
      lineItems.push({ line_item_id: lineId, name: random.pick(['Delivery', 'Installation', 'Handling']), description: '', rate, quantity: 1, unit: '', tax_id: '', item_total: itemTotal });
      subTotal += itemTotal;
      continue;
    }
    // Distinct items per document, as Zoho users enter them (a few tries, then a repeat is fine).
    let itemIndex = random.int(0, products - 1);
    for (let tries = 0; tries < 3 && used.has(itemIndex); tries += 1) itemIndex = random.int(0, products - 1);
    used.add(itemIndex);
    const item = productBasics(seed, itemIndex);
    const rate = inCurrency(item.rate * (random.chance(0.2) ? 0.9 : 1), currency);
    const itemTotal = round2(rate * quantity);
    lineItems.push({
      line_item_id: lineId,
      item_id: item.item_id,
      name: item.name,
      description: '',
      sku: item.sku,
      rate,
      quantity,
      unit: item.unit,
      tax_id: item.taxable ? TAX.tax_id : '',
      tax_percentage: item.taxable ? TAX.tax_percentage : 0,
      item_total: itemTotal,
    });
    subTotal += itemTotal;
    if (item.taxable) taxTotal += (itemTotal * TAX.tax_percentage) / 100;
  }
  const sub = round2(subTotal);
  const tax = currency === 'IQD' ? Math.round(taxTotal) : round2(taxTotal);
  return { line_items: lineItems, sub_total: sub, tax_total: tax, total: round2(sub + tax) };
}

/** A sales document's dates: created before it was last modified, dated on its creation day. */
function documentTimes(plan: Plan, entityType: ZohoEntityType, index: number, random: Random): { created: number; modified: number } {
  const modified = modifiedAt(plan, entityType, index, random);
  return { modified, created: modified - random.int(0, 20 * 86_400) * SECOND };
}

function invoice(plan: Plan, index: number, times?: { created: number; modified: number }): Record<string, unknown> {
  const random = randomFor(plan.options.seed, STREAM.invoice, index);
  const { created, modified } = times ?? documentTimes(plan, 'invoice', index, random);
  const buyer = customerBasics(plan.options.seed, random.int(0, plan.options.customers - 1));
  const document = lines(plan, random, buyer.currency, ID_PREFIX.invoiceLine, index);
  const due = created + buyer.payment_terms * DAY;
  const roll = random.next();
  let status = roll < 0.05 ? 'draft' : roll < 0.08 ? 'void' : roll < 0.6 ? 'paid' : roll < 0.7 ? 'partially_paid' : 'sent';
  if (status === 'sent' && due < plan.options.baseTime - DAY) status = 'overdue';
  const balance = status === 'paid' || status === 'void' ? 0 : status === 'partially_paid' ? round2(document.total / 2) : document.total;
  return {
    invoice_id: catalogueId('invoice', index),
    invoice_number: `INV-${pad(index + 1, 6)}`,
    date: dateOnly(created),
    due_date: dateOnly(due),
    status,
    customer_id: buyer.contact_id,
    customer_name: buyer.contact_name,
    reference_number: random.chance(0.4) ? `SO-${pad(random.int(1, Math.max(1, plan.options.salesOrders)), 6)}` : '',
    currency_id: CURRENCIES[buyer.currency].currency_id,
    currency_code: buyer.currency,
    exchange_rate: buyer.currency === 'USD' ? 1 : Number((1 / CURRENCIES.IQD.rate).toFixed(8)),
    ...document,
    balance,
    payment_terms: buyer.payment_terms,
    created_time: zohoTimestamp(created),
    last_modified_time: zohoTimestamp(modified),
  };
}

function salesOrder(plan: Plan, index: number, times?: { created: number; modified: number }): Record<string, unknown> {
  const random = randomFor(plan.options.seed, STREAM.salesOrder, index);
  const { created, modified } = times ?? documentTimes(plan, 'sales_order', index, random);
  const buyer = customerBasics(plan.options.seed, random.int(0, plan.options.customers - 1));
  const document = lines(plan, random, buyer.currency, ID_PREFIX.salesOrderLine, index);
  const status = random.pick(['draft', 'confirmed', 'confirmed', 'open', 'fulfilled', 'fulfilled', 'closed', 'void']);
  const shipped = status === 'fulfilled' || status === 'closed';
  return {
    salesorder_id: catalogueId('sales_order', index),
    salesorder_number: `SO-${pad(index + 1, 6)}`,
    date: dateOnly(created),
    shipment_date: dateOnly(created + random.int(1, 7) * DAY),
    status,
    order_status: status,
    invoiced_status: status === 'closed' ? 'invoiced' : 'not_invoiced',
    shipped_status: shipped ? 'shipped' : 'pending',
    customer_id: buyer.contact_id,
    customer_name: buyer.contact_name,
    reference_number: random.chance(0.3) ? `PO-${random.int(1000, 99999)}` : '',
    currency_id: CURRENCIES[buyer.currency].currency_id,
    currency_code: buyer.currency,
    ...document,
    delivery_method: random.pick(DELIVERY_METHODS),
    created_time: zohoTimestamp(created),
    last_modified_time: zohoTimestamp(modified),
  };
}

// ---------------------------------------------------------------------------------------------
// Price books

function priceBook(plan: Plan, index: number): Record<string, unknown> {
  const { seed, products } = plan.options;
  const random = randomFor(seed, STREAM.priceBook, index);
  const name = `${PRICE_BOOK_NAMES[index % PRICE_BOOK_NAMES.length]} Prices${index >= PRICE_BOOK_NAMES.length ? ` ${Math.floor(index / PRICE_BOOK_NAMES.length) + 1}` : ''}`;
  const perItem = index % 2 === 0 && products > 0;
  const record: Record<string, unknown> = {
    pricebook_id: catalogueId('price_list', index),
    name,
    description: `${name} for ${perItem ? 'selected items' : 'every item'}`,
    currency_id: CURRENCIES.USD.currency_id,
    currency_code: 'USD',
    pricebook_type: perItem ? 'per_item' : 'fixed_percentage',
    status: 'active',
    is_default: false,
    is_increase: !perItem && random.chance(0.3),
    percentage: perItem ? 0 : random.int(3, 20),
    rounding_type: 'no_rounding',
    sales_or_purchase_type: 'sales',
    // Zoho gives price books no modification time; TDS versions them by receipt.
    last_modified_time: '',
  };
  if (perItem) {
    const size = Math.min(products, random.int(20, MAX_PRICEBOOK_ITEMS));
    // A stride coprime with the count visits distinct items.
    let stride = random.int(1, Math.max(1, products - 1));
    while (gcd(stride, products) !== 1) stride += 1;
    const start = random.int(0, products - 1);
    record.pricebook_items = Array.from({ length: size }, (_, k) => {
      const item = productBasics(seed, (start + k * stride) % products);
      return { item_id: item.item_id, name: item.name, sku: item.sku, pricebook_rate: round2(item.rate * (0.8 + random.next() * 0.15)) };
    });
  }
  return record;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

// ---------------------------------------------------------------------------------------------
// The catalogue

/**
 * The records one at a time, by entity type in order (products, customers, invoices, sales
 * orders, price books): a consumer that keeps them in another form (the simulator keeps JSON
 * text) never holds the whole catalogue as objects.
 */
export function* catalogueRecords(options: CatalogueOptions): Generator<[ZohoEntityType, Record<string, unknown>]> {
  const plan = planOf(options);
  const { products, customers, invoices, salesOrders, priceBooks } = plan.options;
  for (let i = 0; i < products; i += 1) yield ['product', product(plan, i)];
  for (let i = 0; i < customers; i += 1) yield ['customer', customer(plan, i)];
  for (let i = 0; i < invoices; i += 1) yield ['invoice', invoice(plan, i)];
  for (let i = 0; i < salesOrders; i += 1) yield ['sales_order', salesOrder(plan, i)];
  for (let i = 0; i < priceBooks; i += 1) yield ['price_list', priceBook(plan, i)];
}

/** The whole catalogue as lists of records, for tests and small catalogues. */
export function generateCatalogue(options: CatalogueOptions): Catalogue {
  const catalogue: Catalogue = { product: [], customer: [], invoice: [], sales_order: [], price_list: [] };
  for (const [entityType, record] of catalogueRecords(options)) catalogue[entityType].push(record);
  return catalogue;
}

// ---------------------------------------------------------------------------------------------
// Changes over time

/**
 * One change to the catalogue, as a business makes them: `updated` names the fields that change
 * (a shallow merge, which the simulator's touch() applies with a new last_modified_time);
 * `created` carries a whole new invoice or sales order, its times already set to the change's.
 */
export type CatalogueChange =
  | { event: 'updated'; entityType: ZohoEntityType; id: string; changes: Record<string, unknown> }
  | { event: 'created'; entityType: ZohoEntityType; id: string; record: Record<string, unknown> };

/** How often each kind of change happens, relative to the others. */
const CHANGE_WEIGHTS: readonly [kind: string, weight: number][] = [
  ['product.stock', 48],
  ['product.price', 12],
  ['customer', 10],
  ['invoice', 10],
  ['invoice.new', 8],
  ['sales_order', 7],
  ['sales_order.new', 4],
  ['price_list', 1],
];

const INVOICE_NEXT: Readonly<Record<string, string>> = { draft: 'sent', sent: 'partially_paid', overdue: 'paid', partially_paid: 'paid' };
const SALES_ORDER_NEXT: Readonly<Record<string, string>> = { draft: 'confirmed', open: 'confirmed', confirmed: 'fulfilled', fulfilled: 'closed' };

/**
 * Realistic edits of a seeded catalogue, deterministic for a seed: stock moving in and out of
 * warehouses, price changes, invoices paid, orders shipped, new invoices and orders. `current`
 * reads the record being edited (the simulator's record()); one the simulator no longer has is
 * skipped.
 */
export class CatalogueChanges {
  private readonly plan: Plan;
  private readonly random: Random;
  private readonly created = { invoice: 0, sales_order: 0 };

  constructor(options: CatalogueOptions) {
    this.plan = planOf(options);
    this.random = randomFor(this.plan.options.seed, STREAM.changes, 0);
  }

  /** The next change at `at` (epoch ms), or undefined when the catalogue has nothing that kind of change could touch. */
  next(current: (entityType: ZohoEntityType, id: string) => Record<string, unknown> | undefined, at: number): CatalogueChange | undefined {
    const { products, customers, invoices, salesOrders, priceBooks } = this.plan.options;
    // Invoices and orders created by earlier changes are edited too.
    const available: Record<string, number> = {
      'product.stock': products,
      'product.price': products,
      customer: customers,
      invoice: invoices + this.created.invoice,
      'invoice.new': customers,
      sales_order: salesOrders + this.created.sales_order,
      'sales_order.new': customers,
      price_list: priceBooks,
    };
    const kinds = CHANGE_WEIGHTS.filter(([kind]) => available[kind] > 0);
    const total = kinds.reduce((sum, [, weight]) => sum + weight, 0);
    if (total === 0) return undefined;
    let roll = this.random.next() * total;
    const [kind] = kinds.find(([, weight]) => (roll -= weight) < 0) ?? kinds[kinds.length - 1];
    switch (kind) {
      case 'invoice.new':
        return this.newDocument('invoice', at);
      case 'sales_order.new':
        return this.newDocument('sales_order', at);
      default: {
        const entityType = kind.split('.')[0] as ZohoEntityType;
        const recordId = catalogueId(entityType, this.random.int(0, available[kind] - 1));
        const record = current(entityType, recordId);
        if (!record) return undefined;
        return { event: 'updated', entityType, id: recordId, changes: this.edit(kind, record) };
      }
    }
  }

  private newDocument(entityType: 'invoice' | 'sales_order', at: number): CatalogueChange {
    const base = entityType === 'invoice' ? this.plan.options.invoices : this.plan.options.salesOrders;
    const index = base + this.created[entityType];
    this.created[entityType] += 1;
    const times = { created: at, modified: at };
    const record = entityType === 'invoice' ? invoice(this.plan, index, times) : salesOrder(this.plan, index, times);
    record.status = entityType === 'invoice' ? 'sent' : 'confirmed';
    if (entityType === 'invoice') record.balance = record.total;
    else Object.assign(record, { order_status: 'confirmed', shipped_status: 'pending', invoiced_status: 'not_invoiced' });
    return { event: 'created', entityType, id: catalogueId(entityType, index), record };
  }

  private edit(kind: string, record: Record<string, unknown>): Record<string, unknown> {
    const random = this.random;
    switch (kind) {
      case 'product.stock': {
        const warehouses = Array.isArray(record.warehouses) ? (record.warehouses as Record<string, unknown>[]).map((w) => ({ ...w })) : [];
        if (warehouses.length === 0) return { reorder_level: random.int(0, 25) };
        const warehouse = random.pick(warehouses);
        const stock = Math.max(0, Number(warehouse.warehouse_stock_on_hand ?? 0) + random.int(-20, 40));
        Object.assign(warehouse, warehouseFigures(stock, random));
        return { warehouses, ...stockTotals(warehouses) };
      }
      case 'product.price':
        return { rate: Math.max(0.1, round2(Number(record.rate ?? 1) * (0.95 + random.next() * 0.13))) };
      case 'customer':
        return random.chance(0.7)
          ? { outstanding_receivable_amount: round2(Math.max(0, Number(record.outstanding_receivable_amount ?? 0) + (random.next() - 0.4) * 2000)) }
          : { phone: phone(random) };
      case 'invoice': {
        const next = INVOICE_NEXT[String(record.status)];
        if (!next) return { notes: `Checked ${random.int(1, 9999)}` };
        const total = Number(record.total ?? 0);
        return { status: next, balance: next === 'paid' ? 0 : next === 'partially_paid' ? round2(total / 2) : total };
      }
      case 'sales_order': {
        const next = SALES_ORDER_NEXT[String(record.status)];
        if (!next) return { notes: `Checked ${random.int(1, 9999)}` };
        return {
          status: next,
          order_status: next,
          ...(next === 'fulfilled' ? { shipped_status: 'shipped' } : {}),
          ...(next === 'closed' ? { invoiced_status: 'invoiced' } : {}),
        };
      }
      case 'price_list': {
        const items = Array.isArray(record.pricebook_items) ? (record.pricebook_items as Record<string, unknown>[]).map((item) => ({ ...item })) : [];
        if (items.length === 0) return { percentage: random.int(3, 20) };
        const item = random.pick(items);
        item.pricebook_rate = Math.max(0.1, round2(Number(item.pricebook_rate ?? 1) * (0.95 + random.next() * 0.1)));
        return { pricebook_items: items };
      }
      default:
        return {};
    }
  }
}
