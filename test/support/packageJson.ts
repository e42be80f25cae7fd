// package.json of the extension, for tests that check the manifest against the code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '../..');

export interface PackageJson {
  readonly activationEvents?: readonly string[];
  readonly icon?: string;
  readonly contributes: {
    readonly commands: readonly { command: string; title: string; category?: string; icon?: string }[];
    readonly menus: Readonly<Record<string, readonly { command: string; when?: string; group?: string }[]>>;
    readonly views: Readonly<Record<string, readonly { id: string; name: string; icon?: string }[]>>;
    readonly viewsContainers: { readonly activitybar: readonly { id: string; title: string; icon: string }[] };
    readonly viewsWelcome: readonly { view: string; contents: string; when?: string }[];
    readonly configuration: {
      readonly properties: Readonly<Record<string, { type: string; default: unknown; scope?: string; pattern?: string; markdownDescription?: string }>>;
    };
  };
}

export const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as PackageJson;
