/**
 * The prefilter (src/parse/prefilter.ts) must change nothing but speed: linting with it and
 * with every document composed gives the same findings, objects and units, on the fixtures
 * and on the real corpus (../shared/corpus/real, skipped when absent).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discover } from "../src/discover.js";
import { lintSources, resolveSettings } from "../src/engine/lint.js";
import { Parser } from "yaml";
import { lexDocuments } from "../src/parse/lexscan.js";
import { allPlainlyWanted, documentHeader } from "../src/parse/prefilter.js";
import { parseYaml } from "../src/parse/yaml.js";
import { readSource } from "../src/read.js";
import type { CST } from "yaml";
import type { SourceFile } from "../src/types.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const REAL = path.resolve(ROOT, "../shared/corpus/real");

async function sourcesUnder(dir: string): Promise<SourceFile[]> {
  const found = discover([dir], { cwd: ROOT, noIgnore: true });
  const out: SourceFile[] = [];
  for (const f of found.files) {
    try {
      out.push(readSource(f.path, f.kind, ROOT));
    } catch {
      /* unreadable files are the reader's business, not this test's */
    }
  }
  return out;
}

function compare(sources: SourceFile[]) {
  const settings = resolveSettings();
  const fast = lintSources(sources, settings, { cwd: ROOT });
  const full = lintSources(sources, settings, { cwd: ROOT, prefilter: false });
  expect(fast.findings).toEqual(full.findings);
  expect(fast.summary).toEqual(full.summary);
  expect(fast.units).toEqual(full.units);
  return full;
}

function header(text: string) {
  const doc = [...new Parser().parse(text)].find((t) => t.type === "document");
  return documentHeader(doc as CST.Document);
}

describe("prefilter", () => {
  it("reads apiVersion, kind, name and namespace from the tokens", () => {
    expect(
      header(
        "apiVersion: v1\nkind: ConfigMap # c\nmetadata:\n  name: 'cfg'\n  namespace: \"ns\"\n",
      ),
    ).toEqual({ apiVersion: "v1", kind: "ConfigMap", name: "cfg", namespace: "ns" });
    expect(header("apiVersion: v1\nkind: Secret\nmetadata: { name: s, labels: {a: b} }\n")).toEqual(
      { apiVersion: "v1", kind: "Secret", name: "s", namespace: null },
    );
    // Plain scalars the core schema reads as numbers, booleans or null are no strings.
    expect(header("apiVersion: 1.0\nkind: true\n")).toEqual({
      apiVersion: null,
      kind: null,
      name: null,
      namespace: null,
    });
  });

  it("reads JSON (a flow map) too", () => {
    expect(header('{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}')).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      name: "c",
      namespace: null,
    });
  });

  it("gives up where composing could differ: merge keys, aliases, tags, duplicates", () => {
    expect(header("<<: {kind: Deployment}\napiVersion: v1\n")).toBeNull();
    expect(header("apiVersion: v1\nkind: *k\n")).toBeNull();
    expect(header("apiVersion: v1\nkind: !!str ConfigMap\n")).toBeNull();
    expect(header("apiVersion: v1\nkind: ConfigMap\nkind: Deployment\n")).toBeNull();
    expect(header("apiVersion: v1\nkind: [ConfigMap]\n")).toBeNull();
  });

  it("lexer tier: cuts at --- lexemes and reads headers from block lines", () => {
    const text =
      "# c\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels:\n    name: deeper\n  name: cfg # c\n  namespace: 'ns'\ndata:\n  k: |\n    ---\n    kind: Deployment\n---\nkind: Pod\napiVersion: v1\n";
    const docs = lexDocuments(text)!;
    expect(docs.map((d) => d.header)).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", name: "cfg", namespace: "ns" },
      { apiVersion: "v1", kind: "Pod", name: null, namespace: null },
    ]);
    expect(text.slice(docs[1].start, docs[1].start + 3)).toBe("---");
    expect(docs[0].end).toBe(docs[1].start);
  });

  it("lexer tier: leaves anything uncertain to the token tier", () => {
    const header = (t: string) => lexDocuments(t)![0].header;
    expect(header("kind: &a Pod\n")).toBeNull();
    expect(header("kind: Pod\nkind: Pod\n")).toBeNull();
    expect(header("kind:\n  Pod\n")).toBeNull();
    expect(header('kind: "P\\x6fd"\n')).toBeNull();
    expect(header("metadata: { name: x }\nkind: Pod\n")).toBeNull();
    expect(header("<<: *base\nkind: Pod\n")).toBeNull();
    // A duplicate key anywhere (composing reports it), even inside a sequence item.
    expect(header("kind: ConfigMap\ndata:\n  a: 1\n  a: 2\n")).toBeNull();
    expect(header("kind: X\nitems:\n  - a: 1\n    a: 2\n")).toBeNull();
    expect(header("kind: X\nitems:\n  - a: 1\n  - a: 2\n")).not.toBeNull();
    expect(lexDocuments("a: 1\n...\n")).toBeNull();
    expect(lexDocuments("%YAML 1.1\n---\na: 1\n")).toBeNull();
  });

  it("composes only what the filter keeps and keeps every document's index", () => {
    const text =
      "kind: ConfigMap\napiVersion: v1\n---\n# Source: c/templates/d.yaml\nkind: Deployment\napiVersion: apps/v1\n---\nkind: Secret\napiVersion: v1\n";
    const parsed = parseYaml(text, { keep: (h) => h.kind === "Deployment" });
    expect(parsed.docs.map((d) => [d.index, d.helmSource])).toEqual([[1, "c/templates/d.yaml"]]);
    expect(parsed.skipped.map((d) => [d.index, d.kind])).toEqual([
      [0, "ConfigMap"],
      [2, "Secret"],
    ]);
  });

  it("skips the lexer tier only when every document plainly names a wanted kind", () => {
    const keep = (h: { kind: string | null }) => h.kind === "Deployment" || h.kind === "Service";
    const both =
      "---\n# Source: c/templates/d.yaml\napiVersion: apps/v1\nkind: Deployment # app\n---\napiVersion: v1\nkind: Service\n";
    expect(allPlainlyWanted(both, keep)).toBe(true);
    expect(allPlainlyWanted(both + "---\napiVersion: v1\nkind: ConfigMap\n", keep)).toBe(false);
    expect(allPlainlyWanted(both + "---\nkind: Service\n", keep)).toBe(false); // no apiVersion
    expect(allPlainlyWanted(both + "...\n", keep)).toBe(false);
    expect(allPlainlyWanted('apiVersion: v1\nkind: "Service"\n', keep)).toBe(false);
    expect(allPlainlyWanted("apiVersion: v1\nkind: Service\nkind: Service\n", keep)).toBe(false);
    // Either way the same documents are composed, with the same indexes and Helm sources.
    const parsed = parseYaml(both, { keep });
    const full = parseYaml(both);
    expect(parsed.docs.map((d) => [d.index, d.helmSource, d.doc.toJS()])).toEqual(
      full.docs.map((d) => [d.index, d.helmSource, d.doc.toJS()]),
    );
  });

  it("changes no finding, object or unit on the fixtures", async () => {
    const full = compare(await sourcesUnder(path.join(ROOT, "fixtures")));
    expect(full.summary.objects).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync(REAL))(
    "changes no finding, object or unit on the real corpus",
    async () => {
      const full = compare(await sourcesUnder(REAL));
      expect(full.summary.objects).toBeGreaterThan(100);
    },
  );
});
