import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isLabUp, labHost, loadLab, onHost, tcpConnect, type Lab } from '../support/lab';
import { saveAll } from '../support/cli';
import { cli, type StatusJson } from '../support/engine';
import { envCount, runSeed } from '../support/faults';
import { recordFigures, suiteMeasurement } from '../support/figures';
import { BLOCKED_MS, probeBlocked } from '../support/probes';
import { needsLab } from '../support/requirements';
import { checkPayloadLine, checkSentLine, hasControlCharacter, type Vocabulary } from '../support/commandLines';
import { recordedHost, startRecordingServer, type RecordedMajor, type RecordingServer, type SentCommand } from '../support/recordingHost';
import { bundleParts } from '../../src/core/remote/stdinBundle';
import { parseInvocation } from '../../src/cli/args';
import { exitCodeFor } from '../../src/cli/main';
import { runMain } from '../support/cliMain';
import { changes, type PolicyChange } from '../../src/core/hosts/firewallEngine';
import { openHost } from '../../src/core/hosts/openHost';
import { persistCommand } from '../../src/core/firewall/persistence';
import { readPolicy } from '../../src/core/firewall/readPolicy';
import { firewallTables } from '../../src/core/firewall/firewallTables';
import { parseFirewallReport } from '../../src/core/firewall/readFirewall';
import { lockdownScope } from '../../src/core/firewall/scope';
import { RECORDING_NONCE } from '../../scripts/recordingNonce';
import type { Allow } from '../../src/core/firewall/policy';
import type { AllowRequest } from '../../src/core/firewall/allowRequest';
import type { Inventory } from '../../src/core/docker/inventoryModel';
import { DockerFirewallError } from '../../src/core/errors';
import { parseDestination } from '../../src/core/ssh/destination';
import { DEFAULT_CHAIN, parseChainName, parseCidr, type ChainName } from '../../src/core/validate';
import { writeReport } from '../../scripts/reliability-report';

/**
 * Everything a user types, drawn with shell metacharacters, newlines and unicode: each input is
 * rejected with exit 2 and a message that shows it escaped, or accepted, and then the real engine and
 * SSH session run against an SSH server that records every exec line as it arrives. Each line must
 * be the shell quoting of an argv the engine builds, and each payload line must carry only the
 * values asked for. A few accepted inputs also run on the lab, checked by iptables and traffic.
 */
const lab: Lab | undefined = isLabUp() ? loadLab() : undefined;
const labSkip = needsLab('bad input on the lab', { outside: true });
const RUNS = envCount('RELIABILITY_PROPERTY_RUNS', 250);
const SEED = runSeed();

const NASTY = [
  ';', '|', '&', '$', '(', ')', '`', "'", '"', '\\', '<', '>', '*', '?', '!', '{', '}', '[', ']', '#', '~', ' ', '\t', '\n', '\r', '\0',
  '%', '=', ',', ':', '/', '.', '-', '+', '@', 'é', '８', '٣', '🔥', '\u202e', '\u00a0', '\ufeff', '\u2028', '$(id)', '`id`', '${IFS}', '\nreboot',
];
const nastyChar = fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom(...'0123456789abcxyzTCPUDP'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
const nasty = (maxLength: number) => fc.string({ unit: nastyChar, maxLength });

/**
 * How an input was drawn. "adversarial": built from the hostile alphabet above or from hostile
 * words (shell syntax, reserved names); these are the inputs whose acceptance matters. "shaped":
 * built from the syntax itself (numbers, addresses, prefixes, protocol suffixes, names of the right
 * alphabet), valid or just out of range: their acceptance is expected and counted apart.
 */
type Drawn = 'adversarial' | 'shaped';
interface Input {
  readonly text: string;
  readonly drawn: Drawn;
}
const tag = (drawn: Drawn) => (text: string): Input => ({ text, drawn });

const portSpec = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }).map(String).map(tag('shaped')),
  fc.tuple(fc.integer({ min: 0, max: 70_000 }), fc.constantFrom('', '/tcp', '/udp', '/TCP', '/Udp', ' / udp', '/icmp', '/', '/tcp/udp')).map(([p, s]) => `${p}${s}`).map(tag('shaped')),
  fc.tuple(nasty(3), fc.integer({ min: 1, max: 65_535 }), nasty(3)).map(([a, p, b]) => `${a}${p}${b}`).map(tag('adversarial')),
  nasty(12).map(tag('adversarial')),
);
const cidr = fc.oneof(
  fc.ipV4().map(tag('shaped')),
  fc.ipV6().map(tag('shaped')),
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 40 })).map(([ip, n]) => `${ip}/${n}`).map(tag('shaped')),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 140 })).map(([ip, n]) => `${ip}/${n}`).map(tag('shaped')),
  fc.tuple(nasty(3), fc.oneof(fc.ipV4(), fc.ipV6()), nasty(3)).map(([a, ip, b]) => `${a}${ip}${b}`).map(tag('adversarial')),
  nasty(16).map(tag('adversarial')),
);
const chainName = fc.oneof(
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,23}$/).map(tag('shaped')),
  fc.constantFrom('DOCKER', 'DOCKER-USER', 'INPUT', 'input', 'accept', 'PRE DOCKER', '-j', 'x;id', '$(id)', 'A'.repeat(22), 'é', 'sh', 'if').map(tag('adversarial')),
  nasty(10).map(tag('adversarial')),
);
const hostSpec = fc.oneof(
  fc.tuple(fc.constantFrom('', 'root@', 'deploy@'), fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((a) => `[${a}]`)), fc.constantFrom('', ':22', ':0', ':65536'))
    .map(([u, h, p]) => `${u}${h}${p}`)
    .map(tag('shaped')),
  fc.tuple(fc.constantFrom('a b@', '$(id)@', 'ü@', ''), fc.oneof(fc.domain(), fc.ipV4(), fc.ipV6().map((a) => `[${a}]`)), fc.constantFrom(':2a', ';id', ' -oProxyCommand=id', ''))
    .filter(([u, , p]) => u !== '' || p !== '')
    .map(([u, h, p]) => `${u}${h}${p}`)
    .map(tag('adversarial')),
  fc.tuple(fc.domain(), nasty(4)).map(([d, n]) => `${d}${n}`).map(tag('adversarial')),
  nasty(20).map(tag('adversarial')),
);

/** What a user's input may legitimately put into rules on the recorded hosts. */
function vocabulary(major: RecordedMajor, chain: string, extra: readonly Allow[]): Vocabulary {
  const { report, inventory } = recordedHost(major);
  const raw = parseFirewallReport(report, '', 0, RECORDING_NONCE);
  const recorded = readPolicy(firewallTables(raw, DEFAULT_CHAIN)).allows;
  const allows = [...recorded, ...extra];
  // What the host itself holds (its bridges, its listening sockets) may appear in rules too.
  const scope = lockdownScope(inventory, raw.facts);
  const hostPorts = [...scope.ipv4.hostPorts, ...scope.ipv6.hostPorts];
  return {
    chain,
    ports: new Set([...inventory.containers.flatMap((c) => c.ports.map((p) => p.hostPort)), ...hostPorts.map((p) => p.port), ...allows.flatMap((a) => [a.port, ...(a.endPort === undefined ? [] : [a.endPort])])]),
    cidrs: new Set(allows.flatMap((a) => (a.from ? [a.from.text] : []))),
    bridges: new Set([...scope.ipv4.bridges, ...scope.ipv6.bridges]),
    addresses: new Set(hostPorts.flatMap((p) => (p.address === undefined ? [] : [p.address]))),
    sshPort: scope.sshPort,
  };
}

/** A rejection: InvalidInput or InvalidDestination (exit 2), its message printable and the input shown escaped. */
function assertRejected(error: unknown, input: string): void {
  assert.ok(error instanceof DockerFirewallError, String(error));
  assert.equal(exitCodeFor(error), 2, `${error.code}: ${error.message}`);
  const message = error.message.split('\n\n')[0]!; // parseArgs errors end with the usage text
  assert.ok(!hasControlCharacter(message, { allow: '\t\n' }), `raw control characters in the message: ${JSON.stringify(message)}`);
  if (/[\n\r]/.test(input)) assert.ok(!message.includes(input), 'the raw input (with its line breaks) echoed');
}

describe('bad input: properties against an SSH server that records every command line', () => {
  let rec: RecordingServer;
  const tally = { engineRuns: 0, linesChecked: 0, payloadLinesChecked: 0 };
  type Counts = Record<`${Drawn}${'Inputs' | 'Accepted' | 'Rejected'}`, number>;
  const perKind = new Map<string, { counts: Counts; error?: string }>();
  const kindOf = (kind: string) => {
    let k = perKind.get(kind);
    if (k === undefined) {
      k = { counts: { adversarialInputs: 0, adversarialAccepted: 0, adversarialRejected: 0, shapedInputs: 0, shapedAccepted: 0, shapedRejected: 0 } };
      perKind.set(kind, k);
    }
    return k;
  };
  const count = (kind: string, input: Input, accepted: boolean) => {
    const { counts } = kindOf(kind);
    counts[`${input.drawn}Inputs`]++;
    counts[`${input.drawn}${accepted ? 'Accepted' : 'Rejected'}`]++;
  };
  /** Runs a property; its failure is kept for the kind's record and rethrown. */
  const property = async (kind: string, run: () => Promise<void> | void) => {
    try {
      await run();
    } catch (error) {
      kindOf(kind).error = (error instanceof Error ? error.message : String(error)).split('\n').find((l) => l.trim() !== '');
      throw error;
    }
  };
  const other = { validInputs: 0, validAccepted: 0, namesDrawn: 0, sameCommandLines: 0 };

  before(async () => {
    rec = await startRecordingServer();
  });
  after(async () => {
    await rec.close();
    if (lab) {
      for (const [kind, k] of perKind) {
        recordFigures(lab, 'bad-input', undefined, { case: kind, setup: { seed: SEED }, figures: k.counts, outcome: k.error === undefined ? 'pass' : 'fail', error: k.error });
      }
      const errors = [...perKind.values()].flatMap((k) => (k.error === undefined ? [] : [k.error]));
      recordFigures(lab, 'bad-input', undefined, {
        case: 'all properties (recording server)',
        setup: { seed: SEED, runsPerProperty: RUNS },
        figures: { ...tally, ...other },
        outcome: errors.length === 0 ? 'pass' : 'fail',
        error: errors[0],
      });
      writeReport();
    }
  });

  /** Runs the engine on a recorded host and checks every line it sent; returns the apply payloads. */
  async function runAndCheck(major: RecordedMajor, user: 'root' | 'deploy', inventory: Inventory, chain: ChainName, extra: readonly Allow[], change: PolicyChange): Promise<SentCommand[]> {
    rec.report = recordedHost(major).report;
    const from = rec.sent.length;
    await rec.engine(user, inventory, chain).apply(change);
    const sent = rec.sent.slice(from);
    const vocab = vocabulary(major, chain, extra);
    assert.ok(sent.length >= 1);
    for (const { line, stdin } of sent) {
      const { payloadLines } = checkSentLine(line, vocab, stdin);
      tally.linesChecked++;
      tally.payloadLinesChecked += payloadLines;
    }
    tally.engineRuns++;
    return sent;
  }
  /** The IPv4 and IPv6 payloads of each apply sent (parts 1 and 2 of its stdin bundle). */
  const decodedPayloads = (sent: readonly SentCommand[]) =>
    sent.filter((c) => c.line.includes('docker-firewall-apply')).flatMap((c) => bundleParts(c.stdin).slice(0, 2));

  test('ports and protocols (allow, deny, block --allow): exit 2, or exactly the rule asked for', () => property('port', () => fc.assert(
      fc.asyncProperty(portSpec, fc.constantFrom('allow', 'deny', 'block'), fc.constantFrom<'root' | 'deploy'>('root', 'deploy'), fc.constantFrom<RecordedMajor>('20', '28', '29'), async (input, command, user, major) => {
        const spec = input.text;
        const argv = command === 'block' ? ['block', 'h1', '--allow', spec] : [command, 'h1', spec];
        let inv;
        try {
          inv = parseInvocation(argv);
        } catch (error) {
          count('port', input, false);
          assertRejected(error, spec);
          // The oracle: what the documented syntax PORT[/tcp|udp] or START-END[/tcp|udp] would reject.
          const [p = '', proto = 'tcp', more] = spec.split('/');
          const inRange = (t: string) => /^[0-9]{1,5}$/.test(t.trim()) && Number(t.trim()) >= 1 && Number(t.trim()) <= 65_535;
          const ends = p.trim().split('-');
          const ports = ends.length === 1 ? inRange(p) : ends.length === 2 && inRange(ends[0]!) && inRange(ends[1]!) && Number(ends[0]) <= Number(ends[1]);
          const valid = more === undefined && ports && /^(tcp|udp)$/i.test(proto.trim());
          assert.equal(valid, false, `"${spec}" is a valid port spec yet was rejected`);
          return;
        }
        count('port', input, true);
        assert.ok(inv.command !== 'help' && inv.command !== 'verify' && inv.command !== 'history');
        const allow = fixedAllow(inv.allows[0]!);
        assert.ok(Number.isInteger(allow.port) && allow.port >= 1 && allow.port <= 65_535);
        assert.equal(allow.port, Number(spec.split('/')[0]!.trim().split('-')[0]));
        assert.equal(allow.proto, (spec.split('/')[1] ?? 'tcp').trim().toLowerCase());
        const change = command === 'allow' ? changes.allow(allow) : command === 'deny' ? changes.deny(allow) : changes.block([allow]);
        const sent = await runAndCheck(major, user, recordedHost(major).inventory, DEFAULT_CHAIN, [allow], change);
        if (command === 'allow' && allow.endPort === undefined && !vocabulary(major, DEFAULT_CHAIN, []).ports.has(allow.port)) {
          assert.ok(decodedPayloads(sent).some((p) => p.includes(`--ctorigdstport ${allow.port} --ctdir ORIGINAL -m comment --comment "docker-firewall:v1 allow ${allow.proto}/${allow.port}"`)));
        }
      }),
      { numRuns: RUNS * 2, seed: SEED },
    )));

  test('source CIDRs (--from): exit 2, or a canonical network in its own family only', () => property('cidr', () => fc.assert(
      fc.asyncProperty(cidr, fc.constantFrom<RecordedMajor>('20', '28', '29'), async (input, major) => {
        const text = input.text;
        let inv;
        try {
          inv = parseInvocation(['allow', 'h1', '9999', '--from', text]);
        } catch (error) {
          count('cidr', input, false);
          assertRejected(error, text);
          return;
        }
        count('cidr', input, true);
        assert.ok(inv.command !== 'help' && inv.command !== 'verify' && inv.command !== 'history');
        const allow = fixedAllow(inv.allows[0]!);
        const from = allow.from!;
        assert.match(from.text, from.family === 'ipv4' ? /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/ : /^[0-9a-f:.]+\/\d{1,3}$/);
        assert.deepEqual(parseCidr(from.text), from, 'canonical: parsing it again gives the same');
        const sent = await runAndCheck(major, 'root', recordedHost(major).inventory, DEFAULT_CHAIN, [allow], changes.allow(allow));
        const payloads = decodedPayloads(sent);
        // The allow lands in its own family's payload (IPv4 first) and never in the other one.
        const [v4 = '', v6 = ''] = payloads;
        const rule = `-s ${from.text} -p tcp -m conntrack --ctorigdstport 9999`;
        assert.equal(v4.includes(rule), from.family === 'ipv4');
        assert.equal(v6.includes(rule), from.family === 'ipv6');
      }),
      { numRuns: RUNS, seed: SEED },
    )));

  // Valid by construction: counted apart (validInputs, validAccepted), never as accepted bad input.
  test('valid addresses and prefixes are all accepted', () =>
    property('cidr', () =>
      fc.assert(
        fc.property(fc.oneof(fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })), fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }))), ([ip, n]) => {
          other.validInputs++;
          assert.doesNotThrow(() => parseCidr(`${ip}/${n}`));
          other.validAccepted++;
        }),
        { numRuns: RUNS, seed: SEED },
      ),
    ));

  test('chain names (--chain): exit 2, or a bare word that appears only as our chain, in payloads and the persist script', () => property('chain', () => fc.assert(
      fc.asyncProperty(chainName, fc.constantFrom<RecordedMajor>('20', '28', '29'), async (input, major) => {
        const chain = input.text;
        let inv;
        try {
          inv = parseInvocation(['--chain', chain, 'block', 'h1']);
        } catch (error) {
          count('chain', input, false);
          assertRejected(error, chain);
          return;
        }
        count('chain', input, true);
        assert.ok(inv.command !== 'help' && inv.command !== 'verify' && inv.command !== 'history');
        assert.match(inv.options.chain, /^[A-Za-z][A-Za-z0-9_-]{0,20}$/);
        await runAndCheck(major, 'root', recordedHost(major).inventory, inv.options.chain, [], changes.block());
        // persist: the script for this chain is the script for a sentinel chain with the name put in its place.
        const host = rec.engine('root', recordedHost(major).inventory, inv.options.chain);
        const plan = host.plan(await host.read(), changes.block());
        // File contents travel on stdin, checked apart: the script must not differ from the sentinel's.
        const persist = persistCommand('nft', inv.options.chain, plan.ipv4.wanted, plan.ipv6.wanted);
        const script = persist.argv[2]!;
        const sentinelHost = rec.engine('root', recordedHost(major).inventory, parseChainName('ZZCHAINZZ'));
        const sp = sentinelHost.plan(await sentinelHost.read(), changes.block());
        const sentinel = persistCommand('nft', parseChainName('ZZCHAINZZ'), sp.ipv4.wanted, sp.ipv6.wanted).argv[2]!;
        assert.ok(script === sentinel.replaceAll('ZZCHAINZZ', inv.options.chain), `the persist script for chain ${inv.options.chain} differs from the sentinel's`);
        for (const file of persist.files.filter((f) => /\/rules\.v[46]$/.test(f.path))) {
          for (const line of file.content.split('\n')) checkPayloadLine(line, vocabulary(major, inv.options.chain, []));
        }
        const parsed = spawnSync('sh', ['-n', '-c', script]);
        assert.equal(parsed.status, 0, 'the persist script parses');
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED },
    )));

  test('host specs: exit 2 before any connection, or fields that hold no shell metacharacter', () => property('host', () => fc.assert(
      fc.asyncProperty(hostSpec, async (input) => {
        const spec = input.text;
        let destination;
        try {
          destination = parseDestination(spec);
        } catch (error) {
          count('host', input, false);
          assertRejected(error, spec);
          assert.throws(() => openHost({ destination: spec }), (e: unknown) => e instanceof DockerFirewallError && e.code === 'InvalidDestination');
          if (spec !== '' && !spec.startsWith('-')) {
            // The CLI as a whole: exit 2, and it never got as far as connecting (it would have failed otherwise).
            assert.equal((await runMain(['status', spec])).code, 2);
          }
          return;
        }
        count('host', input, true);
        assert.match(destination.host, /^[A-Za-z0-9_.:%-]+$/);
        if (destination.user !== undefined) assert.match(destination.user, /^[A-Za-z_][A-Za-z0-9_.-]*$/);
        if (destination.port !== undefined) assert.ok(Number.isInteger(destination.port) && destination.port >= 1 && destination.port <= 65_535);
      }),
      { numRuns: RUNS * 2, seed: SEED },
    )));

  // Names are data, never input to a command: nothing to accept or reject; what counts is that the lines sent stay the same.
  test('container names never reach a command: any names give the same command lines', () => property('container names', async () => {
    const baseline = new Map<RecordedMajor, SentCommand[]>();
    for (const major of ['20', '28', '29'] as const) baseline.set(major, await runAndCheck(major, 'root', recordedHost(major).inventory, DEFAULT_CHAIN, [], changes.block()));
    // Each read carries a nonce of its own; everything else is the same, byte for byte.
    const withoutNonce = (commands: readonly SentCommand[]) => commands.map((c) => ({ ...c, line: c.line.replace(/ docker-firewall-read [0-9a-f]+ /, ' docker-firewall-read NONCE ') }));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<RecordedMajor>('20', '28', '29'), fc.array(nasty(24), { minLength: 12, maxLength: 12 }), async (major, names) => {
        other.namesDrawn += names.length;
        const { inventory } = recordedHost(major);
        const renamed: Inventory = { ...inventory, containers: inventory.containers.map((c, i) => ({ ...c, name: names[i % names.length]! })) };
        const sent = await runAndCheck(major, 'root', renamed, DEFAULT_CHAIN, [], changes.block());
        assert.deepEqual(withoutNonce(sent), withoutNonce(baseline.get(major)!));
        other.sameCommandLines++;
      }),
      { numRuns: Math.ceil(RUNS / 4), seed: SEED },
    );
  }));
});

describe('bad input on the lab: a few accepted inputs for real, rejected ones never connect', { skip: labSkip }, () => {
  const h1 = () => labHost(lab!, 'h1');
  const logins = () => readFileSync(join(lab!.labDir, 'hosts', 'h1', 'logs', 'sshd.log'), 'utf8').split('\n').filter((l) => l.startsWith('Accepted ')).length;
  const measured = suiteMeasurement(() => lab!, 'bad-input', () => h1(), { case: 'lab: accepted and rejected inputs through the CLI' });
  const figures = Object.assign(measured.figures, { labRuns: 0, rejectedExit2: 0, loginsDuringRejections: 0, acceptedRulesFound: 0 });

  before(async () => {
    assert.equal((await cli(['unblock', 'h1'])).code, 0);
  });
  after(async () => {
    await cli(['unblock', 'h1']);
    await cli(['--chain', 'Odd-Chain_1', 'unblock', 'h1']);
    measured.record(3);
    writeReport();
  });

  test('rejected inputs exit 2 with a message, no login on the host, nothing changed', measured.track(async () => {
    const before = await saveAll('h1');
    const loginsBefore = logins();
    for (const args of [
      ['allow', 'h1', '8080;touch /tmp/dfw-pwned'],
      ['allow', 'h1', '$(reboot)'],
      ['allow', 'h1', '8080\nid'],
      ['allow', 'h1', '８０８０'],
      ['allow', 'h1', '8080', '--from', '192.0.2.1/24;id'],
      ['allow', 'h1', '8080', '--from', '`id`'],
      ['--chain', 'x;id', 'block', 'h1'],
      ['--chain', 'DOCKER-USER', 'block', 'h1'],
      ['block', 'h1;id'],
      ['block', 'root@h1 -oProxyCommand=id'],
    ]) {
      const result = await cli(args);
      figures.labRuns++;
      if (result.code === 2) figures.rejectedExit2++;
      assert.equal(result.code, 2, `${JSON.stringify(args)}: ${result.stderr}`);
      assert.match(result.stderr, /^docker-firewall: /m);
      assert.ok(!hasControlCharacter(result.stderr.split('\n\n')[0]!, { allow: '\t\n' }), JSON.stringify(result.stderr));
    }
    figures.loginsDuringRejections = logins() - loginsBefore;
    assert.equal(figures.loginsDuringRejections, 0, 'a rejected input reached sshd');
    assert.equal(await saveAll('h1'), before);
  }));

  test('accepted odd forms run exactly the intended rules on the host', measured.track(async () => {
    const out = lab!.outside;
    assert.equal((await cli(['block', 'h1'])).code, 0);
    for (const [args, rule] of [
      [['allow', 'h1', ' 8080 '], '-A PRE_DOCKER -p tcp -m conntrack --ctorigdstport 8080 --ctdir ORIGINAL -m comment --comment "docker-firewall:v1 allow tcp/8080" -j RETURN'],
      [['allow', 'h1', '5353/UDP'], '-A PRE_DOCKER -p udp -m conntrack --ctorigdstport 5353 --ctdir ORIGINAL -m comment --comment "docker-firewall:v1 allow udp/5353" -j RETURN'],
      [['allow', 'h1', '8081', '--from', ` ${out.ipv4} `], `-A PRE_DOCKER -s ${out.ipv4}/32 -p tcp -m conntrack --ctorigdstport 8081 --ctdir ORIGINAL -m comment --comment "docker-firewall:v1 allow tcp/8081 from=${out.ipv4}/32" -j RETURN`],
    ] as const) {
      const result = await cli(args);
      figures.labRuns++;
      assert.equal(result.code, 0, `${JSON.stringify(args)}: ${result.stderr}`);
      const rules = (await onHost('h1', ['iptables', '-S', DEFAULT_CHAIN])).stdout.split('\n');
      assert.ok(rules.includes(rule), `${JSON.stringify(args)}: missing ${rule}\n${rules.join('\n')}`);
      figures.acceptedRulesFound++;
    }
    const upper = await cli(['allow', 'h1', '8082', '--from', out.ipv6.toUpperCase().replace('::', ':0::')]);
    figures.labRuns++;
    assert.equal(upper.code, 0, upper.stderr);
    assert.match((await onHost('h1', ['ip6tables', '-S', 'PRE_DOCKER_INPUT'])).stdout, new RegExp(`-s ${out.ipv6.replace(/[.:]/g, '\\$&')}/128 -p tcp -m conntrack --ctorigdstport 8082 `));
    // The source restriction holds for real: the allowed client gets in, the other one does not (beside a live control).
    assert.equal(await tcpConnect(out.ns, h1().ipv4, 8081, BLOCKED_MS), 'open');
    assert.equal(await probeBlocked(lab!.outside2.ns, h1(), { port: 8081, family: 'ipv4' }), 'timeout');
    const status = JSON.parse((await cli(['--json', 'status', 'h1'])).stdout) as StatusJson;
    assert.deepEqual(
      status.allows.map((a) => `${a.proto}/${a.port} ${a.from ?? 'any'}`),
      [`udp/5353 any`, `tcp/8080 any`, `tcp/8081 ${out.ipv4}/32`, `tcp/8082 ${out.ipv6}/128`],
    );
    assert.equal((await cli(['unblock', 'h1'])).code, 0);
  }));

  test('an odd but valid chain name is used as given, and only for our chains', measured.track(async () => {
    const result = await cli(['--chain', 'Odd-Chain_1', 'block', 'h1']);
    figures.labRuns++;
    assert.equal(result.code, 0, result.stderr);
    const save = (await onHost('h1', ['iptables-save', '-t', 'filter'])).stdout;
    assert.match(save, /^-A DOCKER-USER -j Odd-Chain_1$/m);
    assert.doesNotMatch(save, /PRE_DOCKER/);
    assert.equal(await probeBlocked(lab!.outside.ns, h1(), { port: 8081, family: 'ipv4' }), 'timeout');
    assert.equal((await cli(['--chain', 'Odd-Chain_1', 'unblock', 'h1'])).code, 0);
    figures.labRuns++;
  }));
});

/** An allow that names its source (or none) and no time: what every input these properties generate parses to. */
function fixedAllow(request: AllowRequest): Allow {
  assert.ok(request.from !== 'me' && request.forSeconds === undefined);
  return { port: request.port, ...(request.endPort === undefined ? {} : { endPort: request.endPort }), proto: request.proto, from: request.from };
}
