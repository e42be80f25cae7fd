import { version } from '../../package.json';

/**
 * This build's version, from package.json at build time (esbuild keeps only this member of the
 * file). The history of changes on each host names it with the tool that made the change.
 */
export const PRODUCT_VERSION: string = version;
