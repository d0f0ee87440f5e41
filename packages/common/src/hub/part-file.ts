// The resumable half of a download, shared by the Hub and plain-URL downloads: a GET response (possibly a Range
// continuation) streamed into `<file>.part`, with the size checked at the end.
import * as fs from 'node:fs';
import { networkReason } from './hub-client';

/** A transfer that stopped early; what arrived is kept in the `.part` file (the caller retries). */
export class TransferInterrupted extends Error {}

/**
 * Appends `res` to `part`, which holds `offset` bytes already (0 when the server ignored the Range request), until it
 * holds `total`. Each chunk is written synchronously as it arrives, so whatever was received before a break is on
 * disk. A response that does not start where asked, or a file that grows past `total`, is `fail(message)`.
 */
export async function streamResponseToPart(
  res: Response,
  part: string,
  offset: number,
  total: number,
  what: string,
  onBytes: (received: number) => void,
  fail: (message: string) => Error,
): Promise<void> {
  if (offset > 0 && res.status !== 206) offset = 0; // the server ignored the Range: start over
  const rangeStart = res.status === 206 ? Number(/^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1]) : 0;
  if (rangeStart !== offset) {
    await res.body?.cancel();
    throw fail(`${what}: asked for bytes from ${offset}, the server sent ${res.headers.get('content-range')}`);
  }
  if (!res.body) throw new TransferInterrupted('the response has no body');
  const fd = fs.openSync(part, offset > 0 ? 'a' : 'w');
  const reader = res.body.getReader();
  let done = offset;
  try {
    while (true) {
      const { value, done: end } = await reader.read();
      if (end) break;
      fs.writeSync(fd, value);
      done += value.length;
      onBytes(done);
    }
  } catch (err) {
    throw new TransferInterrupted(networkReason(err));
  } finally {
    fs.closeSync(fd);
  }
  const size = fs.statSync(part).size;
  if (size < total) throw new TransferInterrupted('the server ended the response early');
  if (size > total) {
    fs.rmSync(part);
    throw fail(`${what}: received ${size} bytes, expected ${total}; the partial file was removed`);
  }
}
