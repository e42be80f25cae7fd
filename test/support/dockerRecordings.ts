import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One host's recorded Engine API answers. */
export interface RecordedHost {
  /** The folder under test/fixtures/docker, e.g. "docker-20". */
  readonly name: string;
  readonly containers: unknown;
  readonly version: unknown;
  readonly info: unknown;
}

const FIXTURES = join(__dirname, '../fixtures/docker');

/**
 * Every host recorded under test/fixtures/docker/ (real Docker 20.10 and 28 of the lab). Files are
 * recognised by content rather than name: an array is a container list, an object with ApiVersion
 * is /version, one with ServerVersion is /info.
 */
export function recordedHosts(): RecordedHost[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .sort()
    .filter((dir) => statSync(join(FIXTURES, dir)).isDirectory())
    .map((dir) => readHost(join(FIXTURES, dir), dir))
    .filter((host): host is RecordedHost => host !== undefined);
}

export function recording(dir: 'docker-20' | 'docker-28'): RecordedHost {
  const host = readHost(join(FIXTURES, dir), dir);
  if (host === undefined) throw new Error(`test/fixtures/docker/${dir} lacks the containers, version or info recording`);
  return host;
}

function readHost(dir: string, name: string): RecordedHost | undefined {
  let containers: unknown;
  let version: unknown;
  let info: unknown;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    let body: unknown;
    try {
      body = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch {
      continue;
    }
    if (Array.isArray(body)) containers ??= body;
    else if (typeof body === 'object' && body !== null && 'ApiVersion' in body) version ??= body;
    else if (typeof body === 'object' && body !== null && 'ServerVersion' in body) info ??= body;
  }
  return containers !== undefined && version !== undefined && info !== undefined ? { name, containers, version, info } : undefined;
}
