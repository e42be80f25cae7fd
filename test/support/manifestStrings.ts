// The manifest's strings as VS Code resolves them: a string value that is exactly "%key%" is replaced by
// the key's text in package.nls.json (any other string, a "%" inside a URL included, stays as it is).

const PLACEHOLDER = /^%([\w.-]+)%$/;

/** The key of a "%key%" placeholder, or undefined for any other value. */
export function placeholderKey(value: unknown): string | undefined {
  return typeof value === 'string' ? PLACEHOLDER.exec(value)?.[1] : undefined;
}

/** Every placeholder key in `value`, in document order (repeats kept). */
export function placeholderKeys(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(placeholderKeys);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(placeholderKeys);
  const key = placeholderKey(value);
  return key === undefined ? [] : [key];
}

/** `value` with each placeholder replaced by its text; a key without a text throws. */
export function localized(value: unknown, strings: Readonly<Record<string, string>>): unknown {
  if (Array.isArray(value)) return value.map((v) => localized(v, strings));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, localized(v, strings)]));
  }
  const key = placeholderKey(value);
  if (key === undefined) return value;
  const text = strings[key];
  if (text === undefined) throw new Error(`package.json names %${key}%, which package.nls.json does not hold`);
  return text;
}
