/** The environment a role's configuration is read from (`process.env` in production). */
export type Env = Readonly<Record<string, string | undefined>>;

/** A configuration problem, naming the variable so the person who set it can fix it. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable} ${message}`);
    this.name = "ConfigError";
  }
}

/** The variable's value, trimmed; undefined when unset or blank. */
export function readString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function requireString(env: Env, name: string): string {
  const value = readString(env, name);
  if (value === undefined) throw new ConfigError(name, "is required");
  return value;
}

export function readInt(
  env: Env,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const value = /^-?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(
      name,
      `must be an integer between ${range.min} and ${range.max}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

export function readBoolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = readString(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["true", "1", "yes"].includes(raw)) return true;
  if (["false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got ${JSON.stringify(env[name])}`);
}

export function readEnum<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const raw = readString(env, name);
  if (raw === undefined) return fallback;
  const value = allowed.find((a) => a === raw.toLowerCase());
  if (value === undefined) {
    throw new ConfigError(name, `must be one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A Kafka topic or group name: what Kafka accepts for topics, so a typo fails at start-up. */
export function readName(env: Env, name: string, fallback: string): string {
  const value = readString(env, name) ?? fallback;
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
    throw new ConfigError(
      name,
      `must be 1 to 249 letters, digits, '.', '_' or '-', got ${JSON.stringify(value)}`,
    );
  }
  return value;
}
