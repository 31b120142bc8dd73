/**
 * Reads a file into a SourceFile. The text is kept exactly as read (minus a BOM, which is
 * remembered so a fix can put it back). UTF-8 is the norm; UTF-16 (with a BOM, or detected
 * from its zero bytes as the YAML 1.2 spec §5.2 describes) is decoded too, and the encoding
 * is remembered so a writer encodes back the same way. Bytes that are not text (binary,
 * invalid UTF-8, UTF-32) are refused with a one-line reason instead of being parsed.
 */
import { isAscii } from "node:buffer";
import fs from "node:fs";
import path from "node:path";
import type { FileKind, SourceFile, TextEncoding } from "./types.js";

/**
 * Why a file was not read. `io`: the file system said no (permissions, vanished, not a
 * file); `binary`: the bytes are not text; `encoding`: text in an encoding we cannot read,
 * with the position of the first bad byte when there is one.
 */
export class ReadError extends Error {
  constructor(
    message: string,
    readonly reason: "io" | "binary" | "encoding" = "io",
    readonly at: { offset: number; line: number; column: number } | null = null,
  ) {
    super(message);
  }
}

export function displayPathOf(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  const p = rel && !path.isAbsolute(rel) ? rel : rel === "" ? "." : abs;
  return p.split(path.sep).join("/");
}

export interface DecodedText {
  text: string;
  bom: boolean;
  encoding: TextEncoding;
}

const PROBE_BYTES = 8192;

/** Offset of the first byte that breaks UTF-8 (RFC 3629: no overlongs, no surrogates), or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** 1-based line and column (UTF-16 units, as editors count) of a byte offset in UTF-8 bytes. */
function positionOfByte(buf: Uint8Array, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++)
    if (buf[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  const prefix = new TextDecoder("utf-8").decode(buf.subarray(lineStart, offset));
  return { line, column: prefix.length + 1 };
}

/**
 * Which UTF-16 byte order the bytes look like without a BOM (YAML 1.2 §5.2: an ASCII first
 * character gives `00 xx` or `xx 00`), confirmed over the probe: most high bytes are zero and
 * no code unit is NUL. Null when it is not UTF-16 text.
 */
function sniffUtf16(buf: Uint8Array): "utf-16le" | "utf-16be" | null {
  if (buf.length < 2 || buf.length % 2 !== 0) return null;
  const le = buf[0] !== 0 && buf[1] === 0;
  const be = buf[0] === 0 && buf[1] !== 0;
  if (!le && !be) return null;
  const end = Math.min(buf.length, PROBE_BYTES);
  let zeroHigh = 0;
  for (let i = 0; i < end; i += 2) {
    const low = le ? buf[i] : buf[i + 1];
    const high = le ? buf[i + 1] : buf[i];
    if (low === 0 && high === 0) return null;
    if (high === 0) zeroHigh++;
  }
  return zeroHigh * 2 >= end / 2 ? (le ? "utf-16le" : "utf-16be") : null;
}

function decodeUtf16(body: Uint8Array, encoding: "utf-16le" | "utf-16be"): string {
  if (body.length % 2 !== 0)
    throw new ReadError("UTF-16 text with an odd number of bytes (truncated?)", "encoding");
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    throw new ReadError(`not valid ${encoding.toUpperCase()} text`, "encoding");
  }
  if (text.includes("\0")) throw new ReadError("binary file (contains NUL characters)", "binary");
  return text;
}

/** Decodes bytes as text (UTF-8, or UTF-16 by BOM or zero-byte pattern), or throws a ReadError saying why it is not text. */
export function decodeText(buf: Uint8Array): DecodedText {
  const b0 = buf[0];
  const b1 = buf[1];
  // UTF-32 (YAML 1.2 §5.2 patterns) before UTF-16: FF FE 00 00 starts both.
  if (
    buf.length >= 4 &&
    ((b0 === 0 && b1 === 0 && (buf[2] === 0xfe || buf[2] === 0) && buf[2] + buf[3] > 0) ||
      (buf[2] === 0 && buf[3] === 0 && ((b0 === 0xff && b1 === 0xfe) || (b0 !== 0 && b1 === 0))))
  )
    throw new ReadError("UTF-32 text is not supported; save the file as UTF-8", "encoding");
  if (b0 === 0xff && b1 === 0xfe)
    return { text: decodeUtf16(buf.subarray(2), "utf-16le"), bom: true, encoding: "utf-16le" };
  if (b0 === 0xfe && b1 === 0xff)
    return { text: decodeUtf16(buf.subarray(2), "utf-16be"), bom: true, encoding: "utf-16be" };
  const sniffed = sniffUtf16(buf);
  if (sniffed) return { text: decodeUtf16(buf, sniffed), bom: false, encoding: sniffed };
  if (buf.subarray(0, PROBE_BYTES).includes(0))
    throw new ReadError("binary file (contains NUL bytes)", "binary");
  const bom = buf.length >= 3 && b0 === 0xef && b1 === 0xbb && buf[2] === 0xbf;
  const body = bom ? buf.subarray(3) : buf;
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(body), bom, encoding: "utf-8" };
  } catch {
    const bad = firstInvalidUtf8(body);
    const at = positionOfByte(body, Math.max(bad, 0));
    const byte = body[bad]?.toString(16).toUpperCase().padStart(2, "0") ?? "??";
    throw new ReadError(
      `not valid UTF-8 (byte 0x${byte} at line ${at.line}, column ${at.column}; Latin-1 or Windows-1252?); save the file as UTF-8`,
      "encoding",
      { offset: Math.max(bad, 0) + (bom ? 3 : 0), ...at },
    );
  }
}

/** The bytes a writer puts back for `text`: the same encoding and BOM as when it was read. */
export function encodeText(text: string, bom: boolean, encoding: TextEncoding = "utf-8"): Buffer {
  const full = (bom ? "\uFEFF" : "") + text;
  if (encoding === "utf-8") return Buffer.from(full, "utf8");
  const le = Buffer.from(full, "utf16le");
  return encoding === "utf-16le" ? le : le.swap16();
}

/**
 * Reads one file (synchronously: reading the 8,317 files of the 50 MB benchmark corpus took
 * 0.09 s so, against 0.6 s through the thread pool, 32 reads at a time).
 */
export function readSource(abs: string, kind: FileKind, cwd: string): SourceFile {
  const st = statForRead(abs);
  return sourceOf(abs, kind, cwd, st, decodeText(readBytes(abs)));
}

/** The file's stat, or a ReadError when it is not a file that can be read. */
function statForRead(abs: string): fs.Stats {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw ioError(e);
  }
  if (st.isDirectory()) throw new ReadError("is a directory");
  // A FIFO is read (`drainlint <(helm template …)`); devices and sockets never end.
  if (!st.isFile() && !st.isFIFO()) throw new ReadError("not a regular file (a device or socket)");
  return st;
}

function readBytes(abs: string): Buffer {
  try {
    return fs.readFileSync(abs);
  } catch (e) {
    throw ioError(e);
  }
}

/** The ReadError of a file-system error. */
function ioError(e: unknown): ReadError {
  const code = (e as NodeJS.ErrnoException).code;
  return new ReadError(
    code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "ENOENT"
        ? "vanished before it could be read"
        : `cannot read (${code ?? (e as Error).message})`,
  );
}

function sourceOf(
  abs: string,
  kind: FileKind,
  cwd: string,
  st: fs.Stats,
  { text, bom, encoding }: DecodedText,
): SourceFile {
  return {
    path: abs,
    displayPath: displayPathOf(abs, cwd),
    kind,
    text,
    bom,
    ...(encoding !== "utf-8" ? { encoding } : {}),
    stat: { mtimeMs: st.mtimeMs, size: st.size, mode: st.mode },
  };
}

/** A file read, or why it could not be. */
export type ReadOutcome = SourceFile | ReadError;

/**
 * Node keeps the text of a Buffer decoded as Latin-1 outside V8's heap from about 1 MB on
 * (EXTERN_APEX, 1,031,913 bytes, in Node's src/string_bytes.cc); below, it is an ordinary
 * string. An arena is decoded once it holds at least this much.
 */
const ARENA_TEXT = 1 << 20;

/**
 * Reads many files, in order, without the garbage collector copying their text. Every text
 * of a run lives until the run ends, and a text read alone is a string in V8's young
 * generation: it was copied twice (scavenged, then promoted to the old generation), which
 * took about 0.1 s of this thread's 0.4 s of reading on the 50 MB benchmark corpus. Here a
 * file of plain ASCII without NUL bytes (most manifests; its text is its bytes) is read into
 * an arena shared with the files after it; once the arena holds 1 MB, it is decoded as one
 * string, kept outside the heap, of which each file's text is a slice. Any other file
 * (UTF-8 beyond ASCII, a BOM, UTF-16, binary, over 1 MB, not a regular file) is read and
 * decoded by readSource's steps, alone. `emit` receives every file's outcome in the order
 * the files were given, an arena's worth at a time; `flush` gives the rest.
 */
export class SourceReader<T> {
  private readonly arena = Buffer.allocUnsafeSlow(2 * ARENA_TEXT);
  private used = 0;
  /** Each file in order: its outcome, or where its text ends in the arena. */
  private readonly queue: (
    | { tag: T; outcome: ReadOutcome }
    | { tag: T; inArena: { abs: string; kind: FileKind; st: fs.Stats; end: number } }
  )[] = [];

  constructor(
    private readonly cwd: string,
    private readonly emit: (tag: T, outcome: ReadOutcome) => void,
  ) {}

  read(abs: string, kind: FileKind, tag: T): void {
    let outcome: ReadOutcome;
    try {
      const st = statForRead(abs);
      const end = st.isFile() && st.size <= ARENA_TEXT ? this.readIntoArena(abs) : -1;
      if (end < 0) outcome = sourceOf(abs, kind, this.cwd, st, decodeText(readBytes(abs)));
      else {
        const bytes = this.arena.subarray(this.used, end);
        if (isAscii(bytes) && bytes.indexOf(0) === -1) {
          this.queue.push({ tag, inArena: { abs, kind, st, end } });
          this.used = end;
          if (this.used >= ARENA_TEXT) this.flush();
          return;
        }
        // Decoded into a string of its own: the arena's bytes are not kept.
        outcome = sourceOf(abs, kind, this.cwd, st, decodeText(bytes));
      }
    } catch (e) {
      if (!(e instanceof ReadError)) throw e;
      outcome = e;
    }
    this.queue.push({ tag, outcome });
  }

  /** Gives the outcomes not given yet. */
  flush(): void {
    const text = this.used ? this.arena.toString("latin1", 0, this.used) : "";
    let start = 0;
    for (const q of this.queue) {
      if ("outcome" in q) {
        this.emit(q.tag, q.outcome);
        continue;
      }
      const { abs, kind, st, end } = q.inArena;
      const slice = text.slice(start, end);
      start = end;
      this.emit(
        q.tag,
        sourceOf(abs, kind, this.cwd, st, { text: slice, bom: false, encoding: "utf-8" }),
      );
    }
    this.queue.length = 0;
    this.used = 0;
  }

  /**
   * Reads the file after the arena's text; returns where its bytes end, or -1 when it did
   * not fit (it grew since its stat: it is then read alone).
   */
  private readIntoArena(abs: string): number {
    let fd: number;
    try {
      fd = fs.openSync(abs, "r");
    } catch (e) {
      throw ioError(e);
    }
    try {
      let end = this.used;
      for (;;) {
        if (end === this.arena.length) return -1;
        const n = fs.readSync(fd, this.arena, end, this.arena.length - end, null);
        if (n === 0) return end;
        end += n;
      }
    } catch (e) {
      throw ioError(e);
    } finally {
      fs.closeSync(fd);
    }
  }
}

export function stdinSource(buf: Buffer, name: string | undefined, kind: FileKind): SourceFile {
  const { text, bom, encoding } = decodeText(buf);
  return {
    path: null,
    displayPath: name ?? "<stdin>",
    kind,
    text,
    bom,
    ...(encoding !== "utf-8" ? { encoding } : {}),
  };
}

/** A SourceFile standing for bytes that are not text, so the engine reports them as a finding. */
export function unreadableSource(
  abs: string | null,
  displayPath: string,
  kind: FileKind,
  err: ReadError,
): SourceFile {
  const at = err.at ?? { offset: 0, line: 1, column: 1 };
  return {
    path: abs,
    displayPath,
    kind,
    text: "",
    bom: false,
    problem: { message: err.message, ...at },
  };
}
