import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageJson, repoRoot } from '../../support/packageJson';

// The Get Started walkthrough (issue 15): a few steps (add a host, read the exposures, block, allow a
// port), each with buttons that run our commands, an image that follows the colour theme, and a way
// to be ticked off by doing it.

const contributes = packageJson.contributes;
const commands = new Set(contributes.commands.map((c) => c.command));
const views = new Set(Object.values(contributes.views).flatMap((list) => list.map((v) => v.id)));
const settings = new Set(Object.keys(contributes.configuration.properties));
const [walkthrough, ...others] = contributes.walkthroughs;

test('one walkthrough of 3 or 4 steps: add a host, read the exposures, block, allow a port', () => {
  assert.ok(walkthrough !== undefined);
  assert.deepEqual(others, []);
  assert.deepEqual(walkthrough.steps.map((s) => s.id), ['addHost', 'readExposures', 'block', 'allowPort']);
  // The UI test opens it by these texts (test/vscode/ui/extension.ui.ts).
  assert.equal(walkthrough.title, 'Get Started with Docker Firewall');
  assert.deepEqual(walkthrough.steps.map((s) => s.title), ['Add a Docker host', 'See what is exposed', 'Block external access', 'Allow a port again']);
});

test('every button of a step runs a command of ours or shows one of our views', () => {
  for (const step of walkthrough!.steps) {
    const links = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1] ?? '');
    assert.ok(links.length > 0, `${step.id} has a button`);
    for (const link of links) {
      const view = link.endsWith('.focus') ? link.slice(0, -'.focus'.length) : undefined;
      assert.ok(commands.has(link) || (view !== undefined && views.has(view)), `${step.id}: command:${link}`);
    }
  }
});

test('every step is ticked off by something a user does with us: a command, a view, a setting', () => {
  for (const step of walkthrough!.steps) {
    assert.ok((step.completionEvents ?? []).length > 0, step.id);
    for (const event of step.completionEvents ?? []) {
      const [kind, name = ''] = event.split(/:(.*)/s);
      const known = kind === 'onCommand' ? commands : kind === 'onView' ? views : kind === 'onSettingChanged' ? settings : undefined;
      assert.ok(known?.has(name), `${step.id}: ${event}`);
    }
  }
});

test('each image is an SVG drawn in the theme\'s colours (CSS variables of VS Code, no fixed colour), with a text for screen readers', () => {
  for (const step of walkthrough!.steps) {
    const { svg, altText } = step.media;
    assert.ok(svg !== undefined && altText !== undefined && altText !== '', step.id);
    const file = join(repoRoot, svg);
    assert.ok(existsSync(file), svg);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    // The walkthrough inlines the SVG in a webview whose Content-Security-Policy admits only its own
    // <style>: colours must be attributes (fill="var(--vscode-…)"), as in VS Code's own walkthroughs.
    assert.doesNotMatch(text, /<style|style=/i, `${svg}: a style would be blocked, and everything drawn black`);
    assert.match(text, /fill="var\(--vscode-foreground\)"/, `${svg} follows the theme`);
    for (const [, attribute = '', value = ''] of text.matchAll(/\b(fill|stroke)="([^"]*)"/g)) {
      assert.ok(value === 'none' || /^var\(--vscode-[\w-]+(?:, var\(--vscode-[\w-]+\))?\)$/.test(value), `${svg}: ${attribute}="${value}" is not a theme colour`);
    }
    assert.doesNotMatch(text, /#[0-9a-f]{3,8}\b|rgba?\(/i, `${svg} names no fixed colour`);
    assert.doesNotMatch(text, /<script|href=/i, `${svg} is a picture only`);
  }
});
