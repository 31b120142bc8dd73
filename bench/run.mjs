// `npm run bench` (issue 8, SPEC §9): writes the generated corpora if needed, then times,
// alternating within each round, reading the files alone, reading + yaml parseAllDocuments
// (the floor) and drainlint (one thread, then two) on the same files, each in a fresh child
// process (drainlint with its default --jobs, and on 50 MB with 1 and 2 worker threads and
// confined to one core, and the floor in 1 and 2 worker threads and on one core too: what
// threads and cores can give on this machine).
// Prints medians, min–max, drainlint / floor, documents/s, MB/s and peak memory, the
// speed-ups from threads and cores (each the median of per-round ratios of adjacent runs),
// then the same for ../shared/corpus/real when present, then start-up against `node -e 0`.
// Writes the figures to bench/out/results.json.
//
//   node bench/run.mjs [--sizes 1mb,10mb,50mb] [--runs N] [--pairs N] [--no-real] [--no-startup]
//                      [--cpu-prof]   (profile drainlint on the 10 MB corpus, print the top)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureCorpus, SIZES } from "./generate.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "bench/out");
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = option("--sizes", Object.keys(SIZES).join(",")).split(",");
const runsOverride = option("--runs", null);
/**
 * Pairs of runs behind each 2-cores-over-1 speed-up on 50 MB (SPEC §9's ≥ 1.7×): the rounds,
 * then as many extra rounds of just those pairs as needed. On this shared 2-vCPU machine one
 * pair's ratio swings from 1.40 to 2.07 within one bench run (two runs at 1790943), so the
 * median of five pairs can land 0.1 either side of the figure; eleven hold it closer.
 */
const pairsOption = option("--pairs", null);
const realDir = path.resolve(root, "../shared/corpus/real");
const usageFile = path.join(os.tmpdir(), `drainlint-bench-${process.pid}.json`);
const cli = path.join(root, "bin/drainlint.js");

mkdirSync(out, { recursive: true });

/** Can a child be confined to one core (Linux `taskset`)? */
const canPin =
  os.platform() === "linux" &&
  os.availableParallelism() >= 2 &&
  spawnSync("taskset", ["-c", "0", "true"]).status === 0;

/**
 * Runs a node script in a child (with `oneCore`, confined to the first core by `taskset`, as
 * on a one-core machine); returns wall seconds, CPU seconds, peak RSS MB, stdout.
 */
function measure(script, scriptArgs, { usage = true, oneCore = false } = {}) {
  rmSync(usageFile, { force: true });
  const nodeArgs = usage ? ["--import", path.join(root, "bench/usage.mjs")] : [];
  const argv = [process.execPath, ...nodeArgs, script, ...scriptArgs];
  if (oneCore) argv.unshift("taskset", "-c", "0");
  const start = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), {
    cwd: root,
    env: { ...process.env, BENCH_USAGE_FILE: usageFile, NO_COLOR: "1" },
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0 && r.status !== 1)
    throw new Error(
      `${path.basename(script)} ${scriptArgs.join(" ")} exited ${r.status}: ${r.stderr}`,
    );
  const u = usage && existsSync(usageFile) ? JSON.parse(readFileSync(usageFile, "utf8")) : null;
  return {
    wall,
    cpu: u ? u.cpuMicros / 1e6 : null,
    rssMB: u ? u.maxRSSKB / 1024 : null,
    stdout: r.stdout,
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x, d = 2) => x.toFixed(d);

/**
 * How many times faster `fast` ran than `slow`: the median over the rounds of each round's
 * ratio (the two runs of a round are made one after the other); null when not measured.
 */
function pairedSpeedup(samples, slow, fast) {
  if (!samples[slow] || !samples[fast]) return null;
  const rounds = samples[slow].map((m, i) => m.wall / samples[fast][i].wall);
  return { speedup: median(rounds), rounds };
}

/** Each speed-up printed: its key, then the slower and the faster variant of its pairs. */
const THREAD_PAIRS = [
  ["speedup", "drainlint -j1", "drainlint -j2"],
  ["floorSpeedup", "floor -j1", "floor -j2"],
];
/** The one-core/two-core pairs (SPEC §9's ≥ 1.7×), given extra rounds on 50 MB. */
const CORE_PAIRS = [
  ["coreSpeedup", "drainlint 1core", "drainlint"],
  ["floorCoreSpeedup", "floor 1core", "floor -j2"],
];

function benchCorpus(label, dir, runs, withJobs2, pairs = runs) {
  const lintArgs = (jobs) => [
    dir,
    "--no-ignore",
    "--no-config",
    "-f",
    "json",
    "--fail-on",
    "never",
    ...(jobs === null ? [] : ["--jobs", String(jobs)]),
  ];
  const variants = {
    read: () => measure(path.join(root, "bench/floor.mjs"), ["read", dir]),
    floor: () => measure(path.join(root, "bench/floor.mjs"), ["parse", dir]),
    drainlint: () => measure(cli, lintArgs(null)),
    // SPEC §9: on one core (default --jobs: one worker thread) against two (the default
    // drainlint row just before: two worker threads). --jobs 1 on two cores is not a
    // one-core run: V8 compiles and collects garbage on the other core meanwhile. Each speed-up
    // is the median of one ratio per round between two runs made one right after the other,
    // so that the machine's slower and faster minutes weigh on both sides of each ratio.
    ...(withJobs2 && canPin
      ? { "drainlint 1core": () => measure(cli, lintArgs(null), { oneCore: true }) }
      : {}),
    ...(withJobs2
      ? {
          "drainlint -j1": () => measure(cli, lintArgs(1)),
          "drainlint -j2": () => measure(cli, lintArgs(2)),
          // The floor's own speed-up from threads on this machine, for comparison.
          "floor -j1": () =>
            measure(path.join(root, "bench/floor.mjs"), ["parse-threads", "1", dir]),
          "floor -j2": () =>
            measure(path.join(root, "bench/floor.mjs"), ["parse-threads", "2", dir]),
          ...(canPin
            ? {
                "floor 1core": () =>
                  measure(path.join(root, "bench/floor.mjs"), ["parse-threads", "1", dir], {
                    oneCore: true,
                  }),
              }
            : {}),
        }
      : {}),
  };
  const samples = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
  let stats = null;
  let objects = null;
  for (let r = 0; r < runs; r++) {
    for (const [name, fn] of Object.entries(variants)) {
      const m = fn();
      samples[name].push(m);
      if (name === "floor") stats = JSON.parse(m.stdout);
      if (name === "drainlint") objects = JSON.parse(m.stdout).summary.objects;
    }
    process.stderr.write(`  ${label}: round ${r + 1}/${runs} done\n`);
  }
  // Extra rounds of the one-core/two-core pairs alone, each pair's runs one after the other
  // in the order of a full round (the faster variant first).
  const pairNames = CORE_PAIRS.flatMap(([, slow, fast]) => [fast, slow]);
  const extra = withJobs2 && canPin ? Math.max(0, pairs - runs) : 0;
  for (let r = 0; r < extra; r++) {
    for (const name of pairNames) samples[name].push(variants[name]());
    process.stderr.write(
      `  ${label}: extra round of one-core/two-core pairs ${r + 1}/${extra} done\n`,
    );
  }
  const mb = stats.bytes / 1e6;
  const rows = {};
  for (const [name, all] of Object.entries(samples)) {
    // The table: the full rounds only, so that every row is measured at the same times.
    const ms = all.slice(0, runs);
    const walls = ms.map((m) => m.wall);
    rows[name] = {
      median: median(walls),
      min: Math.min(...walls),
      max: Math.max(...walls),
      cpu: median(ms.map((m) => m.cpu)),
      rssMB: Math.max(...ms.map((m) => m.rssMB)),
    };
  }
  const floor = rows.floor.median;
  const lint = rows.drainlint.median;
  const result = {
    label,
    files: stats.files,
    megabytes: mb,
    documents: stats.documents,
    objects,
    runs,
    /** Pairs behind coreSpeedup and floorCoreSpeedup (the rounds, plus extra rounds of them). */
    pairs: runs + extra,
    rows,
    ratio: lint / floor,
    cpuRatio: rows.drainlint.cpu / rows.floor.cpu,
    speedup: null,
    floorSpeedup: null,
    coreSpeedup: null,
    floorCoreSpeedup: null,
    /** Each speed-up's ratio in each round. */
    rounds: {},
  };
  for (const [key, slow, fast] of [...THREAD_PAIRS, ...CORE_PAIRS]) {
    const paired = pairedSpeedup(samples, slow, fast);
    if (!paired) continue;
    result[key] = paired.speedup;
    result.rounds[key] = paired.rounds;
  }
  console.log(
    `\n${label}: ${stats.files} files, ${fmt(mb, 1)} MB, ${stats.documents} documents (${runs} rounds)`,
  );
  console.log(
    `  ${"".padEnd(15)} ${"median".padStart(8)} ${"min–max".padStart(13)} ${"CPU".padStart(7)} ${"MB/s".padStart(6)} ${"docs/s".padStart(7)} ${"peak RSS".padStart(9)}`,
  );
  for (const [name, r] of Object.entries(rows)) {
    console.log(
      `  ${name.padEnd(15)} ${fmt(r.median).padStart(7)}s ${`${fmt(r.min)}–${fmt(r.max)}`.padStart(12)}s ${fmt(r.cpu).padStart(6)}s ${fmt(mb / r.median, 1).padStart(6)} ${fmt(stats.documents / r.median, 0).padStart(7)} ${fmt(r.rssMB, 0).padStart(6)} MB`,
    );
  }
  console.log(
    `  drainlint (default --jobs) / floor: ${fmt(result.ratio)}× wall, ${fmt(result.cpuRatio)}× CPU` +
      (result.speedup !== null
        ? `; 2 worker threads over 1: ${fmt(result.speedup)}× (the floor's own: ${fmt(result.floorSpeedup)}×)`
        : ""),
  );
  if (result.coreSpeedup !== null)
    console.log(
      `  2 cores over 1 core (default --jobs): ${fmt(result.coreSpeedup)}× (the floor's own: ${fmt(result.floorCoreSpeedup)}×), medians of ${result.pairs} pairs`,
    );
  for (const [key, rounds] of Object.entries(result.rounds))
    console.log(`    ${key}, round by round: ${rounds.map((x) => fmt(x)).join(" ")}`);
  return result;
}

function benchStartup(runs) {
  const small = path.join(root, "fixtures/readiness-probe-missing/invalid-deployment-port.yaml");
  const node0 = [];
  const lint = [];
  for (let r = 0; r < runs; r++) {
    node0.push(measure("-e", ["0"], { usage: false }).wall);
    lint.push(measure(cli, [small, "--no-config", "--fail-on", "never"], { usage: false }).wall);
  }
  const res = { nodeE0: median(node0), smallFile: median(lint) };
  res.ratio = res.smallFile / res.nodeE0;
  console.log(
    `\nstart-up (${runs} rounds): node -e 0 ${fmt(res.nodeE0 * 1000, 0)} ms, drainlint on one small file ${fmt(res.smallFile * 1000, 0)} ms: ${fmt(res.ratio)}×`,
  );
  return res;
}

function profile(dir) {
  const profDir = path.join(out, "profile");
  rmSync(profDir, { recursive: true, force: true });
  spawnSync(
    process.execPath,
    [
      "--cpu-prof",
      "--cpu-prof-dir",
      profDir,
      cli,
      dir,
      "--no-ignore",
      "--no-config",
      "-f",
      "json",
      "--jobs",
      "1",
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  const file = readdirSync(profDir).find((f) => f.endsWith(".cpuprofile"));
  const p = JSON.parse(readFileSync(path.join(profDir, file), "utf8"));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const where = n.callFrame.url ? path.basename(n.callFrame.url) : "";
    const key = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
    const dt = p.timeDeltas[i] ?? 0;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  });
  console.log(
    `\nCPU profile of drainlint -j1 on ${path.relative(root, dir)} (${path.relative(root, profDir)}/${file}), self time:`,
  );
  for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(
      `  ${fmt(t / 1000, 0).padStart(6)} ms ${fmt((100 * t) / total, 1).padStart(5)}%  ${k}`,
    );
}

const results = { date: new Date().toISOString(), cpus: os.availableParallelism(), corpora: [] };
for (const size of sizes) {
  const c = ensureCorpus(out, size);
  if (flag("--cpu-prof")) {
    if (size === "10mb") profile(c.dir);
    continue;
  }
  const runs = Number(runsOverride ?? 5);
  const pairs = Number(pairsOption ?? 11); // fewer than the rounds: none extra
  results.corpora.push(benchCorpus(`generated ${size}`, c.dir, runs, size === "50mb", pairs));
}
if (!flag("--cpu-prof")) {
  if (!flag("--no-real")) {
    if (existsSync(realDir))
      results.corpora.push(benchCorpus("real corpus", realDir, Number(runsOverride ?? 3), false));
    else console.log(`\n(../shared/corpus/real is absent: real-corpus figures skipped)`);
  }
  if (!flag("--no-startup")) results.startup = benchStartup(Number(runsOverride ?? 10));

  console.log("\nTargets (SPEC §9):");
  const check = (ok, text) => console.log(`  ${ok ? "✓" : "✗"} ${text}`);
  for (const c of results.corpora) {
    if (c.label.startsWith("generated"))
      check(c.ratio <= 1.3, `${c.label}: drainlint ≤ 1.3× the floor (${fmt(c.ratio)}×)`);
    else check(c.ratio < 1, `${c.label}: drainlint below the floor (${fmt(c.ratio)}×)`);
  }
  const big = results.corpora.find((c) => c.label === "generated 50mb");
  if (big) {
    if (big.coreSpeedup !== null)
      check(
        big.coreSpeedup >= 1.7,
        `50 MB: ≥ 1.7× faster on 2 cores than on 1 (${fmt(big.coreSpeedup, 3)}×, median of ${big.pairs} pairs; yaml's parseAllDocuments in 2 and 1 threads, the same way: ${fmt(big.floorCoreSpeedup, 3)}×)`,
      );
    else console.log("  ? 50 MB, 2 cores over 1: not measured (needs Linux, taskset, 2 cores)");
    // Not the target: a -j1 run on two cores is not a one-core run (V8 compiles and collects
    // its worker's garbage on the idle core), as its CPU over wall time shows.
    const j1 = big.rows["drainlint -j1"];
    console.log(
      `  · 50 MB, both cores, -j2 over -j1: ${fmt(big.speedup)}× (yaml's parseAllDocuments: ${fmt(big.floorSpeedup)}×); not the target, -j1 used ${fmt(j1.cpu / j1.median)} cores`,
    );
    const rss = Math.max(
      ...Object.entries(big.rows)
        .filter(([name]) => name.startsWith("drainlint"))
        .map(([, r]) => r.rssMB),
    );
    check(rss <= 300, `50 MB: peak memory ≤ 300 MB (${fmt(rss, 0)} MB)`);
  }
  if (results.startup)
    check(
      results.startup.ratio <= 2,
      `start-up within 2× node -e 0 (${fmt(results.startup.ratio)}×)`,
    );
  writeFileSync(path.join(out, "results.json"), JSON.stringify(results, null, 2) + "\n");
}
rmSync(usageFile, { force: true });
