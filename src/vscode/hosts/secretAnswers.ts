import * as l10n from '@vscode/l10n';
import { describeSecretSubject, secretSubjectId, type SecretSubject } from '../../core/ssh/secretSubject';

/** What the answers need of the saved secrets (HostSecrets has it). */
export interface SavedSecrets {
  get(subject: SecretSubject): Thenable<string | undefined>;
  delete(subject: SecretSubject): Promise<void>;
}

/**
 * The answers to one connection's secret questions, decided without any UI (the prompts supply
 * `askUser`): a saved secret is offered only for exactly its subject, once; asked again for the
 * same subject means it was refused, so it is deleted and the user asked. A secret the user typed is
 * offered for remembering only once the engine says it was accepted (onSecretAccepted), and never
 * again after "Not now".
 */
export class SecretAnswers {
  /** Subjects whose saved secret was offered. */
  private readonly offeredSaved = new Set<string>();
  /** Subjects asked for at least once. */
  private readonly asked = new Set<string>();
  /** The last value the user typed per subject, until it is accepted or replaced. */
  private readonly typed = new Map<string, string>();
  private readonly declined = new Set<string>();

  constructor(
    private readonly saved: SavedSecrets,
    private readonly askUser: (subject: SecretSubject) => Promise<string | undefined>,
  ) {}

  async answer(subject: SecretSubject): Promise<string | undefined> {
    const id = secretSubjectId(subject);
    if (!this.asked.has(id)) {
      this.asked.add(id);
      const value = await this.saved.get(subject);
      if (value !== undefined) {
        this.offeredSaved.add(id);
        return value;
      }
    } else if (this.offeredSaved.delete(id)) {
      await this.saved.delete(subject);
    }
    const value = await this.askUser(subject);
    if (value === undefined) this.typed.delete(id);
    else this.typed.set(id, value);
    return value;
  }

  /**
   * The engine accepted the last answer for `subject`: the value to offer remembering, if the user
   * typed it (a saved one is saved already) and has not said "Not now" for it.
   */
  accepted(subject: SecretSubject): string | undefined {
    const id = secretSubjectId(subject);
    const value = this.typed.get(id);
    this.typed.delete(id);
    return value === undefined || this.declined.has(id) ? undefined : value;
  }

  notNow(subject: SecretSubject): void {
    this.declined.add(secretSubjectId(subject));
  }
}

/** The question after a secret worked: `Remember the password for deploy@203.0.113.7:22 (SHA256:…)?` */
export function rememberQuestion(subject: SecretSubject): string {
  switch (subject.kind) {
    case 'password':
      return l10n.t('Remember the password for {0}?', describeSecretSubject(subject));
    case 'sudo':
      return l10n.t('Remember the sudo password for {0}?', describeSecretSubject(subject));
    case 'passphrase':
      return l10n.t('Remember the passphrase of {0}?', describeSecretSubject(subject));
  }
}

/**
 * A keyboard-interactive prompt that asks for the account's password (PAM's "Password:"), not a
 * one-time code or another factor: only such a prompt is answered with a saved password.
 */
export function isPasswordPrompt(prompt: string | undefined): boolean {
  return prompt === undefined || /password/i.test(prompt);
}
