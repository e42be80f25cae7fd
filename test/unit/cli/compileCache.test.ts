import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCacheDir, compileCacheFile, runBundle } from '../../../src/cli/compileCache';

test('the compile cache lives in $XDG_CACHE_HOME/docker-firewall, else ~/.cache/docker-firewall, and is off with DOCKER_FIREWALL_COMPILE_CACHE=0', () => {
  assert.equal(compileCacheDir({ XDG_CACHE_HOME: '/var/cache/u' }, '/home/u'), '/var/cache/u/docker-firewall');
  assert.equal(compileCacheDir({}, '/home/u'), '/home/u/.cache/docker-firewall');
  // A relative XDG_CACHE_HOME is ignored, as the XDG specification says.
  assert.equal(compileCacheDir({ XDG_CACHE_HOME: 'cache' }, '/home/u'), '/home/u/.cache/docker-firewall');
  assert.equal(compileCacheDir({ DOCKER_FIREWALL_COMPILE_CACHE: '0' }, '/home/u'), undefined);
});

test('a cache file is named by the bundle\'s path and by its size and time, Node\'s version and the CPU together', () => {
  const file = { size: 637_000, mtimeMs: 1796468085161.7 };
  const name = compileCacheFile('/opt/dfw/dist/cli-main.js', file, 'v20.20.2', 'x64');
  assert.match(name, /^cli-[0-9a-f]{16}-[0-9a-f]{16}\.v8cache$/);
  assert.equal(compileCacheFile('/opt/dfw/dist/cli-main.js', { ...file }, 'v20.20.2', 'x64'), name);
  const prefix = (n: string) => n.split('-')[1];
  for (const other of [
    compileCacheFile('/opt/dfw/dist/cli-main.js', { ...file, size: 637_001 }, 'v20.20.2', 'x64'),
    compileCacheFile('/opt/dfw/dist/cli-main.js', { ...file, mtimeMs: file.mtimeMs + 1 }, 'v20.20.2', 'x64'),
    compileCacheFile('/opt/dfw/dist/cli-main.js', file, 'v20.20.3', 'x64'),
    compileCacheFile('/opt/dfw/dist/cli-main.js', file, 'v20.20.2', 'arm64'),
  ]) {
    assert.notEqual(other, name);
    assert.equal(prefix(other), prefix(name), 'same path, same first part: the newer replaces the older');
  }
  assert.notEqual(prefix(compileCacheFile('/usr/lib/dfw/cli-main.js', file, 'v20.20.2', 'x64')), prefix(name));
});

describe('runBundle', () => {
  let dir: string;
  let bundle: string;
  let cache: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dfw-compile-cache-'));
    bundle = join(dir, 'bundle.js');
    cache = join(dir, 'cache');
    writeFileSync(join(dir, 'helper.js'), 'module.exports = 42;');
    writeFileSync(bundle, 'function f(x) { return x * 2; }\nmodule.exports = { isMain: require.main === module, file: __filename, folder: __dirname, helper: require("./helper.js"), twice: f(21), self: this === module.exports };');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const cacheFiles = () => (existsSync(cache) ? readdirSync(cache).filter((n) => n.endsWith('.v8cache')) : []);

  test('runs the bundle as a main CommonJS module, compiles it without a cache the first time and writes one; the next run uses it', () => {
    const first = runBundle(bundle, cache);
    assert.equal(first.fromCache, false);
    first.saveCache();
    assert.equal(cacheFiles().length, 1);
    const second = runBundle(bundle, cache);
    assert.equal(second.fromCache, true);
  });

  test('what the bundle sees: require.main is its module, its own __filename and __dirname, require relative to it, this is exports', () => {
    assert.deepEqual(runBundle(bundle, undefined).exports, { isMain: true, file: bundle, folder: dir, helper: 42, twice: 42, self: true });
  });

  test('a damaged cache file is rejected by V8: the bundle runs compiled from source and the file is written again', () => {
    // In new processes: V8 keeps what it compiled in this one and would not look at the file again.
    const driver = join(dir, 'driver.ts');
    writeFileSync(driver, `import { runBundle } from ${JSON.stringify(join(__dirname, '../../../src/cli/compileCache'))};\nconst run = runBundle(process.argv[2]!, process.argv[3]);\nrun.saveCache();\nprocess.stdout.write(JSON.stringify({ fromCache: run.fromCache, exports: run.exports }));\n`);
    const inNewProcess = () => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', driver, bundle, cache], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout) as { fromCache: boolean; exports: { helper: number } };
    };
    const [name] = cacheFiles();
    writeFileSync(join(cache, name!), Buffer.from('not V8 code at all'));
    const damaged = inNewProcess();
    assert.equal(damaged.fromCache, false);
    assert.equal(damaged.exports.helper, 42);
    assert.equal(inNewProcess().fromCache, true);
  });

  test('a changed bundle gets its own cache, which replaces the old one of that path; a cache of another path is kept', () => {
    const elsewhere = join(cache, compileCacheFile('/elsewhere/cli-main.js', { size: 1, mtimeMs: 1 }, process.version, process.arch));
    writeFileSync(elsewhere, 'kept');
    const before = cacheFiles().filter((n) => join(cache, n) !== elsewhere);
    writeFileSync(bundle, 'module.exports = { changed: true };');
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    const run = runBundle(bundle, cache);
    assert.equal(run.fromCache, false);
    run.saveCache();
    const now = cacheFiles();
    assert.equal(now.length, 2);
    assert.ok(now.includes(elsewhere.slice(cache.length + 1)));
    assert.ok(!now.some((n) => before.includes(n)), 'the old cache of this path is gone');
  });

  test('a cache folder that cannot be made costs nothing but the cache', () => {
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'a file where the folder would be');
    const run = runBundle(bundle, join(blocked, 'docker-firewall'));
    assert.doesNotThrow(() => run.saveCache());
  });
});
