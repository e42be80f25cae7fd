/**
 * A Node program, run with `node -e` in a fresh process per sample, that loads the bundled
 * extension with a minimal stand-in for the `vscode` module and calls activate(). It measures our
 * code's cost (loading the bundle, building the services, registering views and commands), not VS
 * Code's own (extension host start, reading package.json, drawing). It counts every socket the
 * process connects and every child process it starts, from before the bundle is loaded.
 *
 * argv: EXTENSION_JS PACKAGE_JSON SETTINGS_JSON SHOW_VIEW(yes|no) SETTLE_MS
 * prints: {"requireMs","activateMs","atActivation":{"sockets","processes"},"view"?:{...}}
 */
export const ACTIVATION_PROGRAM = String.raw`
'use strict';
const Module = require('node:module');
const net = require('node:net');
const childProcess = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { readFileSync } = require('node:fs');
const [extensionPath, packageJsonPath, settingsJson, showView, settleMs] = process.argv.slice(1);
const settings = JSON.parse(settingsJson);
const packageJSON = JSON.parse(readFileSync(packageJsonPath, 'utf8'));

const counts = { sockets: 0, processes: 0 };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { counts.sockets++; return connect.apply(this, args); };
for (const name of ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork']) {
  const original = childProcess[name];
  childProcess[name] = function (...args) { counts.processes++; return original.apply(this, args); };
}

class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((d) => d.dispose())); }
  dispose() { const fn = this.fn; this.fn = undefined; if (fn) fn(); }
}
class EventEmitter {
  constructor() {
    this.listeners = new Set();
    this.event = (listener, thisArg, disposables) => {
      const fn = thisArg ? listener.bind(thisArg) : listener;
      this.listeners.add(fn);
      const d = new Disposable(() => this.listeners.delete(fn));
      if (Array.isArray(disposables)) disposables.push(d);
      return d;
    };
  }
  fire(value) { for (const l of [...this.listeners]) l(value); }
  dispose() { this.listeners.clear(); }
}
const noEvent = () => new Disposable();
class TreeItem {
  constructor(label, collapsibleState) { this.label = label; this.collapsibleState = collapsibleState; }
}
class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } }
class ThemeColor { constructor(id) { this.id = id; } }
class MarkdownString {
  constructor(value = '', supportThemeIcons = false) { this.value = value; this.supportThemeIcons = supportThemeIcons; }
  appendMarkdown(text) { this.value += text; return this; }
  appendText(text) { this.value += text.replace(/[\\\x60*_{}[\]()#+\-.!]/g, '\\$&'); return this; }
  appendCodeblock(code, language = '') { this.value += '\n\x60\x60\x60' + language + '\n' + code + '\n\x60\x60\x60\n'; return this; }
}
const logChannel = (name) => ({
  name, logLevel: 2, onDidChangeLogLevel: noEvent,
  trace() {}, debug() {}, info() {}, warn() {}, error() {}, append() {}, appendLine() {}, replace() {}, clear() {}, show() {}, hide() {}, dispose() {},
});
const treeViews = new Map();
const ask = async () => undefined;
const window = {
  createOutputChannel: (name) => logChannel(name),
  createTreeView: (id, options) => {
    const view = {
      visible: true, selection: [], description: '', message: undefined, title: undefined, badge: undefined,
      onDidChangeVisibility: noEvent, onDidChangeSelection: noEvent, onDidExpandElement: noEvent,
      onDidCollapseElement: noEvent, onDidChangeCheckboxState: noEvent, reveal: async () => undefined, dispose() {},
    };
    treeViews.set(id, options.treeDataProvider);
    return view;
  },
  showInformationMessage: ask, showWarningMessage: ask, showErrorMessage: ask, showQuickPick: ask, showInputBox: ask,
  showTextDocument: ask,
  withProgress: (options, task) => task({ report() {} }, { isCancellationRequested: false, onCancellationRequested: noEvent }),
};
const configuration = {
  get: (key, fallback) => (key in settings ? settings[key] : fallback),
  has: (key) => key in settings,
  inspect: (key) => ({ key: 'dockerFirewall.' + key, globalValue: settings[key] }),
  update: async () => undefined,
};
const commandHandlers = new Map();
const vscode = {
  version: '1.100.0', Disposable, EventEmitter, TreeItem, ThemeIcon, ThemeColor, MarkdownString,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  QuickPickItemKind: { Separator: -1, Default: 0 },
  window,
  workspace: { getConfiguration: () => configuration, onDidChangeConfiguration: noEvent, openTextDocument: ask },
  commands: {
    registerCommand: (id, handler) => { commandHandlers.set(id, handler); return new Disposable(() => commandHandlers.delete(id)); },
    executeCommand: async (id, ...args) => { const handler = commandHandlers.get(id); return handler ? handler(...args) : undefined; },
  },
};
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };

const memento = () => { const m = new Map(); return { get: (k, d) => (m.has(k) ? m.get(k) : d), update: async (k, v) => { m.set(k, v); }, keys: () => [...m.keys()], setKeysForSync() {} }; };
const context = {
  subscriptions: [],
  secrets: { get: ask, store: ask, delete: ask, onDidChange: noEvent },
  globalState: memento(),
  workspaceState: memento(),
  extension: { id: 'docker-firewall.docker-firewall', packageJSON },
  extensionMode: 1,
};

(async () => {
  const t0 = performance.now();
  const extension = require(extensionPath);
  const t1 = performance.now();
  const api = extension.activate(context);
  const t2 = performance.now();
  // Whatever activation deferred (timers, promises) would connect now.
  await new Promise((resolve) => setTimeout(resolve, Number(settleMs)));
  const atActivation = { ...counts };
  let view;
  if (showView === 'yes') {
    // What VS Code does when the Hosts view is shown: ask for its items, every level.
    const t3 = performance.now();
    const items = await api.treeSnapshot();
    const ms = performance.now() - t3;
    const errors = items.filter((h) => h.children.some((c) => c.contextValue === 'error')).map((h) => h.label + ': ' + h.children[0].label);
    const containers = items.reduce((n, h) => n + h.children.filter((c) => c.contextValue.startsWith('container')).length, 0);
    view = { ms, hosts: items.length, containers, errors, sockets: counts.sockets - atActivation.sockets };
  }
  for (const d of context.subscriptions) { try { d.dispose(); } catch {} }
  if (extension.deactivate) extension.deactivate();
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, activateMs: t2 - t1, atActivation, view }));
  process.exit(0);
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;
