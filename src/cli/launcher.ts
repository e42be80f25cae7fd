// dist/cli.js, the `docker-firewall` command: loads the CLI bundle (dist/cli-main.js) with V8's code
// cache (compileCache.ts), and writes that cache after the first run's command, once its code is compiled.
import { join } from 'node:path';
import { traceMark } from '../core/trace';
import { defaultCompileCacheDir, runBundle } from './compileCache';

const loaded = runBundle(join(__dirname, 'cli-main.js'), defaultCompileCacheDir(), () => traceMark('bundle-compiled'));
process.once('exit', () => loaded.saveCache());
