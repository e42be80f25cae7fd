// package.json of the extension, for tests that check the manifest against the code: as VS Code
// shows it, every "%key%" replaced by its English text from package.nls.json (manifestStrings.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { localized } from './manifestStrings';

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
    readonly walkthroughs: readonly {
      id: string;
      title: string;
      description: string;
      steps: readonly { id: string; title: string; description: string; media: { svg?: string; image?: unknown; markdown?: string; altText?: string }; completionEvents?: readonly string[] }[];
    }[];
    readonly configuration: {
      readonly properties: Readonly<Record<string, { type: string; default: unknown; scope?: string; pattern?: string; minimum?: number; maximum?: number; markdownDescription?: string }>>;
    };
  };
}

/** package.json as written, with its "%key%" placeholders. */
export const rawPackageJson: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
/** package.nls.json: the manifest's English strings by key. */
export const manifestStrings = JSON.parse(readFileSync(join(repoRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;

export const packageJson = localized(rawPackageJson, manifestStrings) as PackageJson;
