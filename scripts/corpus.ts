/**
 * `npm run corpus`: drainlint on real input.
 *
 * Part 1 lints all of ../shared/corpus/real and prints files, documents, findings by rule and
 * time. It fails on any crash, any parse-error on a file that an independent parser
 * (js-yaml) reads without error, and any finding without a real position.
 *
 * Part 2 compares readiness-probe-missing and liveness-tighter-than-readiness with the peer
 * linters' expectations (../shared/corpus/conformance/expectations.json) and prints the
 * agreement; each disagreement must be explained by the SPEC (the explanation is computed
 * from the model, not looked up by file), else the run fails.
 *
 * Exit codes: 0 all checks hold, 1 a check failed, 3 the corpus is absent (skipped).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import jsYaml from "js-yaml";
import { lint, lintSources, resolveSettings } from "../src/engine/lint.js";
import { parseYaml } from "../src/parse/yaml.js";
import { readSource } from "../src/read.js";
import {
  buildService,
  buildWorkload,
  isRecord,
  linkWorkloads,
  receivesTraffic,
  type ServiceView,
  type WorkloadView,
} from "../src/model/workload.js";
import { Locator } from "../src/model/locate.js";
import type { Finding } from "../src/types.js";

export interface CorpusReport {
  files: number;
  documents: number;
  objects: number;
  findingsByRule: Record<string, number>;
  seconds: number;
  problems: string[];
  notices: string[];
}

function countDocuments(text: string): number {
  try {
    let n = 0;
    jsYaml.loadAll(text, (d) => {
      if (d !== null && d !== undefined) n++;
    });
    return n;
  } catch {
    return parseYaml(text).docs.filter((d) => d.contents !== null).length;
  }
}

function independentlyValid(text: string): boolean {
  try {
    jsYaml.loadAll(text, () => undefined);
    return true;
  } catch {
    return false;
  }
}

/** A position is real when it lies inside the file and points at text, not past a line's end. */
function positionProblem(f: Finding, lines: string[]): string | null {
  if (!(f.line >= 1 && f.line <= lines.length)) return `line ${f.line} outside 1..${lines.length}`;
  const text = lines[f.line - 1].replace(/\r$/, "");
  if (!(f.column >= 1 && f.column <= text.length + 1))
    return `column ${f.column} outside line ${f.line}`;
  if (f.ruleId !== "parse-error" && /\s/.test(text[f.column - 1] ?? " "))
    return `${f.line}:${f.column} points at white space`;
  if (f.endLine < f.line || (f.endLine === f.line && f.endColumn < f.column))
    return "end before start";
  return null;
}

export async function runCorpus(root: string, cwd: string): Promise<CorpusReport> {
  const started = performance.now();
  const result = await lint({ paths: [root], cwd, noIgnore: true });
  const seconds = (performance.now() - started) / 1000;
  const problems: string[] = [];
  let documents = 0;
  const findingsByRule: Record<string, number> = {};
  const byFile = new Map<string, Finding[]>();
  for (const f of result.findings) {
    findingsByRule[f.ruleId] = (findingsByRule[f.ruleId] ?? 0) + 1;
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  for (const source of result.sources) {
    if (source.kind !== "dockerfile") documents += countDocuments(source.text);
    const findings = byFile.get(source.displayPath) ?? [];
    const lines = source.text.split("\n");
    for (const f of findings) {
      const p = positionProblem(f, lines);
      if (p) problems.push(`${f.file}:${f.line}:${f.column} ${f.ruleId}: no real position (${p})`);
      if (f.suggestions.length === 0)
        problems.push(`${f.file}:${f.line} ${f.ruleId}: no suggestion`);
    }
    if (
      source.kind !== "dockerfile" &&
      findings.some((f) => f.ruleId === "parse-error") &&
      independentlyValid(source.text)
    )
      problems.push(`${source.displayPath}: parse-error on a file js-yaml reads without error`);
  }
  return {
    files: result.summary.files,
    documents,
    objects: result.summary.objects,
    findingsByRule,
    seconds,
    problems,
    notices: result.notices.map((n) => `${n.file}: ${n.message}`),
  };
}

interface Expectation {
  file: string;
  doc_index: number;
  object: string;
  container?: string | null;
  peer: string;
  check: string;
  expect: "fail" | "pass";
  drainlint_overlap: string;
}

/** Peer checks that map onto a drainlint rule; the others are reported as not comparable. */
const MAPPED: Record<string, string> = {
  "polaris/readinessProbeMissing": "readiness-probe-missing",
  "kube-score/pod-probes": "readiness-probe-missing",
  "kube-linter/no-readiness-probe": "readiness-probe-missing",
  "kubescape/configured-readiness-probe": "readiness-probe-missing",
  "checkov/CKV_K8S_9": "readiness-probe-missing",
  "kube-score/pod-probes-identical": "liveness-tighter-than-readiness",
};

export interface ConformanceRow {
  peer: string;
  check: string;
  target: string;
  expect: "fail" | "pass";
  drainlint: "fail" | "pass";
  agree: boolean;
  explanation: string | null;
}

/** Workload views of one file, linked against its own Services (as a run on that file would). */
function viewsOf(file: string, text: string): { docIndex: number; w: WorkloadView }[] {
  const parsed = parseYaml(text);
  const out: { docIndex: number; w: WorkloadView }[] = [];
  const services: ServiceView[] = [];
  const source = { path: file, displayPath: file, kind: "yaml" as const, text, bom: false };
  let nonEmpty = -1;
  for (const d of parsed.docs) {
    if (d.contents === null) continue;
    nonEmpty++;
    if (d.error) continue;
    const raw = d.doc.toJS({ maxAliasCount: 100 });
    if (!isRecord(raw)) continue;
    const svc = buildService(raw);
    if (svc) services.push(svc);
    const loc = new Locator(d.doc, parsed.lineCounter, d.contents);
    const w = buildWorkload({
      file: source,
      docIndex: d.index,
      objectPath: [],
      locator: loc,
      raw,
      helmSource: null,
    });
    if (w) out.push({ docIndex: nonEmpty, w });
  }
  linkWorkloads(
    out.map((o) => o.w),
    services,
  );
  return out;
}

/** Why drainlint and the peer differ, from the SPEC; null when nothing in the SPEC explains it. */
function explain(
  e: Expectation,
  rule: string,
  w: WorkloadView | undefined,
  drainlint: "fail" | "pass",
): string | null {
  if (!w) return null;
  const c = e.container ? w.containers.find((x) => x.name === e.container) : undefined;
  if (rule === "readiness-probe-missing") {
    if (e.expect === "fail" && drainlint === "pass") {
      if (!w.serving && w.category === "pod")
        return "SPEC §2: a bare Pod serves traffic only if it declares ports or a Service selects it; this one does neither, and the peer requires a probe anyway.";
      if (!w.serving)
        return `SPEC §2: ${w.kind} does not serve traffic (Jobs, CronJobs, Helm hooks, Knative are skipped).`;
      if (c && !receivesTraffic(w, c) && w.selectedBy.length === 0)
        return "SPEC §3: the container declares no containerPort and no Service in the input selects its pod, so nothing shows it receives traffic; the peer requires a probe on every container.";
      if (c && !receivesTraffic(w, c))
        return "SPEC §3: a port-less container beside a main container is a helper (log shipper, proxy) and is not reported; the peer requires a probe on every container.";
      if (!c && e.container) return "SPEC §2: plain init containers are not linted for probes.";
    }
    if (e.expect === "pass" && drainlint === "fail") {
      if (c && c.ports.length > 0 && !c.readinessProbe)
        return "SPEC §3: every container that declares a containerPort needs its own readiness probe; the peer is satisfied at pod level or skips this kind.";
      if (c && !c.readinessProbe && w.selectedBy.length > 0)
        return "SPEC §3: the only main container of a pod a Service selects needs a readiness probe; the peer judges the pod as a whole.";
    }
  }
  if (rule === "liveness-tighter-than-readiness" && c?.livenessProbe && c.readinessProbe) {
    if (e.expect === "fail" && drainlint === "pass")
      return `SPEC §3: the liveness window (${c.livenessProbe.window}s) is longer than readiness's (${c.readinessProbe.window}s); the peer flags identical handlers, drainlint compares timing.`;
    if (e.expect === "pass" && drainlint === "fail")
      return "SPEC §3: liveness gives up no later than readiness; the peer only flags identical probes.";
  }
  return null;
}

export async function runConformance(
  conformanceDir: string,
): Promise<{ rows: ConformanceRow[]; notCompared: Expectation[] }> {
  const expectations = JSON.parse(
    readFileSync(path.join(conformanceDir, "expectations.json"), "utf8"),
  ) as Expectation[];
  const rows: ConformanceRow[] = [];
  const notCompared: Expectation[] = [];
  const cache = new Map<
    string,
    {
      findings: Finding[];
      views: { docIndex: number; w: WorkloadView }[];
      docLines: [number, number][];
    }
  >();
  for (const e of expectations) {
    const rule = MAPPED[`${e.peer}/${e.check}`];
    if (!rule) {
      notCompared.push(e);
      continue;
    }
    const abs = path.join(conformanceDir, e.file);
    if (!cache.has(abs)) {
      const source = readSource(abs, "yaml", conformanceDir);
      const findings = lintSources([source], resolveSettings()).findings;
      const parsed = parseYaml(source.text);
      const docLines = parsed.docs
        .filter((d) => d.contents !== null)
        .map(
          (d) =>
            [
              parsed.lineCounter.linePos(d.doc.range[0]).line,
              parsed.lineCounter.linePos(d.doc.range[2]).line,
            ] as [number, number],
        );
      cache.set(abs, { findings, views: viewsOf(abs, source.text), docLines });
    }
    const { findings, views, docLines } = cache.get(abs)!;
    const [from, to] = docLines[e.doc_index] ?? [0, Infinity];
    const [kind] = e.object.split("/");
    const hit = findings.some(
      (f) =>
        f.ruleId === rule &&
        f.line >= from &&
        f.line <= to &&
        f.object?.kind === kind &&
        (!e.container || f.container === e.container),
    );
    const drainlint = hit ? "fail" : "pass";
    const w = views.find((v) => v.docIndex === e.doc_index)?.w;
    const agree = drainlint === e.expect;
    rows.push({
      peer: e.peer,
      check: e.check,
      target: `${e.file}#${e.doc_index} ${e.object}${e.container ? ` [${e.container}]` : ""}`,
      expect: e.expect,
      drainlint,
      agree,
      explanation: agree ? null : explain(e, rule, w, drainlint),
    });
  }
  return { rows, notCompared };
}

async function main(): Promise<number> {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  const corpus = path.resolve(repo, "..", "shared", "corpus");
  const real = path.join(corpus, "real");
  if (!existsSync(real)) {
    console.log(`corpus: skipped, ${real} is absent`);
    return 3;
  }
  let failed = false;
  const r = await runCorpus(real, repo);
  console.log(
    `corpus: ${r.files} files, ${r.documents} documents, ${r.objects} objects, linted in ${r.seconds.toFixed(2)} s`,
  );
  for (const [rule, n] of Object.entries(r.findingsByRule).sort((a, b) => b[1] - a[1]))
    console.log(`  ${String(n).padStart(5)}  ${rule}`);
  for (const n of r.notices) console.log(`  notice: ${n}`);
  for (const p of r.problems) console.log(`  PROBLEM: ${p}`);
  if (r.problems.length) failed = true;

  const conformance = path.join(corpus, "conformance");
  if (existsSync(path.join(conformance, "expectations.json"))) {
    const { rows, notCompared } = await runConformance(conformance);
    const agreed = rows.filter((x) => x.agree).length;
    console.log(
      `\nconformance: ${agreed}/${rows.length} peer expectations agree (${((100 * agreed) / Math.max(rows.length, 1)).toFixed(0)}%); ${notCompared.length} not comparable (checks drainlint does not have: liveness presence, probe-port matching)`,
    );
    for (const row of rows.filter((x) => !x.agree)) {
      console.log(
        `  differs: ${row.peer} ${row.check} ${row.target}: peer ${row.expect}, drainlint ${row.drainlint}`,
      );
      console.log(`           ${row.explanation ?? "UNEXPLAINED by the SPEC"}`);
      if (!row.explanation) failed = true;
    }
  }
  return failed ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => (process.exitCode = code),
    (e) => {
      console.error(`corpus: crashed: ${(e as Error).stack ?? e}`);
      process.exitCode = 1;
    },
  );
}
