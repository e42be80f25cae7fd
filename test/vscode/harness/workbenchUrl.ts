// The workbench URL that loads an extension in development mode (and optionally runs its tests),
// the web equivalent of `code --extensionDevelopmentPath=… --extensionTestsPath=…`. The workbench
// reads `folder` (a path on the remote) and `payload` (JSON pairs whose values are URIs) with
// URLSearchParams, so URLSearchParams builds them.
import * as path from 'node:path';

export interface WorkbenchUrlOptions {
  /** code-server's port on 127.0.0.1. */
  port: number;
  /** Folder on the server to open as the workspace. */
  folder?: string;
  /** `.code-workspace` file on the server to open instead of a folder. */
  workspace?: string;
  /** Extension folder(s) to load in development mode. */
  extensionDevelopmentPath?: string | readonly string[];
  /** Compiled test runner module exporting `run(): Promise<void>`. */
  extensionTestsPath?: string;
}

/** `vscode-remote://127.0.0.1:PORT/abs/path`, with every path segment percent-encoded. */
export function remoteUri(authority: string, absolutePath: string): string {
  const resolved = path.resolve(absolutePath);
  return `vscode-remote://${authority}${resolved.split('/').map(encodeURIComponent).join('/')}`;
}

export function workbenchUrl(options: WorkbenchUrlOptions): string {
  const authority = `127.0.0.1:${options.port}`;
  const payload: [string, string][] = [];
  const developmentPaths =
    options.extensionDevelopmentPath === undefined
      ? []
      : typeof options.extensionDevelopmentPath === 'string'
        ? [options.extensionDevelopmentPath]
        : options.extensionDevelopmentPath;
  for (const developmentPath of developmentPaths) payload.push(['extensionDevelopmentPath', remoteUri(authority, developmentPath)]);
  if (options.extensionTestsPath !== undefined) payload.push(['extensionTestsPath', remoteUri(authority, options.extensionTestsPath)]);

  const query = new URLSearchParams();
  if (options.folder !== undefined) query.set('folder', path.resolve(options.folder));
  if (options.workspace !== undefined) query.set('workspace', path.resolve(options.workspace));
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  const search = query.toString();
  return `http://${authority}/${search ? `?${search}` : ''}`;
}
