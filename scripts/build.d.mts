// Types of scripts/build.mjs's exports, for test/unit/scripts/build.test.ts.
import type { BuildOptions } from 'esbuild';

export declare const targets: readonly BuildOptions[];
export declare const LEFT_OUT_PACKAGES: readonly string[];
export declare function leftOutModule(what: string): string;
