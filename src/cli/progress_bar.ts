// The progress bar of the command line, on stderr: redrawn in place on a terminal, one line per
// update otherwise (--progress into a file or pipe). Results never pass through it.
import type { Progress } from "../policy/progress_watch.ts";
import { writeAll } from "./write_all.ts";
import { utf8 } from "../core/encoding.ts";

const UNITS = ["", " thousand", " million", " billion", " trillion"];
const BYTE_UNITS = [" B", " KB", " MB", " GB", " TB"];

function scaled(n: number, units: string[]): string {
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i === 0 ? n.toFixed(0) : n.toFixed(2)}${units[i]}`;
}

/** One line of progress: rows, bytes, speed, the share of the engine's estimate when it has one. */
export function progressText(p: Progress, width: number): string {
  const speed = p.elapsed > 0 ? ` (${scaled(p.readRows / p.elapsed, UNITS)} rows/s)` : "";
  const counts = `${scaled(p.readRows, UNITS)} rows, ${scaled(p.readBytes, BYTE_UNITS)}${speed} ${p.elapsed.toFixed(1)} s`;
  if (p.totalRowsApprox <= 0) return counts;
  const share = Math.min(1, p.readRows / p.totalRowsApprox);
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  const barWidth = width >= 100 ? 30 : 20;
  const filled = Math.round(share * barWidth);
  return `[${"=".repeat(filled)}${" ".repeat(barWidth - filled)}] ${percent} ${counts}`;
}

/** Lines written when stderr is not a terminal: one a second is plenty for a log. */
const LINE_INTERVAL_S = 1;

export class ProgressBar {
  #drawn = false;
  #lastLine = -Infinity;

  /** `inPlace`: stderr is a terminal (redraw one line); else each update is a line of its own. */
  constructor(readonly inPlace: boolean, readonly width = 80) {}

  update(p: Progress): void {
    const text = progressText(p, this.width).slice(0, this.width - 1);
    if (this.inPlace) {
      writeAll(2, utf8(`\r\x1b[K${text}`));
      this.#drawn = true;
    } else if (p.elapsed - this.#lastLine >= LINE_INTERVAL_S) {
      this.#lastLine = p.elapsed;
      writeAll(2, utf8(`progress: ${text}\n`));
    }
  }

  /** Removes the bar (before output is written to the same terminal, and at the end). */
  clear(): void {
    if (!this.#drawn) return;
    writeAll(2, utf8("\r\x1b[K"));
    this.#drawn = false;
  }
}
