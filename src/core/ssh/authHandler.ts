import { readFile, stat } from 'node:fs/promises';
import type { AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, NextAuthHandler, ParsedKey } from 'ssh2';
import { ssh2 } from './ssh2Module';
import { publicKeyOfKeyFile, type HostSecretSubject, type SecretSubject } from './secretSubject';
import type { PassphraseRequest, PasswordRequest, SshLogger } from './sshSessionOptions';

export interface AuthPlan {
  readonly user: string;
  /** For prompts. */
  readonly host: string;
  /** The address connected to and its port: with the host key, what a password is for. */
  readonly hostName: string;
  readonly port: number;
  /** `SHA256:…` of the host key, once verified (always before authentication starts). */
  readonly hostKey: () => string | undefined;
  /** ssh-agent socket path, if any. */
  readonly agent?: string | undefined;
  readonly identityFiles: readonly string[];
  /** True when the files were named by the user: a missing one is then worth a warning. */
  readonly explicitIdentityFiles: boolean;
  readonly askPassword?: ((request: PasswordRequest) => Promise<string | undefined>) | undefined;
  readonly askPassphrase?: ((request: PassphraseRequest) => Promise<string | undefined>) | undefined;
  readonly onSecretAccepted?: ((subject: SecretSubject) => void) | undefined;
  readonly logger?: SshLogger | undefined;
  /** Called around each wait for the user, so the connect timeout does not run meanwhile. */
  readonly pauseTimer: () => () => void;
}

export interface AuthProgress {
  readonly handler: AuthHandlerMiddleware;
  /** What was offered, for AuthenticationFailed ("ssh-agent", "key ~/.ssh/id_ed25519", "password"). */
  readonly tried: string[];
  /** Methods the server last said it accepts. */
  readonly serverMethods: () => string[];
  /** Encrypted key files left unopened because nobody could be asked for their passphrase. */
  readonly lockedKeys: string[];
  /** The login succeeded: if it was with a password we were given, that password was accepted. */
  readonly loggedIn: () => void;
}

/** As ssh's NumberOfPasswordPrompts and the passphrase retries of ssh-add. */
const MAX_PROMPTS = 3;

type Step = { kind: 'agent' } | { kind: 'key'; path: string } | { kind: 'password'; attempt: number } | { kind: 'keyboard-interactive' };

/**
 * ssh2's authHandler, in OpenSSH's order: agent keys, identity files (asking for a passphrase only
 * when a file turns out to be encrypted), then a password. ssh2 waits while the handler works, so the
 * questions are asked lazily, only if the earlier methods were refused.
 */
export function createAuthHandler(plan: AuthPlan): AuthProgress {
  const steps: Step[] = [];
  if (plan.agent !== undefined) steps.push({ kind: 'agent' });
  for (const path of plan.identityFiles) steps.push({ kind: 'key', path });
  if (plan.askPassword !== undefined) {
    for (let attempt = 1; attempt <= MAX_PROMPTS; attempt++) steps.push({ kind: 'password', attempt });
    steps.push({ kind: 'keyboard-interactive' });
  }
  const tried: string[] = [];
  const lockedKeys: string[] = [];
  let serverMethods: string[] = [];
  /** Whether "none" was sent to learn the server's methods. */
  let probedMethods = false;
  /** The subject of the password the last method offered, if it offered one. */
  let lastPassword: HostSecretSubject | undefined;
  const passwordSubject = (): HostSecretSubject | undefined => {
    const hostKey = plan.hostKey();
    return hostKey === undefined ? undefined : { kind: 'password', user: plan.user, hostName: plan.hostName, port: plan.port, hostKey };
  };

  const nextMethod = async (allowed: AuthenticationType[] | null): Promise<AnyAuthMethod | false> => {
    if (allowed !== null) serverMethods = [...allowed];
    const permits = (method: AuthenticationType): boolean => allowed === null || allowed.includes(method);
    lastPassword = undefined;
    for (let step = steps.shift(); step !== undefined; step = steps.shift()) {
      switch (step.kind) {
        case 'agent':
          if (!permits('publickey') || plan.agent === undefined) continue;
          // A stale SSH_AUTH_SOCK (a closed session's agent) is common: not offered, nothing to wait for.
          if (!(await isSocket(plan.agent))) {
            plan.logger?.('debug', `ssh-agent: no socket at ${plan.agent}, not offered`);
            continue;
          }
          tried.push('ssh-agent');
          return { type: 'agent', username: plan.user, agent: plan.agent };
        case 'key': {
          if (!permits('publickey')) continue;
          const key = await loadKey(step.path, plan, lockedKeys);
          if (key === undefined) continue;
          tried.push(`key ${step.path}`);
          return { type: 'publickey', username: plan.user, key };
        }
        case 'password': {
          if (!permits('password') || plan.askPassword === undefined) continue;
          // Before asking anyone, learn what the server takes (as OpenSSH does, with "none"): a
          // keyboard-interactive-only server would refuse this password, and PAM ask for it again.
          if (allowed === null && !probedMethods) {
            probedMethods = true;
            steps.unshift(step);
            return { type: 'none', username: plan.user };
          }
          // The host key is verified before any authentication; without it, no password leaves.
          const subject = passwordSubject();
          if (subject === undefined) continue;
          const password = await ask(plan, () => plan.askPassword?.({ host: plan.host, user: plan.user, attempt: step.attempt, subject }));
          if (password === undefined) {
            dropRemaining(steps, 'password');
            continue;
          }
          if (step.attempt === 1) tried.push('password');
          lastPassword = subject;
          return { type: 'password', username: plan.user, password };
        }
        case 'keyboard-interactive': {
          if (!permits('keyboard-interactive') || plan.askPassword === undefined) continue;
          const subject = passwordSubject();
          if (subject === undefined) continue;
          tried.push('keyboard-interactive');
          return {
            type: 'keyboard-interactive',
            username: plan.user,
            prompt: keyboardInteractive(plan, subject, (answeredPassword) => {
              lastPassword = answeredPassword ? subject : undefined;
            }),
          };
        }
      }
    }
    return false;
  };

  const handler: AuthHandlerMiddleware = (allowed: AuthenticationType[] | null, _partial: boolean | null, next: NextAuthHandler) => {
    // ssh2 takes `false` for "no more methods"; its type declarations omit it.
    const done = next as (method: AnyAuthMethod | false) => void;
    nextMethod(allowed).then(done, (error: unknown) => {
      plan.logger?.('error', `authentication: ${error instanceof Error ? error.message : String(error)}`);
      done(false);
    });
  };
  const loggedIn = (): void => {
    if (lastPassword !== undefined) plan.onSecretAccepted?.(lastPassword);
    lastPassword = undefined;
  };
  return { handler, tried, serverMethods: () => serverMethods, lockedKeys, loggedIn };
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false;
  }
}

function dropRemaining(steps: Step[], kind: Step['kind']): void {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]?.kind === kind) steps.splice(i, 1);
}

async function ask<T>(plan: AuthPlan, question: () => Promise<T> | undefined): Promise<T | undefined> {
  const resume = plan.pauseTimer();
  try {
    return await question();
  } finally {
    resume();
  }
}

/** Reads and decrypts one private key; undefined (with a log line) when it cannot be used. */
async function loadKey(path: string, plan: AuthPlan, lockedKeys: string[]): Promise<ParsedKey | undefined> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (error) {
    const missing = typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
    if (!missing || plan.explicitIdentityFiles) {
      plan.logger?.(missing ? 'warn' : 'error', `identity file ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return undefined;
  }
  const { utils } = ssh2();
  let parsed = utils.parseKey(data);
  if (parsed instanceof Error && /no passphrase given/i.test(parsed.message)) {
    if (plan.askPassphrase === undefined) {
      plan.logger?.('info', `identity file ${path} is encrypted and there is no way to ask for its passphrase; skipped`);
      lockedKeys.push(path);
      return undefined;
    }
    const subject = { kind: 'passphrase', keyPath: path, publicKey: await publicKeyOfKeyFile(path, data) } as const;
    for (let attempt = 1; attempt <= MAX_PROMPTS && parsed instanceof Error; attempt++) {
      const passphrase = await ask(plan, () => plan.askPassphrase?.({ keyPath: path, attempt, subject }));
      if (passphrase === undefined) {
        // Nobody answered on the first ask (no terminal, a dismissed prompt): the key stayed locked.
        if (attempt === 1) lockedKeys.push(path);
        return undefined;
      }
      parsed = utils.parseKey(data, passphrase);
      if (parsed instanceof Error) plan.logger?.('warn', `identity file ${path}: wrong passphrase`);
      // The key opened: the passphrase is right, whatever the server then says of the key.
      else plan.onSecretAccepted?.(subject);
    }
  }
  if (parsed instanceof Error) {
    plan.logger?.('warn', `identity file ${path} was skipped: ${parsed.message}`);
    return undefined;
  }
  if (!parsed.isPrivateKey()) {
    plan.logger?.('warn', `identity file ${path} holds no private key; skipped`);
    return undefined;
  }
  return parsed;
}

type Prompt = { prompt: string; echo?: boolean };

/**
 * Answers a server's keyboard-interactive prompts (PAM's "Password:") through askPassword. Only a
 * round that was one password prompt counts as a password given (`answered`): a one-time code or
 * a second factor is not the account's password, and is never worth remembering.
 */
function keyboardInteractive(plan: AuthPlan, subject: HostSecretSubject, answered: (password: boolean) => void) {
  return (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: (answers: string[]) => void): void => {
    const answers: string[] = [];
    const answerAll = async (): Promise<void> => {
      for (const p of prompts) {
        const answer = await ask(plan, () => plan.askPassword?.({ host: plan.host, user: plan.user, prompt: p.prompt.trim(), attempt: 1, subject }));
        if (answer === undefined) break;
        answers.push(answer);
      }
    };
    answerAll().then(
      () => {
        // An empty round (some servers end with one) says nothing about what was given before.
        if (prompts.length > 0) answered(prompts.length === 1 && answers.length === 1 && prompts[0]?.echo !== true && /password/i.test(prompts[0]?.prompt ?? ''));
        finish(answers);
      },
      () => {
        answered(false);
        finish([]);
      },
    );
  };
}
