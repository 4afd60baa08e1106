import { describe, expect, it } from "vitest";
import { terminalProgress } from "./progress.js";

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { readonly written: string[] } {
  const written: string[] = [];
  return {
    isTTY,
    columns: 30,
    written,
    write: (chunk: string) => written.push(chunk) > 0,
  } as unknown as NodeJS.WriteStream & {
    readonly written: string[];
  };
}

describe("terminalProgress", () => {
  it("writes nothing when the stream is not a terminal", () => {
    const stream = fakeStream(false);
    const progress = terminalProgress(stream);
    progress.update("listing deployments");
    progress.done();
    expect(stream.written).toEqual([]);
  });

  it("rewrites one line, throttled, truncated to the width, and clears it when done", () => {
    const stream = fakeStream(true);
    let clock = 0;
    const progress = terminalProgress(stream, { intervalMs: 100, now: () => clock });
    progress.update("listing deployments in shop (1/3)");
    clock = 50;
    progress.update("skipped: too soon");
    clock = 150;
    progress.update("comparing");
    progress.done();
    expect(stream.written).toEqual([
      "\r\x1b[2Klisting deployments in shop …",
      "\r\x1b[2Kcomparing",
      "\r\x1b[2K",
    ]);
  });
});
