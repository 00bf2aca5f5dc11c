import ms from "ms";

const port = Number(process.env.PORT || 3000);
Bun.serve({
  hostname: "0.0.0.0",
  port,
  fetch: () => new Response(`hello from bun ${Bun.version} (${ms(90000)})\n`),
});
