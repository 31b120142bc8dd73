// Preloaded (node --import) into every timed child: on exit, writes the process's own
// CPU time and peak resident memory (all threads) to $BENCH_USAGE_FILE.
import { writeFileSync } from "node:fs";

const file = process.env.BENCH_USAGE_FILE;
if (file)
  process.on("exit", () => {
    const u = process.resourceUsage();
    writeFileSync(
      file,
      JSON.stringify({ maxRSSKB: u.maxRSS, cpuMicros: u.userCPUTime + u.systemCPUTime }),
    );
  });
