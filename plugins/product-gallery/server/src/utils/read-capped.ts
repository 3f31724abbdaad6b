/** A body passed the byte limit its reader was given. */
export class TooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`more than ${limit} bytes`);
    this.name = 'TooLargeError';
  }
}

/**
 * Collects a streamed body, giving up as soon as it passes `maxBytes`: a declared length can be
 * missing or wrong, and a body read whole before its size is checked is the memory an oversized
 * answer was meant to cost. Leaving the loop early closes the stream (Node streams and web
 * ReadableStreams both cancel on an early return).
 */
export async function readCapped(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new TooLargeError(maxBytes);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total);
}
