/**
 * Atomic writes of fixed files (SPEC §7): the new bytes go to a temporary file in the same
 * directory, which then replaces the file by rename, so a reader sees the old file or the
 * new one, never half of each. The mode is kept, a symlink keeps pointing at its target
 * (the target is rewritten), a BOM read is written back, and a file that changed on disk
 * since it was read is left alone.
 */
import { randomBytes } from "node:crypto";
import { constants, promises as fs } from "node:fs";
import path from "node:path";
import type { SourceFile } from "../types.js";

/** A write that was refused or failed; the message is one line for the user. */
export class WriteError extends Error {}

/** The bytes for `text` in the encoding and with the BOM the file was read with. */
export function bytesOf(source: SourceFile, text: string): Buffer {
  const encoding = (source as { encoding?: string }).encoding ?? "utf-8";
  const full = (source.bom ? "\uFEFF" : "") + text;
  if (encoding !== "utf-16le" && encoding !== "utf-16be") return Buffer.from(full, "utf8");
  const le = Buffer.from(full, "utf16le");
  return encoding === "utf-16le" ? le : le.swap16();
}

/** Writes `text` over `source` (a file read from disk) atomically. */
export async function writeFixed(source: SourceFile, text: string): Promise<void> {
  if (!source.path) throw new WriteError("standard input cannot be rewritten");
  let target: string;
  let before;
  let onDisk: Buffer;
  try {
    target = await fs.realpath(source.path);
    before = await fs.stat(target);
    onDisk = await fs.readFile(target);
  } catch (e) {
    throw new WriteError(`cannot re-read the file (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
  const changed =
    (source.stat && (before.size !== source.stat.size || before.mtimeMs !== source.stat.mtimeMs)) ||
    !onDisk.equals(bytesOf(source, source.text));
  if (changed) throw new WriteError("changed on disk since it was read; not written");
  // No write permission means "do not touch", though a rename in the directory could replace
  // the file anyway (and root could write it): read-only files are left alone.
  const writable =
    (before.mode & 0o222) !== 0 &&
    (await fs.access(target, constants.W_OK).then(
      () => true,
      () => false,
    ));
  if (!writable) throw new WriteError("read-only file (no write permission); not written");

  const mode = before.mode & 0o7777;
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.drainlint-${process.pid}-${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    const handle = await fs.open(tmp, "wx", mode);
    try {
      await handle.writeFile(bytesOf(source, text));
      await handle.chmod(mode); // the umask may have narrowed the mode given to open
      await handle.chown(before.uid, before.gid).catch(() => undefined); // only root may
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw new WriteError(`cannot write (${(e as NodeJS.ErrnoException).code ?? e})`);
  }
}
