/**
 * SourceReader (src/read.ts) reads a run's files into shared arenas; whatever it does with the
 * bytes, each file's outcome must be the one readSource gives for it alone, in the order the
 * files were given.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ReadError, readSource, SourceReader, type ReadOutcome } from "../src/read.js";
import type { FileKind } from "../src/types.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "drainlint-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A manifest of about `size` bytes of ASCII, different for each `n`. */
function manifest(n: number, size: number): string {
  const head = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${n}\ndata:\n`;
  let body = "";
  for (let i = 0; head.length + body.length < size; i++) body += `  k${i}: "v${n}-${i}"\n`;
  return head + body;
}

function outcomeOf(abs: string, kind: FileKind): ReadOutcome {
  try {
    return readSource(abs, kind, dir);
  } catch (e) {
    if (e instanceof ReadError) return e;
    throw e;
  }
}

function readAll(files: string[]): ReadOutcome[] {
  const got: ReadOutcome[] = [];
  const reader = new SourceReader<number>(dir, (i, outcome) => {
    expect(i).toBe(got.length); // in order, each once
    got.push(outcome);
  });
  files.forEach((f, i) => reader.read(f, "yaml", i));
  reader.flush();
  return got;
}

describe("SourceReader", () => {
  it("gives every file readSource's outcome, in order, across arenas and for every kind of bytes", () => {
    const sub = path.join(dir, "mixed");
    mkdirSync(sub);
    const write = (name: string, data: string | Buffer) => {
      const p = path.join(sub, name);
      writeFileSync(p, data);
      return p;
    };
    const files: string[] = [];
    // 3.5 MB of small ASCII files (several arenas), with every other kind of file between them.
    for (let i = 0; i < 60; i++) {
      files.push(write(`a${i}.yaml`, manifest(i, 40_000 + i * 1_000)));
      if (i === 3) files.push(write("utf8.yaml", manifest(i, 500) + '  café: "crème"\n'));
      if (i === 5)
        files.push(
          write(
            "bom.yaml",
            Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(manifest(i, 300))]),
          ),
        );
      if (i === 7)
        files.push(
          write(
            "utf16.yaml",
            Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(manifest(i, 300), "utf16le")]),
          ),
        );
      if (i === 9)
        files.push(
          write("latin1.yaml", Buffer.from(manifest(i, 300) + "  x: caf\xe9\n", "latin1")),
        );
      if (i === 11) files.push(write("binary.yaml", Buffer.from([0x61, 0x3a, 0x00, 0x01, 0x02])));
      if (i === 13) files.push(write("nul-late.yaml", manifest(i, 9_000) + "  z: \0\n"));
      if (i === 15) files.push(write("empty.yaml", ""));
      if (i === 17) {
        const d = path.join(sub, "dir.yaml");
        mkdirSync(d);
        files.push(d);
      }
      if (i === 19) files.push(path.join(sub, "vanished.yaml"));
      if (i === 21) files.push(write("exactly-1mb.yaml", manifest(i, 1 << 20).slice(0, 1 << 20)));
      if (i === 23) files.push(write("over-1mb.yaml", manifest(i, (1 << 20) + 10)));
    }
    const got = readAll(files);
    expect(got).toHaveLength(files.length);
    got.forEach((outcome, i) => expect(outcome).toEqual(outcomeOf(files[i], "yaml")));
    // The kinds of outcome the mix was meant to have.
    const problems = got.filter((o): o is ReadError => o instanceof ReadError);
    expect(problems.map((e) => e.reason).sort()).toEqual(["binary", "encoding", "io", "io"]);
    expect(got.filter((o) => !(o instanceof ReadError) && o.text.includes("\0"))).toHaveLength(1);
  });

  it("flushing with nothing read gives nothing; a second flush gives nothing again", () => {
    const got: ReadOutcome[] = [];
    const reader = new SourceReader<number>(dir, (_, o) => got.push(o));
    reader.flush();
    const p = path.join(dir, "one.yaml");
    writeFileSync(p, manifest(1, 100));
    reader.read(p, "yaml", 0);
    expect(got).toHaveLength(0); // held until the arena is full or flushed
    reader.flush();
    reader.flush();
    expect(got).toEqual([outcomeOf(p, "yaml")]);
  });
});
