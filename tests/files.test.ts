import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { query } from "../mod.ts";
import { tempDir } from "./helpers.ts";

const dir = tempDir();
after(() => rmSync(dir, { recursive: true, force: true }));

const formats = ["Parquet", "CSVWithNames", "JSONEachRow", "Arrow", "ORC", "TSVWithNamesAndTypes", "Avro"];

function write(format: string): string {
  const path = join(dir, `data.${format.toLowerCase()}`);
  query(
    `INSERT INTO FUNCTION file({path:String}, ${format}, 'id UInt32, name String, score Float64')
     SELECT number, concat('user_', toString(number)), number / 4 FROM numbers(1000)`,
    "CSV",
    { params: { path } },
  );
  return path;
}

for (const format of formats) {
  test(`files: write and read back ${format}`, () => {
    const path = write(format);
    const r = query(`SELECT count(), sum(id), max(name), sum(score) FROM file('${path}', ${format})`, "CSV");
    assert.equal(r.text(), `1000,499500,"user_999",124875\n`);
    assert.equal(r.storageRowsRead, 1000);
    assert.ok(r.elapsed > 0);
  });
}

test("files: JSON output of a Parquet file with row and byte counts", () => {
  const path = join(dir, "data.parquet");
  const r = query(`SELECT * FROM file('${path}', Parquet) ORDER BY id LIMIT 2`, "JSON");
  const json = r.json<{ data: unknown[]; meta: { name: string; type: string }[] }>();
  assert.deepEqual(json.meta.map((m) => m.type), ["UInt32", "String", "Float64"]);
  assert.deepEqual(json.data, [{ id: 0, name: "user_0", score: 0 }, { id: 1, name: "user_1", score: 0.25 }]);
  assert.equal(r.rowsRead, 2);
  assert.ok(r.bytesRead > 0);
});

test("files: the format is inferred from the extension", () => {
  const r = query(`SELECT count() FROM file('${join(dir, "data.parquet")}')`);
  assert.equal(r.text(), "1000\n");
});

test("files: a missing file is a clear engine error", () => {
  assert.throws(() => query(`SELECT * FROM file('${join(dir, "nope.parquet")}', Parquet)`), (e: Error & { code?: number }) => {
    return e.code !== undefined && /nope\.parquet|No such file|FILE_DOESNT_EXIST|CANNOT_STAT/i.test(e.message);
  });
});
