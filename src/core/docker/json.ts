import { InvalidResponse } from '../errors';

/**
 * Small run-time checks for JSON from a host: each returns the value with its type, or throws
 * InvalidResponse naming the path that was wrong ("containers[3].Ports[0].PublicPort").
 */
export type JsonObject = { readonly [key: string]: unknown };

export class JsonReader {
  constructor(readonly source: string) {}

  fail(path: string, expected: string): never {
    throw new InvalidResponse(this.source, path, expected);
  }

  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidResponse(this.source, path, 'an object');
    return value as JsonObject;
  }

  array(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value)) throw new InvalidResponse(this.source, path, 'an array');
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') throw new InvalidResponse(this.source, path, 'a string');
    return value;
  }

  /** A string, or undefined for a missing, null or empty value (Docker uses all three for "none"). */
  optionalString(value: unknown, path: string): string | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    return this.string(value, path);
  }

  integer(value: unknown, path: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new InvalidResponse(this.source, path, `a whole number from ${min} to ${max}`);
    }
    return value;
  }

  optionalInteger(value: unknown, path: string, min: number, max: number): number | undefined {
    if (value === undefined || value === null) return undefined;
    return this.integer(value, path, min, max);
  }
}
