/** The preStop duration parser (DOMAIN.md §11): examples, then properties over generated commands. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  analyzeCommand,
  analyzePreStop,
  analyzeScript,
  parseDuration,
} from "../src/model/prestop.js";

describe("parseDuration", () => {
  it.each([
    ["5", 5],
    ["5s", 5],
    ["0.5", 0.5],
    [".5", 0.5],
    ["1m", 60],
    ["1.5h", 5400],
    ["1d", 86400],
    ["1e1", 10],
    ["infinity", Infinity],
    ["inf", Infinity],
  ])("%s → %s", (op, s) => expect(parseDuration(op)).toBe(s));

  it.each(["5x", "-1", "", "s", "five", "1ms", "5 s"])("rejects %j", (op) =>
    expect(parseDuration(op)).toBeNull(),
  );
});

describe("analyzeCommand", () => {
  it("sums several operands of exec sleep", () => {
    const a = analyzeCommand(["/bin/sleep", "0.3", "0.4", "1m"]);
    expect(a.seconds).toBeCloseTo(60.7);
    expect(a.sleepOnly).toBe(true);
    expect(a.malformed).toBeNull();
  });

  it("busybox sleep", () => {
    expect(analyzeCommand(["busybox", "sleep", "5"]).seconds).toBe(5);
  });

  it("an invalid operand means zero delay and a malformed sleep", () => {
    const a = analyzeCommand(["sleep", "5x"]);
    expect(a.seconds).toBe(0);
    expect(a.malformed).toContain('"5x"');
  });

  it("sh -c with the script split off its arguments: sleep without operand", () => {
    const a = analyzeCommand(["/bin/sh", "-c", "sleep", "5"]);
    expect(a.malformed).toBe("sleep has no operand");
  });

  it("option clusters before the script", () => {
    expect(analyzeCommand(["bash", "-ec", "sleep 5"]).seconds).toBe(5);
    expect(analyzeCommand(["sh", "-e", "-c", "sleep 7"]).seconds).toBe(7);
    expect(analyzeCommand(["/bin/bash", "-o", "pipefail", "-c", "sleep 3"]).seconds).toBe(3);
  });

  it("a shell running a file and other programs are unknown", () => {
    expect(analyzeCommand(["sh", "/drain.sh"]).seconds).toBeNull();
    const other = analyzeCommand(["/app/drain", "--wait"]);
    expect(other.seconds).toBeNull();
    expect(other.sleepOnly).toBe(false);
  });
});

describe("analyzeScript", () => {
  it.each([
    ["sleep 5", 5, true, false],
    ["sleep 5; sleep 10", 15, true, false],
    ["echo draining; sleep 5", 5, true, false],
    ["sleep 5 && nginx -s quit", 5, false, true],
    ["nginx -s quit & sleep 5", 5, false, false],
    ["sleep 30 &", 0, true, false],
    ["sleep 5 || true", 5, true, true],
    ["sleep 5x || sleep 3", 3, true, false],
    ["sleep 5x && sleep 3", 0, true, false],
    ["A=1 exec sleep 4", 4, true, false],
    ["sleep '5'", 5, true, false],
    ["sleep 5 # comment sleep 100", 5, true, false],
    ["sleep 2\nsleep 3", 5, true, false],
    ["sleep 5; exit 0; sleep 100", 5, true, false],
  ])("%j → %s s (sleep-only %s, lower bound %s)", (script, s, only, lower) => {
    const a = analyzeScript(script);
    expect(a.seconds).toBe(s);
    expect(a.sleepOnly).toBe(only);
    expect(a.lowerBound).toBe(lower);
  });

  it.each([
    "sleep $DELAY",
    'sleep "${DELAY:-5}"',
    "sleep $(cat /delay)",
    "while true; do sleep 1; done",
    "(sleep 5)",
    "if true; then sleep 5; fi",
  ])("%j is of unknown length", (script) => {
    expect(analyzeScript(script).seconds).toBeNull();
  });

  it("a script without sleep does not only sleep", () => {
    const a = analyzeScript("curl -s localhost:8080/drain");
    expect(a.sleepOnly).toBe(false);
    expect(a.seconds).toBe(0);
  });
});

describe("analyzePreStop", () => {
  it("native sleep, httpGet, tcpSocket, several handlers", () => {
    expect(analyzePreStop({ sleep: { seconds: 5 } }, []).seconds).toBe(5);
    expect(analyzePreStop({ sleep: { seconds: 5 } }, []).sleepOnly).toBe(true);
    const http = analyzePreStop({ httpGet: { path: "/drain", port: 8080 } }, []);
    expect(http.seconds).toBeNull();
    expect(http.appManaged).toBe(true);
    expect(analyzePreStop({ tcpSocket: { port: 80 } }, []).kind).toBe("tcpSocket");
    expect(analyzePreStop({ sleep: { seconds: 1 }, exec: { command: ["x"] } }, []).kind).toBe(
      "multiple",
    );
    expect(analyzePreStop(undefined, []).kind).toBe("none");
    expect(analyzePreStop("sleep 5", []).kind).toBe("invalid");
  });

  it("an exec hook that does more than sleep is app-managed", () => {
    const a = analyzePreStop({ exec: { command: ["sh", "-c", "sleep 5 && nginx -s quit"] } }, []);
    expect(a.appManaged).toBe(true);
    expect(a.seconds).toBe(5);
    expect(a.lowerBound).toBe(true);
  });
});

// --- properties -------------------------------------------------------------------------

const SUFFIX = { "": 1, s: 1, m: 60, h: 3600, d: 86400 } as const;
const literal = fc
  .record({
    whole: fc.integer({ min: 0, max: 500 }),
    frac: fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
    suffix: fc.constantFrom(...(Object.keys(SUFFIX) as (keyof typeof SUFFIX)[])),
  })
  .map(({ whole, frac, suffix }) => {
    const text = `${whole}${frac === undefined ? "" : `.${String(frac).padStart(2, "0")}`}`;
    return { op: `${text}${suffix}`, seconds: Number(text) * SUFFIX[suffix] };
  });
const separator = fc.constantFrom("; ", " && ", "\n", " ;\n");
const otherCommand = fc.constantFrom("nginx -s quit", "curl -s localhost/drain", "kill 1");

describe("properties", () => {
  it("exec sleep sums its operands", () => {
    fc.assert(
      fc.property(fc.array(literal, { minLength: 1, maxLength: 5 }), (ops) => {
        const a = analyzeCommand(["sleep", ...ops.map((o) => o.op)]);
        const sum = ops.reduce((s, o) => s + o.seconds, 0);
        expect(a.seconds).toBeCloseTo(sum, 6);
        expect(a.sleepOnly).toBe(true);
        expect(a.malformed).toBeNull();
      }),
    );
  });

  it("sequential sleeps in sh -c are summed, whatever the separators and quoting", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(literal, separator, fc.boolean()), { minLength: 1, maxLength: 6 }),
        fc.constantFrom("sh", "/bin/bash", "ash"),
        (parts, shell) => {
          const script = parts
            .map(
              ([l, sep, quote], i) =>
                `sleep ${quote ? `'${l.op}'` : l.op}${i < parts.length - 1 ? sep : ""}`,
            )
            .join("");
          const a = analyzeCommand([shell, "-c", script]);
          const sum = parts.reduce((s, [l]) => s + l.seconds, 0);
          expect(a.seconds).toBeCloseTo(sum, 6);
          expect(a.sleepOnly).toBe(true);
          expect(a.lowerBound).toBe(false);
        },
      ),
    );
  });

  it("backgrounded commands add nothing; other work makes the sum a lower bound", () => {
    fc.assert(
      fc.property(literal, otherCommand, fc.boolean(), (l, other, background) => {
        const script = background ? `${other} & sleep ${l.op}` : `sleep ${l.op} && ${other}`;
        const a = analyzeScript(script);
        expect(a.seconds).toBeCloseTo(l.seconds, 6);
        expect(a.sleepOnly).toBe(false);
        expect(a.lowerBound).toBe(!background);
      }),
    );
  });

  it("an || branch is skipped and marks a lower bound", () => {
    fc.assert(
      fc.property(literal, literal, (a, b) => {
        const r = analyzeScript(`sleep ${a.op} || sleep ${b.op}`);
        expect(r.seconds).toBeCloseTo(a.seconds, 6);
        expect(r.lowerBound).toBe(true);
      }),
    );
  });

  it("an operand sleep rejects makes the delay zero and is reported", () => {
    const bad = fc
      .string({ minLength: 1, maxLength: 6 })
      .filter((s) => parseDuration(s) === null && !/[\s$`*?[\\'"#;&|()]/.test(s) && s !== "--");
    fc.assert(
      fc.property(bad, (op) => {
        const a = analyzeCommand(["sleep", op]);
        expect(a.seconds).toBe(0);
        expect(a.malformed).not.toBeNull();
      }),
    );
  });

  it("a $VAR duration is unknown", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), (name) => {
        expect(analyzeScript(`sleep $${name}`).seconds).toBeNull();
        expect(analyzeCommand(["sleep", `$${name}`]).seconds).toBeNull();
      }),
    );
  });

  it("never throws on arbitrary scripts and argv", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 80 }),
        fc.array(fc.string(), { maxLength: 5 }),
        (s, argv) => {
          const a = analyzeScript(s);
          expect(a.seconds === null || a.seconds >= 0).toBe(true);
          analyzeCommand(argv);
          analyzeCommand(["sh", "-c", s]);
        },
      ),
    );
  });
});
