// Synchronous, complete writes to a file descriptor: output must be flushed before the
// process-exit sequence runs, and a pipe may accept fewer bytes than asked or say EAGAIN.
import { writeSync } from "node:fs";

export function writeAll(fd: number, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
    }
  }
}
