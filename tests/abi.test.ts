// The TypeScript side of the C ABI against native/chdb_ffi.h, which is the whole ABI: the symbol
// table's prototypes (ffi/symbols.ts), every constant (src/core/abi.ts) and the list of calls the
// shim may run on another thread (native/runnable.cpp). Any side that drifts fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { type FfiType, symbols, type SymbolSpec } from "../ffi/symbols.ts";
import * as abi from "../src/core/abi.ts";
import { CHECKOUT } from "./sources.ts";

const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/.*$/gm, " ");
const source = (path: string) => withoutComments(readFileSync(join(CHECKOUT, path), "utf8"));
const header = source("native/chdb_ffi.h");

interface CParam {
  readonly type: string;
  readonly name: string;
}
interface Prototype {
  readonly result: string;
  readonly params: readonly CParam[];
}

/** Every CHFFI_API prototype of the header, by name. */
function prototypes(): Map<string, Prototype> {
  const found = new Map<string, Prototype>();
  for (const m of header.matchAll(/CHFFI_API\s+([^;(]*?)\b(chffi_\w+)\s*\(([^)]*)\)\s*;/g)) {
    const list = m[3].replace(/\s+/g, " ").trim();
    const params = list === "void" ? [] : list.split(",").map((p) => {
      const part = /^(.*?)\s*(\w+)$/.exec(p.trim());
      assert.ok(part, `${m[2]}: cannot read parameter "${p.trim()}"`);
      return { type: part[1].replace(/\s*\*/g, " *").trim(), name: part[2] };
    });
    found.set(m[2], { result: m[1].replace(/\s*\*/g, " *").trim(), params });
  }
  return found;
}

// Scalars by value; a pointer is "pointer" when it is an address the shim handed out (an opaque
// handle, a function) and "buffer" when it points into memory the caller passes (data, out-params).
const scalarTypes: Record<string, FfiType> = {
  void: "void",
  int32_t: "i32",
  uint32_t: "u32",
  size_t: "usize",
  uint64_t: "usize",
  double: "f64",
  chffi_worker_done: "pointer",
};

function neutralType(cType: string, asResult: boolean): FfiType {
  if (!cType.includes("*")) {
    const t = scalarTypes[cType];
    assert.ok(t, `no neutral type for C type ${cType}`);
    return t;
  }
  if (asResult) return "pointer";
  const opaque = /^(?:const )?(chffi_\w+|void) \*$/.exec(cType);
  return opaque && opaque[1] !== "chffi_result_info" ? "pointer" : "buffer";
}

test("abi: ffi/symbols.ts declares every export of chdb_ffi.h, with the same parameters and result", () => {
  const declared = prototypes();
  assert.ok(declared.size > 40, `only ${declared.size} prototypes read from the header`);
  assert.deepEqual(Object.keys(symbols).sort(), [...declared.keys()].sort());
  for (const [name, c] of declared) {
    const spec: SymbolSpec = symbols[name as keyof typeof symbols];
    assert.deepEqual(
      { parameters: spec.parameters, result: spec.result },
      { parameters: c.params.map((p) => neutralType(p.type, false)), result: neutralType(c.result, true) },
      `${name}(${c.params.map((p) => `${p.type} ${p.name}`).join(", ")}) -> ${c.result}`,
    );
  }
});

test("abi: one error channel: a chffi_error ** out_error last, never a caller buffer", () => {
  for (const [name, c] of prototypes()) {
    c.params.forEach((p, i) => {
      assert.ok(
        !(p.type === "char *" && /err/.test(p.name)),
        `${name} takes a caller error buffer (${p.type} ${p.name})`,
      );
      if (p.type === "chffi_error * *" || p.name === "out_error") {
        assert.equal(`${p.type} ${p.name}`, "chffi_error * * out_error", name);
        assert.equal(i, c.params.length - 1, `${name}: out_error is not the last parameter`);
        assert.equal(c.result, "int32_t", `${name}: a call with out_error returns a chffi_status`);
      }
    });
  }
});

/** Each header constant as [name in the header, path in src/core/abi.ts, value]. */
function headerConstants(): [string, string, number][] {
  const out: [string, string, number][] = [];
  const status = /typedef enum chffi_status \{([^}]*)\}/.exec(header);
  assert.ok(status, "enum chffi_status not found");
  for (const m of status[1].matchAll(/CHFFI_(\w+)\s*=\s*(\d+)/g)) {
    out.push([`CHFFI_${m[1]}`, `Status.${m[1]}`, Number(m[2])]);
  }
  // CHFFI_<GROUP>_<NAME> is <Group>.<NAME>; the others are named as in the header.
  const groups: Record<string, string> = {
    QUERY: "QueryClass",
    ARROW: "ArrowFlag",
    COLUMN: "ColumnKind",
    OP: "Operation",
    RESULT: "ResultFlag",
  };
  for (const m of header.matchAll(/#define (CHFFI_\w+)[ \t]+(\S+)/g)) {
    if (m[1] === "CHFFI_API") continue;
    const value = /^(\d+)u?$/.exec(m[2]);
    assert.ok(value, `${m[1]} is not a number: ${m[2]}`);
    const [, group, rest] = /^CHFFI_([A-Z]+)_(\w+)$/.exec(m[1]) ?? [];
    out.push([m[1], group in groups ? `${groups[group]}.${rest}` : m[1].slice("CHFFI_".length), Number(value[1])]);
  }
  // chffi_result_info: word indices (every field 8 bytes), then its size in words.
  const info = /typedef struct chffi_result_info \{([^}]*)\}/.exec(header);
  assert.ok(info, "struct chffi_result_info not found");
  const fields = info[1].split(";").map((f) => f.trim()).filter((f) => f !== "");
  fields.forEach((f, i) => {
    const [, type, field] = /^(.*?)\s*(\w+)$/.exec(f)!;
    assert.match(type, /\*$|^(?:uint64_t|double)$/, `chffi_result_info.${field} is not 8 bytes`);
    out.push([`chffi_result_info.${field}`, `ResultInfo.${field.toUpperCase()}`, i]);
  });
  out.push(["sizeof(chffi_result_info) / 8", "ResultInfo.WORDS", fields.length]);
  // The Arrow C Data Interface field flags the layouts carry.
  for (const m of source("native/arrow_abi.h").matchAll(/#define ARROW_FLAG_(\w+)[ \t]+(\d+)/g)) {
    out.push([`ARROW_FLAG_${m[1]}`, `ArrowFieldFlag.${m[1]}`, Number(m[2])]);
  }
  return out;
}

test("abi: src/core/abi.ts holds every constant of the headers, with the same value, and nothing else", () => {
  const constants = headerConstants();
  assert.ok(constants.length > 40, `only ${constants.length} constants read from the headers`);
  const valueAt = (path: string): unknown =>
    path.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], abi);
  for (const [name, path, value] of constants) {
    assert.equal(valueAt(path), value, `${name} is ${value}; src/core/abi.ts ${path}`);
  }
  // Everything src/core/abi.ts defines is one of them.
  const checked = new Set(constants.map(([, path]) => path));
  for (const [name, value] of Object.entries(abi)) {
    const paths = typeof value === "object" ? Object.keys(value).map((key) => `${name}.${key}`) : [name];
    for (const path of paths) {
      assert.ok(checked.has(path), `src/core/abi.ts ${path} matches no constant of the headers`);
    }
  }
});

test("abi: native/runnable.cpp lists exactly the calls marked engine or nonblocking", () => {
  const runnable = [...source("native/runnable.cpp").matchAll(/entry\(&(chffi_\w+)\)/g)].map((m) => m[1]);
  assert.ok(runnable.length > 10, "the runnable list was not found in native/runnable.cpp");
  assert.equal(new Set(runnable).size, runnable.length, "a call is listed twice in native/runnable.cpp");
  // Engine calls must run on an ordinary stack (chffi_call_blocking); nonblocking ones on Bun's worker.
  const marked = Object.entries(symbols as Record<string, SymbolSpec>)
    .filter(([, spec]) => spec.engine || spec.nonblocking)
    .map(([name]) => name);
  assert.deepEqual(runnable.sort(), marked.sort());
  for (const [name, spec] of Object.entries(symbols as Record<string, SymbolSpec>)) {
    if (spec.nonblocking) assert.equal(spec.result, "i32", `${name}: a nonblocking call resolves with its status`);
  }
});
