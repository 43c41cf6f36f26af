/**
 * JSON text with object keys sorted at every level, so equal values give equal text whatever
 * order their keys arrived in: the input of request and content hashes. Undefined properties
 * are left out, as JSON.stringify does.
 *
 * The text is JSON.stringify's own, of the value with each object whose keys are out of order
 * swapped for a sorted copy (everything already in order is shared, not copied). Writing the
 * text in JavaScript instead, value by value, held the event loop up to ~100 ms for one 1 MiB
 * webhook body (an array of 500,000 numbers; ~30 ms for 20,000 small warehouse entries), where
 * this takes 3-15 ms. As JavaScript enumerates a copy's integer-like keys ("7", "10") first, in
 * numeric order, those come first, then the others sorted: still one text per value.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(inKeyOrder(value));
}

/** `value`, or a copy of it where every object's keys are in sorted order. */
function inKeyOrder(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      // Tested here, not by a call per element: arrays of scalars are the largest bodies.
      if (typeof element !== 'object' || element === null) continue;
      const ordered = inKeyOrder(element);
      if (ordered !== element) (copy ??= value.slice())[i] = ordered;
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
  if (!sorted) keys.sort();
  let copy: Record<string, unknown> | undefined = sorted ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const member = record[keys[i]];
    const ordered = typeof member === 'object' && member !== null ? inKeyOrder(member) : member;
    if (copy === undefined && ordered !== member) {
      copy = {};
      for (let j = 0; j < i; j++) define(copy, keys[j], record[keys[j]]);
    }
    if (copy !== undefined) define(copy, keys[i], ordered);
  }
  return copy ?? record;
}

/** An assignment would set the copy's prototype for `__proto__`, which parsed JSON may hold as a plain key. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
