/**
 * YAML (and JSON) files into documents with positions. `yaml`'s parser composes each
 * document; offsets index into the text as read (BOM stripped by the reader).
 * Helm `--dry-run` output is masked so its status and values sections are never parsed
 * (DOMAIN.md §6), keeping every offset and line number of the original.
 */
import {
  isCollection,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node as YNode,
} from "yaml";

export interface YamlParseError {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface YamlDoc {
  /** 0-based index among the file's documents. */
  index: number;
  doc: Document.Parsed;
  contents: YNode | null;
  /** `# Source: chart/templates/x.yaml` of Helm-rendered output, else null. */
  helmSource: string | null;
  /** The first error of this document (errors cascading from it are not repeated), else null. */
  error: YamlParseError | null;
}

export interface ParsedYaml {
  text: string;
  lineCounter: LineCounter;
  docs: YamlDoc[];
  /** True when the file was `helm install|upgrade --dry-run` output. */
  helmDryRun: boolean;
}

const SOURCE_RE = /^#\s*Source:\s*(\S.*?)\s*$/m;

/**
 * Masks the non-YAML parts of `helm install|upgrade --dry-run [--debug]` output with spaces
 * (newlines kept), so only the documents under HOOKS: and MANIFEST: are parsed. Returns null
 * when the text is not such output.
 */
export function maskHelmDryRun(text: string): string | null {
  if (!/^MANIFEST:[ \t]*\r?$/m.test(text) || !/^NAME:[ \t]/m.test(text)) return null;
  const lines = text.split(/(?<=\n)/);
  let inYaml = false;
  let out = "";
  for (const line of lines) {
    const bare = line.replace(/\r?\n$/, "");
    if (/^(HOOKS|MANIFEST):[ \t]*$/.test(bare)) {
      inYaml = true;
      out += blank(line);
    } else if (/^(NOTES|USER-SUPPLIED VALUES|COMPUTED VALUES):[ \t]*$/.test(bare)) {
      inYaml = false;
      out += blank(line);
    } else {
      out += inYaml ? line : blank(line);
    }
  }
  return out;
}

function blank(line: string): string {
  return line.replace(/[^\r\n]/g, " ");
}

export function parseYaml(text: string): ParsedYaml {
  const masked = maskHelmDryRun(text);
  const source = masked ?? text;
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(source, {
    lineCounter,
    merge: true,
    prettyErrors: false,
    uniqueKeys: true,
    logLevel: "error",
  });
  const list = Array.isArray(parsed) ? parsed : [];
  const docs: YamlDoc[] = [];
  let prevEnd = 0;
  for (const doc of list) {
    const contents = (doc.contents as YNode | null) ?? null;
    const start = contents?.range?.[0] ?? doc.range[0];
    const head = source.slice(prevEnd, Math.max(start, prevEnd));
    const m = SOURCE_RE.exec(head);
    const first = doc.errors[0];
    let error: YamlParseError | null = null;
    if (first) {
      const offset = Math.min(first.pos[0], source.length);
      const { line, col } = lineCounter.linePos(offset);
      // yaml reports a stack overflow on very deep nesting as RESOURCE_EXHAUSTION; say what it means.
      const message =
        first.code === "RESOURCE_EXHAUSTION" && /call stack/i.test(first.message)
          ? "the document is nested too deeply to be read (hundreds of levels; no Kubernetes object is)"
          : cleanMessage(first.message);
      error = { message, offset, line, column: col };
    }
    docs.push({ index: docs.length, doc, contents, helmSource: m ? m[1] : null, error });
    prevEnd = doc.range[2] ?? doc.range[1];
  }
  return { text, lineCounter, docs, helmDryRun: masked !== null };
}

/** `yaml` messages end with " at line N, column M:" and a code frame; keep the sentence. */
function cleanMessage(message: string): string {
  const firstLine = message.split("\n")[0];
  return firstLine.replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
}

/**
 * Offset of the first mapping key that is itself a collection (`name: {{ x }}` parses as a
 * flow map used as a key), else null. Kubernetes' decoder rejects such keys.
 */
export function collectionKeyOffset(doc: Document.Parsed): number | null {
  let found: number | null = null;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        found = (pair.key as YNode).range?.[0] ?? 0;
        return visit.BREAK;
      }
    },
  });
  return found;
}
