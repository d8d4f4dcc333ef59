// Two clickhouse-server processes (Debian's package, 18.16) on loopback ports, forming a cluster
// of two shards: configs generated into a temporary directory, stopped and removed by stop().
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SERVER_BINARY = "/usr/sbin/clickhouse-server";
export const CLUSTER = "events_cluster";

export interface Shard {
  http: string; // http://127.0.0.1:port
  process: ChildProcess;
}

/** A free loopback port (the OS picks it; free again when we start the server right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function config(dir: string, httpPort: number, tcpPort: number, tcpPorts: number[]): string {
  const shards = tcpPorts.map((p) => `<shard><replica><host>127.0.0.1</host><port>${p}</port></replica></shard>`).join("");
  return `<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>104857600</mark_cache_size>
  <remote_servers><${CLUSTER}>${shards}</${CLUSTER}></remote_servers>
</yandex>
`;
}

async function waitForPing(url: string, child: ChildProcess, dir: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) throw new Error(`clickhouse-server exited with ${child.exitCode} (logs in ${dir})`);
    try {
      if ((await fetch(`${url}/ping`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`clickhouse-server at ${url} did not answer /ping within 15 s`);
}

export class TwoShardCluster {
  private constructor(readonly dir: string, readonly shards: Shard[]) {}

  static available(): boolean {
    return existsSync(SERVER_BINARY);
  }

  static async start(): Promise<TwoShardCluster> {
    const dir = mkdtempSync(join(tmpdir(), "chdb-ffi-cluster-"));
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const tcpPorts = [ports[1], ports[3]];
    const shards: Shard[] = [];
    const cluster = new TwoShardCluster(dir, shards);
    try {
      for (let i = 0; i < 2; i++) {
        const shardDir = join(dir, `shard${i + 1}`);
        mkdirSync(shardDir);
        const file = join(shardDir, "config.xml");
        writeFileSync(file, config(shardDir, ports[2 * i], ports[2 * i + 1], tcpPorts));
        const child = spawn(SERVER_BINARY, [`--config-file=${file}`], { stdio: "ignore" });
        shards.push({ http: `http://127.0.0.1:${ports[2 * i]}`, process: child });
      }
      for (const [i, s] of shards.entries()) await waitForPing(s.http, s.process, join(dir, `shard${i + 1}`));
      return cluster;
    } catch (e) {
      await cluster.stop();
      throw e;
    }
  }

  /** Stops both servers (SIGTERM, then SIGKILL after 10 s) and removes their directory. */
  async stop(): Promise<void> {
    await Promise.all(this.shards.map((s) =>
      new Promise<void>((resolve) => {
        if (s.process.exitCode !== null || s.process.signalCode !== null) return resolve();
        const kill = setTimeout(() => s.process.kill("SIGKILL"), 10_000);
        s.process.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        s.process.kill("SIGTERM");
      })
    ));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
