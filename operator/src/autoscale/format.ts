// Numbers as people read them in status messages and Events: "12,000", "2,100 ev/s", "38 s".

export const count = (n: number) => Math.round(n).toLocaleString("en-US");

export const rate = (perSecond: number) => `${count(perSecond)} ev/s`;

export const seconds = (s: number) => `${count(s)} s`;

export const replicas = (n: number) => `${n} ${n === 1 ? "replica" : "replicas"}`;
