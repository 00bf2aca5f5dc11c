const fastify = require("fastify")();

fastify.get("/", async () => "hello from fastify on pnpm\n");

fastify.listen({ host: "0.0.0.0", port: Number(process.env.PORT || 3000) }).catch((err) => {
  console.error(err);
  process.exit(1);
});
