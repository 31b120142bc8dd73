/**
 * Progress on standard error (SPEC §5): only on a terminal, and only once a run has lasted
 * about a second, so quick runs and piped output stay silent. One line, rewritten in place
 * and erased when the run ends.
 */
export interface Progress {
  update(done: number, total: number): void;
  end(): void;
}

export function createProgress(
  write: (s: string) => void,
  isTTY: boolean,
  delayMs = 1000,
  now: () => number = Date.now,
): Progress {
  const start = now();
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (!isTTY) return;
      const t = now();
      if (t - start < delayMs || (shown && t - last < 100 && done < total)) return;
      shown = true;
      last = t;
      write(`\r\x1b[Kdrainlint: ${done}/${total} files linted…`);
    },
    end() {
      if (shown) write("\r\x1b[K");
      shown = false;
    },
  };
}
