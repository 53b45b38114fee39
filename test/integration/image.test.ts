// The container image as a cluster will see it: hack/image.sh builds the OCI archive (reusing its
// cached layers), and the test reads it the way containerd does (index, manifest, config, layers
// checked against their digests), unpacks the root file system and starts every role from it with
// the image's own user, working directory, environment and command.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WORKLOAD_ENTRYPOINT } from "../../operator/src/reconcile/desired-workloads.js";
import { ROLES } from "../../workloads/src/role.js";

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
  version: string;
  dependencies: Record<string, string>;
};

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}
interface ImageConfig {
  architecture: string;
  os: string;
  config: {
    User: string;
    Env: string[];
    Entrypoint: string[];
    Cmd: string[];
    WorkingDir: string;
  };
  rootfs: { diff_ids: string[] };
}
interface Build {
  archive: string;
  image: string;
  digest: string;
}

let work: string;
let first: Build;
let layout: string;
let rootfs: string;
let index: { manifests: Descriptor[] };
let manifest: { config: Descriptor; layers: Descriptor[] };
let config: ImageConfig;

/** hack/image.sh into `out`; its stdout is `key=value` lines. */
async function buildImage(out: string): Promise<Build> {
  const { stdout } = await run(join(repoRoot, "hack/image.sh"), ["build"], {
    env: { ...process.env, IMAGE_OUT: out },
    maxBuffer: 16 * 1024 * 1024,
  });
  const fields = Object.fromEntries(
    stdout
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
  return fields as unknown as Build;
}

const blobPath = (digest: string) => join(layout, "blobs", ...digest.split(":"));
const sha256 = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, "utf8")) as T;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "image-test-"));
  first = await buildImage(join(work, "first.oci.tar"));
  layout = join(work, "layout");
  rootfs = join(work, "rootfs");
  await run("mkdir", ["-p", layout, rootfs]);
  await run("tar", ["-xf", first.archive, "-C", layout]);
  index = readJson(join(layout, "index.json"));
  manifest = readJson(blobPath(index.manifests[0]?.digest ?? ""));
  config = readJson(blobPath(manifest.config.digest));
  for (const layer of manifest.layers) {
    await run("tar", ["-xzf", blobPath(layer.digest), "-C", rootfs]);
  }
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("hack/image.sh", () => {
  it("names the image for containerd and prints the manifest's digest", () => {
    expect(first.image).toBe(`docker.io/library/streaming-orders:${pkg.version}`);
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]?.digest).toBe(first.digest);
    expect(index.manifests[0]?.annotations).toMatchObject({
      "io.containerd.image.name": first.image,
      "org.opencontainers.image.ref.name": pkg.version,
    });
  });

  it("writes blobs that match their digests, sizes and uncompressed diff ids", () => {
    const manifestBlob = readFileSync(blobPath(first.digest));
    expect(sha256(manifestBlob)).toBe(first.digest);
    expect(sha256(readFileSync(blobPath(manifest.config.digest)))).toBe(manifest.config.digest);
    expect(manifest.layers).toHaveLength(config.rootfs.diff_ids.length);
    manifest.layers.forEach((layer, i) => {
      const blob = readFileSync(blobPath(layer.digest));
      expect(layer.mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
      expect(blob.length).toBe(layer.size);
      expect(sha256(blob)).toBe(layer.digest);
      expect(sha256(gunzipSync(blob))).toBe(config.rootfs.diff_ids[i]);
    });
  });

  it("runs as the non-root user 65532 from /app with node as the entrypoint", () => {
    expect(config).toMatchObject({ architecture: "amd64", os: "linux" });
    expect(config.config.User).toBe("65532:65532");
    expect(config.config.WorkingDir).toBe("/app");
    expect(config.config.Entrypoint).toEqual(["node"]);
    expect(config.config.Cmd).toEqual(["dist/operator/src/main.js"]);
    expect(config.config.Env).toContain("NODE_ENV=production");
    const passwd = readFileSync(join(rootfs, "etc/passwd"), "utf8");
    expect(passwd).toContain("nonroot:x:65532:65532:");
  });

  it("carries the operator's and every workload role's entry files", () => {
    const app = join(rootfs, "app");
    expect(existsSync(join(app, "dist/operator/src/main.js"))).toBe(true);
    expect(existsSync(join(app, WORKLOAD_ENTRYPOINT[1] ?? ""))).toBe(true);
    for (const role of ROLES) {
      expect(existsSync(join(app, `dist/workloads/src/${role}/service.js`)), role).toBe(true);
    }
    expect(readJson<{ type: string }>(join(app, "package.json")).type).toBe("module");
    const tests = readdirSync(join(app, "dist"), { recursive: true }).filter((f) =>
      String(f).endsWith(".test.js"),
    );
    expect(tests).toEqual([]);
  });

  it("holds the production dependencies and none of the development ones", () => {
    const modules = join(rootfs, "app/node_modules");
    for (const name of Object.keys(pkg.dependencies)) {
      expect(existsSync(join(modules, name, "package.json")), name).toBe(true);
    }
    const lock = readJson<{ packages: Record<string, { dev?: boolean }> }>(
      join(repoRoot, "package-lock.json"),
    );
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path.startsWith("node_modules/") && entry.dev)
      .map(([path]) => path);
    expect(devOnly).toEqual(expect.arrayContaining(["node_modules/vitest"]));
    const present = devOnly.filter((path) => existsSync(join(rootfs, "app", path)));
    expect(present).toEqual([]);
    for (const tool of ["typescript", "vitest", "@biomejs/biome"]) {
      expect(existsSync(join(modules, tool)), tool).toBe(false);
    }
  });

  it("stays small: under 60 MiB compressed", () => {
    const compressed = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
    expect(compressed).toBeLessThan(60 * 1024 * 1024);
    expect(statSync(first.archive).size).toBeGreaterThan(compressed);
  });

  it("gives the same digest when built again", async () => {
    const second = await buildImage(join(work, "second.oci.tar"));
    expect(second.digest).toBe(first.digest);
    expect(readFileSync(second.archive).equals(readFileSync(first.archive))).toBe(true);
  });
});

describe("the image's processes", () => {
  // As the runtime starts them: chrooted into the unpacked layers, in the working directory, as
  // the image's user, with its environment. Without root, the image's node runs on the host
  // instead (with the host's C library), still from the image's /app.
  const isolated = process.getuid?.() === 0 && existsSync("/usr/bin/unshare");

  async function start(
    command: string[],
    env: Record<string, string>,
  ): Promise<{ code: number; output: string }> {
    const [uid, gid] = config.config.User.split(":");
    const imageEnv = Object.fromEntries(
      config.config.Env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
    const [file, ...args] = isolated
      ? [
          "/usr/bin/unshare",
          `--root=${rootfs}`,
          `--wd=${config.config.WorkingDir}`,
          `--setuid=${uid}`,
          `--setgid=${gid}`,
          ...command,
        ]
      : [join(rootfs, "usr/local/bin", command[0] ?? ""), ...command.slice(1)];
    try {
      const { stdout, stderr } = await run(file ?? "", args, {
        env: { ...imageEnv, ...env },
        cwd: isolated ? "/" : join(rootfs, config.config.WorkingDir),
        timeout: 20_000,
      });
      return { code: 0, output: stdout + stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
    }
  }

  it("runs the image's own node", async () => {
    const { code, output } = await start(["node", "--version"], {});
    expect(code).toBe(0);
    expect(output.trim()).toMatch(/^v20\.\d+\.\d+$/);
  });

  it("starts the operator by default and names a bad setting", async () => {
    const { code, output } = await start([...config.config.Entrypoint, ...config.config.Cmd], {
      OPERATOR_HTTP_PORT: "none",
    });
    expect(code).toBe(2);
    expect(output).toContain("OPERATOR_HTTP_PORT must be an integer");
  });

  it.each(ROLES)("starts the %s workload with the operator's command", async (role) => {
    const { code, output } = await start([...WORKLOAD_ENTRYPOINT, role], { HOSTNAME: `${role}-0` });
    expect(code).toBe(2);
    expect(output).toContain("KAFKA_BOOTSTRAP_SERVERS is required");
  });
});
