// The main job: chDB's getting-started examples, run in-process from Deno, Bun or Node.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { closeDefaultConnection, query, Session } from "./mod.ts";

const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-demo-"));
try {
  console.log("== version");
  query("SELECT version()", "Pretty").show();

  console.log("== write sample files (Parquet, CSV) with the engine itself");
  for (const [format, ext] of [["Parquet", "parquet"], ["CSVWithNames", "csv"]]) {
    query(
      `INSERT INTO FUNCTION file({path:String}, ${format}, 'id UInt32, name String, score Float64')
       SELECT number, concat('user_', toString(number)), round(number * 1.5, 1) FROM numbers(1000)`,
      "CSV",
      { params: { path: join(dir, `data.${ext}`) } },
    );
  }

  console.log("== query files");
  const parquet = join(dir, "data.parquet");
  query(`SELECT * FROM file('${parquet}', Parquet) ORDER BY id LIMIT 3`, "JSONCompact").show();
  const res = query(`SELECT count(), avg(score) FROM file('${join(dir, "data.csv")}', CSVWithNames)`, "CSV");
  res.show();
  console.log(`SQL read ${res.rowsRead} rows, ${res.bytesRead} bytes, elapsed ${res.elapsed.toFixed(4)} seconds`);

  console.log("== the same query in other formats");
  const sql = `SELECT id, name FROM file('${parquet}', Parquet) ORDER BY id LIMIT 2`;
  for (const format of ["TSV", "JSONEachRow", "JSONCompact", "Markdown"]) {
    console.log(`-- ${format}`);
    query(sql, format).show();
  }
  console.log(`-- Parquet: ${query(sql, "Parquet").bytes().length} bytes`);
  console.log("-- parameters:", query("SELECT {greeting:String} || ', ' || {who:String}", "TSV", {
    params: { greeting: "hello", who: "world" },
  }).text().trim());

  console.log("== a stateful session (in memory)");
  {
    using sess = new Session();
    sess.query("CREATE DATABASE IF NOT EXISTS db_xxx ENGINE = Atomic");
    sess.query("CREATE TABLE IF NOT EXISTS db_xxx.log_table_xxx (x String, y Int) ENGINE = Log;");
    sess.query("INSERT INTO db_xxx.log_table_xxx VALUES ('a', 1), ('b', 3), ('c', 2), ('d', 5);");
    sess.query("CREATE VIEW db_xxx.view_xxx AS SELECT * FROM db_xxx.log_table_xxx LIMIT 4;");
    console.log("Select from view:");
    sess.query("SELECT * FROM db_xxx.view_xxx", "Pretty").show();
  }

  console.log("== a session on a data directory (one data path per process: close the in-memory one first)");
  closeDefaultConnection();
  {
    using sess = Session.temporary();
    sess.query("CREATE TABLE events (at DateTime, kind String) ENGINE = MergeTree ORDER BY at");
    sess.query("INSERT INTO events VALUES (now(), 'start'), (now(), 'stop')");
    sess.query("SELECT kind, count() FROM events GROUP BY kind ORDER BY kind", "PrettyCompact").show();
    console.log(`data in ${sess.path}, removed when the session closes`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
