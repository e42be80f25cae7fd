import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Node 20 has no module.enableCompileCache (22.1+): each start parsed the CLI bundle and compiled,
 * one by one, every function a command runs. V8 can hand its compiled code back as bytes
 * (`createCachedData`) and take it again on the next start (`cachedData`): the launcher (dist/cli.js)
 * loads the bundle (dist/cli-main.js) through one vm.Script with the code the first run left in a
 * cache file. The file's name is a digest of the bundle file's size and time, Node's version and the
 * CPU, so a rebuilt bundle or another Node never meets an old cache; V8 checks its own version and flags too
 * and rejects what does not fit (then the bundle is compiled as without a cache, and the file is
 * written again). Every failure to read or write the cache is silent: it only costs time.
 */

/** Set to `0` to load the bundle without the cache (and write none). */
export const COMPILE_CACHE_ENV = 'DOCKER_FIREWALL_COMPILE_CACHE';

/** The folder for the cache: `$XDG_CACHE_HOME/docker-firewall`, else `~/.cache/docker-firewall`; undefined when turned off. */
export function compileCacheDir(env: NodeJS.ProcessEnv, home: string): string | undefined {
  if (env[COMPILE_CACHE_ENV] === '0') return undefined;
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(home, '.cache');
  return join(base, 'docker-firewall');
}

/**
 * The cache file of one bundle on one Node and CPU: `cli-<where>-<what>.v8cache`, `where` a digest of
 * the bundle's path (installs in other places keep their own caches), `what` of the bundle file's
 * size and modification time (a rebuilt or reinstalled bundle is another file; hashing its 600 KiB
 * took ~10 ms of every start), Node's version and the CPU.
 */
export function compileCacheFile(bundlePath: string, bundle: { size: number; mtimeMs: number }, nodeVersion: string, arch: string): string {
  const digest = (...parts: string[]) => parts.reduce((h, p) => h.update(p).update('\0'), createHash('sha256')).digest('hex').slice(0, 16);
  return `cli-${digest(bundlePath)}-${digest(String(bundle.size), String(bundle.mtimeMs), nodeVersion, arch)}.v8cache`;
}

export interface LoadedBundle {
  /** Whether code from the cache was used (false: none yet, turned off, or V8 rejected it). */
  readonly fromCache: boolean;
  /** What the bundle put in module.exports. */
  readonly exports: unknown;
  /** Writes the cache if it is missing or was rejected; call once the command has run, when its functions are compiled. */
  saveCache(): void;
}

/**
 * Runs a CommonJS bundle as the main module (its `require.main === module` holds), compiled with
 * the code cache from `cacheDir` when there is a usable one.
 */
export function runBundle(bundlePath: string, cacheDir: string | undefined, compiled?: () => void): LoadedBundle {
  const fd = openSync(bundlePath, 'r');
  let source: string;
  let cacheFile: string | undefined;
  try {
    source = readFileSync(fd, 'utf8');
    cacheFile = cacheDir === undefined ? undefined : join(cacheDir, compileCacheFile(bundlePath, fstatSync(fd), process.version, process.arch));
  } finally {
    closeSync(fd);
  }
  const cachedData = cacheFile === undefined ? undefined : readOrUndefined(cacheFile);
  // The wrapper Node itself puts around a CommonJS module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: bundlePath, cachedData });
  const fromCache = cachedData !== undefined && !script.cachedDataRejected;
  compiled?.();
  const mod: { exports: unknown; id: string; filename: string; loaded: boolean } = { exports: {}, id: '.', filename: bundlePath, loaded: false };
  const requireFromBundle = createRequire(bundlePath);
  requireFromBundle.main = mod as NodeJS.Module;
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const exports = mod.exports as object;
  wrapper.call(exports, exports, requireFromBundle, mod, bundlePath, dirname(bundlePath));
  mod.loaded = true;
  return {
    fromCache,
    exports: mod.exports,
    saveCache: () => {
      if (fromCache || cacheDir === undefined || cacheFile === undefined) return;
      writeCache(cacheDir, cacheFile, script.createCachedData());
    },
  };
}

function readOrUndefined(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Written whole or not at all (a temporary file renamed), replacing the caches of earlier builds or Node versions at the same path. */
function writeCache(dir: string, file: string, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, file);
    const name = basename(file);
    const samePath = name.slice(0, name.lastIndexOf('-') + 1);
    for (const other of readdirSync(dir)) {
      if (other !== name && other.startsWith(samePath) && other.endsWith('.v8cache')) rmSync(join(dir, other), { force: true });
    }
  } catch {
    // A read-only home, a full disk: the next start compiles the bundle again, nothing else changes.
  }
}

/** The cache folder for this process (its environment and home). */
export function defaultCompileCacheDir(): string | undefined {
  return compileCacheDir(process.env, homedir());
}
