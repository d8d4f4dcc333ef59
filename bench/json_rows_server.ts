// A stand-in HTTP server for the client's memory floor (bench/clickhouse_stream.ts): it answers any
// query with N synthetic JSONEachRow rows shaped like `SELECT number, toString(number) AS s FROM
// numbers(N)` (N read from the SQL), written as fast as the socket drains. It runs in a process of its
// own, so the measured process holds nothing but @clickhouse/client's own HTTP path.
// Run: node bench/json_rows_server.ts PORT (it prints "listening" once ready).
import { createServer } from "node:http";
import process from "node:process";

const port = Number(process.argv[2] ?? 18123);
const ROWS_PER_WRITE = 2000;

createServer((req, res) => {
  let sql = decodeURIComponent(req.url ?? "");
  req.on("data", (chunk) => sql += chunk);
  req.on("end", () => {
    const rows = Number(/numbers\((\d+)\)/.exec(sql)?.[1] ?? 0);
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8", "X-ClickHouse-Format": "JSONEachRow" });
    let next = 0;
    const pump = (): void => {
      while (next < rows) {
        let text = "";
        for (const end = Math.min(rows, next + ROWS_PER_WRITE); next < end; next++) {
          text += `{"number":"${next}","s":"${next}"}\n`;
        }
        if (!res.write(text)) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
}).listen(port, "127.0.0.1", () => console.log("listening"));
