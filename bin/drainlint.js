#!/usr/bin/env node
// Sets the exit code and nothing else (the CLI returns it).
import { main } from "../build/cli.js";

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`drainlint: internal error: ${e?.message ?? e}\n`);
    process.exitCode = 2;
  },
);
