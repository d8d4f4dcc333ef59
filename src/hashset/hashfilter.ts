// Hash-filter expressions (`col("id").hashfilter.notIn(set)`, `isInHashset(expr, set)`) and
// `filter(tableOrBatch, expr)`, which keeps the rows where an expression is true.
import { Bool, type Data, makeData, RecordBatch, Table, type TypeMap, type Vector } from "../arrow/apache_arrow.ts";
import { takeBatch } from "../arrow/take.ts";
import { Operation } from "../core/abi.ts";
import { ChdbArgumentError, ChdbTypeError } from "../core/errors.ts";
import { applyOperation, type ArrowVector, type StringColumn } from "./apply_operation.ts";
import { setHandle, type StringHashSet } from "./string_hash_set.ts";

/** What an expression is evaluated over: a Table or one RecordBatch. */
export type Frame = Table | RecordBatch;

/** A column-valued expression evaluated against a Table or RecordBatch. */
export abstract class Expr {
  /** The column this expression yields for `frame` (as many rows as the frame). */
  abstract evaluate(frame: Frame): ArrowVector;
  /** The expression as text, e.g. `col("name")`. */
  abstract toString(): string;

  /** The hash-filter operations on this expression's (string) values. */
  get hashfilter(): HashfilterNamespace {
    return new HashfilterNamespace(this);
  }
}

class ColumnExpr extends Expr {
  constructor(readonly name: string) {
    super();
  }

  evaluate(frame: Frame): Vector {
    const column = frame.getChild(this.name);
    if (column === null) {
      const names = frame.schema.fields.map((f) => f.name).join(", ");
      throw new ChdbArgumentError(`no column "${this.name}" (the columns are: ${names})`);
    }
    return column;
  }

  toString(): string {
    return `col(${JSON.stringify(this.name)})`;
  }
}

type OpName = "isIn" | "notIn" | "notInAndUpdate" | "notInAndUpdateRowwise" | "update" | "updateChain" | "updateBool";

const operationOf: Record<OpName, Operation> = {
  isIn: Operation.IS_IN,
  notIn: Operation.NOT_IN,
  notInAndUpdate: Operation.NOT_IN_AND_UPDATE,
  notInAndUpdateRowwise: Operation.NOT_IN_AND_UPDATE_ROWWISE,
  update: Operation.UPDATE,
  updateChain: Operation.UPDATE,
  updateBool: Operation.UPDATE_BOOL,
};

class HashfilterExpr extends Expr {
  constructor(readonly input: Expr, readonly op: OpName, readonly set: StringHashSet) {
    super();
  }

  evaluate(frame: Frame): Vector {
    const column = this.input.evaluate(frame) as unknown as StringColumn;
    const result = applyOperation(setHandle(this.set), operationOf[this.op], column);
    return this.op === "updateChain" ? column as unknown as Vector : result;
  }

  toString(): string {
    return `${this.input}.hashfilter.${this.op}(set)`;
  }
}

/** `expr.hashfilter`: the seven operations of a StringHashSet as expressions. */
export class HashfilterNamespace {
  /** The namespace of `expr` (made by `expr.hashfilter`). */
  constructor(readonly expr: Expr) {}
  /** true where the value is in the set. */
  isIn(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "isIn", set);
  }
  /** true where the value is not in the set. */
  notIn(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "notIn", set);
  }
  /** Batch semantics: rows judged against the set before this evaluation, then all inserted. */
  notInAndUpdate(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "notInAndUpdate", set);
  }
  /** Row by row: true for a new value's first occurrence. */
  notInAndUpdateRowwise(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "notInAndUpdateRowwise", set);
  }
  /** Inserts every value; yields nulls. */
  update(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "update", set);
  }
  /** Inserts every value; yields the values themselves. */
  updateChain(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "updateChain", set);
  }
  /** Inserts row by row; true where newly inserted. */
  updateBool(set: StringHashSet): Expr {
    return new HashfilterExpr(this.expr, "updateBool", set);
  }
}

/** The column `name` of the frame an expression is evaluated on. */
export function col(name: string): Expr {
  if (typeof name !== "string") throw new ChdbArgumentError(`col() takes a column name, got ${typeof name}`);
  return new ColumnExpr(name);
}

/** True where `expr`'s value is in `set`: `expr.hashfilter.isIn(set)`. */
export function isInHashset(expr: Expr, set: StringHashSet): Expr {
  return expr.hashfilter.isIn(set);
}

/** True where `expr`'s value is not in `set`: `expr.hashfilter.notIn(set)`. */
export function notInHashset(expr: Expr, set: StringHashSet): Expr {
  return expr.hashfilter.notIn(set);
}

/**
 * The rows of a Table or RecordBatch where `expr` is true (null counts as false), as a Table.
 * The expression sees the whole input at once: batch semantics span all of its batches.
 */
export function filter<T extends TypeMap>(frame: Table<T> | RecordBatch<T>, expr: Expr): Table<T> {
  if (!(frame instanceof Table) && !(frame instanceof RecordBatch)) {
    throw new ChdbArgumentError("filter() takes an apache-arrow Table or RecordBatch");
  }
  if (!(expr instanceof Expr)) throw new ChdbArgumentError("filter() takes an expression such as col(\"id\").hashfilter.notIn(set)");
  const mask = expr.evaluate(frame);
  if (!mask.type || mask.type.toString() !== "Bool") {
    throw new ChdbTypeError(`filter() needs a boolean expression, and ${expr} yields ${mask.type}`);
  }
  const batches = frame instanceof Table ? frame.batches : [frame];
  const maskChunks = alignedChunks(mask as Vector<Bool>, batches.map((b) => b.numRows));
  const kept = batches.map((batch, i) => takeBatch(batch, maskChunks[i]));
  return new Table(frame.schema, kept);
}

// The mask split like the batches (it normally already is: one chunk per batch).
function alignedChunks(mask: Vector<Bool>, lengths: number[]): readonly Data<Bool>[] {
  if (mask.data.length === lengths.length && mask.data.every((d, i) => d.length === lengths[i])) return mask.data;
  let start = 0;
  return lengths.map((n) => {
    const values = new Uint8Array((n + 7) >> 3);
    for (let i = 0; i < n; i++) if (mask.get(start + i) === true) values[i >> 3] |= 1 << (i & 7);
    start += n;
    return makeData({ type: new Bool(), length: n, data: values });
  });
}
