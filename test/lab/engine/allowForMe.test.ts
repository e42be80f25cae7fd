import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson, saveAll } from '../../support/cli';
import { sleep } from '../../support/faults';
import { probe, probeBlocked, probeOpen } from '../../support/probes';
import { needsLab } from '../../support/requirements';

/**
 * "Allow my address, for a while" (issue 13), with real connections, on both ways a host's kernel
 * ends an allow: iptables' time match (h1, Docker 20.10) and nftables' `meta time` (the Docker 29
 * host with its nftables backend, locked in tables of our own): the second client allows a port from
 * itself for 20 seconds; it gets in and the first client does not; then, with no client doing
 * anything, the host's kernel closes the port on time; status calls the allow ended, and the next
 * change (prune on h1, an unrelated allow on the nftables host) removes its rules.
 */
const skip = needsLab('allows from me and for a while', { outside: true });
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;

const PORT = 8081;
const OTHER = 8080;
const SECONDS = 20;
/** How soon after the end the port must be closed from outside (the limit). */
const CLOSE_WITHIN_MS = 5000;

interface AllowJson {
  port: number;
  proto: string;
  from: string | null;
  expires?: string;
  expired?: boolean;
}
interface StatusJson {
  allows: AllowJson[];
  ports: { hostPort: number; hostIp: string; exposure: string }[];
  warnings: { code: string }[];
}

const cases = [
  { name: 'h1', cleanup: 'prune' },
  { name: lab?.hosts.find((h) => h.firewallBackend === 'nftables')?.name ?? 'h4', cleanup: 'the next change' },
] as const;

for (const { name, cleanup } of cases) {
  describe(`allow from me, for ${SECONDS}s, on ${name}`, { skip }, () => {
    let host: LabHost;
    const second = () => lab!.outside2;
    const first = () => lab!.outside;
    const status = () => dockerFirewallJson<StatusJson>(['status', name]);
    /** The host's rules as its own tools print them: nftables' for the nftables host (ours are there), iptables' else. */
    const rules = async () => (host.firewallBackend === 'nftables' ? (await onHost(host, ['nft', 'list', 'ruleset'])).stdout : await saveAll(name));
    let expires = 0;

    before(async () => {
      host = labHost(lab!, name);
      assert.equal((await dockerFirewall(['block', name])).code, 0);
    });
    after(async () => {
      await dockerFirewall(['unblock', name]);
    });

    // First, as it takes longest: on a loaded machine it once outlasted the timed allow that follows.
    test(`deny --from me takes back exactly the allow of the client that asks (${OTHER}, allowed for good by both)`, async () => {
      assert.equal((await dockerFirewall(['allow', name, String(OTHER), '--from', 'me'], { ns: second().ns })).code, 0);
      assert.equal((await dockerFirewall(['allow', name, String(OTHER), '--from', 'me'], { ns: first().ns })).code, 0);
      assert.equal(await probeOpen(second().ns, host, { port: OTHER, family: 'ipv4' }), 'open');
      const denied = await dockerFirewall(['deny', name, String(OTHER), '--from', 'me'], { ns: second().ns });
      assert.equal(denied.code, 0, denied.stderr);
      assert.match(denied.stdout, new RegExp(`Blocked again ${OTHER}/tcp from ${second().ipv4.replaceAll('.', '\\.')}/32\\.`));
      assert.equal(await probeBlocked(second().ns, host, { port: OTHER, family: 'ipv4' }), 'timeout');
      assert.equal(await probeOpen(first().ns, host, { port: OTHER, family: 'ipv4' }), 'open', "the first client's own allow stands");
      assert.deepEqual((await status()).allows.filter((a) => a.port === OTHER).map((a) => a.from), [`${first().ipv4}/32`]);
    });

    test(`the second client allows ${PORT} from itself: it gets in, the first client does not`, async () => {
      const asked = Date.now();
      const result = await dockerFirewall(['allow', name, String(PORT), '--from', 'me', '--for', `${SECONDS}s`], { ns: second().ns });
      assert.equal(result.code, 0, result.stderr);
      const mine = `${second().ipv4}/32`;
      assert.match(result.stdout, new RegExp(`Allowed ${PORT}/tcp from ${mine.replaceAll('.', '\\.')} until \\S+Z \\((1[0-9]|20) s left; the host closes it then by itself\\)\\.`));
      assert.match(result.stdout, new RegExp(`That is ${second().ipv4.replaceAll('.', '\\.')}, your address as ${name} sees you`));
      const allow = (await status()).allows.find((a) => a.port === PORT);
      assert.ok(allow !== undefined && allow.from === mine && allow.expires !== undefined && allow.expired === false, JSON.stringify(allow));
      expires = Date.parse(allow.expires);
      // SECONDS after the host's clock at the allow's read: between the command's start and now (whole seconds).
      assert.ok(expires >= asked + SECONDS * 1000 - 1000 && expires <= Date.now() + SECONDS * 1000, `expires ${allow.expires}, ${SECONDS}s after the allow`);

      assert.equal(await probeOpen(second().ns, host, { port: PORT, family: 'ipv4' }), 'open');
      assert.equal(await probeBlocked(first().ns, host, { port: PORT, family: 'ipv4' }), 'timeout');
    });

    test(`with no client doing anything, ${PORT} closes from outside within ${CLOSE_WITHIN_MS / 1000}s of the end; status calls the allow ended`, async () => {
      const alive = Date.now() < expires - 1500 ? await probe(second().ns, host, { port: PORT, family: 'ipv4' }) : 'open';
      assert.equal(alive, 'open', 'still open before the end');
      await sleep(Math.max(0, expires - Date.now()));
      let closedAfterMs: number | undefined;
      while (Date.now() - expires <= CLOSE_WITHIN_MS) {
        // Each probe a new connection, beside the host's sshd answering the same client.
        if ((await probeBlocked(second().ns, host, { port: PORT, family: 'ipv4' }, undefined, 700)) === 'timeout') {
          closedAfterMs = Date.now() - expires;
          break;
        }
        await sleep(200);
      }
      assert.ok(closedAfterMs !== undefined, `${PORT} still answered ${CLOSE_WITHIN_MS} ms after the allow ended`);
      const now = await status();
      const allow = now.allows.find((a) => a.port === PORT);
      assert.equal(allow?.expired, true, JSON.stringify(allow));
      assert.ok(now.warnings.some((w) => w.code === 'allows-ended'));
      assert.ok(now.ports.filter((p) => p.hostPort === PORT && p.hostIp !== '127.0.0.1').every((p) => p.exposure === 'blocked'), JSON.stringify(now.ports.filter((p) => p.hostPort === PORT)));
    });

    test(`${cleanup} removes the ended allow's rules`, async () => {
      assert.match(await rules(), /until=/);
      if (cleanup === 'prune') {
        const result = await dockerFirewall(['prune', name]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`removed 1 ended allow: ${PORT}/tcp from `));
        const again = await dockerFirewall(['prune', name]);
        assert.match(again.stdout, /no allow has ended; nothing changed/);
      } else {
        assert.equal((await dockerFirewall(['allow', name, '9999'])).code, 0);
      }
      const now = await status();
      assert.deepEqual(now.allows.filter((a) => a.port === PORT), []);
      assert.ok(!now.warnings.some((w) => w.code === 'allows-ended'));
      assert.doesNotMatch(await rules(), /until=|--datestop|meta time/);
    });
  });
}
