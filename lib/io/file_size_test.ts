import assert from "node:assert/strict";
import { closeSync, openSync } from "node:fs";
import { regularFileSize } from "./file_size.ts";

Deno.test("regularFileSize gives a regular file's size and nothing for a pipe or a device", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/f`, new Uint8Array(12345));
    const fd = openSync(`${dir}/f`, "r");
    try {
      assert.equal(await regularFileSize(fd), 12345);
    } finally {
      closeSync(fd);
    }
    const cmd = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { regularFileSize } from ${JSON.stringify(import.meta.resolve("./file_size.ts"))};
        console.log(await regularFileSize(0));`,
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    await cmd.stdin.close();
    const out = new TextDecoder().decode((await cmd.output()).stdout);
    assert.equal(out.trim(), "undefined", "a pipe has no size");
    assert.equal(await regularFileSize(987654), undefined, "no such descriptor");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
