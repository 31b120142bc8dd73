// Lists every finding of the drain rules (issue 3) on the real corpus, for hand review:
//   node scripts/build.mjs && node scripts/review-drain.mjs [corpus-dir] [--full]
// Prints the counts per rule, then one line per finding (file:line rule container message).
// Skips with a message when the corpus is absent (it is never copied into the repo).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const corpus = path.resolve(
  root,
  process.argv.slice(2).find((a) => !a.startsWith("--")) ?? "../shared/corpus/real",
);
const full = process.argv.includes("--full");
const RULES = [
  "prestop-sleep-without-drain",
  "grace-period-below-budget",
  "shutdown-delay-missing",
  "prestop-exec-in-distroless",
  "invalid-shutdown-config",
];

if (!existsSync(corpus)) {
  console.log(`review-drain: skipped, no corpus at ${corpus}`);
  process.exit(0);
}
if (!existsSync(path.join(root, "build/index.js"))) {
  console.error("review-drain: build first (node scripts/build.mjs)");
  process.exit(2);
}
const { lint } = await import(path.join(root, "build/index.js"));
const result = await lint({ paths: [corpus], cwd: corpus, noIgnore: true });
const mine = result.findings.filter((f) => RULES.includes(f.ruleId));
console.log(
  `${result.summary.files} files, ${result.summary.objects} objects, ${result.findings.length} findings in all`,
);
for (const id of RULES)
  console.log(`  ${id.padEnd(30)} ${mine.filter((f) => f.ruleId === id).length}`);
console.log("");
for (const f of mine) {
  const where = `${f.file}:${f.line}:${f.column}`;
  const what = [f.object?.kind && `${f.object.kind}/${f.object.name}`, f.container].filter(Boolean);
  const msg = full ? f.message : f.message.slice(0, 160);
  console.log(`${where}  ${f.ruleId}  ${what.join(" ")}${f.fix ? "  [fix]" : ""}\n    ${msg}`);
}
