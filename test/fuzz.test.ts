/**
 * Issue 9 item 3: fuzzing with fast-check. Random YAML-like text and mutations of the real
 * corpus (../shared/corpus/real) never crash the linter, never take more than a generous
 * bound per document (a hang detector, not a benchmark) and always give json output of the
 * SPEC §6 shape, checked with the published schema (schema/drainlint-output.schema.json).
 * Seeds are fixed so a failure reproduces; FUZZ_RUNS multiplies the runs and FUZZ_SEED
 * changes the seed, for longer local hunts.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import formatJson from "../src/format/json.js";
import { VERSION } from "../src/version.js";
import { lintText } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const CORPUS = path.resolve(ROOT, "..", "shared", "corpus", "real");
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const HANG_SECONDS = 10;
const SEED = Number(process.env.FUZZ_SEED ?? 9008);

const schema = JSON.parse(
  readFileSync(path.join(ROOT, "schema", "drainlint-output.schema.json"), "utf8"),
);
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

/** Lints `text` as `name` and checks every invariant; throws (so fast-check shrinks) on a breach. */
function lintChecked(text: string, name = "fuzz.yaml"): void {
  const start = performance.now();
  const result = lintText(text, { name });
  const seconds = (performance.now() - start) / 1000;
  if (seconds > HANG_SECONDS) throw new Error(`took ${seconds.toFixed(1)}s (hang?)`);
  const out = JSON.parse(formatJson({ result, version: VERSION, color: false, cwd: ROOT }));
  if (!validate(out))
    throw new Error(`json output off the schema: ${JSON.stringify(validate.errors)}`);
  const lines = text.split("\n").length;
  for (const f of result.findings) {
    if (f.line > lines + 1 || f.endLine < f.line)
      throw new Error(`position out of the text: ${JSON.stringify(f)}`);
    for (const e of f.fix?.edits ?? [])
      if (e.start > e.end || e.end > text.length)
        throw new Error(`edit out of the text: ${JSON.stringify(e)}`);
  }
}

/** Pieces YAML (and drainlint's model) are touchy about. */
const TOKENS = [
  "apiVersion: apps/v1",
  "apiVersion: v1",
  "kind: Deployment",
  "kind: Pod",
  "kind: List",
  "kind: Service",
  "metadata:",
  "  name: web",
  "spec:",
  "  template:",
  "    spec:",
  "      containers:",
  "      - name: c",
  "        ports: [{containerPort: 80}]",
  "        readinessProbe:",
  "        livenessProbe:",
  "          failureThreshold: 1",
  "          periodSeconds: .nan",
  "      terminationGracePeriodSeconds: -1",
  "        lifecycle: {preStop: {exec: {command: [sh, -c, sleep 5]}}}",
  "items:",
  "- ",
  "---",
  "...",
  "%YAML 1.2",
  "# comment",
  "# drainlint-disable-next-line",
  "&a",
  "*a",
  "<<: *a",
  "<<: [*a, *b]",
  "!!str",
  "!!binary",
  "!tag",
  "? ",
  ": ",
  "{",
  "}",
  "[",
  "]",
  ",",
  "'",
  '"',
  "|",
  ">-",
  "\t",
  "  ",
  "    ",
  "\r\n",
  "\n",
  "__proto__:",
  "constructor:",
  ".inf",
  "-.inf",
  "1e400",
  "0x1F",
  "~",
  "null",
  "\u0000",
  "\uFEFF",
  "{{ .Values.x }}",
  "é",
  "💥",
  "\\",
  "@",
  "`",
];

const yamlLike = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...TOKENS) },
      { weight: 2, arbitrary: fc.constantFrom("\n", "\n  ", "\n    ", "\n- ") },
      { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    ),
    { maxLength: 120 },
  )
  .map((parts) => parts.join(""));

describe("fuzz: random YAML-like text", () => {
  it("never crashes or hangs and always gives schema-shaped json", () => {
    fc.assert(
      fc.property(yamlLike, (text) => lintChecked(text)),
      { numRuns: 400 * RUNS, seed: SEED + 1 },
    );
  });

  it("the same as a Dockerfile and as JSON", () => {
    fc.assert(
      fc.property(yamlLike, fc.constantFrom("Dockerfile", "x.json"), (text, name) =>
        lintChecked(text, name),
      ),
      { numRuns: 150 * RUNS, seed: SEED + 2 },
    );
  });
});

/** Corpus files up to 40 kB (enough variety, and each run stays fast). */
function corpusFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ya?ml|json)$|Dockerfile/.test(e.name) && statSync(p).size <= 40_000) out.push(p);
    }
  };
  walk(CORPUS);
  return out.sort();
}

type Mutation =
  | { op: "delete"; at: number; len: number }
  | { op: "insert"; at: number; text: string }
  | { op: "duplicate"; at: number; len: number }
  | { op: "truncate"; at: number }
  | { op: "swapLines"; a: number; b: number }
  | { op: "indent"; line: number; by: number }
  | { op: "byte"; at: number; char: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    op: fc.constant("delete" as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 40 }),
  }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.constantFrom(...TOKENS) }),
  fc.record({
    op: fc.constant("duplicate" as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 400 }),
  }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("swapLines" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({
    op: fc.constant("indent" as const),
    line: fc.nat(),
    by: fc.integer({ min: -4, max: 4 }),
  }),
  fc.record({
    op: fc.constant("byte" as const),
    at: fc.nat(),
    char: fc.constantFrom("\t", "'", '"', ":", "-", "{", "[", "&", "*", "#", "\u0000"),
  }),
);

function mutate(text: string, m: Mutation): string {
  const n = Math.max(text.length, 1);
  switch (m.op) {
    case "delete":
      return text.slice(0, m.at % n) + text.slice((m.at % n) + m.len);
    case "insert":
      return text.slice(0, m.at % n) + m.text + text.slice(m.at % n);
    case "duplicate": {
      const s = m.at % n;
      return text.slice(0, s + m.len) + text.slice(s, s + m.len) + text.slice(s + m.len);
    }
    case "truncate":
      return text.slice(0, m.at % n);
    case "swapLines": {
      const lines = text.split("\n");
      const a = m.a % lines.length;
      const b = m.b % lines.length;
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join("\n");
    }
    case "indent": {
      const lines = text.split("\n");
      const i = m.line % lines.length;
      lines[i] =
        m.by >= 0
          ? " ".repeat(m.by) + lines[i]
          : lines[i].replace(new RegExp(`^ {0,${-m.by}}`), "");
      return lines.join("\n");
    }
    case "byte":
      return text.slice(0, m.at % n) + m.char + text.slice((m.at % n) + 1);
  }
}

describe("fuzz: mutations of the real corpus", () => {
  const files = statSync(CORPUS, { throwIfNoEntry: false })?.isDirectory() ? corpusFiles() : [];
  if (files.length === 0)
    console.warn(
      `fuzz: ${CORPUS} is absent; the corpus mutation fuzzer is skipped (random text still runs)`,
    );

  it.skipIf(files.length === 0)(
    "mutated manifests never crash or hang and give schema-shaped json",
    () => {
      const texts = files.map((f) => ({
        name: path.relative(CORPUS, f),
        text: readFileSync(f, "utf8"),
      }));
      fc.assert(
        fc.property(
          fc.nat({ max: texts.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 6 }),
          (i, mutations) => {
            const text = mutations.reduce(mutate, texts[i].text);
            const base = path.basename(texts[i].name);
            lintChecked(
              text,
              /Dockerfile/.test(base) ? base : base.endsWith(".json") ? "x.json" : "x.yaml",
            );
          },
        ),
        { numRuns: 300 * RUNS, seed: SEED + 3 },
      );
    },
  );

  it.skipIf(files.length === 0)("every unmutated corpus file lints within the bound", () => {
    for (const f of files.filter((_, i) => i % 7 === 0)) {
      const base = path.basename(f);
      expect(() =>
        lintChecked(
          readFileSync(f, "utf8"),
          /Dockerfile/.test(base) ? base : base.endsWith(".json") ? "x.json" : "x.yaml",
        ),
      ).not.toThrow();
    }
  });
});
