/**
 * Properties of --fix (SPEC §7, §10) over generated manifests in every layout the fixes must
 * respect (2/4-space indentation, flush or indented sequences, flow probes, CRLF, comments)
 * and over the files of ../shared/corpus/real (skipped, with a message, when absent):
 * fixing twice equals fixing once; every comment survives unchanged and in order; the output
 * parses to the same objects except the fixed fields; no autofixable finding is left.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { CST, Lexer } from "yaml";
import { describe, expect, it } from "vitest";
import { lint, resolveSettings } from "../src/engine/lint.js";
import { fixSources, isAutofixable } from "../src/fix/apply.js";
import { parseYaml } from "../src/parse/yaml.js";
import type { SourceFile } from "../src/types.js";
import { source } from "./helpers/lint.js";

const SETTINGS = resolveSettings({});

/** The comments of a YAML text, in order (the lexer never mistakes `#` in a string for one). */
function yamlComments(text: string): string[] {
  const out: string[] = [];
  for (const token of new Lexer().lex(text))
    if (CST.tokenType(token) === "comment") out.push(token.trimEnd());
  return out;
}

function dockerComments(text: string): string[] {
  return text.split(/\r?\n/).filter((l) => /^\s*#/.test(l));
}

function commentsOf(s: SourceFile, text: string): string[] {
  return s.kind === "dockerfile" ? dockerComments(text) : yamlComments(text);
}

type Json = unknown;

/** Paths (dotted) where two plain values differ. */
function diffPaths(
  a: Json,
  b: Json,
  at: (string | number)[] = [],
  out: string[][] = [],
): string[][] {
  if (a === b) return out;
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) {
    out.push(at.map(String));
    return out;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  for (const k of new Set([...ka, ...kb]))
    diffPaths((a as Record<string, Json>)[k], (b as Record<string, Json>)[k], [...at, k], out);
  return out;
}

/** The fields an autofix may change (SPEC §3): grace period, liveness threshold, preStop handler. */
function isFixedField(p: string[]): boolean {
  const last = p[p.length - 1];
  if (last === "terminationGracePeriodSeconds") return true;
  if (last === "failureThreshold" && p[p.length - 2] === "livenessProbe") return true;
  return p.includes("preStop");
}

function documents(text: string): Json[] {
  return parseYaml(text).docs.map((d) => {
    expect(d.error, d.error?.message).toBeNull();
    return d.doc.toJS({ maxAliasCount: -1 });
  });
}

/** Fixes `sources` and checks every property; returns counts for the caller's assertions. */
function checkFixProperties(sources: SourceFile[], cwd?: string) {
  const first = fixSources(sources, SETTINGS, { cwd });
  const fixedSources = first.files.map((f) => ({ ...f.source, text: f.output }));
  const second = fixSources(fixedSources, SETTINGS, { cwd });
  let changed = 0;
  let fixed = 0;
  for (const [i, f] of first.files.entries()) {
    const name = f.source.displayPath;
    expect(second.files[i].output, `${name}: fixing twice differs from fixing once`).toBe(f.output);
    expect(f.refused?.cause, `${name}: ${f.refused?.message}`).not.toBe("fix");
    if (f.output === f.source.text) continue;
    changed++;
    fixed += f.fixed.length;
    expect(commentsOf(f.source, f.output), `${name}: comments changed`).toEqual(
      commentsOf(f.source, f.source.text),
    );
    if (f.source.kind === "dockerfile") continue;
    const before = documents(f.source.text);
    const after = documents(f.output);
    expect(after.length).toBe(before.length);
    const changedPaths = before.flatMap((d, k) => diffPaths(d, after[k]));
    expect(changedPaths.length, `${name}: a fix changed nothing in the objects`).toBeGreaterThan(0);
    expect(
      changedPaths.filter((p) => !isFixedField(p)).map((p) => p.join(".")),
      `${name}: fields other than the fixed ones changed`,
    ).toEqual([]);
  }
  const left = first.result.findings.filter(
    (f) =>
      isAutofixable(f) &&
      first.files.find((x) => x.source.displayPath === f.file)?.refused?.cause !== "input",
  );
  return { changed, fixed, left };
}

// ---- generated manifests ----------------------------------------------------------------

interface Probe {
  period?: number;
  threshold?: number;
  flow: boolean;
}
interface Container {
  name: string;
  port?: number;
  readiness?: Probe;
  liveness?: Probe;
  preStop?: { kind: "exec" | "native" | "shell"; seconds: number };
  comment: boolean;
}
interface Manifest {
  kind: "Deployment" | "Pod" | "StatefulSet";
  indent: 2 | 4;
  flush: boolean;
  crlf: boolean;
  grace?: number;
  graceComment: boolean;
  containers: Container[];
}

const probeArb = fc.record(
  {
    period: fc.integer({ min: 1, max: 30 }),
    threshold: fc.integer({ min: 1, max: 8 }),
    flow: fc.boolean(),
  },
  { requiredKeys: ["flow"] },
);

const containerArb = fc.record(
  {
    name: fc.constantFrom("web", "api", "worker"),
    port: fc.integer({ min: 1024, max: 9000 }),
    readiness: probeArb,
    liveness: probeArb,
    preStop: fc.record({
      kind: fc.constantFrom("exec" as const, "native" as const, "shell" as const),
      seconds: fc.integer({ min: 1, max: 60 }),
    }),
    comment: fc.boolean(),
  },
  { requiredKeys: ["name", "comment"] },
);

const manifestArb: fc.Arbitrary<Manifest> = fc.record(
  {
    kind: fc.constantFrom("Deployment" as const, "Pod" as const, "StatefulSet" as const),
    indent: fc.constantFrom(2 as const, 4 as const),
    flush: fc.boolean(),
    crlf: fc.boolean(),
    grace: fc.integer({ min: 1, max: 120 }),
    graceComment: fc.boolean(),
    containers: fc.uniqueArray(containerArb, {
      minLength: 1,
      maxLength: 3,
      selector: (c) => c.name,
    }),
  },
  { requiredKeys: ["kind", "indent", "flush", "crlf", "graceComment", "containers"] },
);

function render(m: Manifest, docName: string): string {
  const u = " ".repeat(m.indent);
  const lines: string[] = [];
  const add = (depth: number, s: string) => lines.push(`${u.repeat(depth)}${s}`);
  add(0, `apiVersion: ${m.kind === "Pod" ? "v1" : "apps/v1"}`);
  add(0, `kind: ${m.kind}`);
  add(0, "metadata:");
  add(1, `name: ${docName} # the object`);
  let d = 0;
  if (m.kind !== "Pod") {
    add(0, "spec:");
    add(1, "selector:");
    add(2, `matchLabels: { app: ${docName} }`);
    add(1, "template:");
    add(2, "metadata:");
    add(3, `labels: { app: ${docName} }`);
    add(2, "spec:");
    d = 3;
  } else {
    add(0, "spec:");
    d = 1;
  }
  if (m.graceComment) add(d, "# how long the pod may take to stop");
  if (m.grace !== undefined) add(d, `terminationGracePeriodSeconds: ${m.grace}`);
  add(d, "containers:");
  const item = m.flush ? d : d + 1; // depth of "- "
  const dash = `-${" ".repeat(m.indent - 1)}`;
  for (const c of m.containers) {
    lines.push(`${u.repeat(item)}${dash}name: ${c.name}${c.comment ? " # main" : ""}`);
    const k = item + 1;
    add(k, `image: example/${c.name}:1`);
    if (c.port) {
      add(k, "ports:");
      add(m.flush ? k : k + 1, `${dash}containerPort: ${c.port}`);
    }
    for (const [key, p] of [
      ["readinessProbe", c.readiness],
      ["livenessProbe", c.liveness],
    ] as const) {
      if (!p) continue;
      const fields = [
        `tcpSocket: { port: ${c.port ?? 80} }`,
        ...(p.period !== undefined ? [`periodSeconds: ${p.period}`] : []),
        ...(p.threshold !== undefined ? [`failureThreshold: ${p.threshold}`] : []),
      ];
      if (p.flow) add(k, `${key}: { ${fields.join(", ")} }`);
      else {
        add(k, `${key}:${c.comment ? " # probe" : ""}`);
        for (const f of fields) add(k + 1, f);
      }
    }
    if (c.preStop) {
      add(k, "lifecycle:");
      add(k + 1, "preStop:");
      const s = c.preStop.seconds;
      if (c.preStop.kind === "native") {
        add(k + 2, "sleep:");
        add(k + 3, `seconds: ${s}`);
      } else {
        add(k + 2, "exec:");
        add(
          k + 3,
          c.preStop.kind === "exec"
            ? `command: ["sleep", "${s}"]`
            : `command: ["/bin/sh", "-c", "sleep ${s}"]`,
        );
      }
    }
  }
  return lines.join(m.crlf ? "\r\n" : "\n") + (m.crlf ? "\r\n" : "\n");
}

describe("--fix properties over generated manifests", () => {
  it("fixing twice equals fixing once; comments and unrelated fields unchanged; nothing fixable left", () => {
    let changedRuns = 0;
    fc.assert(
      fc.property(fc.array(manifestArb, { minLength: 1, maxLength: 3 }), (manifests) => {
        const crlf = manifests[0].crlf;
        const text = manifests
          .map((m, i) => render({ ...m, crlf }, `obj${i}`))
          .join(crlf ? "---\r\n" : "---\n");
        const { changed, left } = checkFixProperties([source(text, "gen.yaml")]);
        expect(left.map((f) => `${f.line} ${f.ruleId}: ${f.message}`)).toEqual([]);
        changedRuns += changed;
      }),
      { numRuns: 150 },
    );
    // The generator must actually exercise the fixes, or the properties say nothing.
    expect(changedRuns).toBeGreaterThan(30);
  });

  it("keeps every byte outside the fixed fields: the unchanged documents are identical", () => {
    fc.assert(
      fc.property(manifestArb, manifestArb, (a, b) => {
        const clean: Manifest = { ...b, containers: [], crlf: a.crlf };
        const quiet = render(clean, "quiet");
        const text = `${render(a, "noisy")}---\n${quiet}`;
        const out = fixSources([source(text, "two.yaml")], SETTINGS).files[0].output;
        expect(out.endsWith(`---\n${quiet}`)).toBe(true);
      }),
      { numRuns: 50 },
    );
  });
});

// ---- the real corpus ----------------------------------------------------------------------

const CORPUS = path.resolve(import.meta.dirname, "..", "..", "shared", "corpus", "real");
const present = existsSync(CORPUS);
if (!present) console.warn(`fix corpus properties skipped: ${CORPUS} is absent`);

describe.skipIf(!present)("--fix properties over ../shared/corpus/real", () => {
  it("every repository of the corpus: idempotent, comments kept, only fixed fields change", async () => {
    const { readdirSync } = await import("node:fs");
    let changed = 0;
    let fixed = 0;
    for (const repo of readdirSync(CORPUS).sort()) {
      const dir = path.join(CORPUS, repo);
      const initial = await lint({ paths: [dir], cwd: dir, noIgnore: true, config: false });
      const r = checkFixProperties(initial.sources, dir);
      expect(r.left.map((f) => `${repo}/${f.file}:${f.line} ${f.ruleId}`)).toEqual([]);
      changed += r.changed;
      fixed += r.fixed;
    }
    expect(changed).toBeGreaterThan(0);
    expect(fixed).toBeGreaterThanOrEqual(changed);
  });
});
