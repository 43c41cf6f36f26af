/**
 * Element building with text only: every value from the API goes in through textContent, never
 * as markup, so a record id or an error message holding `<script>` shows as those characters.
 */

type Child = Node | string | null | undefined | false;

export interface Props {
  className?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

/** A table whose rows come from `cells`; the header labels double as the cells' labels on narrow screens. */
export function table<T>(headers: string[], rows: T[], cells: (row: T) => Child[], empty: string): HTMLElement {
  if (rows.length === 0) return el('p', { className: 'empty' }, empty);
  const head = el('tr', {}, ...headers.map((h) => el('th', { attrs: { scope: 'col' } }, h)));
  const body = rows.map((row) => el('tr', {}, ...cells(row).map((cell, i) => el('td', { attrs: { 'data-label': headers[i] } }, cell))));
  return el('div', { className: 'table-box' }, el('table', {}, el('thead', {}, head), el('tbody', {}, ...body)));
}

/** A coloured label for an enum value (state, status, severity): its class is the value itself. */
export const badge = (value: string, text = value.replace(/_/g, ' ')): HTMLElement =>
  el('span', { className: `badge badge--${value}` }, text);
