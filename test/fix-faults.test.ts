/**
 * Issue 9 item 4: `--fix` under faults. A read-only file, a file changed between read and
 * write, a file deleted mid-run and a full disk (simulated: the write fails with ENOSPC) each
 * give one clear line; the faulty file is left exactly as it was (or as the other writer left
 * it), no temporary file is left behind, and the other files are still fixed.
 */
import { promises as fsp } from "node:fs";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { run, type CliIO } from "../src/cli.js";

/** Liveness as tight as readiness: one autofixable finding (failureThreshold → 4). */
function manifest(name: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name} # keep this comment
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        readinessProbe:
          httpGet: {path: /ready, port: 8080}
        livenessProbe:
          httpGet: {path: /live, port: 8080}
`;
}

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) {
    for (const f of readdirSync(d)) chmodSync(path.join(d, f), 0o644);
    rmSync(d, { recursive: true, force: true });
  }
});

function setup(): { dir: string; faulty: string; healthy: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-fixfault-"));
  dirs.push(dir);
  const faulty = path.join(dir, "a-faulty.yaml");
  const healthy = path.join(dir, "b-healthy.yaml");
  writeFileSync(faulty, manifest("faulty"));
  writeFileSync(healthy, manifest("healthy"));
  return { dir, faulty, healthy };
}

async function fix(dir: string): Promise<{ code: number; stderr: string }> {
  let stderr = "";
  const io: CliIO = {
    stdout: () => undefined,
    stderr: (s) => void (stderr += s),
    readStdin: async () => Buffer.alloc(0),
    cwd: dir,
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  const code = await run(["--no-config", "--fix", "--format", "json", "."], io);
  return { code, stderr };
}

function expectFixed(file: string): void {
  const text = readFileSync(file, "utf8");
  expect(text).toMatch(
    /livenessProbe:\n {10}httpGet: \{path: \/live, port: 8080\}\n {10}failureThreshold: 4\n$/,
  );
  expect(text).toContain("# keep this comment");
}

function expectNoTempFiles(dir: string): void {
  expect(readdirSync(dir).filter((f) => f.includes(".tmp") || f.includes("drainlint-"))).toEqual(
    [],
  );
}

/** The one stderr line about `name` (the tally line names no file). */
function lineAbout(stderr: string, name: string): string[] {
  return stderr.split("\n").filter((l) => l.includes(name));
}

describe("--fix under faults", () => {
  it("without a fault both files are fixed (the baseline the faults are measured against)", async () => {
    const { dir, faulty, healthy } = setup();
    const r = await fix(dir);
    expect(r.code).not.toBe(2);
    expectFixed(faulty);
    expectFixed(healthy);
    expectNoTempFiles(dir);
  });

  it("a read-only file is left alone with one clear line; the other is fixed", async () => {
    const { dir, faulty, healthy } = setup();
    chmodSync(faulty, 0o444);
    const before = readFileSync(faulty);
    const r = await fix(dir);
    expect(r.code).not.toBe(2);
    expect(readFileSync(faulty).equals(before)).toBe(true);
    expect(statSync(faulty).mode & 0o777).toBe(0o444);
    expect(lineAbout(r.stderr, "a-faulty.yaml")).toEqual([
      expect.stringMatching(/^drainlint: a-faulty\.yaml: not fixed: .*read-only/),
    ]);
    expectFixed(healthy);
    expectNoTempFiles(dir);
  });

  it("a file changed between read and write keeps the other writer's bytes", async () => {
    const { dir, faulty, healthy } = setup();
    const theirs = manifest("faulty") + "# edited by someone else meanwhile\n";
    const realpath = fsp.realpath.bind(fsp);
    vi.spyOn(fsp, "realpath").mockImplementation((async (p: string, ...rest: unknown[]) => {
      if (String(p) === faulty) writeFileSync(faulty, theirs);
      return (realpath as (...a: unknown[]) => Promise<string>)(p, ...rest);
    }) as typeof fsp.realpath);
    const r = await fix(dir);
    expect(r.code).not.toBe(2);
    expect(readFileSync(faulty, "utf8")).toBe(theirs);
    expect(lineAbout(r.stderr, "a-faulty.yaml")).toEqual([
      expect.stringMatching(/^drainlint: a-faulty\.yaml: not fixed: .*changed on disk/),
    ]);
    expectFixed(healthy);
    expectNoTempFiles(dir);
  });

  it("a file deleted mid-run is not recreated; the other is fixed", async () => {
    const { dir, faulty, healthy } = setup();
    const realpath = fsp.realpath.bind(fsp);
    vi.spyOn(fsp, "realpath").mockImplementation((async (p: string, ...rest: unknown[]) => {
      if (String(p) === faulty) rmSync(faulty);
      return (realpath as (...a: unknown[]) => Promise<string>)(p, ...rest);
    }) as typeof fsp.realpath);
    const r = await fix(dir);
    expect(r.code).not.toBe(2);
    expect(existsSync(faulty)).toBe(false);
    expect(lineAbout(r.stderr, "a-faulty.yaml")).toEqual([
      expect.stringMatching(/^drainlint: a-faulty\.yaml: not fixed: .*ENOENT/),
    ]);
    expectFixed(healthy);
    expectNoTempFiles(dir);
  });

  it("a full disk (the write fails half-way with ENOSPC) leaves the original intact", async () => {
    const { dir, faulty, healthy } = setup();
    const before = readFileSync(faulty);
    const open = fsp.open.bind(fsp);
    vi.spyOn(fsp, "open").mockImplementation((async (p: string, ...rest: unknown[]) => {
      const handle = await (open as (...a: unknown[]) => Promise<fsp.FileHandle>)(p, ...rest);
      if (path.basename(String(p)).includes("a-faulty.yaml")) {
        const writeFile = handle.writeFile.bind(handle);
        handle.writeFile = (async (data: Buffer) => {
          await writeFile(data.subarray(0, 20)); // some bytes land, then the disk is full
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), {
            code: "ENOSPC",
          });
        }) as typeof handle.writeFile;
      }
      return handle;
    }) as typeof fsp.open);
    const r = await fix(dir);
    expect(r.code).not.toBe(2);
    expect(readFileSync(faulty).equals(before)).toBe(true);
    expect(lineAbout(r.stderr, "a-faulty.yaml")).toEqual([
      expect.stringMatching(/^drainlint: a-faulty\.yaml: not fixed: .*ENOSPC/),
    ]);
    expectFixed(healthy);
    expectNoTempFiles(dir);
  });
});
