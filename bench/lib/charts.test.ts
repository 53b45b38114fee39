import { describe, expect, it } from "vitest";
import { resample, svgBars, svgChart, terminalBars, terminalChart } from "./charts.js";

describe("resample", () => {
  it("holds the last value between samples so every series shares the x axis", () => {
    const series = {
      name: "lag",
      points: [
        [0, 10],
        [5, 4],
        [10, 0],
      ] as const,
    };
    expect(resample(series, 0, 10, 5)).toEqual([10, 10, 4, 4, 0]);
  });

  it("starts from the first value before the first sample", () => {
    expect(resample({ name: "s", points: [[4, 7]] }, 0, 8, 3)).toEqual([7, 7, 7]);
  });
});

describe("charts", () => {
  const series = [
    {
      name: "inventory-group",
      points: [
        [0, 0],
        [1, 900],
        [2, 300],
        [3, 0],
      ] as const,
    },
    {
      name: "analytics-group",
      points: [
        [0, 0],
        [1, 500],
        [2, 0],
        [3, 0],
      ] as const,
    },
  ];

  it("draws a terminal chart with a legend naming every series", () => {
    const text = terminalChart(series, { width: 20, height: 5 });
    expect(text).toContain("inventory-group");
    expect(text).toContain("analytics-group");
    expect(text).toContain("900");
  });

  it("renders an SVG with the title and both series", async () => {
    const svg = await svgChart(series, { title: "Consumer lag", xTitle: "s", yTitle: "events" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Consumer lag");
    expect(svg).toContain("analytics-group");
  });
});

describe("bars", () => {
  const bars = [
    { label: "producer HTTP batches", value: 80_000 },
    { label: "raw kafkajs", value: 100_000 },
  ];

  it("scales terminal bars to the largest value and prints each figure", () => {
    const lines = terminalBars(bars, { width: 10, unit: " ev/s" }).split("\n");
    expect(lines[0]).toContain(`${"█".repeat(8)} 80,000 ev/s`);
    expect(lines[1]).toContain(`${"█".repeat(10)} 100,000 ev/s`);
  });

  it("renders an SVG bar chart with the title and every label", async () => {
    const svg = await svgBars(bars, { title: "Ingest throughput", valueTitle: "events/s" });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("Ingest throughput");
    expect(svg).toContain("raw kafkajs");
  });
});
