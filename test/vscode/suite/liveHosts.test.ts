import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import * as vscode from 'vscode';
import type { DockerFirewallApi, TreeSnapshotItem } from '../../../src/vscode/api';
import { activateApi, extensionRoot, hostItem } from '../../support/vscode/extension';
import type { SuiteLab, SuiteLabHost } from '../../support/vscode/labState';
import { withSuiteLab } from '../../support/vscode/labSuite';
import { tcpConnectAll, unblockWithCli } from '../../support/vscode/outside';

// Live hosts on the lab's first host: a container started there (docker on the host, over the lab's
// ssh) shows in the tree without Refresh, through the host's Docker event stream; its exposed port
// gets the notification, whose Block External Access locks the host for real; the badge counts.
// Then a second container's notification is answered Allow (for 1 hour): the host is locked with
// that port allowed, which answers from outside while the demo's port 8080 no longer does.

const CONTAINER = 'live-db';
const PORT = 5432;
/** Started for the notification's Allow button; 8080 is the lab's demo web port, left without an allow. */
const ALLOWED_CONTAINER = 'live-cache';
const ALLOWED_PORT = 5433;
const OTHER_PORT = 8080;

function onHost(lab: SuiteLab, host: SuiteLabHost, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ssh', ['-F', lab.sshConfig, host.name, command], { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${host.name}: ${command}: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
}

/** Polls `probe` until it gives a value (no timing asserted: the test's timeout bounds it). */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(200);
  }
}

type Window = { -readonly [K in keyof typeof vscode.window]: (typeof vscode.window)[K] };

withSuiteLab('Live hosts', (lab) => {
  const host = lab.hosts[0]!;
  suite(`Live hosts on ${host.name} (Docker ${host.dockerMajor})`, function () {
    this.timeout(120_000);
    let api: DockerFirewallApi;
    const window = vscode.window as Window;
    const original = window.showWarningMessage;
    const originalQuickPick = window.showQuickPick;
    const notices: string[] = [];
    let answer: ((message: string) => Promise<string | undefined>) | undefined;

    suiteSetup(async function () {
      this.timeout(90_000);
      api = await activateApi();
      await onHost(lab, host, `docker rm -f ${CONTAINER} ${ALLOWED_CONTAINER} >/dev/null 2>&1 || true`);
      await unblockWithCli(lab, extensionRoot());
      await api.refresh();
      // The notification is read where the extension shows it, and answered as a click would.
      window.showWarningMessage = ((message: string, ...items: unknown[]) => {
        if (!message.includes(' to every network')) return Reflect.apply(original, vscode.window, [message, ...items]) as Thenable<unknown>;
        notices.push(`${message} [${items.join(' | ')}]`);
        return answer === undefined ? Promise.resolve(undefined) : answer(message);
      });
    });

    suiteTeardown(async function () {
      this.timeout(90_000);
      window.showWarningMessage = original;
      window.showQuickPick = originalQuickPick;
      await onHost(lab, host, `docker rm -f ${CONTAINER} ${ALLOWED_CONTAINER} >/dev/null 2>&1 || true`);
      await unblockWithCli(lab, extensionRoot());
      await api?.refresh();
    });

    test('a container started on the host appears without Refresh; its exposed port is announced once, Block locks the host, the badge counts', async () => {
      await hostItem(api, host.name);
      await until('the event stream', () => Promise.resolve(api.live().followed.includes(host.name) ? true : undefined));
      const before = api.live().badge;
      assert.ok(before !== undefined && before.value > 0, `the badge shows the demo containers' exposed ports: ${JSON.stringify(before)}`);
      assert.equal(before.tooltip, `${before.value} ports exposed to every network`);

      let blocked = false;
      let beforeBlock: string | undefined;
      const endpoint = `${host.ipv4}:${PORT}`;
      answer = async (message) => {
        if (!message.startsWith(`${CONTAINER} on `)) return undefined;
        // Before the click, the positive control: the new port answers from outside (httpd may
        // still be starting when its container's start event arrives, so a refusal is tried again).
        for (let attempt = 0; attempt < 20 && beforeBlock !== 'open'; attempt++) {
          if (attempt > 0) await sleep(250);
          beforeBlock = (await tcpConnectAll([{ address: host.ipv4, port: PORT }]))[endpoint];
        }
        blocked = true;
        return 'Block External Access';
      };
      await onHost(lab, host, `docker run -d --name ${CONTAINER} -p ${PORT}:80 lab/busybox:1 httpd -f -p 80 -h /www >/dev/null`);
      // Without api.refresh(): only the event stream can make the tree read the host again.
      await until('the container and its port in the tree', async () => {
        const item = (await hostItem(api, host.name)).children.find((c: TreeSnapshotItem) => c.label === CONTAINER);
        return item?.children.find((p) => p.label === `0.0.0.0:${PORT} → 80/tcp`);
      });
      assert.equal(api.live().badge?.value, before.value + 1);

      await until('the notification', () => Promise.resolve(blocked ? true : undefined));
      assert.deepEqual(notices.filter((n) => n.startsWith(CONTAINER)), [`${CONTAINER} on ${host.name} publishes 0.0.0.0:${PORT} to every network [Block External Access | Allow | Ignore]`]);
      assert.equal(beforeBlock, 'open', `${endpoint} answered from outside before Block`);
      await until('the host locked', () => Promise.resolve(api.hosts.state(host.name) === 'locked' ? true : undefined));
      const probes = await tcpConnectAll([{ address: host.ipv4, port: PORT }]);
      assert.deepEqual(probes, { [endpoint]: 'timeout' });
      const after = api.live().badge;
      assert.ok(after === undefined || after.value < before.value, `fewer exposed ports after Block: ${JSON.stringify(after)}`);
    });

    test('Allow in the notification locks the host with that port allowed for the chosen time: it answers from outside, another port does not', async () => {
      await unblockWithCli(lab, extensionRoot());
      await api.refresh();
      const targets = [ALLOWED_PORT, OTHER_PORT].map((port) => ({ address: host.ipv4, port }));
      const [allowedEndpoint, otherEndpoint] = targets.map((t) => `${t.address}:${t.port}`) as [string, string];
      const picked: string[] = [];
      // The duration pick, answered as a user would: 1 hour.
      window.showQuickPick = ((items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>, options?: vscode.QuickPickOptions) =>
        Promise.resolve(items).then((list) => {
          picked.push(options?.title ?? '');
          return list.find((i) => i.label === '1 hour');
        })) as unknown as Window['showQuickPick'];
      let before: Record<string, string> | undefined;
      let allowed = false;
      answer = async (message) => {
        if (!message.startsWith(`${ALLOWED_CONTAINER} on `)) return undefined;
        // The positive control before the click: both ports answer from outside (httpd may still be starting).
        const bothOpen = (): boolean => before !== undefined && Object.values(before).every((v) => v === 'open');
        for (let attempt = 0; attempt < 20 && !bothOpen(); attempt++) {
          if (attempt > 0) await sleep(250);
          before = await tcpConnectAll(targets);
        }
        allowed = true;
        return 'Allow';
      };
      await onHost(lab, host, `docker run -d --name ${ALLOWED_CONTAINER} -p ${ALLOWED_PORT}:80 lab/busybox:1 httpd -f -p 80 -h /www >/dev/null`);
      await until('the notification', () => Promise.resolve(allowed ? true : undefined));
      assert.deepEqual(before, { [allowedEndpoint]: 'open', [otherEndpoint]: 'open' }, 'both ports answered from outside before Allow');
      await until('the host locked with the allow', () => Promise.resolve(api.hosts.state(host.name) === 'locked' ? true : undefined));
      assert.deepEqual(picked, [`Allow ${ALLOWED_PORT}/tcp on ${host.name} from anywhere`]);
      assert.deepEqual(await tcpConnectAll(targets), { [allowedEndpoint]: 'open', [otherEndpoint]: 'timeout' });
      const port = (await hostItem(api, host.name)).children.find((c: TreeSnapshotItem) => c.label === ALLOWED_CONTAINER)?.children[0];
      assert.match(port?.description ?? '', /^allowed · (1 h|59 min) left$/, JSON.stringify(port));
    });
  });
});
