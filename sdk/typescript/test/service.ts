// Starts the real custaccess binary on a free loopback port with a fresh SQLite database
// seeded with the demo file, the way the Go end-to-end test does.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";

const moduleRoot = resolve(import.meta.dirname, "../../../..");

export interface Service {
  baseUrl: string;
  token(kind: "--user" | "--client" | "--customer", subject: string): string;
  stop(): Promise<void>;
}

export async function startService(): Promise<Service> {
  const dir = mkdtempSync(join(tmpdir(), "custaccess-ts-"));
  const bin = join(dir, "custaccess");
  execFileSync("go", ["build", "-o", bin, "./cmd/custaccess"], { cwd: moduleRoot, stdio: "inherit" });
  const dataArgs = ["--data-dir", join(dir, "data"), "--database-url", ""];
  execFileSync(bin, ["seed", ...dataArgs, join(moduleRoot, "cmd/custaccess/demo.yaml")]);
  const child: ChildProcess = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--drain-delay", "0s", ...dataArgs], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const addr = await new Promise<string>((resolveAddr, reject) => {
    const timer = setTimeout(() => reject(new Error("serve did not start listening within 60s")), 60_000);
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stderr! }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; addr?: string };
        if (entry.msg === "listening" && entry.addr) {
          clearTimeout(timer);
          resolveAddr(entry.addr);
        }
      } catch {
        // not a log line of ours
      }
    });
  });
  return {
    baseUrl: `http://${addr}`,
    token: (kind, subject) => execFileSync(bin, ["token", kind, subject, ...dataArgs]).toString().trim(),
    stop: () =>
      new Promise<void>((done) => {
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          done();
        });
        child.kill("SIGTERM");
      }),
  };
}
