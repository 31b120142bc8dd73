#!/usr/bin/env node
// Sets the exit code and nothing else (the CLI returns it).
import { main } from "../build/cli.js";

// A reader that stops early (`drainlint k8s/ | head`) is not an error: stop quietly.
process.stdout.on("error", (e) => {
  if (e.code !== "EPIPE") throw e;
  process.exit();
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`drainlint: internal error: ${e?.message ?? e}\n`);
    process.exitCode = 2;
  },
);
