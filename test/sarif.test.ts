/**
 * --format sarif: validates against the OASIS SARIF 2.1.0 schema (Ajv, draft-04) on the
 * fixtures and the real corpus, describes every rule, and carries real regions, stable
 * fingerprints, the Helm source and fixes that reproduce the autofix.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import ajvDraft04 from "ajv-draft-04";
import ajvFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { lint, RULES, type LintResult } from "../src/engine/lint.js";
import { ruleDocsUrl } from "../src/engine/rule.js";
import formatSarif from "../src/format/sarif.js";
import { lintText } from "./helpers/lint.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const SCHEMA = path.resolve(ROOT, "../shared/schemas/sarif-schema-2.1.0.json");
const CORPUS = path.resolve(ROOT, "../shared/corpus/real");

// The part of the SARIF log the tests read.
interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}
interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: Region };
    message?: { text: string };
  }[];
  partialFingerprints: Record<string, string>;
  fixes?: {
    description: { text: string };
    artifactChanges: {
      artifactLocation: { uri: string };
      replacements: { deletedRegion: Region; insertedContent: { text: string } }[];
    }[];
  }[];
}
interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: Record<string, any>[] } };
    results: SarifResult[];
  }[];
}

function sarif(result: LintResult, cwd = ROOT): SarifLog {
  return JSON.parse(formatSarif({ result, version: "0.0.0-test", color: false, cwd }));
}

let validate: ((doc: unknown) => boolean) & { errors?: unknown[] | null };
const HAVE_SCHEMA = existsSync(SCHEMA);
if (!HAVE_SCHEMA) console.warn(`SARIF schema validation skipped: ${SCHEMA} is absent`);
beforeAll(() => {
  if (!HAVE_SCHEMA) return;
  // CommonJS packages: under NodeNext the default import is module.exports.
  const ajv = new ajvDraft04.default({ allErrors: true, strict: false });
  ajvFormats.default(ajv);
  validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
});

function expectValid(doc: unknown) {
  if (!HAVE_SCHEMA) return; // said once above; the other assertions of each test still run
  const ok = validate(doc);
  expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice?.(0, 3))).toEqual([]);
  expect(ok).toBe(true);
}

/** Applies SARIF replacements (line/column regions) to a text. */
function applyReplacements(
  text: string,
  reps: { deletedRegion: Region; insertedContent: { text: string } }[],
): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  const off = (line: number, col: number) => starts[line - 1] + col - 1;
  const sorted = [...reps].sort(
    (a, b) =>
      off(b.deletedRegion.startLine, b.deletedRegion.startColumn) -
      off(a.deletedRegion.startLine, a.deletedRegion.startColumn),
  );
  let out = text;
  for (const r of sorted) {
    const a = off(r.deletedRegion.startLine, r.deletedRegion.startColumn);
    const b = off(r.deletedRegion.endLine, r.deletedRegion.endColumn);
    out = out.slice(0, a) + r.insertedContent.text + out.slice(b);
  }
  return out;
}

const TIGHT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{ containerPort: 8080, name: http }]
          readinessProbe:
            httpGet: { path: /ready, port: http }
            failureThreshold: 3
          livenessProbe:
            httpGet: { path: /live, port: http }
        - name: worker
          image: worker:1
          ports: [{ containerPort: 9090 }]
`;

describe("--format sarif", () => {
  it("validates against the SARIF 2.1.0 schema with an empty results array", () => {
    const doc = sarif(lintText("apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n"));
    expectValid(doc);
    expect(doc.version).toBe("2.1.0");
    expect(doc.runs[0].results).toEqual([]);
    if (!HAVE_SCHEMA) return;
    // The validator does reject: a run without its tool, a region starting at line 0.
    expect(validate({ version: "2.1.0", runs: [{ results: [] }] })).toBe(false);
    const broken = structuredClone(sarif(lintText(TIGHT)));
    broken.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(broken)).toBe(false);
  });

  it("validates on every fixture, results matching the findings one to one", async () => {
    const result = await lint({ paths: ["fixtures"], cwd: ROOT });
    expect(result.findings.length).toBeGreaterThan(10);
    const doc = sarif(result);
    expectValid(doc);
    const results = doc.runs[0].results;
    expect(results.map((r) => r.ruleId)).toEqual(result.findings.map((f) => f.ruleId));
    const prints = results.map((r) => r.partialFingerprints["drainlintFinding/v1"]);
    expect(new Set(prints).size).toBe(prints.length);
    results.forEach((r, i) => {
      const f = result.findings[i];
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe(f.file);
      expect(r.locations[0].physicalLocation.region).toEqual({
        startLine: f.line,
        startColumn: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
      });
      const g = r.locations[0].physicalLocation.region;
      // Code scanning rejects regions that end before they start.
      expect(g.startLine).toBeGreaterThanOrEqual(1);
      expect(g.endLine > g.startLine || g.endColumn >= g.startColumn).toBe(true);
      expect(doc.runs[0].tool.driver.rules[r.ruleIndex!].id).toBe(r.ruleId);
      expect(r.level).toBe({ error: "error", warning: "warning", info: "note" }[f.severity]);
    });
  });

  it("describes every rule: short and full description, Markdown help, help URI", () => {
    const rules = sarif(lintText("")).runs[0].tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.meta.id));
    for (const r of rules) {
      const meta = RULES.find((x) => x.meta.id === r.id)!.meta;
      expect(r.shortDescription.text).toBe(meta.summary);
      expect(r.fullDescription.text.length).toBeGreaterThan(20);
      expect(r.helpUri).toBe(ruleDocsUrl(r.id));
      expect(r.help.text.length).toBeGreaterThan(0);
      const doc = path.join(ROOT, "rules", `${r.id}.md`);
      if (existsSync(doc)) {
        // The help is the rule's own doc, and the full description its first paragraph.
        expect(r.help.markdown).toBe(readFileSync(doc, "utf8"));
        expect(r.fullDescription.text).not.toMatch(/\n/);
        expect(readFileSync(doc, "utf8").replace(/\s+/g, " ")).toContain(r.fullDescription.text);
      }
    }
  });

  it("keeps fingerprints across unrelated edits above the finding", () => {
    const before = sarif(lintText(TIGHT)).runs[0].results;
    const shifted =
      "# a comment added later\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: unrelated }\ndata: { a: b }\n---\n" +
      TIGHT.replace("image: web:1", "image: web:2   # bumped");
    const after = sarif(lintText(shifted)).runs[0].results;
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(after.map((r) => r.ruleId)).toEqual(before.map((r) => r.ruleId));
    after.forEach((r, i) => {
      expect(r.locations[0].physicalLocation.region.startLine).toBe(
        before[i].locations[0].physicalLocation.region.startLine + 6,
      );
      expect(r.partialFingerprints).toEqual(before[i].partialFingerprints);
    });
    // A different container is a different result.
    const renamed = sarif(lintText(TIGHT.replace("name: worker", "name: jobs"))).runs[0].results;
    const worker = before.find((r) => r.message.text.includes('"worker"'))!;
    const jobs = renamed.find((r) => r.message.text.includes('"jobs"'))!;
    expect(jobs.partialFingerprints).not.toEqual(worker.partialFingerprints);
  });

  it("turns autofix edits into fixes whose replacements reproduce the fixed text", () => {
    const result = lintText(TIGHT);
    const finding = result.findings.find((f) => f.ruleId === "liveness-tighter-than-readiness")!;
    expect(finding.fix).not.toBeNull();
    const r = sarif(result).runs[0].results.find(
      (x) => x.ruleId === "liveness-tighter-than-readiness",
    )!;
    expect(r.fixes).toHaveLength(1);
    expect(r.fixes![0].description.text).toBe(finding.fix!.description);
    const change = r.fixes![0].artifactChanges[0];
    expect(change.artifactLocation.uri).toBe("test.yaml");
    let byOffsets = TIGHT;
    for (const e of [...finding.fix!.edits].sort((a, b) => b.start - a.start))
      byOffsets = byOffsets.slice(0, e.start) + e.text + byOffsets.slice(e.end);
    expect(applyReplacements(TIGHT, change.replacements)).toBe(byOffsets);
    expect(byOffsets).not.toBe(TIGHT);
    // Findings without an autofix carry no fixes.
    const noFix = sarif(result).runs[0].results.find((x) => x.ruleId === "readiness-probe-missing");
    expect(noFix?.fixes).toBeUndefined();
  });

  it("puts the Helm source in the location's message", () => {
    const rendered = "---\n# Source: shop/templates/web.yaml\n" + TIGHT;
    const doc = sarif(lintText(rendered, { name: "rendered.yaml" }));
    expectValid(doc);
    const results = doc.runs[0].results;
    expect(results.length).toBeGreaterThan(0);
    for (const r of results)
      expect(r.locations[0].message?.text).toContain(
        "Rendered from Helm template shop/templates/web.yaml",
      );
  });

  it("validates on the real corpus", async (ctx) => {
    if (!existsSync(CORPUS)) ctx.skip(`real corpus not found at ${CORPUS}`);
    const result = await lint({ paths: [CORPUS], cwd: ROOT, noIgnore: true });
    const doc = sarif(result);
    expectValid(doc);
    expect(doc.runs[0].results.length).toBe(result.findings.length);
    console.log(
      `sarif on the real corpus: ${result.summary.files} files, ${result.summary.objects} objects, ${doc.runs[0].results.length} results`,
    );
  });
});
