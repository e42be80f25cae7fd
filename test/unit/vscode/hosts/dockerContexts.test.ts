import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSshDockerContexts, sshContextFromMeta } from '../../../../src/vscode/hosts/dockerContexts';

/** meta.json as `docker context create prod --docker host=ssh://deploy@prod.example.com:2222 --description …` writes it. */
const prodMeta = {
  Name: 'prod',
  Metadata: { Description: 'production swarm' },
  Endpoints: { docker: { Host: 'ssh://deploy@prod.example.com:2222', SkipTLSVerify: false } },
};

test('a context with an ssh:// endpoint becomes a destination', () => {
  assert.deepEqual(sshContextFromMeta(prodMeta), { name: 'prod', destination: 'deploy@prod.example.com:2222', description: 'production swarm' });
});

test('contexts over a socket or TCP, and JSON of another shape, are not SSH hosts', () => {
  assert.equal(sshContextFromMeta({ Name: 'local', Endpoints: { docker: { Host: 'unix:///var/run/docker.sock' } } }), undefined);
  assert.equal(sshContextFromMeta({ Name: 'tcp', Endpoints: { docker: { Host: 'tcp://10.0.0.2:2376' } } }), undefined);
  assert.equal(sshContextFromMeta({ Name: 'odd', Endpoints: { docker: { Host: 'ssh://host/path' } } }), undefined);
  assert.equal(sshContextFromMeta({ Endpoints: {} }), undefined);
  assert.equal(sshContextFromMeta('nonsense'), undefined);
});

test('the contexts folder is read, sorted by name, skipping broken files; no folder means none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfw-contexts-'));
  try {
    const write = (digest: string, text: string) => {
      mkdirSync(join(dir, 'contexts', 'meta', digest), { recursive: true });
      writeFileSync(join(dir, 'contexts', 'meta', digest, 'meta.json'), text);
    };
    write('b1', JSON.stringify(prodMeta));
    write('a2', JSON.stringify({ Name: 'edge', Metadata: {}, Endpoints: { docker: { Host: 'ssh://edge' } } }));
    write('c3', '{ half-written');
    assert.deepEqual(await listSshDockerContexts(dir), [
      { name: 'edge', destination: 'edge' },
      { name: 'prod', destination: 'deploy@prod.example.com:2222', description: 'production swarm' },
    ]);
    assert.deepEqual(await listSshDockerContexts(join(dir, 'missing')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
