/** The nonce of every recorded read report (scripts/record-read.ts); tests read the recordings with it. */
export const RECORDING_NONCE = '5ec0de5ec0de5ec0de5ec0de';
