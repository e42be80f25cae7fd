import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import * as esbuild from 'esbuild';

/** scripts/build.mjs (typed by scripts/build.d.mts). */
const build = () => import('../../../scripts/build.mjs');

/**
 * scripts/build.mjs's own targets, built into a temporary folder: what `npm run build` writes, so
 * the tests load the bundles as a user's `docker-firewall` does, without touching dist/.
 */
describe('the bundles load only what an Engine API call over SSH needs', () => {
  let dir: string;
  const inputs = new Map<string, string[]>();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dfw-build-'));
    for (const options of (await build()).targets) {
      const result = await esbuild.build({ ...options, outfile: join(dir, options.outfile!), metafile: true, sourcemap: false, minify: true, logLevel: 'silent' });
      inputs.set(options.outfile!, Object.keys(result.metafile.inputs));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The built-in modules Node loaded by the time `script` had run and the process exits. */
  function modulesLoaded(script: string): string[] {
    const report = join(dir, 'report.js');
    // On a line of its own: a CLI that traces prints its trace lines to stderr after it.
    writeFileSync(report, "process.on('exit', () => process.stderr.write(`\\nmodules: ${JSON.stringify(process.moduleLoadList)}\\n`));");
    // The CLI's compile cache goes to the temporary folder, not to this machine's ~/.cache.
    const result = spawnSync(process.execPath, ['--require', report, '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: join(dir, 'modules-cache-home') } });
    assert.equal(result.status, 0, result.stderr);
    const line = result.stderr.split('\n').find((l) => l.startsWith('modules: '));
    assert.ok(line !== undefined, result.stderr);
    return (JSON.parse(line.slice('modules: '.length)) as string[]).map((m) => m.replace(/^NativeModule /, ''));
  }

  for (const outfile of ['dist/cli-main.js', 'dist/lib/dockerode.js', 'dist/lib/ssh2.js']) {
    test(`${outfile} holds no gRPC, protobuf or build-context code`, async () => {
      for (const name of (await build()).LEFT_OUT_PACKAGES) {
        assert.deepEqual(inputs.get(outfile)!.filter((i) => i.includes(`node_modules/${name}/`)), [], `${name} is in ${outfile}`);
      }
    });
  }

  test('neither the CLI nor the engine libraries load node:https or node:tls when they start', () => {
    const cli = modulesLoaded(`process.argv = [process.argv[0], 'cli.js', '--help']; require('./dist/cli.js');`);
    const libraries = modulesLoaded(`require('./dist/lib/dockerode.js'); require('./dist/lib/ssh2.js');`);
    for (const loaded of [cli, libraries]) {
      assert.ok(loaded.includes('http'), 'the check sees built-in modules');
      assert.deepEqual(loaded.filter((m) => m === 'https' || m === 'tls'), []);
    }
  });

  test('the CLI loads node:perf_hooks only when it traces (DOCKER_FIREWALL_TRACE=1)', () => {
    const cli = (trace: string) => modulesLoaded(`process.env.DOCKER_FIREWALL_TRACE = '${trace}'; process.argv = [process.argv[0], 'cli.js', '--help']; require('./dist/cli.js');`);
    assert.ok(!cli('0').includes('perf_hooks'), 'perf_hooks loaded without tracing');
    assert.ok(cli('1').includes('perf_hooks'), 'the check sees perf_hooks when the CLI traces');
  });

  test('dist/cli.js runs the CLI from dist/cli-main.js, writes its compile cache on the first run and runs from it on the next', () => {
    const cacheHome = join(dir, 'cache-home');
    const run = (env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [join(dir, 'dist/cli.js'), '--help'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...env } });
    const off = run({ DOCKER_FIREWALL_COMPILE_CACHE: '0' });
    assert.equal(off.status, 0, off.stderr);
    assert.match(off.stdout, /^Usage:/m);
    assert.ok(!existsSync(join(cacheHome, 'docker-firewall')), 'turned off: nothing written');
    const first = run();
    assert.equal(first.status, 0, first.stderr);
    assert.equal(first.stdout, off.stdout);
    assert.equal(readdirSync(join(cacheHome, 'docker-firewall')).filter((n) => n.endsWith('.v8cache')).length, 1);
    const second = run();
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, off.stdout);
  });

  test('a left-out package costs nothing to require and throws, naming itself, when it is used', async () => {
    const module = { exports: {} as Record<string, unknown> };
    runInNewContext((await build()).leftOutModule('tar-fs'), { module, Proxy, Error });
    assert.equal(module.exports.__esModule, undefined);
    assert.throws(() => module.exports.pack, /tar-fs is left out of this bundle/);
  });
});
