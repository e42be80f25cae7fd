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

const FIXTURES = join(__dirname, '../../../../fixtures/docker');

/**
 * Every host recorded under test/fixtures/docker/ (real Docker 20.10 and 28 of the lab). Files are
 * recognised by content rather than name: an array is a container list, an object with ApiVersion
 * is /version, one with ServerVersion is /info. A file that does not parse, is none of those, or a
 * folder that lacks one of them fails loudly: a broken recording must not shrink what is tested.
 */
export function recordedHosts(): RecordedHost[] {
  if (!existsSync(FIXTURES)) throw new Error(`${FIXTURES} is missing: the Docker recordings are part of the repository (lab/record-fixtures.sh)`);
  const hosts = readdirSync(FIXTURES)
    .sort()
    .filter((dir) => statSync(join(FIXTURES, dir)).isDirectory())
    .map((dir) => readHost(join(FIXTURES, dir), dir));
  if (hosts.length === 0) throw new Error(`no recorded host under ${FIXTURES}`);
  return hosts;
}

export function recording(dir: 'docker-20' | 'docker-28'): RecordedHost {
  return readHost(join(FIXTURES, dir), dir);
}

export function readHost(dir: string, name: string): RecordedHost {
  let containers: unknown;
  let version: unknown;
  let info: unknown;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const path = join(dir, file);
    let body: unknown;
    try {
      body = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(`${path}: the recording does not parse as JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (Array.isArray(body)) containers ??= body;
    else if (typeof body === 'object' && body !== null && 'ApiVersion' in body) version ??= body;
    else if (typeof body === 'object' && body !== null && 'ServerVersion' in body) info ??= body;
    else throw new Error(`${path}: neither a container list, /version (ApiVersion) nor /info (ServerVersion)`);
  }
  if (containers === undefined || version === undefined || info === undefined) {
    throw new Error(`${dir} lacks the ${[containers === undefined && 'containers', version === undefined && 'version', info === undefined && 'info'].filter(Boolean).join(', ')} recording`);
  }
  return { name, containers, version, info };
}
