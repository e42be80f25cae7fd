import { createInterface } from 'node:readline';

/**
 * Asks for a secret on the terminal without echoing it. Without a terminal (scripts, CI) there is
 * nobody to ask, so it answers undefined and the engine reports what was needed.
 */
export async function askSecret(question: string): Promise<string | undefined> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const output = rl as unknown as { _writeToOutput?: (text: string) => void };
  try {
    process.stderr.write(question);
    output._writeToOutput = () => undefined;
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    process.stderr.write('\n');
    rl.close();
  }
}
