/**
 * Chunked and multi-threaded runs (src/engine/workers.ts) give exactly the output of one
 * single-threaded pass: in process (chunks in turn) against `lintSources` over everything,
 * and through the bundled CLI (real worker threads) with --jobs 2 against --jobs 1.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discover } from "../src/discover.js";
import { lintSources, resolveSettings } from "../src/engine/lint.js";
import { readSource } from "../src/read.js";
import {
  chunkSources,
  CHUNK_SIZE,
  lintChunked,
  predictLinks,
  v8FlagsFor,
} from "../src/engine/workers.js";
import { createProgress } from "../src/progress.js";
import { source } from "./helpers/lint.js";
// @ts-expect-error plain ESM script without types
import { generateCorpus } from "../bench/generate.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");

const POD = `apiVersion: v1
kind: Pod
metadata: { name: portless, namespace: shop, labels: { app: shop-web } }
spec:
  containers:
    - name: web
      image: web:1
`;
const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: shop-web, namespace: shop }
spec:
  selector: { app: shop-web }
`;

function filler(bytes: number): string {
  let s = "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: big }\ndata:\n";
  for (let i = 0; s.length < bytes; i++) s += `  key${i}: "${"x".repeat(80)}"\n`;
  return s;
}

describe("chunked runs", () => {
  // A Service in a later chunk selects a port-less Pod in the first: the bundle pass must
  // still see it (the Pod serves, so its only container needs a readiness probe).
  const sources = [
    source(POD, "a/pod.yaml"),
    source(filler(CHUNK_SIZE + 1000), "b/filler.yaml"),
    source(SERVICE, "c/service.yaml"),
  ];

  it("cut into several chunks, and the Services are predicted", async () => {
    expect(chunkSources(sources).length).toBe(2);
    expect((await predictLinks(sources)).services.map((s) => s.name)).toEqual(["shop-web"]);
  });

  it("links a Service to a workload in another chunk, as one pass does", async () => {
    const settings = resolveSettings();
    const whole = lintSources(sources, settings);
    const chunked = await lintChunked(sources, settings, {}, { jobs: 0 });
    expect(whole.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`)).toContain(
      "a/pod.yaml:6 readiness-probe-missing",
    );
    expect(chunked.findings).toEqual(whole.findings);
    expect(chunked.summary).toEqual(whole.summary);
    expect(chunked.units).toEqual(whole.units);
  });

  it("lints a generated corpus in chunks (file by file) exactly as in one pass", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-chunks-"));
    try {
      generateCorpus(dir, 2_000_000, 3);
      // What the generator lacks: an unrendered chart (one finding for its two templates)
      // and suppression comments, one of them unused.
      mkdirSync(path.join(dir, "m-chart/templates"), { recursive: true });
      writeFileSync(path.join(dir, "m-chart/Chart.yaml"), "name: m\nversion: 1.0.0\n");
      for (const t of ["a", "b"])
        writeFileSync(
          path.join(dir, `m-chart/templates/${t}.yaml`),
          `apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.${t} }}\n`,
        );
      writeFileSync(
        path.join(dir, "m-suppressed.yaml"),
        "# drainlint-disable-file shutdown-delay-missing, npm-as-pid1\n" + POD,
      );
      const { files } = discover([dir], { cwd: dir, noIgnore: true });
      const all = files.map((f) => readSource(f.path, f.kind, dir));
      const settings = resolveSettings();
      const opts = { cwd: dir, reportUnusedDisable: true };
      const whole = lintSources(all, settings, opts);
      const chunked = await lintChunked(all, settings, opts, { jobs: 0 });
      const rules = new Set(whole.findings.map((f) => f.ruleId));
      expect(rules).toContain("helm-template-unrendered");
      expect(rules).toContain("invalid-annotation"); // the unused npm-as-pid1
      expect(chunkSources(all).length).toBeGreaterThan(10);
      expect(whole.findings.length).toBeGreaterThan(100);
      expect(chunked.findings).toEqual(whole.findings);
      expect(chunked.summary).toEqual(whole.summary);
      expect(chunked.units).toEqual(whole.units);
      expect(chunked.directives).toEqual(whole.directives);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("re-lints with the real Services when the prediction was wrong", async () => {
    const settings = resolveSettings();
    const whole = lintSources(sources, settings);
    let predicted = 0;
    const chunked = await lintChunked(
      sources,
      settings,
      {},
      { jobs: 0, predict: async () => (predicted++, { services: [], rollouts: [] }) },
    );
    expect(predicted).toBe(1);
    // Linked with no Service, the Pod would not serve and have no finding: re-linted, it has.
    expect(chunked.findings).toEqual(whole.findings);
    expect(chunked.findings.some((f) => f.ruleId === "readiness-probe-missing")).toBe(true);
  });
});

describe("the predicted links", () => {
  const REAL = path.resolve(ROOT, "../shared/corpus/real");
  const sourcesUnder = (dir: string) =>
    discover([dir], { cwd: dir, noIgnore: true }).files.flatMap((f) => {
      try {
        return [readSource(f.path, f.kind, dir)];
      } catch {
        return []; // unreadable files are the reader's business, not this test's
      }
    });
  /** The prediction (js-yaml reads the candidates) against what one `yaml` pass links. */
  const expectExact = async (sources: ReturnType<typeof sourcesUnder>) => {
    let exact: unknown;
    lintSources(sources, resolveSettings(), { onLinked: (l) => (exact = l) });
    const predicted = await predictLinks(sources);
    expect(predicted).toEqual(exact);
    return predicted;
  };

  it("are the exact ones on the fixtures and a generated corpus: no second pass", async () => {
    expect((await expectExact(sourcesUnder(path.join(ROOT, "fixtures")))).services.length).toBe(5);
    const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-predict-"));
    try {
      generateCorpus(dir, 1_000_000, 5);
      expect((await expectExact(sourcesUnder(dir))).services.length).toBeGreaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(REAL))("are the exact ones on ../shared/corpus/real", async () => {
    expect((await expectExact(sourcesUnder(REAL))).services.length).toBeGreaterThan(20);
  });

  it("fall back to `yaml` where js-yaml refuses, and keep merge keys", async () => {
    const tagged = SERVICE.replace("kind: Service", "kind: !custom Service");
    const merged = `apiVersion: v1
kind: Service
metadata: { name: merged }
spec:
  base: &base { app: shop-web }
  selector: { <<: *base, tier: web }
`;
    const predicted = await expectExact([source(tagged, "a.yaml"), source(merged, "b.yaml")]);
    expect(predicted.services.map((s) => [s.name, s.selector])).toEqual([
      ["shop-web", { app: "shop-web" }],
      ["merged", { app: "shop-web", tier: "web" }],
    ]);
  });
});

describe("the V8 flags of a run with workers", () => {
  it("scavenge alone when the workers take every core, in parallel when cores are left", () => {
    const alone = (jobs: number, cores: number) =>
      v8FlagsFor(jobs, cores).includes("--no-parallel-scavenge");
    expect(alone(1, 1)).toBe(true);
    expect(alone(2, 2)).toBe(true);
    expect(alone(4, 4)).toBe(true);
    expect(alone(3, 2)).toBe(true);
    expect(alone(1, 2)).toBe(false);
    expect(alone(4, 8)).toBe(false);
    // The compiler's flags are set for every run with workers.
    expect(v8FlagsFor(4, 8)).toContain("--interrupt-budget=200000");
  });
});

describe("progress", () => {
  it("stays silent off a terminal and during the first second, then erases itself", () => {
    let t = 0;
    const out: string[] = [];
    const piped = createProgress(
      (s) => out.push(s),
      false,
      1000,
      () => t,
    );
    t = 5000;
    piped.update(1, 2);
    piped.end();
    expect(out).toEqual([]);
    t = 0;
    const tty = createProgress(
      (s) => out.push(s),
      true,
      1000,
      () => t,
    );
    tty.update(1, 10);
    expect(out).toEqual([]);
    t = 1500;
    tty.update(5, 10);
    expect(out.join("")).toContain("5/10 files");
    tty.end();
    expect(out.at(-1)).toBe("\r\x1b[K");
  });
});

describe("worker threads through the CLI", () => {
  let dir: string;
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, "scripts/build.mjs")], { cwd: ROOT });
    dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-workers-"));
    generateCorpus(dir, 3_000_000, 7);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (jobs: number, env: Record<string, string> = {}) => {
    const r = spawnSync(
      process.execPath,
      [
        path.join(ROOT, "bin/drainlint.js"),
        ".",
        "-f",
        "json",
        "--fail-on",
        "never",
        "--no-config",
        "--jobs",
        String(jobs),
      ],
      { cwd: dir, encoding: "utf8", maxBuffer: 1 << 30, env: { ...process.env, ...env } },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    return r.stdout;
  };

  it("gives byte-identical JSON with no worker thread, one and two", () => {
    const none = run(0);
    const one = run(1);
    const two = run(2);
    expect(one).toBe(none);
    const parsed = JSON.parse(one);
    expect(parsed.summary.files).toBeGreaterThan(100);
    expect(parsed.findings.length).toBeGreaterThan(100);
    expect(two).toBe(one);
    // Workers whose heap is too small for a chunk: the run goes on in the main thread.
    expect(run(2, { DRAINLINT_WORKER_HEAP_MB: "4" })).toBe(one);
  });

  it("predicts the links while reading, in the workers, exactly: no second pass", async () => {
    // The bundled API (src/engine/lint.ts reads the files; workers.ts's StreamedPrediction
    // sends the candidates to the first worker in batches). A prediction that missed, or whose
    // batches came back out of order, would mean a second pass: the progress would start over.
    const { lint } = (await import(
      pathToFileURL(path.join(ROOT, "build/index.js")).href
    )) as typeof import("../src/index.js");
    const seen: number[] = [];
    const result = await lint({
      paths: ["."],
      cwd: dir,
      jobs: 2,
      onProgress: (done) => seen.push(done),
    });
    const services = result.units.filter((u) => u.object?.kind === "Service").length;
    expect(services).toBeGreaterThan(200); // 73 KB of candidates: two batches
    expect(seen.length).toBeGreaterThan(10);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(result.sources.length);
    expect(JSON.stringify(result.findings)).toBe(JSON.stringify(JSON.parse(run(0)).findings));
  });

  it("stops the workers it started while reading when the run is one chunk after all", () => {
    // A chart's templates named apart by a big file: one chunk (the chart's files must be
    // linted together), though the workers were started once 256 KB were read.
    const chart = path.join(dir, "zz-chart");
    mkdirSync(path.join(chart, "templates"), { recursive: true });
    writeFileSync(path.join(chart, "Chart.yaml"), "name: zz\nversion: 1.0.0\n");
    for (const t of ["a", "b"])
      writeFileSync(
        path.join(chart, `templates/${t}.yaml`),
        `kind: Pod\nmetadata:\n  name: {{ .Values.${t} }}\n`,
      );
    writeFileSync(path.join(dir, "zz-big.yaml"), filler(3 * CHUNK_SIZE));
    const files = ["zz-chart/templates/a.yaml", "zz-big.yaml", "zz-chart/templates/b.yaml"];
    const lintFiles = (jobs: number) => {
      const r = spawnSync(
        process.execPath,
        [
          path.join(ROOT, "bin/drainlint.js"),
          ...files,
          "-f",
          "json",
          "--no-config",
          "--jobs",
          String(jobs),
        ],
        { cwd: dir, encoding: "utf8", timeout: 30_000 },
      );
      expect(r.error).toBeUndefined(); // no hang: the workers were stopped
      expect(r.stderr).toBe("");
      return r.stdout;
    };
    const two = lintFiles(2);
    expect(JSON.parse(two).findings.map((f: { ruleId: string }) => f.ruleId)).toContain(
      "helm-template-unrendered",
    );
    expect(two).toBe(lintFiles(0));
  });
});
