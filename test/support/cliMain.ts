import { main } from '../../src/cli/main';

/** Runs the CLI's main() in this process and returns its exit code and what it wrote to stderr. */
export async function runMain(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  try {
    return { code: await main(argv), stderr: chunks.join('') };
  } finally {
    process.stderr.write = write;
  }
}
