import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isLabUp, labHost, loadLab, onHost, type Lab, type LabHost } from '../../support/lab';
import { dockerFirewall, dockerFirewallJson } from '../../support/cli';
import { probe, probeBlocked, type PortProbe } from '../../support/probes';
import { needsLab, needsTool } from '../../support/requirements';

/**
 * Debian's ufw active on a Docker host, as its users run it: default deny incoming, 22/tcp allowed
 * (issue 14). ufw does not stop the published ports Docker forwards (past INPUT): that is shown
 * first, from outside; those reached through INPUT (docker-proxy: h2's IPv6 ports) ufw's deny does
 * stop, and status says so (ufw-active). Then Block, and what ufw users do every day — `ufw reload`,
 * `ufw disable` and `enable` again — must leave the lockdown in force: our chains and hooks stay
 * (ufw 0.36 rewrites only its own chains and the built-in chains' policies), the ports stay silent
 * from outside beside sshd answering, and status reads the same lockdown. An allow answers where
 * Docker forwards the port despite ufw's FORWARD policy DROP, and through INPUT once ufw allows it too.
 *
 * ufw runs in h2's namespaces with a private copy of /etc/ufw and /etc/default/ufw (bind-mounted
 * for each ufw command only), so nothing of this machine's own ufw set-up changes; its sysctl file
 * is left out (IPT_SYSCTL empty): those settings are the host's network, not its firewall.
 */
const skip = needsLab('ufw active on a Docker host', { outside: true }) || needsTool('ufw', 'ufw active on a Docker host');
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const HOST = 'h2';
const STATE = '/run/docker-firewall-ufw-test';
const PORTS: readonly PortProbe[] = [8080, 8081].flatMap((port) => (['ipv4', 'ipv6'] as const).map((family) => ({ port, family })));

interface StatusJson {
  locked: boolean;
  ports: { hostIp: string; hostPort: number; exposure: string; path: string }[];
  warnings: { code: string; message: string }[];
}

/** Runs ufw on the host with the private configuration in STATE. */
function ufw(host: LabHost, ...args: string[]) {
  const script = 'mount --bind "$1/etc-ufw" /etc/ufw && mount --bind "$1/default-ufw" /etc/default/ufw && shift && exec ufw "$@"';
  return onHost(host, ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, 'ufw', STATE, ...args]);
}

async function ufwOk(host: LabHost, ...args: string[]): Promise<void> {
  const result = await ufw(host, ...args);
  assert.equal(result.code, 0, `ufw ${args.join(' ')}: ${result.stderr}`);
}

/** Our chains and hooks as iptables-save prints them, both families, counters left out. */
async function ourRules(host: LabHost): Promise<string> {
  const saved = await onHost(host, ['sh', '-c', 'for s in iptables-save ip6tables-save; do echo "# $s"; $s -t filter | grep -E "PRE_DOCKER"; done']);
  assert.equal(saved.code, 0, saved.stderr);
  return saved.stdout;
}

describe(`${HOST} with ufw active (default deny incoming, 22/tcp allowed)`, { skip }, () => {
  let host: LabHost;
  /** The built-in chains' policies before ufw, put back afterwards (ufw disable sets them to ACCEPT). */
  let policies = '';
  /** What answered before Block, with ufw on: the ports Docker forwards. */
  let forwardedOnly: Record<string, string> = {};
  const status = () => dockerFirewallJson<StatusJson>(['status', HOST], { lab });
  const silent = async () => Object.fromEntries(await Promise.all(PORTS.map(async (p) => [`${p.family} ${p.port}`, await probeBlocked(lab!.outside.ns, host, p)] as const)));
  const allSilent = Object.fromEntries(PORTS.map((p) => [`${p.family} ${p.port}`, 'timeout']));

  before(async () => {
    host = labHost(lab!, HOST);
    const saved = await onHost(host, ['sh', '-c', 'iptables -S | grep "^-P" | sed "s/^/iptables /"; ip6tables -S | grep "^-P" | sed "s/^/ip6tables /"']);
    assert.equal(saved.code, 0, saved.stderr);
    policies = saved.stdout;
    const prepared = await onHost(host, ['sh', '-c', `rm -rf ${STATE} && mkdir -p ${STATE} && cp -a /etc/ufw ${STATE}/etc-ufw && sed 's|^IPT_SYSCTL=.*|IPT_SYSCTL=|' /etc/default/ufw >${STATE}/default-ufw`]);
    assert.equal(prepared.code, 0, prepared.stderr);
    await ufwOk(host, 'allow', '22/tcp');
    await ufwOk(host, '--force', 'enable');
    const active = await ufw(host, 'status');
    assert.match(active.stdout, /Status: active/);
  });

  after(async () => {
    await dockerFirewall(['unblock', HOST], { lab });
    if (host === undefined) return;
    await ufw(host, 'disable');
    // ufw disable leaves its chains, and the jumps to them, behind: they go, and the policies come back.
    const restore = `for s in iptables ip6tables; do $s-save -t filter | grep -v -E '^:ufw|-j ufw|-A ufw' | $s-restore; done; ${policies.trim().split("\n").join("; ")}; rm -rf ${STATE} /run/ufw.lock`;
    const cleaned = await onHost(host, ['sh', '-c', restore]);
    assert.equal(cleaned.code, 0, cleaned.stderr);
  });

  test('ufw does not stop the ports Docker forwards (answer from outside), only those reached through INPUT; status says which', async () => {
    const now = await status();
    const paths = Object.fromEntries(now.ports.filter((p) => p.hostPort === 8080 || p.hostPort === 8081).map((p) => [`${p.hostIp.includes(':') ? 'ipv6' : 'ipv4'} ${p.hostPort}`, p.path]));
    const expected = Object.fromEntries(PORTS.map((p) => [`${p.family} ${p.port}`, paths[`${p.family} ${p.port}`] === 'dnat' ? 'open' : 'timeout']));
    assert.ok(Object.values(expected).includes('open'), `some port is forwarded by Docker: ${JSON.stringify(paths)}`);
    assert.deepEqual(Object.fromEntries(await Promise.all(PORTS.map(async (p) => [`${p.family} ${p.port}`, await probeBlocked(lab!.outside.ns, host, p)] as const))), expected);
    const warning = now.warnings.find((w) => w.code === 'ufw-active');
    const inputPath = Object.entries(paths).filter(([, path]) => path !== 'dnat');
    if (inputPath.length > 0) assert.match(warning?.message ?? '', /^ufw is active on this host\. Ports reached through INPUT \(\[::\]:808[01]\/tcp/, JSON.stringify(now.warnings));
    else assert.equal(warning, undefined);
    forwardedOnly = expected;
  });

  test('Block: every published port is silent from outside beside sshd answering; status says blocked', async () => {
    const blocked = await dockerFirewall(['block', HOST], { lab });
    assert.equal(blocked.code, 0, blocked.stderr);
    assert.deepEqual(await silent(), allSilent);
    const now = await status();
    assert.equal(now.locked, true);
    assert.ok(now.ports.filter((p) => p.hostPort === 8080 || p.hostPort === 8081).every((p) => p.exposure === 'blocked'), JSON.stringify(now.ports));
  });

  test('ufw reload, then ufw disable and enable again: our rules stay as they were, the ports stay silent, status reads the same lockdown', async () => {
    const rules = await ourRules(host);
    assert.match(rules, /-A DOCKER-USER -j PRE_DOCKER/);
    for (const step of [['reload'], ['disable'], ['--force', 'enable']]) {
      await ufwOk(host, ...step);
      assert.equal(await ourRules(host), rules, `after ufw ${step.join(' ')}`);
      assert.deepEqual(await silent(), allSilent, `after ufw ${step.join(' ')}`);
    }
    const now = await status();
    assert.equal(now.locked, true);
    const trouble = now.warnings.filter((w) => /missing|drift|hook|leftover/.test(w.code));
    assert.deepEqual(trouble, [], JSON.stringify(now.warnings));
  });

  test('Allow 8081 with ufw active: it answers where Docker forwards it, through INPUT only once ufw allows it too (as the warning says)', async () => {
    const allowed = await dockerFirewall(['allow', HOST, '8081'], { lab });
    assert.equal(allowed.code, 0, allowed.stderr);
    for (const family of ['ipv4', 'ipv6'] as const) {
      assert.equal(await probeBlocked(lab!.outside.ns, host, { port: 8081, family }), forwardedOnly[`${family} 8081`], `${family} 8081`);
      assert.equal(await probeBlocked(lab!.outside.ns, host, { port: 8080, family }), 'timeout', `${family} 8080`);
    }
    await ufwOk(host, 'allow', '8081/tcp');
    for (const family of ['ipv4', 'ipv6'] as const) {
      assert.equal(await probe(lab!.outside.ns, host, { port: 8081, family }), 'open', `${family} 8081 after ufw allow`);
      assert.equal(await probeBlocked(lab!.outside.ns, host, { port: 8080, family }), 'timeout', `${family} 8080`);
    }
  });
});
