// Generics on rows and parameters (issue 13): checked by `deno check tests/` (the @ts-expect-error
// lines fail the check if the types stop catching the mistake) and run on every runtime.
import assert from "node:assert/strict";
import { test } from "node:test";
import { connect } from "../mod.ts";

interface User {
  id: number;
  name: string;
}

test("typed rows: prepare<Row, Params>() types all/get/iterate and the parameters", async () => {
  using conn = connect();
  const stmt = conn.prepare<User, { min: number }>(
    "SELECT toUInt8(number) AS id, concat('u', toString(number)) AS name FROM numbers(3) WHERE number >= {min:UInt8}",
  );
  const users: User[] = stmt.all({ min: 1 });
  assert.deepEqual(users, [{ id: 1, name: "u1" }, { id: 2, name: "u2" }]);
  const first: User | null = stmt.get({ min: 2 });
  assert.equal(first?.name, "u2");
  for (const u of stmt.iterate({ min: 2 })) assert.equal(u.id + 1, 3);
  const later: User[] = await stmt.allAsync({ min: 0 });
  assert.equal(later.length, 3);
  // @ts-expect-error a parameter of the wrong type
  assert.throws(() => stmt.all({ min: { nested: Symbol("x") } }));
  // all<T>() on an untyped statement
  const counted = conn.prepare("SELECT toUInt8(7) AS n").all<{ n: number }>();
  const n: number = counted[0].n;
  assert.equal(n, 7);
  // @ts-expect-error a typed row has no such column
  assert.equal(counted[0].missing, undefined);
});
