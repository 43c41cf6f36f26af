import { documentText, MAX_BODY_CHARS } from '../../../src/modules/search/domain/document-text.mapper.js';
import { documentWrites } from '../../../src/modules/search/domain/record-changes.js';
import { zohoContact, zohoInvoice, zohoItem, zohoSalesOrder } from '../tds/fixtures/zoho-payloads.js';

describe('document text from Zoho records', () => {
  it('titles a product by its name and keeps its SKU and description searchable', () => {
    const text = documentText('product', zohoItem, zohoItem.item_id);
    expect(text.title).toBe('Laptop-white/15inch/dell');
    expect(text.keywords).toContain('LAP-WH-15');
    expect(text.body).toContain('Just a sample description.');
    // custom field values are what people remember ("the white one")
    expect(text.body).toContain('white');
  });

  it('titles a customer by its contact name, with email and address in the text', () => {
    const text = documentText('customer', zohoContact, zohoContact.contact_id);
    expect(text.title).toBe('Bowman and Co');
    expect(text.keywords).toContain('willsmith@bowmanfurniture.com');
    expect(text.body).toContain('Pleasanton');
    expect(text.body).toContain('Will Smith');
  });

  it('titles invoices and sales orders by their numbers, with the customer and what they sold', () => {
    const invoice = documentText('invoice', zohoInvoice, zohoInvoice.invoice_id);
    expect(invoice.title).toBe('INV-00003');
    expect(invoice.keywords).toBe('INV-00003 SO-00003');
    expect(invoice.body).toContain('Bowman and Co');
    expect(invoice.body).toContain('LAP-WH-15');
    expect(invoice.body).toContain('Installation');

    const order = documentText('sales_order', zohoSalesOrder, zohoSalesOrder.salesorder_id);
    expect(order.title).toBe('SO-00003');
    expect(order.body).toContain('Bowman and Co');
    expect(order.body).toContain('FedEx');
  });

  it('titles a record that lacks its name by its id and ignores fields of the wrong shape', () => {
    const text = documentText('product', { item_id: '7', name: { nested: true }, sku: ['x'], description: null }, '7');
    expect(text).toEqual({ title: '7', keywords: '', body: '' });
  });

  it('bounds the body without splitting a surrogate pair', () => {
    const description = 'a'.repeat(MAX_BODY_CHARS - 1) + '😀' + 'tail';
    const { body } = documentText('product', { name: 'x', description }, '1');
    expect(body.length).toBe(MAX_BODY_CHARS - 1);
    expect(() => JSON.parse(JSON.stringify(body))).not.toThrow();
    expect(/[\uD800-\uDBFF]$/.test(body)).toBe(false);
  });

  it('turns deleted records into removals and live ones into documents', () => {
    const base = { source: 'zoho', version: 1, arrivalSeq: 1 };
    const writes = documentWrites([
      { ...base, type: 'product', sourceId: '1', deleted: false, data: zohoItem },
      { ...base, type: 'product', sourceId: '2', deleted: true, data: zohoItem },
      { ...base, type: 'customer', sourceId: '3', deleted: false, data: null },
    ]);
    expect(writes.documents.map((d) => [d.sourceId, d.title])).toEqual([
      ['1', 'Laptop-white/15inch/dell'],
      ['3', '3'],
    ]);
    expect(writes.removals).toEqual([{ ...base, type: 'product', sourceId: '2' }]);
  });
});
