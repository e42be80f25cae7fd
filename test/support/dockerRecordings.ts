import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** One host's recorded Engine API answers (lab/record-fixtures.sh). */
export interface RecordedHost {
  /** The folder under test/fixtures/docker, e.g. "docker-20". */
  readonly name: string;
  readonly containers: unknown;
  readonly version: unknown;
  readonly info: unknown;
  readonly networks: unknown;
}

const FIXTURES = join(__dirname, '../fixtures/docker');

/** Every host recorded under test/fixtures/docker/ (the lab's Docker 20.10, 28, 29 and 29 with nftables). */
export function recordedHosts(): RecordedHost[] {
  const hosts = readdirSync(FIXTURES)
    .sort()
    .filter((dir) => statSync(join(FIXTURES, dir)).isDirectory())
    .map((dir) => recording(dir));
  if (hosts.length === 0) throw new Error(`no recorded hosts under ${FIXTURES}`);
  return hosts;
}

/** One recorded host; a file that is missing or does not parse fails the test that asked, naming the file. */
export function recording(dir: string, root = FIXTURES): RecordedHost {
  const read = (file: string): unknown => {
    const path = join(root, dir, file);
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as unknown;
    } catch (error) {
      throw new Error(`${path} cannot be read as JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  return { name: dir, containers: read('containers.json'), version: read('version.json'), info: read('info.json'), networks: read('networks.json') };
}
