/**
 * Reads a file into a SourceFile. The text is kept exactly as read (minus a UTF-8 BOM, which
 * is remembered so a fix can put it back); files that are not text are refused with a
 * one-line reason instead of being parsed.
 */
import { promises as fs } from "node:fs";
import path from "node:path";
import type { FileKind, SourceFile } from "./types.js";

export class ReadError extends Error {}

export function displayPathOf(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  const p = rel && !path.isAbsolute(rel) ? rel : rel === "" ? "." : abs;
  return p.split(path.sep).join("/");
}

/** Decodes bytes as UTF-8 text, or throws a ReadError saying why it is not text. */
export function decodeText(buf: Buffer): { text: string; bom: boolean } {
  if (
    buf.length >= 2 &&
    ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))
  )
    throw new ReadError("UTF-16 text is not supported; save the file as UTF-8");
  const probe = buf.subarray(0, 8192);
  if (probe.includes(0)) throw new ReadError("binary file (contains NUL bytes), skipped");
  const bom = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  const body = bom ? buf.subarray(3) : buf;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    throw new ReadError("not valid UTF-8 text, skipped");
  }
  return { text, bom };
}

export async function readSource(abs: string, kind: FileKind, cwd: string): Promise<SourceFile> {
  let buf: Buffer;
  let st;
  try {
    st = await fs.stat(abs);
    if (st.isDirectory()) throw new ReadError("is a directory");
    buf = await fs.readFile(abs);
  } catch (e) {
    if (e instanceof ReadError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReadError(
      code === "EACCES"
        ? "permission denied, skipped"
        : `cannot read (${code ?? "error"}), skipped`,
    );
  }
  const { text, bom } = decodeText(buf);
  return {
    path: abs,
    displayPath: displayPathOf(abs, cwd),
    kind,
    text,
    bom,
    stat: { mtimeMs: st.mtimeMs, size: st.size, mode: st.mode },
  };
}

export function stdinSource(buf: Buffer, name: string | undefined, kind: FileKind): SourceFile {
  const { text, bom } = decodeText(buf);
  return { path: null, displayPath: name ?? "<stdin>", kind, text, bom };
}
