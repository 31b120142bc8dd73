/** The fix engine (SPEC §7): edits, merging and passes, atomic writes, --fix and --fix-dry-run. */
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
  lstatSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyPatch } from "diff";
import { describe, expect, it } from "vitest";
import { run, type CliIO } from "../src/cli.js";
import { lint, lintSources, resolveSettings } from "../src/engine/lint.js";
import { applyFixes, fixSources } from "../src/fix/apply.js";
import { insertKeyEdit, replaceEntryEdit, setScalarEdit, upsertKeyEdit } from "../src/fix/edits.js";
import { writeFixed, WriteError } from "../src/fix/write.js";
import { Locator } from "../src/model/locate.js";
import { parseYaml } from "../src/parse/yaml.js";
import type { Edit, Finding, SourceFile } from "../src/types.js";
import { source } from "./helpers/lint.js";

function locatorOf(text: string, doc = 0): Locator {
  const parsed = parseYaml(text);
  const d = parsed.docs[doc];
  return new Locator(d.doc, parsed.lineCounter, d.contents);
}

function apply(text: string, edit: Edit | null): string {
  expect(edit).not.toBeNull();
  return text.slice(0, edit!.start) + edit!.text + text.slice(edit!.end);
}

function finding(edits: Edit[], ruleId = "liveness-tighter-than-readiness"): Finding {
  return {
    ruleId,
    severity: "warning",
    message: "m",
    file: "t.yaml",
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    object: null,
    container: null,
    source: null,
    suggestions: [],
    fix: { description: "d", edits },
  };
}

/** Fix `text` as one file with the real rules; returns the fixed text and what remains. */
function fixText(text: string, name = "t.yaml", kind: SourceFile["kind"] = "yaml") {
  const run = fixSources([source(text, name, kind)], resolveSettings({}));
  return { output: run.files[0].output, file: run.files[0], remaining: run.result.findings };
}

const POD = (probe: string) => `apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: app
      image: app:1
      readinessProbe:
        tcpSocket: { port: 80 }
${probe}`;

describe("applyFixes", () => {
  it("merges a finding's edits into one replacement and applies fixes left to right", () => {
    const text = "abcdefghij";
    const out = applyFixes(text, [
      finding([
        { start: 8, end: 9, text: "I" },
        { start: 1, end: 2, text: "B" },
      ]),
      finding([{ start: 0, end: 0, text: ">" }]),
    ]);
    expect(out.output).toBe(">aBcdefghIj");
    expect(out.applied).toHaveLength(2);
    expect(out.skipped).toHaveLength(0);
  });

  it("defers a fix that overlaps or touches an applied one, and counts an identical fix once applied", () => {
    const text = "0123456789";
    const a = finding([{ start: 2, end: 5, text: "X" }]);
    const overlapping = finding([{ start: 4, end: 6, text: "Y" }]);
    const touching = finding([{ start: 5, end: 6, text: "Z" }]);
    const same = finding([{ start: 2, end: 5, text: "X" }]);
    const out = applyFixes(text, [a, overlapping, touching, same]);
    expect(out.output).toBe("01X56789");
    expect(out.applied).toEqual([a, same]);
    expect(out.skipped).toEqual([overlapping, touching]);
  });

  it("refuses a finding whose own edits overlap or fall outside the text", () => {
    const text = "0123456789";
    const selfOverlap = finding([
      { start: 1, end: 4, text: "a" },
      { start: 3, end: 5, text: "b" },
    ]);
    const outside = finding([{ start: 8, end: 12, text: "c" }]);
    const out = applyFixes(text, [selfOverlap, outside]);
    expect(out.output).toBe(text);
    expect(out.skipped).toEqual([selfOverlap, outside]);
  });
});

describe("edits", () => {
  it("keeps a changed scalar's quoting and writes numbers plain", () => {
    const text = "a: '1.29'\nb: \"x\"\nc: 3 # keep\n";
    const loc = locatorOf(text);
    expect(apply(text, setScalarEdit(loc, ["a"], "1.30"))).toBe(
      "a: '1.30'\nb: \"x\"\nc: 3 # keep\n",
    );
    expect(apply(text, setScalarEdit(loc, ["b"], "it's"))).toBe(
      "a: '1.29'\nb: \"it's\"\nc: 3 # keep\n",
    );
    expect(apply(text, setScalarEdit(loc, ["c"], 4))).toBe("a: '1.29'\nb: \"x\"\nc: 4 # keep\n");
  });

  it("quotes a plain string that would read back as another type, and fills an empty value", () => {
    const text = "a: x\nb:\nc: 1\n";
    const loc = locatorOf(text);
    expect(apply(text, setScalarEdit(loc, ["a"], "1.30"))).toBe('a: "1.30"\nb:\nc: 1\n');
    expect(apply(text, setScalarEdit(loc, ["b"], 7))).toBe("a: x\nb: 7\nc: 1\n");
  });

  it("inserts after the map's last entry at its keys' column, past nested blocks and block scalars", () => {
    const text = "m:\n    a: 1\n    s: |\n        line\n\n    # about m\nnext: 2\n";
    expect(apply(text, insertKeyEdit(locatorOf(text), text, ["m"], "k", 5))).toBe(
      "m:\n    a: 1\n    s: |\n        line\n    k: 5\n\n    # about m\nnext: 2\n",
    );
    const nested = "m:\n  a:\n    b: 1 # c\nz: 0\n";
    expect(apply(nested, insertKeyEdit(locatorOf(nested), nested, ["m"], "k", 5))).toBe(
      "m:\n  a:\n    b: 1 # c\n  k: 5\nz: 0\n",
    );
  });

  it("renders a nested value with the file's indentation step and its line endings", () => {
    const text = "spec:\r\n    lifecycle:\r\n        preStop:\r\n            exec: {}\r\n";
    const loc = locatorOf(text);
    expect(apply(text, insertKeyEdit(loc, text, ["spec"], "x", { y: { z: 1 } }))).toBe(
      "spec:\r\n    lifecycle:\r\n        preStop:\r\n            exec: {}\r\n    x:\r\n        y:\r\n            z: 1\r\n",
    );
  });

  it("replaces a handler entry in place, in block and flow style", () => {
    const block = 'preStop:\n  exec:\n    command: ["sleep", "5"] # old\nother: 1\n';
    expect(
      apply(
        block,
        replaceEntryEdit(locatorOf(block), block, ["preStop"], "exec", "sleep", { seconds: 5 }),
      ),
    ).toBe("preStop:\n  sleep:\n    seconds: 5 # old\nother: 1\n");
    const flow = "preStop: { exec: { command: [sleep, '5'] } }\n";
    expect(
      apply(
        flow,
        replaceEntryEdit(locatorOf(flow), flow, ["preStop"], "exec", "sleep", { seconds: 5 }),
      ),
    ).toBe("preStop: { sleep: { seconds: 5 } }\n");
  });

  it("never edits through an alias, a merge key, or an anchored node that an alias repeats", () => {
    const text = "base: &b\n  x: 1\nuse:\n  <<: *b\nalias: *b\nfree: &f\n  y: 1\n";
    const loc = locatorOf(text);
    expect(setScalarEdit(loc, ["use", "x"], 2)).toBeNull();
    expect(setScalarEdit(loc, ["base", "x"], 2)).toBeNull();
    expect(insertKeyEdit(loc, text, ["alias"], "k", 1)).toBeNull();
    expect(upsertKeyEdit(loc, text, ["base"], "k", 1)).toBeNull();
    // An anchor nothing refers to is not shared.
    expect(apply(text, setScalarEdit(loc, ["free", "y"], 2))).toContain("free: &f\n  y: 2\n");
  });

  it("inserts into JSON as JSON: one entry per line, or on the same line", () => {
    const text = '{\n  "a": {\n    "x": 1\n  },\n  "b": {"y": 2}\n}\n';
    const loc = locatorOf(text);
    const multi = apply(text, insertKeyEdit(loc, text, ["a"], "k", "v", true));
    expect(multi).toBe('{\n  "a": {\n    "x": 1,\n    "k": "v"\n  },\n  "b": {"y": 2}\n}\n');
    expect(JSON.parse(multi)).toEqual({ a: { x: 1, k: "v" }, b: { y: 2 } });
    const single = apply(text, insertKeyEdit(loc, text, ["b"], "k", 3, true));
    expect(JSON.parse(single)).toEqual({ a: { x: 1 }, b: { y: 2, k: 3 } });
    expect(single).toContain('"b": {"y": 2, "k": 3}');
  });
});

describe("fixSources", () => {
  it("fixes a JSON manifest and it stays JSON", () => {
    const obj = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        containers: [
          {
            name: "app",
            image: "app:1",
            readinessProbe: { tcpSocket: { port: 80 } },
            livenessProbe: { tcpSocket: { port: 80 } },
          },
        ],
      },
    };
    const text = JSON.stringify(obj, null, 2) + "\n";
    const { output, remaining } = fixText(text, "pod.json", "json");
    const fixed = JSON.parse(output);
    expect(fixed.spec.containers[0].livenessProbe).toEqual({
      tcpSocket: { port: 80 },
      failureThreshold: 4,
    });
    fixed.spec.containers[0].livenessProbe = obj.spec.containers[0].livenessProbe;
    expect(fixed).toEqual(obj);
    expect(remaining.filter((f) => f.fix)).toEqual([]);
  });

  it("leaves Helm-rendered documents alone and fixes the others", () => {
    const helm = `---\n# Source: chart/templates/pod.yaml\n${POD("      livenessProbe:\n        tcpSocket: { port: 80 }\n")}`;
    const plain = `---\n${POD("      livenessProbe:\n        tcpSocket: { port: 80 }\n").replace("name: p", "name: q")}`;
    const { output, remaining } = fixText(helm + plain);
    expect(output.slice(0, helm.length)).toBe(helm);
    expect(output.slice(helm.length)).toContain("failureThreshold: 4");
    const left = remaining.filter((f) => f.ruleId === "liveness-tighter-than-readiness");
    expect(left.map((f) => f.source?.file)).toEqual(["chart/templates/pod.yaml"]);
    // Its finding offers no autofix, so "fixable" counts only what --fix changes.
    expect(left[0].fix).toBeNull();
    expect(left[0].suggestions.length).toBeGreaterThan(0);
  });

  it("does not fix a file with a YAML error and says why", () => {
    const text = POD("      livenessProbe:\n        tcpSocket: { port: 80 }\n") + "---\nbad: [\n";
    const { output, file } = fixText(text);
    expect(output).toBe(text);
    expect(file.refused?.cause).toBe("input");
    expect(file.refused?.message).toMatch(/YAML error at line \d+/);
  });

  it("is idempotent: fixing the fixed text changes nothing", () => {
    const text = POD(
      "      livenessProbe: # probe\n        tcpSocket: { port: 80 }\n        failureThreshold: 1\n",
    );
    const once = fixText(text).output;
    expect(once).not.toBe(text);
    expect(fixText(once).output).toBe(once);
  });
});

describe("writeFixed", () => {
  function tmp(): string {
    return mkdtempSync(path.join(tmpdir(), "drainlint-write-"));
  }
  async function read(file: string): Promise<SourceFile> {
    const r = await lint({ paths: [file], cwd: path.dirname(file), noIgnore: true, config: false });
    return r.sources[0];
  }

  it("replaces the file atomically, keeps its mode and BOM, and leaves no temporary file", async () => {
    const dir = tmp();
    const file = path.join(dir, "a.yaml");
    writeFileSync(file, "\uFEFFa: 1\r\n");
    chmodSync(file, 0o640);
    const src = await read(file);
    expect(src.bom).toBe(true);
    await writeFixed(src, "a: 2\r\n");
    expect(readFileSync(file)).toEqual(Buffer.from("\uFEFFa: 2\r\n"));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["a.yaml"]);
  });

  it("rewrites a symlink's target and keeps the link", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "real.yaml"), "a: 1\n");
    symlinkSync("real.yaml", path.join(dir, "link.yaml"));
    const src = await read(path.join(dir, "link.yaml"));
    await writeFixed(src, "a: 2\n");
    expect(lstatSync(path.join(dir, "link.yaml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, "real.yaml"), "utf8")).toBe("a: 2\n");
  });

  it("refuses a file that changed on disk since it was read", async () => {
    const dir = tmp();
    const file = path.join(dir, "a.yaml");
    writeFileSync(file, "a: 1\n");
    const src = await read(file);
    writeFileSync(file, "a: 1 # edited meanwhile\n");
    await expect(writeFixed(src, "a: 2\n")).rejects.toThrow(WriteError);
    expect(readFileSync(file, "utf8")).toBe("a: 1 # edited meanwhile\n");
  });
});

describe("--fix and --fix-dry-run", () => {
  async function cli(argv: string[], cwd: string, stdin?: string) {
    let stdout = "";
    let stderr = "";
    const io: CliIO = {
      stdout: (s) => void (stdout += s),
      stderr: (s) => void (stderr += s),
      readStdin: async () => Buffer.from(stdin ?? ""),
      cwd,
      env: {},
      stdoutIsTTY: false,
      stderrIsTTY: false,
    };
    const code = await run(["--no-config", "--no-color", ...argv], io);
    return { code, stdout, stderr };
  }
  const LIVE = POD("      livenessProbe: # tight\n        tcpSocket: { port: 80 }\n");

  it("--fix-dry-run prints a diff that --fix matches, and writes nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "drainlint-cli-"));
    writeFileSync(path.join(dir, "pod.yaml"), LIVE);
    const dry = await cli(["--fix-dry-run", "pod.yaml"], dir);
    expect(readFileSync(path.join(dir, "pod.yaml"), "utf8")).toBe(LIVE);
    expect(dry.stdout).toMatch(/^--- a\/pod\.yaml\n\+\+\+ b\/pod\.yaml\n@@/);
    expect(dry.stderr).toContain("would fix 1 problem in 1 file");
    const fixed = await cli(["--fix", "pod.yaml"], dir);
    const after = readFileSync(path.join(dir, "pod.yaml"), "utf8");
    expect(after).toBe(applyPatch(LIVE, dry.stdout));
    expect(after).toContain("        failureThreshold: 4\n");
    expect(fixed.stderr).toContain("fixed 1 problem in 1 file");
    expect(fixed.stdout).toMatch(/No problems|\(0 fixable with --fix\)/);
    const again = await cli(["--fix", "pod.yaml"], dir);
    expect(readFileSync(path.join(dir, "pod.yaml"), "utf8")).toBe(after);
    expect(again.stderr).not.toContain("fixed");
  });

  it("--fix on standard input prints the fixed text; the report goes to standard error", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "drainlint-cli-"));
    const r = await cli(["--fix", "-f", "json", "-"], dir, LIVE);
    expect(r.stdout).toBe(applyPatch(LIVE, (await cli(["--fix-dry-run", "-"], dir, LIVE)).stdout));
    const report = JSON.parse(r.stderr.slice(r.stderr.indexOf("{")));
    expect(report.summary.fixable).toBe(0);
  });

  it("json output carries each finding's fix edits", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "drainlint-cli-"));
    const r = await cli(["-f", "json", "-"], dir, LIVE);
    const f = JSON.parse(r.stdout).findings.find(
      (x: Finding) => x.ruleId === "liveness-tighter-than-readiness",
    );
    expect(f.fix.edits).toHaveLength(1);
    const e = f.fix.edits[0];
    expect(LIVE.slice(0, e.start) + e.text + LIVE.slice(e.end)).toContain("failureThreshold: 4");
  });

  it("a fixed file that re-lints clean stays fixed across passes for all rules", () => {
    // Several autofixable findings in one file: everything fixable is gone after one run.
    const text = `${POD("      livenessProbe:\n        tcpSocket: { port: 80 }\n        failureThreshold: 1\n")}---\n${POD("      livenessProbe: {tcpSocket: {port: 80}}\n").replace("name: p", "name: q")}`;
    const first = lintSources([source(text)], resolveSettings({}));
    expect(first.findings.filter((f) => f.fix).length).toBeGreaterThanOrEqual(2);
    const { remaining } = fixText(text);
    expect(remaining.filter((f) => f.fix)).toEqual([]);
  });
});
