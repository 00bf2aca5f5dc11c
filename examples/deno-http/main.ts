// A Deno HTTP server: Deno.serve on $PORT, no imports.
const port = Number(Deno.env.get("PORT") ?? "8000");

Deno.serve({ hostname: "0.0.0.0", port }, () =>
  new Response(`hello from deno ${Deno.version.deno}\n`, {
    headers: { "content-type": "text/plain" },
  })
);
