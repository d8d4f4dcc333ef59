// parseType(): a ClickHouse type name parsed into a tree (name and arguments), e.g. Map(String, UInt8).
import { ChdbError } from "../core/errors.ts";

/** A parsed type: name and arguments (nested types or literals), e.g. Map(String, UInt8). */
export interface TypeNode {
  readonly name: string;
  readonly args: TypeArg[];
}
export type TypeArg = { node: TypeNode; field?: string } | { literal: string };

/** The type tree of `source`. */
export function parseType(source: string): TypeNode {
  let i = 0;
  const space = () => {
    while (source[i] === " ") i++;
  };
  const ident = () => {
    const start = i;
    while (i < source.length && /[A-Za-z0-9_]/.test(source[i])) i++;
    return source.slice(start, i);
  };
  const quoted = () => {
    const start = i++;
    while (i < source.length && source[i] !== "'") i += source[i] === "\\" ? 2 : 1;
    i++;
    return source.slice(start, i);
  };
  const arg = (): TypeArg => {
    space();
    if (source[i] === "'") {
      let literal = quoted();
      space();
      if (source[i] === "=") { // Enum entry: 'name' = value
        const start = i;
        while (i < source.length && source[i] !== "," && source[i] !== ")") i++;
        literal += source.slice(start, i);
      }
      return { literal };
    }
    if (/[-0-9]/.test(source[i])) {
      const start = i;
      while (i < source.length && source[i] !== "," && source[i] !== ")") i++;
      return { literal: source.slice(start, i).trim() };
    }
    const first = ident();
    space();
    if (source[i] !== "(" && source[i] !== "," && source[i] !== ")") return { node: node(ident()), field: first };
    return { node: node(first) };
  };
  const node = (name: string): TypeNode => {
    const args: TypeArg[] = [];
    space();
    if (source[i] === "(") {
      i++;
      for (;;) {
        args.push(arg());
        space();
        if (source[i] === ",") i++;
        else if (source[i] === ")") {
          i++;
          break;
        } else throw new ChdbError(`cannot parse the type ${source}`);
      }
    }
    return { name, args };
  };
  return node(ident());
}

/** The `k`th argument of `t`, a type. */
export const child = (t: TypeNode, k: number): TypeNode => {
  const a = t.args[k];
  if (!a || !("node" in a)) throw new ChdbError(`unexpected type arguments in ${t.name}`);
  return a.node;
};
/** The `k`th argument of `t`, a literal (empty when it is none). */
export const literal = (t: TypeNode, k: number): string => {
  const a = t.args[k];
  return a && "literal" in a ? a.literal : "";
};
